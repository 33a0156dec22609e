package search

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"minsheng/corpus"
	"minsheng/indexer"
	"minsheng/indexer/analysis"
)

// TestListCache: listings (the empty query, with or without filters) are
// answered from the cache of the snapshot being served with the results
// a search computes; a caller changing a result changes no later one; a
// write makes a new snapshot, whose listings are computed anew; a query
// with words, or a large page, is never cached.
func TestListCache(t *testing.T) {
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
	cached, plain := New(idx, Options{}), New(idx, Options{})
	plain.lists.off = true
	ctx := context.Background()
	listings := []Request{
		{},
		{Filters: Filters{Kind: []string{"suggestion"}}},
		{Sort: SortDate, Page: 2, Size: 5},
		{NoHighlight: true, NoFacets: true},
		{Query: "  ", Filters: Filters{Fields: map[string][]string{corpus.FieldOverdue: {"true"}}}},
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
	if n := cached.lists.served; n != len(listings) {
		t.Errorf("%d listings answered from the cache, want %d (the second round)", n, len(listings))
	}
	for _, r := range []Request{{Query: "乡村振兴"}, {Size: listCacheMaxSize + 1}} {
		for range 2 {
			if _, err := cached.Search(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := cached.lists.served; n != len(listings) {
		t.Errorf("a query with words or a page of %d was answered from the cache (%d served)", listCacheMaxSize+1, n)
	}

	before, err := cached.Search(ctx, Request{})
	if err != nil {
		t.Fatal(err)
	}
	d := docs[0]
	if err := idx.Index(d.ID, indexer.IndexFields(&d)); err != nil {
		t.Fatal(err)
	}
	served := cached.lists.served
	after, err := cached.Search(ctx, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if after.Total != before.Total+1 || cached.lists.served != served {
		t.Errorf("after a write: total %d (before %d), %d served from the cache (before %d): want the new snapshot searched",
			after.Total, before.Total, cached.lists.served, served)
	}
	want, err := plain.Search(ctx, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if !same(after, want) {
		t.Errorf("after a write the cache answered\n%+v\nthe search\n%+v", after, want)
	}
}
