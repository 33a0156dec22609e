package search

import (
	"context"
	"testing"

	bsearch "github.com/blevesearch/bleve/v2/search"
)

// TestAnyOfGroupsLazyAsRead: an anyOf with a clause that is a disjunction
// of terms (a word's query: its literal in each field) scores every
// document alike read whole (readAll, Next) and lazily, a document at a
// time (lazyNext), to the last bit, as the matching's score is read.
func TestAnyOfGroupsLazyAsRead(t *testing.T) {
	_, live, _ := writableSample(t)
	s := New(live.Index(), Options{})
	an, err := s.analyzers()
	if err != nil {
		t.Fatal(err)
	}
	r := heldReader(t, live.Index())
	ctx := context.Background()
	compared := 0
	for _, w := range []string{"养老", "乡村振兴", "教育", "医保", "社区", "补贴", "人大代表"} {
		l, ok := an.build(Parse(w), false).(lone)
		if !ok {
			t.Fatalf("%q: not a lone query", w)
		}
		a, ok := l.q.(*anyOf)
		if !ok {
			t.Fatalf("%q: %T, not an anyOf", w, l.q)
		}
		if _, groups, ok := a.termsOf(); !ok || groups == nil {
			continue // a literal that is not a term (a phrase of three characters or more)
		}
		read := func(lazy bool) map[uint64]float64 {
			ss, err := a.Searcher(ctx, r, live.Index().Mapping(), bsearch.SearcherOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer ss.Close()
			as := ss.(*anySearcher)
			as.lazy = lazy
			sc := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(2, 0)}
			out := map[uint64]float64{}
			for {
				dm, err := as.Next(sc)
				if err != nil {
					t.Fatal(err)
				}
				if dm == nil {
					return out
				}
				n, _ := docNumber(dm.IndexInternalID)
				out[n] = dm.Score
				sc.DocumentMatchPool.Put(dm)
			}
		}
		whole, lazy := read(false), read(true)
		if len(whole) == 0 || len(whole) != len(lazy) {
			t.Fatalf("%q: %d documents read whole, %d lazily", w, len(whole), len(lazy))
		}
		for n, sw := range whole {
			if sl, ok := lazy[n]; !ok || sl != sw {
				t.Errorf("%q: document %d scores %v read whole, %v lazily", w, n, sw, sl)
			}
		}
		compared++
	}
	if compared < 3 {
		t.Fatalf("only %d words have grouped clauses: the test compares too little", compared)
	}
}
