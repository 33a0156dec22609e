package search

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"minsheng/indexer"
	"minsheng/indexer/literal"
)

// TestFoldedTextsBesideSegments: a build writes each segment's folded
// texts beside it, and a phrase's candidates are verified against them:
// each document's text read there is the one its stored fields hold. An
// index without them (built before, or the files removed) reads the
// stored fields, and answers phrases and questions as one with them.
func TestFoldedTextsBesideSegments(t *testing.T) {
	with, withLive := servedSample(t)
	without := t.TempDir()
	if _, err := indexer.Build(context.Background(), without, indexer.BuildOptions{Sources: []string{"../corpus/sample"}}); err != nil {
		t.Fatal(err)
	}
	for data, want := range map[string]bool{with: true, without: false} {
		files, _ := filepath.Glob(filepath.Join(data, "generations", "*", "index", "store", "*"+literal.FoldedExt))
		if len(files) == 0 {
			t.Fatalf("%s: the build wrote no folded texts", data)
		}
		if !want {
			for _, f := range files {
				if err := os.Remove(f); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	withoutLive, err := indexer.OpenLive(without)
	if err != nil {
		t.Fatal(err)
	}
	defer withoutLive.Close()
	for _, c := range []struct {
		live *indexer.Live
		fold bool
	}{{withLive, true}, {withoutLive, false}} {
		ai, err := c.live.Index().Advanced()
		if err != nil {
			t.Fatal(err)
		}
		r, err := ai.Reader()
		if err != nil {
			t.Fatal(err)
		}
		for _, field := range literal.FoldedFields {
			st, err := newStoredText(r, field)
			if err != nil {
				t.Fatal(err)
			}
			for i, ss := range st.segs {
				if (st.folded[i] != nil) != c.fold {
					t.Errorf("%s, segment %d: folded texts %v, want %v", field, i, st.folded[i] != nil, c.fold)
				}
				for doc := range ss.Segment().Count() {
					var want string
					err := ss.VisitDocument(doc, func(f string, _ byte, v []byte, _ []uint64) bool {
						if f == field {
							want = string(v)
						}
						return true
					})
					if err != nil {
						t.Fatal(err)
					}
					if got, err := st.value(st.offsets[i] + doc); got != want || err != nil {
						t.Fatalf("%s of document %d: %.30q (%v), want %.30q", field, doc, got, err, want)
					}
				}
			}
		}
		r.Close()
	}
	a, b := New(withLive.Index(), Options{}), New(withoutLive.Index(), Options{})
	for _, q := range []string{`"乡村振兴"`, `"代表建议"`, `"高质量发展"`, `"人大代表"`, `"养老服务"`, "如何解决农村留守儿童上学难的问题", "寄宿制学校"} {
		ra, err := a.Search(context.Background(), Request{Query: q, Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		rb, err := b.Search(context.Background(), Request{Query: q, Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		ids := func(res *Result) []string {
			var out []string
			for _, h := range res.Hits {
				out = append(out, h.ID)
			}
			return out
		}
		if ra.Total != rb.Total || !slices.Equal(ids(ra), ids(rb)) {
			t.Errorf("%s: %d hits %q with the folded texts, %d %q without", q, ra.Total, ids(ra), rb.Total, ids(rb))
		}
		if ra.Total == 0 {
			t.Errorf("%s: no hit", q)
		}
	}
}
