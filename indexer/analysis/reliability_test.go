package analysis

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"

	"minsheng/internal/procstat"
)

// A malformed dictionary is an error from Validate and NewAnalysis, never
// an abort inside cppjieba: each case below, handed to gojieba.NewJieba,
// kills the process (XCHECK "split result illegal", assert sum > 0.0,
// assert stopWords_.size(), HMMModel XCHECKs). Reaching the end of this
// test is part of its pass line.
func TestMalformedDictionaries(t *testing.T) {
	good, err := BuiltinDicts()
	if err != nil {
		t.Fatal(err)
	}
	if err := good.Validate(); err != nil {
		t.Fatalf("the built-in dictionaries do not validate: %v", err)
	}
	small := good // a small main dictionary keeps the cases quick
	small.Main = []byte("乡村 5 n\n振兴 3 v\n代表 8 n\n")
	if err := small.Validate(); err != nil {
		t.Fatal(err)
	}
	with := func(f func(d *Dicts)) Dicts {
		d := small
		f(&d)
		return d
	}
	main := func(s string) Dicts { return with(func(d *Dicts) { d.Main = []byte(s) }) }
	for _, tt := range []struct {
		name string
		d    Dicts
	}{
		{"empty main dictionary", main("")},
		{"one-column main line", main("乡村 5 n\n振兴\n")},
		{"two-column main line", main("乡村 5\n")},
		{"four-column main line", main("乡村 5 n x\n")},
		{"blank line inside the main dictionary", main("乡村 5 n\n\n振兴 3 v\n")},
		{"two newlines at the end", main("乡村 5 n\n\n")},
		{"tab-separated main line", main("乡村\t5\tn\n")},
		{"double space in a main line", main("乡村  5 n\n")},
		{"leading space in a main line", main(" 乡村 5 n\n")},
		{"zero frequency", main("乡村 0 n\n")},
		{"negative frequency", main("乡村 -3 n\n")},
		{"NaN frequency", main("乡村 NaN n\n")},
		{"infinite frequency", main("乡村 1e309 n\n")},
		{"text frequency", main("乡村 many n\n")},
		{"invalid UTF-8 main dictionary", main("乡村 5 n\n\xff\xfe 3 n\n")},
		{"empty user dictionary", with(func(d *Dicts) { d.User = nil })},
		{"blank user dictionary", with(func(d *Dicts) { d.User = []byte("\n  \n") })},
		{"invalid UTF-8 user dictionary", with(func(d *Dicts) { d.User = []byte("代表建议 10 n\n\xe4\xb9\n") })},
		{"user line with too many fields", with(func(d *Dicts) { d.User = []byte("代表 建议 10 n\n") })},
		{"user line with a bad frequency", with(func(d *Dicts) { d.User = []byte("代表建议 NaN n\n") })},
		{"empty HMM model", with(func(d *Dicts) { d.HMM = nil })},
		{"HMM model without its last line", with(func(d *Dicts) { d.HMM = good.HMM[:bytes.LastIndex(good.HMM, []byte("\n#S"))+1] })},
		{"HMM emission without a probability", with(func(d *Dicts) {
			d.HMM = append(append([]byte(nil), good.HMM...), []byte("\n耀\n")...)
			d.HMM = bytes.Replace(d.HMM, []byte("\n#S\n"), []byte("\n#S\n耀,"), 1)
		})},
		{"HMM model with a short line", with(func(d *Dicts) { d.HMM = []byte("1 2 3\n") })},
		{"empty IDF table", with(func(d *Dicts) { d.IDF = nil })},
		{"IDF table without values", with(func(d *Dicts) { d.IDF = []byte("词\n语\n") })},
		{"empty stop words", with(func(d *Dicts) { d.Stop = nil })},
	} {
		if err := tt.d.Validate(); err == nil {
			t.Errorf("%s: Validate accepted it", tt.name)
		}
		a, err := NewAnalysis(tt.d)
		if err == nil || a != nil {
			t.Errorf("%s: NewAnalysis = %v, %v; want an error", tt.name, a, err)
			continue
		}
		if !strings.Contains(err.Error(), "dictionaries") {
			t.Errorf("%s: error %q does not say it is about the dictionaries", tt.name, err)
		}
	}
	// well-formed variants stay accepted
	for _, d := range []Dicts{
		main("乡村 5 n\n振兴 3 v"),
		main("乡村 5 n\r\n振兴 3 v\r\n"),
		main("乡村 5 n \n"), // a trailing space adds no field for cppjieba
		with(func(d *Dicts) { d.User = []byte("代表建议\n\n人大代表 5000 n\n  承办单位   10  \n") }),
	} {
		if err := d.Validate(); err != nil {
			t.Errorf("a well-formed set was rejected: %v", err)
		}
	}
}

// Dictionary reload under load: goroutines keep tokenizing with the
// current Analysis while a new one, with another user dictionary, is
// loaded and put to work beside it. Nothing is mutated, so nothing may
// crash (-race watches the Go side) and each instance keeps giving exactly
// what it gave single-threaded.
func TestDictionaryReloadUnderLoad(t *testing.T) {
	a := testAnalysis(t)
	texts := []string{
		"民声检索系统上线后，代表建议的办理情况一目了然。",
		"关于加快农村寄递物流体系建设助力乡村振兴的建议",
		"十四届全国人大一次会议第0123号建议：长江大桥维修",
		"PD-1728 型号２０２４年鄉村振興\x00\xff尾部",
		strings.Repeat("中华人民共和国国歌", 40),
	}
	render := func(an *Analysis, s string) string {
		var b strings.Builder
		for _, tk := range an.Tokenize([]byte(s)) {
			fmt.Fprintf(&b, "%s/%d/%d/%d ", tk.Term, tk.Start, tk.End, tk.Position)
		}
		return b.String()
	}
	wantA := make([]string, len(texts))
	for i, s := range texts {
		wantA[i] = render(a, s)
	}

	stop := make(chan struct{})
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex // guards mismatch and calls
		mismatch []string
		calls    int
	)
	worker := func(an *Analysis, want []string, name string) {
		defer wg.Done()
		deadline := time.Now().Add(time.Minute) // bounded even if stop never comes
		for n := 0; n < 200000 && time.Now().Before(deadline); n++ {
			select {
			case <-stop:
				return
			default:
			}
			i := n % len(texts)
			if got := render(an, texts[i]); got != want[i] {
				mu.Lock()
				mismatch = append(mismatch, fmt.Sprintf("%s: %q:\n got %s\nwant %s", name, texts[i], got, want[i]))
				mu.Unlock()
				return
			}
			mu.Lock()
			calls++
			mu.Unlock()
		}
	}
	for range 4 {
		wg.Add(1)
		go worker(a, wantA, "old")
	}

	// the reload: a new set whose user dictionary knows 民声检索系统
	d, err := BuiltinDicts()
	if err != nil {
		t.Fatal(err)
	}
	d.User = append(append([]byte(nil), d.User...), []byte("\n民声检索系统 100000 n\n")...)
	b, err := NewAnalysis(d)
	if err != nil {
		t.Fatal(err)
	}
	if b == a {
		t.Fatal("a different user dictionary gave the same Analysis")
	}
	wantB := make([]string, len(texts))
	for i, s := range texts {
		wantB[i] = render(b, s)
	}
	if !strings.Contains(wantB[0], "民声检索系统/") || strings.Contains(wantA[0], "民声检索系统/") {
		t.Errorf("the new user word is not (only) in the new instance:\nold %s\nnew %s", wantA[0], wantB[0])
	}
	for range 4 {
		wg.Add(1)
		go worker(b, wantB, "new")
	}
	time.Sleep(3 * time.Second)
	close(stop)
	wg.Wait()
	for _, m := range mismatch {
		t.Error(m)
	}
	t.Logf("%d tokenizations by 8 goroutines across the reload, results stable", calls)
}

// Long unbroken text is segmented in bounded chunks: 1 MB of one letter
// and 1 MB of one Chinese character each raise the peak RSS by less than
// 300 MB (cppjieba alone would take about 370 MB per MB), in the word
// analyzer and in the literal one (one bigram token per character; under
// -race, whose shadow memory doubles the heap, 600 MB). Time is
// BenchmarkTokenizeLongRun's to report, not a test's to assert.
func TestTokenizeLongRunMemory(t *testing.T) {
	a := testAnalysis(t)
	for _, tt := range []struct {
		name string
		text []byte
	}{
		{"1 MB of a", []byte(strings.Repeat("a", 1<<20))},
		{"1 MB of 乡", []byte(strings.Repeat("乡", (1<<20)/3))},
	} {
		for _, an := range []struct {
			name     string
			tokenize func([]byte) analysis.TokenStream
		}{{"words", a.Tokenize}, {"literal", a.LiteralTokenize}} {
			var n int
			grew := procstat.PeakGrowth(t, func() { n = len(an.tokenize(tt.text)) })
			t.Logf("%s, %s analyzer: %d tokens, peak RSS +%.1f MB", tt.name, an.name, n, float64(grew)/(1<<20))
			if n == 0 {
				t.Errorf("%s, %s analyzer: no tokens", tt.name, an.name)
			}
			limit := int64(300 << 20)
			if raceDetector && an.name == "literal" { // a million tokens on a shadowed heap
				limit *= 2
			}
			if grew > limit {
				t.Errorf("%s, %s analyzer: peak RSS grew by %.0f MB, want < %d MB", tt.name, an.name, float64(grew)/(1<<20), limit>>20)
			}
		}
	}
}

// BenchmarkTokenizeLongRun is the time of 1 MB without a break, for the
// word analyzer (the jieba path) and the literal one.
func BenchmarkTokenizeLongRun(b *testing.B) {
	a := testAnalysis(b)
	for _, tt := range []struct {
		name string
		text []byte
	}{
		{"a", []byte(strings.Repeat("a", 1<<20))},
		{"han", []byte(strings.Repeat("乡", (1<<20)/3))},
	} {
		b.Run(tt.name+"/words", func(b *testing.B) {
			b.SetBytes(int64(len(tt.text)))
			for b.Loop() {
				a.Tokenize(tt.text)
			}
		})
		b.Run(tt.name+"/literal", func(b *testing.B) {
			b.SetBytes(int64(len(tt.text)))
			for b.Loop() {
				a.LiteralTokenize(tt.text)
			}
		})
	}
}
