package search_test

import (
	"context"
	"testing"

	bsearch "github.com/blevesearch/bleve/v2/search"

	"minsheng/search"
)

// TestBM25AtBleveDefault: bleve v2.6 reads BM25's k1 and b from
// process-wide variables and takes neither with a request, so this
// package leaves them alone: they are bleve's defaults (k1 1.2, b 0.75),
// b is this package's LengthNorm, and searches of every kind, a question
// (anyOf), a phrase (phraseOf) and similar documents, leave them as they
// were. Anything else in the process that ranks with bleve gets bleve's
// defaults, not ours.
func TestBM25AtBleveDefault(t *testing.T) {
	if bsearch.BM25_k1 != 1.2 || bsearch.BM25_b != 0.75 {
		t.Fatalf("bleve's BM25 k1 %v, b %v: not its defaults 1.2, 0.75 (set by whom?)", bsearch.BM25_k1, bsearch.BM25_b)
	}
	if search.LengthNorm != bsearch.BM25_b {
		t.Errorf("LengthNorm %v, bleve's b %v: rankings assume they agree", search.LengthNorm, bsearch.BM25_b)
	}
	ti := buildIndex(t, "sample", sampleSources, nil)
	ctx := context.Background()
	for _, q := range []string{"乡村振兴 教育", `"乡村振兴"`, "农村留守儿童上学难的问题怎么解决？"} {
		if _, err := ti.searcher.Search(ctx, search.Request{Query: q}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ti.searcher.Similar(ctx, search.SimilarRequest{Text: "建议加快乡村振兴，发展农村教育", Size: 5}); err != nil {
		t.Fatal(err)
	}
	if bsearch.BM25_k1 != 1.2 || bsearch.BM25_b != 0.75 {
		t.Errorf("after searches bleve's BM25 k1 %v, b %v; want 1.2, 0.75", bsearch.BM25_k1, bsearch.BM25_b)
	}
}
