package search

import (
	"context"
	"testing"

	bsearch "github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// scoredIDs is a searcher that records the documents it is advanced to.
type scoredIDs struct {
	bsearch.Searcher
	ids []uint64
}

func (s *scoredIDs) Advance(sc *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	n, _ := docNumber(id)
	s.ids = append(s.ids, n)
	return s.Searcher.Advance(sc, id)
}

// TestCompletesFillPageUnscored: when the matching is the whole query
// (its partial matches tallied) and the units' masks hold at least the
// window of complete matches, the searcher scores the complete matches
// alone, the partial ones before the last complete match too: none of
// them can reach the page (matchSearcher.countCompletes).
func TestCompletesFillPageUnscored(t *testing.T) {
	_, live, _ := writableSample(t)
	s := New(live.Index(), Options{})
	r := heldReader(t, live.Index())
	ctx := context.Background()
	texts := []string{"乡村振兴 人才", "养老 服务 补贴", "医保 报销", "教育 学校 教师", "社区 养老", "农村 公路"}
	before := 0 // partial matches numbered before a query's last complete one
	for _, text := range texts {
		an, err := s.analyzers()
		if err != nil {
			t.Fatal(err)
		}
		// the window: every complete match, as countCompletes counts them
		sink := &matchSink{tally: &hooks{}}
		pq, _ := an.partial(Parse(text), sink, false)
		mq := findMatching(pq)
		if mq == nil {
			t.Fatalf("%q: no matching query", text)
		}
		ss, err := mq.Searcher(ctx, r, live.Index().Mapping(), bsearch.SearcherOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ms := ss.(*matchSearcher)
		if !sink.skips {
			t.Fatalf("%q: not tiered", text)
		}
		// count the complete matches first, on masks read apart
		probe, err := mq.Searcher(ctx, r, live.Index().Mapping(), bsearch.SearcherOptions{})
		if err != nil {
			t.Fatal(err)
		}
		pm := probe.(*matchSearcher)
		pm.sink = &matchSink{}
		if err := pm.readAll(); err != nil {
			t.Fatal(err)
		}
		complete := map[uint64]bool{}
		last := uint64(0)
		for n, mask := range pm.masks.used() {
			if mask != 0 && pm.unitsOf(mask) == pm.every1 {
				complete[uint64(n)], last = true, uint64(n)
			}
		}
		for n, mask := range pm.masks.used() {
			if mask != 0 && uint64(n) < last && !complete[uint64(n)] && pm.share(pm.unitsOf(mask)) >= MatchFloor {
				before++
			}
		}
		probe.Close()
		if len(complete) == 0 {
			t.Fatalf("%q: no complete match in the sample", text)
		}
		sink.window = uint64(len(complete))
		rec := &scoredIDs{Searcher: ms.score.s}
		ms.score.s = rec
		sc := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(ms.DocumentMatchPoolSize()+1, 0)}
		handed := 0
		for {
			dm, err := ms.Next(sc)
			if err != nil {
				t.Fatal(err)
			}
			if dm == nil {
				break
			}
			handed++
			sc.DocumentMatchPool.Put(dm)
		}
		if handed != len(complete) {
			t.Errorf("%q: %d matches handed on, want the %d complete ones (the others tallied)", text, handed, len(complete))
		}
		for _, n := range rec.ids {
			if !complete[n] {
				t.Errorf("%q: partial match %d scored", text, n)
			}
		}
		ss.Close()
		sink.release()
	}
	if before == 0 {
		t.Fatal("no query has a partial match before its last complete one: the test checks nothing")
	}
}
