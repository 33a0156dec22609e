package analysis

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// testAnalysis loads the built-in dictionaries once per test binary.
func testAnalysis(tb testing.TB) *Analysis {
	tb.Helper()
	a, err := NewBuiltinAnalysis()
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

type tok struct {
	term       string
	start, end int
	pos        int
}

func toks(ts analysis.TokenStream) []tok {
	out := make([]tok, len(ts))
	for i, t := range ts {
		out[i] = tok{string(t.Term), t.Start, t.End, t.Position}
	}
	return out
}

func TestTokenize(t *testing.T) {
	a := testAnalysis(t)
	tests := []struct {
		in   string
		want []tok
	}{
		{"长江大桥", []tok{{"长江", 0, 6, 1}, {"大桥", 6, 12, 3}, {"长江大桥", 0, 12, 1}}},
		{"PD1728型号", []tok{{"pd1728", 0, 6, 1}, {"型号", 6, 12, 7}}},
		{"２０２４年", []tok{{"2024", 0, 12, 1}, {"年", 12, 15, 5}}},
		{"第0123号", []tok{{"第", 0, 3, 1}, {"123", 3, 7, 2}, {"号", 7, 10, 6}}},
		{"Hello, World!", []tok{{"hello", 0, 5, 1}, {"world", 7, 12, 8}}},
		{"鄉村振興", []tok{{"乡村", 0, 6, 1}, {"振兴", 6, 12, 3}, {"乡村振兴", 0, 12, 1}}},
		{"十四届", []tok{{"十四", 0, 6, 1}, {"14", 0, 6, 1}, {"四届", 3, 9, 2}, {"4", 3, 6, 2}, {"届", 6, 9, 3},
			{"十四届", 0, 9, 1}, {"14", 0, 6, 1}, {"届", 6, 9, 3}}},
		{"乡村\x00振兴", []tok{{"乡村", 0, 6, 1}, {"振兴", 7, 13, 4}}},
		{"\xff乡村", []tok{{"乡村", 1, 7, 2}}},
		{"ＡＢＣ　ｄｅｆ", []tok{{"abc", 0, 9, 1}, {"def", 12, 21, 5}}},
		{"", []tok{}},
		{"，。！  \n", []tok{}},
	}
	for _, tt := range tests {
		got := toks(a.Tokenize([]byte(tt.in)))
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("Tokenize(%q)\n got %v\nwant %v", tt.in, got, tt.want)
		}
	}
}

func TestLiteralTokenize(t *testing.T) {
	a := testAnalysis(t)
	got := toks(a.LiteralTokenize([]byte("鄉村 A２")))
	want := []tok{{"乡村", 0, 6, 1}, {"村 ", 3, 7, 2}, {" a", 6, 8, 3}, {"a2", 7, 11, 4}, {"2\x01", 8, 11, 5}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("LiteralTokenize\n got %v\nwant %v", got, want)
	}
	got = toks(a.CharTokenize([]byte("鄉村\nA２")))
	want = []tok{{"乡", 0, 3, 1}, {"村", 3, 6, 2}, {" ", 6, 7, 3}, {"a", 7, 8, 4}, {"2", 8, 11, 5}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("CharTokenize\n got %v\nwant %v", got, want)
	}
	if got := toks(a.LiteralTokenize([]byte("乡"))); fmt.Sprint(got) != fmt.Sprint([]tok{{"乡\x01", 0, 3, 1}}) {
		t.Errorf("LiteralTokenize of one character: %v", got)
	}
}

// checkTokens checks the invariants every token stream must keep, whatever
// the input: offsets in range and on rune boundaries, the position of a
// token is the rune index of its start plus one, terms are valid UTF-8 and
// never empty.
func checkTokens(t *testing.T, a *Analysis, text []byte, ts analysis.TokenStream, literal bool) {
	t.Helper()
	runeAt := map[int]int{}
	n := 0
	for i := 0; i < len(text); {
		_, size := utf8.DecodeRune(text[i:])
		runeAt[i] = n
		n++
		i += size
	}
	runeAt[len(text)] = n
	for _, tk := range ts {
		if tk.Start < 0 || tk.End > len(text) || tk.Start >= tk.End {
			t.Fatalf("%q: token %q has offsets %d:%d", text, tk.Term, tk.Start, tk.End)
		}
		r, ok := runeAt[tk.Start]
		if _, ok2 := runeAt[tk.End]; !ok || !ok2 {
			t.Fatalf("%q: token %q offsets %d:%d not on rune boundaries", text, tk.Term, tk.Start, tk.End)
		}
		if tk.Position != r+1 {
			t.Fatalf("%q: token %q at rune %d has position %d", text, tk.Term, r, tk.Position)
		}
		if len(tk.Term) == 0 || !utf8.Valid(tk.Term) {
			t.Fatalf("%q: bad term %q", text, tk.Term)
		}
		if literal {
			continue
		}
		if tk.Type == analysis.Ideographic && string(tk.Term) != a.fold.String(string(text[tk.Start:tk.End])) {
			t.Fatalf("%q: term %q is not the folded text %q", text, tk.Term, text[tk.Start:tk.End])
		}
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"长江大桥", "中华人民共和国国歌", "PD-1728 型号２０２４", "\xff\xfe乡村", "乡\x00村", "鄉村振興十四届第0123号", strings.Repeat("a", 300)} {
		f.Add([]byte(s))
	}
	a := testAnalysis(f)
	f.Fuzz(func(t *testing.T, text []byte) {
		ts := a.Tokenize(text)
		checkTokens(t, a, text, ts, false)
		if got, want := toks(ts), tokenizeApart(a, text); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%q: Tokenize gave %v, a call a span %v", text, got, want)
		}
		checkCount(t, a, text)
		lit := a.LiteralTokenize(text)
		checkTokens(t, a, text, lit, true)
		chars := a.CharTokenize(text)
		checkTokens(t, a, text, chars, true)
		if n := utf8.RuneCount(text); len(lit) != n || len(chars) != n {
			t.Fatalf("%q: %d bigrams and %d characters for %d runes", text, len(lit), len(chars), n)
		}
	})
}

// A long unbroken run is segmented in bounded chunks: 1 MB of one letter or
// one character must not take cppjieba's 370 bytes per byte.
func TestTokenizeLongRun(t *testing.T) {
	a := testAnalysis(t)
	for _, s := range []string{strings.Repeat("a", 1<<20), strings.Repeat("乡", 1<<18)} {
		ts := a.Tokenize([]byte(s))
		if len(ts) == 0 {
			t.Fatalf("no tokens for a run of %d bytes", len(s))
		}
		checkTokens(t, a, []byte(s[:3000]), a.Tokenize([]byte(s[:3000])), false)
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"乡村振兴", "乡村振兴"},
		{"乡村\x00振兴", "乡村振兴"},
		{"a\r\nb", "a\nb"},
		{"\xff乡\xe4\xb9", "\uFFFD乡\uFFFD"},
		{"tab\tok\n", "tab\tok\n"},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestShortcutsAgreeWithTables: the shortcut of classOf agrees with the
// table it spares (corpus tests numeral's).
func TestShortcutsAgreeWithTables(t *testing.T) {
	for r := rune(cjkFirst); r <= cjkLast; r++ {
		if !unicode.Is(unicode.Han, r) {
			t.Fatalf("%U is not Han", r)
		}
	}
}

// tokenizeApart is Tokenize as it was before segment cut a text's CJK
// spans in one call: a call to jieba for each span, each word emitted by
// emitCut as segment emits it. Tokenize must give exactly its tokens, in
// its order.
func tokenizeApart(a *Analysis, text []byte) []tok {
	folded, offs := a.runes(text)
	t := &tokens{offs: offs, slab: len(folded) + 8}
	for i := 0; i < len(folded); {
		cls := classOf(folded[i])
		j := i + 1
		for j < len(folded) && classOf(folded[j]) == cls {
			j++
		}
		for k := i; cls != clsSep && k < j; {
			e := min(k+maxHanRun, j)
			if cls == clsWord {
				e = min(k+maxWordLen, j)
				a.emitWord(string(folded[k:e]), k, e, t)
				k = e
				continue
			}
			s := string(folded[k:e])
			runeAt := make([]int, len(s)+1)
			n := 0
			for b := range s {
				runeAt[b] = n
				n++
			}
			runeAt[len(s)] = n
			for _, w := range a.cut(s) {
				if w.Start < 0 || w.End > len(s) || w.Start >= w.End {
					continue
				}
				emitCut(w.Str, k+runeAt[w.Start], k+runeAt[w.End], folded, t)
			}
			k = e
		}
		i = j
	}
	return toks(t.out)
}

// TestTokenizeCutsSpansApart holds Tokenize, which hands jieba a text's
// CJK spans joined by newlines, to the tokens of a call for each span:
// across punctuation, letters and digits between spans, a run longer than
// maxHanRun and texts past maxCutRunes.
func TestTokenizeCutsSpansApart(t *testing.T) {
	a := testAnalysis(t)
	for _, s := range spanTexts {
		got, want := toks(a.Tokenize([]byte(s))), tokenizeApart(a, []byte(s))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Tokenize(%.40q...): %d tokens differ from a call a span's %d", s, len(got), len(want))
		}
	}
}

const spanSentence = "关于加快农村寄递物流体系建设助力乡村振兴的建议，建议省邮政管理局会同省商务厅2024年推动5G快递进村。十四届人大二次会议第0123号：“一老一小”B超X光检查！"

// spanTexts are texts of CJK spans between punctuation, letters and
// digits, a run longer than maxHanRun and texts past maxCutRunes.
var spanTexts = []string{
	"", "乡", "乡村\n振兴", "长江大桥，南京长江大桥。", "abc乡村def振兴", "，乡村。",
	spanSentence,
	strings.Repeat(spanSentence, 200), // past maxCutRunes
	strings.Repeat("乡村振兴建设", 200) + "，" + strings.Repeat("中华人民共和国", 100), // past maxHanRun
	strings.Repeat("乡", maxCutRunes) + "村" + strings.Repeat("振兴", maxCutRunes),
	"ソウル서울한국어テスト中文混合こんにちは世界",
}
