package search

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"testing"

	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"minsheng/indexer"
)

// TestUnitWeightsCounted: the documents of each unit, counted as its
// alternatives are read (maskSet.set), are those a pass over the masks
// once every unit is read counts, so the units' weights are the same;
// and a share looked up (matchSearcher.shares) is the share summed. The
// queries have units of several alternatives (synonyms), words whose
// term and literal parts find the same documents, single characters and
// questions, in both modes, on the sample's words and on a segmented
// index with deletions.
func TestUnitWeightsCounted(t *testing.T) {
	_, live, docs := writableSample(t)
	ctx := context.Background()
	// a second segment, and deletions in the first
	for i, id := range []string{"s-2021-0053", "n-2025-0056"} {
		body := fmt.Sprintf(`{"id":%q,"kind":"news","title":"第%d篇","body":"社区养老护理补贴，乡村振兴人才，医保报销。"}`, id, i)
		if _, _, err := docs.Write(ctx, "test", []indexer.DocChange{{Op: indexer.OpPut, Body: []byte(body)}}); err != nil {
			t.Fatal(err)
		}
	}
	s := New(live.Index(), Options{})
	syn, err := BuiltinSynonyms()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"医保 报销", "两会 人大代表 建议", "一老一小 社区 服务", "双减 教师", "养老 护理 补贴",
		"老 社区", "乡村振兴 人才", "新能源汽车 充电桩 补贴 建设", "补充 养老",
		"如何解决农村留守儿童上学难的问题？", "关于加强基层医疗卫生服务能力建设的建议",
	}
	r := heldReader(t, live.Index())
	checked, several := 0, 0
	for _, all := range []bool{false, true} {
		for _, text := range texts {
			an, err := s.analyzers()
			if err != nil {
				t.Fatal(err)
			}
			q := Parse(text)
			an.ex = newExpansion(syn, q, s.Limits)
			pq, _ := an.partial(q, &matchSink{}, all)
			mq := findMatching(pq)
			if mq == nil {
				continue
			}
			ss, err := mq.Searcher(ctx, r, live.Index().Mapping(), bsearch.SearcherOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ms := ss.(*matchSearcher)
			if err := ms.readAll(); err != nil {
				t.Fatal(err)
			}
			counts := make([]float64, len(ms.bits))
			for _, mask := range ms.masks.used() {
				for u := ms.unitsOf(mask); u != 0; u &= u - 1 {
					counts[bits.TrailingZeros64(u)]++
				}
			}
			for i, n := range counts {
				if want := math.Log(1 + (ms.docs-n+0.5)/(n+0.5)); ms.weights[i] != want {
					t.Errorf("%q (all %v): unit %d weighs %v, want %v (%v documents)", text, all, i, ms.weights[i], want, n)
				}
			}
			if len(ms.alts) > len(ms.bits) {
				several++
			}
			if ms.shares == nil && len(ms.bits) <= maxShareTable {
				t.Errorf("%q: %d units, no shares tabulated", text, len(ms.bits))
			}
			for units := range ms.shares {
				if got, want := ms.shares[units], ms.share(uint64(units)); got != want {
					t.Errorf("%q: share of units %b %v, want %v", text, units, got, want)
				}
			}
			checked++
			ss.Close()
			if ms.masks != nil && ms.shared {
				ms.sink.release()
			}
		}
	}
	if checked < len(texts) || several == 0 {
		t.Fatalf("%d matching queries checked, %d with units of several alternatives: the test checks too little", checked, several)
	}
}

// findMatching returns the matching query of a partial query, or nil.
func findMatching(q query.Query) *matching {
	switch q := q.(type) {
	case *matching:
		return q
	case lone:
		return findMatching(q.q)
	case *query.BooleanQuery:
		return findMatching(q.Must)
	case *query.ConjunctionQuery:
		for _, c := range q.Conjuncts {
			if m := findMatching(c); m != nil {
				return m
			}
		}
	}
	return nil
}
