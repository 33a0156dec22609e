package search_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/blevesearch/bleve/v2"

	"minsheng/corpus"
	"minsheng/indexer"
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
	// the fast searcher's ranking reads every term of more than one
	// posting through its postings cache, the exhaustive one none
	defer fast.SetPostingsCache(0)
	fast.SetPostingsCache(2)
	compared, partial := compareModes(t, fast, slow, fastQueries(t, ti.docs, 240))
	if partial < 50 {
		t.Errorf("only %d of %d searches found partial matches: the test compares too little", partial, compared)
	}
	t.Logf("%d searches compared, %d with partial matches", compared, partial)
}

// TestMatchingFastPathsOnSegments is TestMatchingFastPathsAsExhaustive on
// an index of several segments with deleted documents, as live changes
// leave it: the units' terms are read segment by segment, each segment's
// documents numbered after the ones before, and a deleted document is
// matched by nothing.
func TestMatchingFastPathsOnSegments(t *testing.T) {
	idx, docs := segmentedSample(t)
	fast := search.New(idx, search.Options{})
	fast.SetPostingsCache(2)
	slow := search.NewExhaustive(idx, fast.Limits)
	compared, partial := compareModes(t, fast, slow, fastQueries(t, docs, 80))
	if partial < 20 {
		t.Errorf("only %d of %d searches found partial matches: the test compares too little", partial, compared)
	}
	t.Logf("%d searches compared, %d with partial matches", compared, partial)
}

// fastQueries are the searches the fast paths are compared on: pieces of
// the documents' titles as n searches of one to four words, titles as
// questions, and a few searches with synonyms, question words, a phrase,
// an exclusion and OR.
func fastQueries(t *testing.T, docs []corpus.Doc, n int) []string {
	t.Helper()
	rng := rand.New(rand.NewPCG(14, 19))
	var pieces []string // two to five Chinese characters of a title
	for _, d := range docs {
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
	for i := 0; i < n; i++ {
		n := 1 + i%4
		words := make([]string, n)
		for j := range words {
			words[j] = pieces[rng.IntN(len(pieces))]
		}
		queries = append(queries, strings.Join(words, " "))
		if i%20 == 0 {
			d := docs[rng.IntN(len(docs))]
			queries = append(queries, d.Title+"？")
		}
	}
	return queries
}

// compareModes runs every query through fast and slow, in both modes,
// under filters, on later pages and pages of one, and by date, and
// reports where they answer differently; it returns the searches compared
// and those of them with partial matches.
func compareModes(t *testing.T, fast, slow *search.Searcher, queries []string) (compared, partial int) {
	t.Helper()
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
		case i%4 == 2:
			// a page of one: full at the first complete match, and the
			// partial ones after it counted apart from the collector
			r.Size = 1
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
	return compared, partial
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

// segmentedSample indexes the sample and then three batches of changes,
// three more segments: a third of the documents indexed again (the old
// versions deleted), a tenth deleted. It returns the index, closed when
// the test ends, and the sample's documents.
func segmentedSample(t *testing.T) (bleve.Index, []corpus.Doc) {
	t.Helper()
	data := t.TempDir()
	if _, err := indexer.Build(context.Background(), data, indexer.BuildOptions{Sources: sampleSources}); err != nil {
		t.Fatal(err)
	}
	name, err := indexer.Current(data)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := indexer.OpenWritable(indexer.IndexPath(data, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	var docs []corpus.Doc
	if _, err := corpus.Walk(context.Background(), sampleSources, corpus.Options{}, func(d corpus.Doc) error {
		docs = append(docs, d)
		return nil
	}, func(corpus.Problem) {}); err != nil {
		t.Fatal(err)
	}
	for b := 0; b < 3; b++ {
		batch := idx.NewBatch()
		for i := b; i < len(docs); i += 9 {
			d := docs[i]
			if i%10 == 3 {
				batch.Delete(d.ID)
			} else {
				batch.Index(d.ID, indexer.IndexFields(&d))
			}
		}
		if err := idx.Batch(batch); err != nil {
			t.Fatal(err)
		}
	}
	return idx, docs
}
