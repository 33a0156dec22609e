package indexer

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"minsheng/corpus"
	"minsheng/indexer/analysis"
	"minsheng/indexer/literal"
)

// segmentsOf opens the index at path and counts its file segments.
func segmentsOf(t *testing.T, path string) uint64 {
	t.Helper()
	idx, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	ai, err := idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	return segments(ai.(*scorch.Scorch))
}

// TestBuildIsOneSegment: a build written in many small batches is served
// as one segment, with every document, and says so in its progress while
// it merges.
func TestBuildIsOneSegment(t *testing.T) {
	data := t.TempDir()
	var seen []Progress
	man, err := Build(context.Background(), data, BuildOptions{Sources: []string{"../corpus/sample"}, BatchSize: 10,
		Progress: func(p Progress) { seen = append(seen, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) < 3 {
		t.Fatalf("%d progress reports", len(seen))
	}
	last := seen[len(seen)-1]
	if last.Stage != StageMerging || last.Docs != man.Docs || last.Bytes != last.TotalBytes {
		t.Errorf("last progress %+v, want stage %q with all %d documents", last, StageMerging, man.Docs)
	}
	for _, p := range seen[:len(seen)-1] {
		if p.Stage != "" {
			t.Errorf("progress %+v before the merge", p)
		}
	}
	path := filepath.Join(data, genDir, man.Name, "index")
	if files, _ := filepath.Glob(filepath.Join(path, "store", "*.zap")); len(files) != 1 {
		t.Errorf("the generation has %d segment files, want 1: %v", len(files), files)
	}
	if n := segmentsOf(t, path); n != 1 {
		t.Errorf("the generation has %d segments, want 1", n)
	}
	if man.Docs < 100 {
		t.Errorf("only %d documents built", man.Docs)
	}
}

// TestCompactKeepsDocuments: compact merges an index of several segments
// into one, and every document still finds what it found before.
func TestCompactKeepsDocuments(t *testing.T) {
	if err := analysis.Register(); err != nil {
		t.Fatal(err)
	}
	m, err := analysis.NewMapping(analysis.MappingOptions{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "index")
	idx, err := bleve.NewUsing(path, m, scorch.Name, scorch.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	words := []string{"乡村振兴", "教育", "医疗", "养老", "生态环保"}
	for b := 0; b < 6; b++ { // each batch a segment
		batch := idx.NewBatch()
		for i := 0; i < 20; i++ {
			id := strings.Repeat("x", b+1) + string(rune('a'+i))
			if err := batch.Index(id, map[string]any{"body": "关于" + words[(b+i)%len(words)] + "的建议", "kind": "suggestion"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := idx.Batch(batch); err != nil {
			t.Fatal(err)
		}
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	before := segmentsOf(t, path)
	if before < 2 {
		t.Fatalf("the test index has %d segment: nothing to merge", before)
	}
	counts := func() map[string]uint64 {
		idx, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer idx.Close()
		out := map[string]uint64{}
		for _, w := range words {
			q := bleve.NewTermQuery(w)
			q.SetField("body")
			res, err := idx.Search(bleve.NewSearchRequest(q))
			if err != nil {
				t.Fatal(err)
			}
			out[w] = res.Total
		}
		n, _ := idx.DocCount()
		out[""] = n
		return out
	}
	want := counts()
	if err := compact(context.Background(), path, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	// the merged segments' files are gone, not left beside the one
	// merged (scorch removes them once it has persisted the merge)
	if files, _ := filepath.Glob(filepath.Join(path, "store", "*.zap")); len(files) != 1 {
		t.Errorf("%d segment files after compact, want 1: %v", len(files), files)
	}
	if n := segmentsOf(t, path); n != 1 {
		t.Errorf("%d segments after compact (%d before), want 1", n, before)
	}
	got := counts()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%q: %d documents after compact, %d before", k, got[k], v)
		}
	}
	if want[""] != 120 {
		t.Errorf("%d documents, want 120", want[""])
	}
}

// TestFieldLengthsStored: a build stores each field's length in tokens,
// summed over the documents, as the field's analyzer counts them.
func TestFieldLengthsStored(t *testing.T) {
	data := t.TempDir()
	man, err := Build(context.Background(), data, BuildOptions{Sources: []string{"../corpus/sample"}})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := Open(filepath.Join(data, genDir, man.Name, "index"))
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	got := storedLengths(t, idx)
	// the same sums from the analyzers, document by document
	want := map[string]uint64{}
	m := idx.Mapping()
	fields := map[string]string{
		corpus.FieldTitle: corpus.AnalyzerWords, corpus.FieldBody: corpus.AnalyzerWords,
		corpus.FieldTitleLit: corpus.AnalyzerLiteral, corpus.FieldBodyLit: corpus.AnalyzerLiteral,
	}
	_, err = corpus.Walk(context.Background(), []string{"../corpus/sample"}, corpus.Options{}, func(d corpus.Doc) error {
		f := IndexFields(&d)
		for field, analyzer := range fields {
			if text, ok := f[field].(string); ok {
				want[field] += uint64(len(m.AnalyzerNamed(analyzer).Analyze([]byte(text))))
			}
		}
		return nil
	}, func(corpus.Problem) {})
	if err != nil {
		t.Fatal(err)
	}
	for field, w := range want {
		if got[field] != w || w == 0 {
			t.Errorf("%s: %d tokens stored, the analyzer counts %d", field, got[field], w)
		}
	}
	if got[corpus.FieldKind] != uint64(man.Docs) {
		t.Errorf("kind: %d tokens stored for %d documents of one kind each", got[corpus.FieldKind], man.Docs)
	}
}

// storedLengths reads the field lengths a build stored in idx
// (corpus.KeyFieldLengths).
func storedLengths(t *testing.T, idx bleve.Index) map[string]uint64 {
	t.Helper()
	raw, err := idx.GetInternal([]byte(corpus.KeyFieldLengths))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]uint64
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	return got
}

// segmentedIndex writes the sample corpus, as a build does, into a new
// index at path in batches of sizes that keep changing (so that the
// segments' live documents are not in the order of their ids), each
// batch a segment, later batches indexing again documents of earlier
// ones (deleted from their segments), and closes it.
func segmentedIndex(t *testing.T, path string) {
	t.Helper()
	if err := analysis.Register(); err != nil {
		t.Fatal(err)
	}
	m, err := analysis.NewMapping(analysis.MappingOptions{})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := create(path, m)
	if err != nil {
		t.Fatal(err)
	}
	var docs []corpus.Doc
	if _, err := corpus.Walk(context.Background(), []string{"../corpus/sample"}, corpus.Options{}, func(d corpus.Doc) error {
		docs = append(docs, d)
		return nil
	}, func(corpus.Problem) {}); err != nil {
		t.Fatal(err)
	}
	sizes := []int{7, 13, 10, 3, 17, 11}
	for k, at := 0, 0; at < len(docs); k++ {
		batch := idx.NewBatch()
		n := min(sizes[k%len(sizes)], len(docs)-at)
		for _, d := range docs[at : at+n] {
			if err := batch.Index(d.ID, buildFields(&d)); err != nil {
				t.Fatal(err)
			}
		}
		if k >= 2 { // a correction of a document of each of two batches before
			for _, j := range []int{at / 3, at / 2} {
				d := docs[j]
				d.Body = "更正后的答复：" + d.Body
				if err := batch.Index(d.ID, buildFields(&d)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := idx.Batch(batch); err != nil {
			t.Fatal(err)
		}
		at += n
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
}

// openSegmented opens, as a build does, a segmentedIndex, and returns the
// segments of a snapshot of it, held open until the test ends.
func openSegmented(t *testing.T) (bleve.Index, []*scorch.SegmentSnapshot) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "index")
	segmentedIndex(t, path)
	idx, err := bleve.OpenUsing(path, BuildConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	r, segs, err := snapshotSegments(idx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return idx, segs
}

// TestLiteralsBuiltDuringTheMerge: compact builds the merged segment's
// bigram index from the segments it merges, while it merges them, and
// writes what building it from the merged segment writes.
func TestLiteralsBuiltDuringTheMerge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	segmentedIndex(t, path)
	if n := segmentsOf(t, path); n < 10 {
		t.Fatalf("the test index has %d segments", n)
	}
	var log strings.Builder
	if err := compact(context.Background(), path, slog.New(slog.NewTextHandler(&log, nil))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "built during the merge") {
		t.Errorf("the bigram index was not built during the merge:\n%s", log.String())
	}
	idx, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	r, segs, err := snapshotSegments(idx)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if len(segs) != 1 {
		t.Fatalf("%d segments after compact", len(segs))
	}
	seg := segs[0].Segment()
	written, err := os.ReadFile(literal.PathOf(seg))
	if err != nil {
		t.Fatal(err)
	}
	b, err := literal.BuildSegment(seg)
	if err != nil {
		t.Fatal(err)
	}
	want, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(written, want) {
		t.Errorf("the bigram index written (%d bytes) is not the merged segment's (%d bytes)", len(written), len(want))
	}
	// the folded texts too, and nothing left of their parts
	fold := literal.FoldedPathOf(seg)
	written, err = os.ReadFile(fold)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := literal.BuildMergedFolded(context.Background(), []literal.Part{{Seg: seg}}, 1, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	again := filepath.Join(t.TempDir(), "again.fold")
	if err := fb.WriteFolded(again); err != nil {
		t.Fatal(err)
	}
	if want, err = os.ReadFile(again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(written, want) {
		t.Errorf("the folded texts written (%d bytes) are not the merged segment's (%d bytes)", len(written), len(want))
	}
	if tmp, _ := filepath.Glob(filepath.Join(filepath.Dir(fold), "*.tmp")); len(tmp) > 0 {
		t.Errorf("left behind: %q", tmp)
	}
}

// TestWriteLiteralsOfEachSegment: when the merge did not make the segment
// the bigram index was built for, each segment gets its bigram index and
// folded texts from what it stores (writeLiterals).
func TestWriteLiteralsOfEachSegment(t *testing.T) {
	idx, segs := openSegmented(t)
	if err := writeLiterals(context.Background(), idx, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	for _, ss := range segs {
		seg := ss.Segment()
		if _, err := literal.OpenFile(literal.PathOf(seg)); err != nil {
			t.Fatal(err)
		}
		x, err := literal.OpenFolded(literal.FoldedPathOf(seg))
		if err != nil {
			t.Fatal(err)
		}
		for doc := range seg.Count() {
			err := seg.VisitStoredFields(doc, func(field string, _ byte, v []byte, _ []uint64) bool {
				if !slices.Contains(literal.FoldedFields, field) {
					return true
				}
				if verr := x.Visit(field, doc, func(b []byte) {
					if !bytes.Equal(b, v) {
						t.Errorf("document %d, %s: %.30q, want %.30q", doc, field, b, v)
					}
				}); verr != nil {
					t.Error(verr)
				}
				return true
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		x.Close()
	}
}

// TestFoldedOfTheMerge: the folded texts the builders of a merge write,
// in one part or in three, are those of each document the merge keeps,
// in its order, as the segments store them; a cancelled build leaves no
// part behind.
func TestFoldedOfTheMerge(t *testing.T) {
	_, segs := openSegmented(t)
	parts := partsOf(mergeOrder(segs))
	var want [][]string // per document of the merge, per folded field
	for _, p := range parts {
		for doc := range p.Seg.Count() {
			if p.Deleted != nil && p.Deleted.Contains(uint32(doc)) {
				continue
			}
			texts := make([]string, len(literal.FoldedFields))
			err := p.Seg.VisitStoredFields(doc, func(field string, _ byte, v []byte, _ []uint64) bool {
				if i := slices.Index(literal.FoldedFields, field); i >= 0 {
					texts[i] = string(v)
				}
				return true
			})
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, texts)
		}
	}
	dir := t.TempDir()
	var files [][]byte
	for _, cores := range []int{1, 3} {
		b, err := literal.BuildMergedFolded(context.Background(), parts, cores, dir)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, fmt.Sprintf("%d.fold", cores))
		if err := b.WriteFolded(path); err != nil {
			t.Fatal(err)
		}
		x, err := literal.OpenFolded(path)
		if err != nil {
			t.Fatal(err)
		}
		if x.Docs() != uint64(len(want)) {
			t.Fatalf("%d cores: %d documents, want %d", cores, x.Docs(), len(want))
		}
		bad := 0
		for d, texts := range want {
			for i, field := range literal.FoldedFields {
				var got string
				if err := x.Visit(field, uint64(d), func(b []byte) { got = string(b) }); err != nil {
					t.Fatal(err)
				}
				if got != texts[i] && bad < 5 {
					bad++
					t.Errorf("%d cores: document %d, %s: %.30q, want %.30q", cores, d, field, got, texts[i])
				}
			}
		}
		x.Close()
		f, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Errorf("built in one part and in three: %d and %d bytes, not the same", len(files[0]), len(files[1]))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := literal.BuildMergedFolded(ctx, parts, 3, dir); !errors.Is(err, context.Canceled) {
		t.Errorf("built when cancelled: %v", err)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(tmp) > 0 {
		t.Errorf("left behind: %q", tmp)
	}
}

// TestSameMerge: sameMerge tells the segments merged in mergeOrder from
// the same segments in another order.
func TestSameMerge(t *testing.T) {
	idx, before := openSegmented(t)
	order := mergeOrder(before)
	ai, err := idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	if err := ai.(*scorch.Scorch).ForceMerge(context.Background(), mergeAll()); err != nil {
		t.Fatal(err)
	}
	after, merged, err := snapshotSegments(idx)
	if err != nil {
		t.Fatal(err)
	}
	defer after.Close()
	byID := slices.Clone(order)
	slices.SortFunc(byID, func(a, b *scorch.SegmentSnapshot) int { return cmp.Compare(a.Id(), b.Id()) })
	for _, c := range []struct {
		name  string
		order []*scorch.SegmentSnapshot
		want  bool
	}{
		{"merge order", order, true},
		{"ids' order", byID, false},
		{"one segment left out", order[1:], false},
		{"in two segments", order, false},
	} {
		m := merged
		if c.name == "in two segments" {
			m = append(slices.Clone(merged), merged...)
		}
		got, err := sameMerge(c.order, m)
		if err != nil || got != c.want {
			t.Errorf("%s: sameMerge says %v (%v), want %v", c.name, got, err, c.want)
		}
	}
}

// TestBuildMergedStops: the bigram index built during a merge stops when
// the build is cancelled.
func TestBuildMergedStops(t *testing.T) {
	_, segs := openSegmented(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	parts := partsOf(mergeOrder(segs))
	if _, err := literal.BuildMerged(ctx, parts, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("built when cancelled: %v", err)
	}
	if _, err := literal.BuildMerged(context.Background(), parts, 1); err != nil {
		t.Error(err)
	}
}
