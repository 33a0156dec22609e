package search

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"

	"minsheng/corpus"
	"minsheng/indexer"
	"minsheng/indexer/analysis"
)

// TestResultCache: searches (listings, with or without filters, and
// queries with words) are answered from the cache of the snapshot being
// served with the results a search computes; a caller changing a result
// changes no later one; other synonyms, or a write (a new snapshot), have
// results computed anew; a large page is never cached; past its memory
// the least recently used result goes first.
func TestResultCache(t *testing.T) {
	m, err := analysis.NewMapping(analysis.MappingOptions{})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleve.NewUsing(filepath.Join(t.TempDir(), "index"), m, scorch.Name, scorch.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	var docs []corpus.Doc
	if _, err := corpus.Walk(context.Background(), []string{"../corpus/sample"}, corpus.Options{}, func(d corpus.Doc) error {
		docs = append(docs, d)
		return nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	b := idx.NewBatch()
	for i := range docs[1:] { // the first is written later
		d := docs[i+1]
		if err := b.Index(d.ID, indexer.IndexFields(&d)); err != nil {
			t.Fatal(err)
		}
	}
	if err := idx.Batch(b); err != nil {
		t.Fatal(err)
	}
	cached, plain := New(idx, Options{}), New(idx, Options{ResultCacheMB: -1})
	ctx := context.Background()
	listings := []Request{
		{},
		{Filters: Filters{Kind: []string{"suggestion"}}},
		{Sort: SortDate, Page: 2, Size: 5},
		{NoHighlight: true, NoFacets: true},
		{Query: "  ", Filters: Filters{Fields: map[string][]string{corpus.FieldOverdue: {"true"}}}},
		{Query: "乡村振兴"},
		{Query: "农村 养老", Page: 2, Size: 3, Filters: Filters{Kind: []string{"suggestion"}}},
		{Query: "乡村振兴", Mode: ModeAll},
	}
	same := func(a, b *Result) bool {
		x, y := *a, *b
		x.TookMS, y.TookMS = 0, 0
		return reflect.DeepEqual(x, y)
	}
	for round := range 2 {
		for _, r := range listings {
			got, err := cached.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			want, err := plain.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if !same(got, want) {
				t.Errorf("round %d, %+v: the cache answered\n%+v\nthe search\n%+v", round, r, got, want)
			}
			if len(got.Hits) > 0 { // a caller's changes stay its own
				got.Hits[0].Highlights["title"] = []string{"changed"}
				got.Hits[0].Topics = append(got.Hits[0].Topics[:0], "changed")
			}
			for _, c := range got.Facets {
				if len(c) > 0 {
					c[0].Count = -1
				}
			}
		}
	}
	if n := cached.results.served; n != len(listings) {
		t.Errorf("%d searches answered from the cache, want %d (the second round)", n, len(listings))
	}
	for _, r := range []Request{{Size: resultCacheMaxSize + 1}, {Query: "乡村振兴", NoCache: true}} {
		for range 2 {
			if _, err := cached.Search(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := cached.results.served; n != len(listings) {
		t.Errorf("a page of %d or a request with NoCache was answered from the cache (%d served)", resultCacheMaxSize+1, n-len(listings))
	}

	// other synonyms: another search, then kept too
	served := cached.results.served
	syn, err := ParseSynonyms(strings.NewReader("乡村振兴, 农村发展\n"), "test")
	if err != nil {
		t.Fatal(err)
	}
	cached.SetSynonyms(syn)
	plain.SetSynonyms(syn)
	for range 2 {
		got, err := cached.Search(ctx, Request{Query: "乡村振兴"})
		if err != nil {
			t.Fatal(err)
		}
		want, err := plain.Search(ctx, Request{Query: "乡村振兴"})
		if err != nil {
			t.Fatal(err)
		}
		if !same(got, want) || len(got.Expanded) == 0 {
			t.Errorf("with synonyms the cache answered\n%+v\nthe search\n%+v", got, want)
		}
	}
	if n := cached.results.served; n != served+1 {
		t.Errorf("after new synonyms %d answered from the cache, want %d (the second only)", n-served, 1)
	}
	cached.SetSynonyms(nil)
	plain.SetSynonyms(nil)

	before, err := cached.Search(ctx, Request{})
	if err != nil {
		t.Fatal(err)
	}
	d := docs[0]
	if err := idx.Index(d.ID, indexer.IndexFields(&d)); err != nil {
		t.Fatal(err)
	}
	served = cached.results.served
	after, err := cached.Search(ctx, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if after.Total != before.Total+1 || cached.results.served != served {
		t.Errorf("after a write: total %d (before %d), %d served from the cache (before %d): want the new snapshot searched",
			after.Total, before.Total, cached.results.served, served)
	}
	want, err := plain.Search(ctx, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if !same(after, want) {
		t.Errorf("after a write the cache answered\n%+v\nthe search\n%+v", after, want)
	}
}

// TestResultCacheMemory: the entries stay within the cache's memory, what
// goes is one of the least recently used three quarters, and a result
// larger than a quarter of it is not kept.
func TestResultCacheMemory(t *testing.T) {
	var c resultCache
	page := func(n int) *Result {
		r := &Result{}
		for range n {
			r.Hits = append(r.Hits, Hit{Title: strings.Repeat("字", 100)})
		}
		return r
	}
	one := resultBytes(page(1)) + 1 // and its key, of one byte
	c.setMax(4 * one)
	var snap index.IndexReader = new(scorch.IndexSnapshot)
	for _, k := range []string{"a", "b", "c", "d"} {
		c.put(snap, k, page(1))
	}
	if c.get(snap, "a") == nil { // a is now the most recently used
		t.Fatal("a was not kept")
	}
	c.put(snap, "e", page(1))
	kept := slices.Clone(c.order)
	if len(kept) != 4 || !slices.Contains(kept, "a") || !slices.Contains(kept, "e") {
		t.Errorf("past the memory: want one of b, c and d, the three least recently used, dropped and a and e kept; kept %v", kept)
	}
	if c.bytes > c.max {
		t.Errorf("the entries take %d bytes, more than the %d allowed", c.bytes, c.max)
	}
	c.put(snap, "big", page(3))
	if c.get(snap, "big") != nil {
		t.Error("a result of more than a quarter of the memory was kept")
	}
	c.setMax(0)
	c.put(snap, "a", page(1))
	if c.get(snap, "a") != nil {
		t.Error("with the cache off a result was kept")
	}
}

// TestResultCacheRounds: requests that come round again and again, more
// of them than the cache holds, are still answered from it in part (with
// the least recently used dropped first, none of them was: each was
// dropped just before it came again), and the latest quarter of what was
// used is always kept.
func TestResultCacheRounds(t *testing.T) {
	page := &Result{Hits: []Hit{{Title: strings.Repeat("字", 100)}}}
	one := resultBytes(page) + 4 // and its key, of four bytes
	const fits = 200
	var snap index.IndexReader = new(scorch.IndexSnapshot)
	for _, tc := range []struct {
		over float64 // the round's requests over what fits
		min  float64 // the least share of the later rounds answered from the cache
	}{{1.05, 0.75}, {1.25, 0.4}, {1.5, 0.2}, {2, 0.05}} {
		var c resultCache
		c.setMax(fits * one)
		n := int(tc.over * fits)
		asked, answered := 0, 0
		for round := range 10 {
			for k := range n {
				key := fmt.Sprintf("%4d", k)
				if c.get(snap, key) == nil {
					c.put(snap, key, page)
				} else if round >= 2 {
					answered++
				}
				if round >= 2 {
					asked++
				}
			}
		}
		share := float64(answered) / float64(asked)
		t.Logf("rounds of %d requests, %d fit: %.0f%% answered from the cache", n, fits, 100*share)
		if share < tc.min {
			t.Errorf("rounds of %d requests where %d fit: %.2f of them answered from the cache, want at least %.2f", n, fits, share, tc.min)
		}
		if c.bytes > c.max {
			t.Errorf("the entries take %d bytes, more than the %d allowed", c.bytes, c.max)
		}
	}

	// the latest quarter is kept: each request of a staff member coming
	// back to what they searched a while ago, among others
	var c resultCache
	c.setMax(fits * one)
	for k := range 5 * fits {
		c.put(snap, fmt.Sprintf("%4d", k), page)
		for back := 1; back < fits/4 && back <= k; back++ {
			if _, ok := c.entries[fmt.Sprintf("%4d", k-back)]; !ok {
				t.Fatalf("after request %d, request %d, among the latest quarter, was dropped", k, k-back)
			}
		}
	}
}
