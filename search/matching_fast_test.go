package search_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"minsheng/search"
)

// TestMatchingFastPathsAsExhaustive: partial matching reads its units'
// terms with the score's clauses and straight from their postings; every
// search of many over the sample (pieces of its titles as one to four
// words, titles as questions, words with synonyms and question words, in
// both modes, under filters, on later pages and by date) answers exactly
// as when the units are read through bleve's searchers, apart from the
// score: the same total, total_exact, facets, hits, scores, sort values,
// matched and missing words and highlights.
func TestMatchingFastPathsAsExhaustive(t *testing.T) {
	ti := buildIndex(t, "sample", sampleSources, nil)
	fast := ti.searcher
	slow := search.NewExhaustive(fast.Index, fast.Limits)
	syn, err := search.BuiltinSynonyms()
	if err != nil {
		t.Fatal(err)
	}
	slow.SetSynonyms(syn)
	defer fast.SetSynonyms(fast.Synonyms())
	fast.SetSynonyms(syn)

	rng := rand.New(rand.NewPCG(14, 19))
	var pieces []string // two to five Chinese characters of a title
	for _, d := range ti.docs {
		title := []rune(d.Title)
		for k := 0; k < 3 && len(title) >= 5; k++ {
			from, size := rng.IntN(len(title)-4), 2+rng.IntN(4)
			p := string(title[from : from+size])
			if !strings.ContainsFunc(p, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) {
				pieces = append(pieces, p)
			}
		}
	}
	if len(pieces) < 100 {
		t.Fatalf("only %d pieces of titles", len(pieces))
	}
	queries := []string{"医保 报销", "乡村振兴 教育", "两会 人大 代表", "双减 学校", "一老一小 服务",
		"2022春运开始时间", "农村 养老 补贴", "什么 是 医保", `"乡村振兴" 教育 -医疗`, "养老 OR 托育 社区"}
	for i := 0; i < 240; i++ {
		n := 1 + i%4
		words := make([]string, n)
		for j := range words {
			words[j] = pieces[rng.IntN(len(pieces))]
		}
		queries = append(queries, strings.Join(words, " "))
		if i%20 == 0 {
			d := ti.docs[rng.IntN(len(ti.docs))]
			queries = append(queries, d.Title+"？")
		}
	}
	partial, compared := 0, 0
	for i, q := range queries {
		r := search.Request{Query: q}
		switch {
		case i%5 == 1:
			r.Mode = search.ModeAll
		case i%7 == 2:
			r.Filters.Kind = []string{"suggestion", "news"}
		case i%3 == 0:
			r.Page, r.Size = 2, 5
		case i%11 == 4:
			r.Sort = search.SortDateDesc
		}
		want, err := slow.Search(context.Background(), r)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		got, err := fast.Search(context.Background(), r)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if a, b := comparable(got), comparable(want); !reflect.DeepEqual(a, b) {
			t.Errorf("%+v:\nfast       %s\nexhaustive %s", r, a, b)
		}
		compared++
		if want.Total > want.TotalExact {
			partial++
		}
	}
	if partial < 50 {
		t.Errorf("only %d of %d searches found partial matches: the test compares too little", partial, compared)
	}
	t.Logf("%d searches compared, %d with partial matches", compared, partial)
}

// comparable is what a result says, as text, without its timing and the
// hits' decoded documents.
func comparable(res *search.Result) string {
	c := *res
	c.TookMS = 0
	c.Hits = nil
	var b strings.Builder
	fmt.Fprintf(&b, "%+v", c)
	for _, h := range res.Hits {
		h.Doc = nil
		fmt.Fprintf(&b, "\n  %+v", h)
	}
	return b.String()
}
