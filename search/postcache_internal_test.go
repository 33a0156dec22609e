package search

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"

	"minsheng/corpus"
	"minsheng/indexer"
	zhanalysis "minsheng/indexer/analysis"
)

// TestCacheReaderAsScorch: a term read through the postings cache gives
// what scorch's own reader gives, posting for posting (document, frequency,
// norm) and in count, over an index of several segments with deleted and
// re-indexed documents, for Next and for Advance forwards, to the current
// posting and backwards, whether the term's postings are decoded into the
// cache or read from the segment, and again once they are cached.
func TestCacheReaderAsScorch(t *testing.T) {
	m, err := zhanalysis.NewMapping(zhanalysis.MappingOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// no merges, which would drop the deleted documents
	idx, err := bleve.NewUsing(t.TempDir(), m, scorch.Name, scorch.Name, indexer.BuildConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	words := []string{"乡村", "振兴", "教育", "医疗", "养老", "科技", "生态", "社区"}
	rng := rand.New(rand.NewPCG(3, 5))
	for b := 0; b < 4; b++ { // a segment a batch
		batch := idx.NewBatch()
		for i := 0; i < 300; i++ {
			id := string(rune('a'+b)) + string(rune('a'+i%26)) + string(rune('a'+i/26))
			if b > 0 && i%7 == 0 {
				id = string(rune('a'+b-1)) + id[1:] // again: the old one is deleted
			}
			body := ""
			for k := 0; k < 1+rng.IntN(12); k++ {
				body += words[rng.IntN(len(words))] + "，"
			}
			if i%11 == 0 {
				batch.Delete(id)
				continue
			}
			if err := batch.Index(id, map[string]any{corpus.FieldBody: body}); err != nil {
				t.Fatal(err)
			}
		}
		if err := idx.Batch(batch); err != nil {
			t.Fatal(err)
		}
	}
	r := heldReader(t, idx)
	segs, deleted := r.(*scorch.IndexSnapshot).Segments(), uint64(0)
	for _, ss := range segs {
		if d := ss.Deleted(); d != nil {
			deleted += d.GetCardinality()
		}
	}
	if len(segs) < 2 || deleted == 0 {
		t.Fatalf("%d segments, %d deleted documents: the test needs several and some", len(segs), deleted)
	}
	cache := &postingsCache{max: 16 << 20}
	ctx := withPostingsCache(context.Background(), cache)
	for _, least := range []uint64{1 << 40, 2, 2} { // read from the segments; decoded; cached
		cache.min = least
		for _, w := range append(words, "没有") {
			want, err := r.TermFieldReader(ctx, []byte(w), corpus.FieldBody, true, true, false)
			if err != nil {
				t.Fatal(err)
			}
			got, err := cachedTermReader(ctx, r, w, corpus.FieldBody)
			if err != nil {
				t.Fatal(err)
			}
			if got.Count() != want.Count() {
				t.Errorf("%s: count %d, scorch %d", w, got.Count(), want.Count())
			}
			ops := rand.New(rand.NewPCG(uint64(len(w)), least))
			var last uint64
			for step := 0; step < 400; step++ {
				var g, s *index.TermFieldDoc
				var gerr, serr error
				switch op := ops.IntN(4); {
				case op == 0 && step > 0: // to the current posting or before it
					id := index.NewIndexInternalID(nil, last-uint64(ops.IntN(int(min(last, 50))+1))+1)
					g, gerr = got.Advance(id, nil)
					s, serr = want.Advance(id, nil)
				case op == 1:
					id := index.NewIndexInternalID(nil, last+uint64(ops.IntN(200)))
					g, gerr = got.Advance(id, nil)
					s, serr = want.Advance(id, nil)
				default:
					g, gerr = got.Next(nil)
					s, serr = want.Next(nil)
				}
				if gerr != nil || serr != nil {
					t.Fatalf("%s: %v, scorch %v", w, gerr, serr)
				}
				if (g == nil) != (s == nil) {
					t.Fatalf("%s step %d: %v, scorch %v", w, step, g, s)
				}
				if g == nil {
					break
				}
				if !g.ID.Equals(s.ID) || g.Freq != s.Freq || g.Norm != s.Norm {
					t.Fatalf("%s step %d: %x %d %g, scorch %x %d %g", w, step, g.ID, g.Freq, g.Norm, s.ID, s.Freq, s.Norm)
				}
				last, _ = docNumber(g.ID)
			}
			got.Close()
			want.Close()
		}
	}
	if cache.bytes == 0 {
		t.Error("nothing was cached")
	}
}
