package search_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"minsheng/corpus"
	"minsheng/errs"
	"minsheng/indexer"
	"minsheng/internal/procstat"
	"minsheng/search"
)

// FuzzParse: the query parser never fails and never panics on any input;
// every group it returns has a term, every term has text that is valid
// UTF-8 and not only spaces, and a field, when set, is one of the facet
// fields a prefix stands for.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"乡村振兴", `"长江大桥" -"收费" 医疗 OR 教育`, "topic:教育 代表团：甘肃", "- OR OR -", "OR a OR",
		`"unclosed`, "“中文引号”「括号」『书名』", "*a* /.*/ a* b* c* 乡村~99", "\xff\xfe乡\x00村", "－排除 －",
		"a OR -b OR c", "主题:", "year:2024 number:0123", strings.Repeat("词 OR ", 300),
	} {
		f.Add(s)
	}
	fields := map[string]bool{"": true, "topic": true, "kind": true, "year": true, "delegation": true, "unit": true,
		"status": true, "source": true, "author": true, "number": true}
	f.Fuzz(func(t *testing.T, s string) {
		q := search.Parse(s)
		check := func(what string, tm search.Term) {
			if !utf8.ValidString(tm.Text) || strings.TrimSpace(tm.Text) == "" {
				t.Fatalf("Parse(%q): %s term %+v has bad text", s, what, tm)
			}
			if !fields[tm.Field] {
				t.Fatalf("Parse(%q): %s term %+v has an unknown field", s, what, tm)
			}
			if tm.Phrase && tm.Field != "" {
				t.Fatalf("Parse(%q): %s term %+v is a phrase with a field", s, what, tm)
			}
		}
		for _, g := range q.Groups {
			if len(g) == 0 {
				t.Fatalf("Parse(%q): an empty group in %+v", s, q)
			}
			for _, tm := range g {
				check("group", tm)
			}
		}
		for _, tm := range q.Not {
			check("excluded", tm)
		}
		if q.Empty() != (len(q.Groups) == 0) {
			t.Fatalf("Parse(%q): Empty() = %v with %d groups", s, q.Empty(), len(q.Groups))
		}
	})
}

// abuse is one hostile request and what it may get: 400 at validation
// (wantInvalid) or an answer.
type abuse struct {
	name        string
	r           search.Request
	wantInvalid bool
}

// abuses are the hostile requests of RELIABILITY.md's battery item 8, at
// the limits l. chars are common characters of the index's text.
func abuses(l search.Limits, chars []string, long string) []abuse {
	n := l.MaxTerms
	orWords := func(limit int) string { // w0 OR w1 OR ... up to limit characters
		var b strings.Builder
		for i := 0; ; i++ {
			w := fmt.Sprintf("w%d", i)
			if i > 0 {
				w = " OR " + w
			}
			if b.Len()+len(w) > limit {
				return b.String()
			}
			b.WriteString(w)
		}
	}
	join := func(sep, quote, neg string, n int) string {
		parts := make([]string, 0, n)
		for i := 0; i < n; i++ {
			parts = append(parts, neg+quote+chars[i%len(chars)]+quote)
		}
		return strings.Join(parts, sep)
	}
	many := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("topic-%d", i)
		}
		return out
	}
	q := func(s string) search.Request { return search.Request{Query: s} }
	return []abuse{
		{"*a*", q("*a*"), false},
		{"/.*/", q("/.*/"), false},
		{".*", q(".*"), false},
		{"a* b* c*", q("a* b* c*"), false},
		{"乡村~99", q("乡村~99"), false},
		{"1000 characters of OR'ed words", q(orWords(1000)), true},
		{"max_query_terms OR'ed common characters", q(join(" OR ", "", "", n)), false},
		{"max_query_terms quoted common characters", q(join(" ", `"`, "", n)), false},
		{"max_query_terms excluded common characters", q(join(" ", "", "-", n)), false},
		{"max_query_terms+1 words", q(join(" ", "", "", n+1)), true},
		{"500 words", q(strings.Repeat("a ", 500)), true},
		{"1000 characters of text (a question)", q(long), false},
		{"1000 characters of text as a phrase", q(`"` + long[:len(long)-6] + `"`), false},
		{"1000 letters", q(strings.Repeat("a", 1000)), false},
		{"1001 characters", q(strings.Repeat("长", 1001)), true},
		{"facet_size 1e9", search.Request{FacetSize: 1e9}, true},
		{"facet_size at the limit", search.Request{Query: chars[0], FacetSize: 100}, false},
		{"size 1e6", search.Request{Size: 1e6}, true},
		{"size -1", search.Request{Size: -1}, true},
		{"page past the depth", search.Request{Page: 101, Size: 100}, true},
		{"page MaxInt", search.Request{Page: math.MaxInt, Size: 100}, true},
		{"page MaxInt with after", search.Request{Page: math.MaxInt, Size: 100, After: []string{"2024-01-01T00:00:00Z", "x"}}, false},
		{"last page within the depth", search.Request{Page: 100, Size: 100}, false},
		{"after with one junk value", search.Request{Query: chars[0], After: []string{"junk"}}, true},
		{"after with three junk values", search.Request{Query: chars[0], After: []string{"junk", "\xff\x00", "-"}}, false},
		{"after 1e309", search.Request{Query: chars[0], After: []string{"1e309", "NaN", "9999999999999999999999"}}, false},
		{"after with long values", search.Request{Query: chars[0], After: []string{strings.Repeat("9", 100000), strings.Repeat("x", 100000), "z"}}, false},
		{"after by date", search.Request{Sort: "date", After: []string{"junk", "junk"}}, false},
		{"10,000 topic filters", search.Request{Filters: search.Filters{Topic: many(10000)}}, false},
		{"10,000 year filters", search.Request{Filters: search.Filters{Year: many(10000)}}, true},
		{"dates 0001 to 9999", search.Request{Filters: search.Filters{From: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)}}, false},
		{"dates 1000 to 2000", search.Request{Filters: search.Filters{From: time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}}, false},
	}
}

// realisticIndex is proposals and policy of ../shared (688 documents, 8 MB
// of text, long government reports among them), title and body only: the
// index TestPhraseExactness builds, shared with it.
func realisticIndex(tb testing.TB) *testIndex {
	sources := []string{needShared(tb, "corpora/proposals/proposals.jsonl"), needShared(tb, "corpora/policy")}
	return buildIndex(tb, "proposals+policy, title and body", sources, func(d *corpus.Doc) {
		*d = corpus.Doc{ID: d.ID, Kind: d.Kind, Title: d.Title, Body: d.Body, Date: d.Date}
	})
}

// commonChars are the 64 most frequent Han characters of docs, and a
// 1,000-character stretch of one body.
func commonChars(docs []corpus.Doc) ([]string, string) {
	count := map[rune]int{}
	long := ""
	for _, d := range docs {
		for _, r := range d.Body {
			if r >= 0x4e00 && r <= 0x9fff {
				count[r]++
			}
		}
		if rs := []rune(d.Body); long == "" && len(rs) > 2000 {
			long = string(rs[1000:2000])
		}
	}
	type rc struct {
		r rune
		n int
	}
	var l []rc
	for r, n := range count {
		l = append(l, rc{r, n})
	}
	// most frequent first, ties by rune for a stable order
	for i := 1; i < len(l); i++ {
		for j := i; j > 0 && (l[j].n > l[j-1].n || l[j].n == l[j-1].n && l[j].r < l[j-1].r); j-- {
			l[j], l[j-1] = l[j-1], l[j]
		}
	}
	out := make([]string, 0, 64)
	for _, x := range l[:min(64, len(l))] {
		out = append(out, string(x.r))
	}
	return out, long
}

// Query abuse against a realistic index at the default limits: each
// hostile request is refused at validation (ErrInvalid, 400) or answered,
// never another error or a panic, and raises the peak RSS by less than
// 200 MB. The latency of each is logged here and measured by
// BenchmarkQueryAbuse, not asserted.
func TestQueryAbuse(t *testing.T) {
	ti := realisticIndex(t)
	s := search.New(ti.live.Index(), search.Options{})
	warm(t, s)
	chars, long := commonChars(ti.docs)
	for _, a := range abuses(s.Limits, chars, long) {
		var (
			res  *search.Result
			err  error
			took time.Duration
		)
		grew := procstat.PeakGrowth(t, func() {
			start := time.Now()
			res, err = s.Search(context.Background(), a.r)
			took = time.Since(start)
		})
		switch {
		case a.wantInvalid && !errors.Is(err, errs.Invalid):
			t.Errorf("%s: %v, want a validation error", a.name, err)
		case !a.wantInvalid && err != nil:
			t.Errorf("%s: %v, want an answer", a.name, err)
		}
		outcome := "400"
		if err == nil {
			outcome = fmt.Sprintf("200, %d results", res.Total)
		}
		t.Logf("%-40s %-16s %8.1f ms  peak RSS +%.0f MB", a.name, outcome, float64(took.Microseconds())/1000, float64(grew)/(1<<20))
		if grew > 200<<20 {
			t.Errorf("%s: peak RSS grew by %.0f MB, want < 200 MB", a.name, float64(grew)/(1<<20))
		}
	}
}

// warm builds what s builds once for the index it serves (its facet
// columns, the words of did-you-mean), as a server does before it serves
// (Searcher.Warm): the first search of the index would build them, and
// what a hostile query costs is measured without that. The first query
// of TestQueryAbuse with no hit, /.*/, built the words: 0.29 s and +22 MB
// of peak RSS, 3.5 s and +203 MB under the race detector.
func warm(tb testing.TB, s *search.Searcher) {
	tb.Helper()
	if err := s.Warm(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkQueryAbuse times each hostile request of TestQueryAbuse: on the
// index in MINSHENG_BENCH_DATA when set (make bench builds one of all of
// ../shared/corpora), else on proposals and policy.
func BenchmarkQueryAbuse(b *testing.B) {
	var (
		s    *search.Searcher
		docs []corpus.Doc
	)
	if data := os.Getenv("MINSHENG_BENCH_DATA"); data != "" {
		live, err := indexer.OpenLive(data)
		if err != nil {
			b.Fatal(err)
		}
		defer live.Close()
		s = search.New(live.Index(), search.Options{ResultCacheMB: -1})
		docs = realisticIndex(b).docs // for the characters and the long text
	} else {
		ti := realisticIndex(b)
		s, docs = search.New(ti.live.Index(), search.Options{ResultCacheMB: -1}), ti.docs
	}
	warm(b, s)
	chars, long := commonChars(docs)
	for _, a := range abuses(s.Limits, chars, long) {
		b.Run(strings.ReplaceAll(a.name, " ", "_"), func(b *testing.B) {
			grew := procstat.PeakGrowth(b, func() { s.Search(context.Background(), a.r) }) // before the timed loop
			for b.Loop() {
				s.Search(context.Background(), a.r)
			}
			b.ReportMetric(float64(grew)/(1<<20), "peak-MB")
		})
	}
}
