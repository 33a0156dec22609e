package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	index "github.com/blevesearch/bleve_index_api"

	"minsheng/corpus"
	"minsheng/indexer"
	"minsheng/indexer/literal"
)

// TestLiteralFieldsOfBuildAndLiveDocuments: a built generation's literal
// fields are in each segment's bigram index, those of documents written
// to it since in their own segments. Literal searches (one character, two,
// phrases) find and score as bleve does over the same documents with
// their literal fields in the segments: with the live documents beside
// the build's, one of which replaced a document of the build's segment
// (its deletion counted as scorch counts it), as bleve scores the same
// segments; and once a merge of the served index has made one segment of
// both, whose bigram index is then built from its stored text and written
// beside it, as bleve scores one segment. A damaged bigram index is built
// again; a reopening removes the bigram index of the merged-away segment.
func TestLiteralFieldsOfBuildAndLiveDocuments(t *testing.T) {
	data := t.TempDir()
	if _, err := indexer.Build(context.Background(), data, indexer.BuildOptions{Sources: []string{"../corpus/sample"}}); err != nil {
		t.Fatal(err)
	}
	name, err := indexer.Current(data)
	if err != nil {
		t.Fatal(err)
	}
	path := indexer.IndexPath(data, name)
	built, _ := filepath.Glob(filepath.Join(path, "store", "*"+literal.Ext))
	if len(built) == 0 {
		t.Fatal("the build wrote no bigram index")
	}
	// a bigram index damaged, or of another version, is built again
	if err := os.WriteFile(built[0], []byte("mslit\x00\x00\x01 of another version"), 0o600); err != nil {
		t.Fatal(err)
	}
	// served without scorch's own merges, which would soon join the
	// segments: the merge below is the test's
	idx, err := bleve.OpenUsing(path, indexer.BuildConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { idx.Close() }()
	built0 := storedDocs(t, idx)

	// live documents, each its own segment: a new one, and one that
	// replaces a document of the build (deleted from its segment)
	replaced := storedDoc(t, idx, "s-2023-0151")
	replaced.Title = "关于乡村振兴中留守儿童教育的建议（修订）"
	replaced.Body = "乡村振兴，教育先行。建议在乡村学校增设心理教师，关爱留守儿童。"
	fresh := corpus.Doc{ID: "live-1", Kind: corpus.KindNews, Title: "乡村医生进村入户", Body: "乡村医生上门随访，振兴乡村卫生室。乡"}
	for _, doc := range []*corpus.Doc{&replaced, &fresh} {
		if err := idx.Index(doc.ID, indexer.IndexFields(doc)); err != nil {
			t.Fatal(err)
		}
	}

	texts := []string{"乡", "振", "乡村", "教育", "留守儿童", "乡村振兴", "乡村医生", "振兴乡村", "心理教师", "没有这样的话"}
	compare := func(when string, twin bleve.Index) {
		t.Helper()
		defer twin.Close()
		s := New(idx, Options{})
		an, err := s.analyzers()
		if err != nil {
			t.Fatal(err)
		}
		tw := New(twin, Options{})
		holders := literalHolders(t, idx)
		total := 0
		for _, text := range texts {
			q := an.literal(text, 1)
			total += compareScoresOn(t, when+" "+text, idx, twin,
				&withStats{q: q, cache: &s.stats}, &withStats{q: asBleve(q, holders), cache: &tw.stats})
		}
		if total < 20 {
			t.Errorf("%s: %d matches compared", when, total)
		}
	}
	r, err := idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	snap, err := r.Reader()
	if err != nil {
		t.Fatal(err)
	}
	segs := snap.(*scorch.IndexSnapshot).Segments()
	if len(segs) < 2 || segs[0].Deleted() == nil || segs[0].Deleted().IsEmpty() {
		t.Fatalf("%d segments, the build's with deletions %v: not the state to test", len(segs), segs[0].Deleted())
	}
	snap.Close()
	// bleve's twin of this state: the build's documents in one segment,
	// then the same live writes, each its own segment, with the literal
	// fields in the segments (a deleted document's terms stay in its
	// segment's dictionary, and so in a prefix's terms)
	beside, err := bleve.NewUsing(t.TempDir(), idx.Mapping(), scorch.Name, scorch.Name, indexer.BuildConfig())
	if err != nil {
		t.Fatal(err)
	}
	b := beside.NewBatch()
	for _, doc := range built0 {
		if err := b.Index(doc.ID, indexer.IndexFields(&doc)); err != nil {
			t.Fatal(err)
		}
	}
	if err := beside.Batch(b); err != nil {
		t.Fatal(err)
	}
	for _, doc := range []*corpus.Doc{&replaced, &fresh} {
		if err := beside.Index(doc.ID, indexer.IndexFields(doc)); err != nil {
			t.Fatal(err)
		}
	}
	copyLengths(t, idx, beside)
	compare("beside", beside)

	ai, err := idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	sc := ai.(*scorch.Scorch)
	err = sc.ForceMerge(context.Background(), &mergeplan.MergePlanOptions{
		MaxSegmentsPerTier: 1, MaxSegmentSize: 1 << 30, MaxSegmentFileSize: 1 << 40, TierGrowth: 1.0,
		SegmentsPerMergeTask: 1 << 16, FloorSegmentSize: 1 << 30, ReclaimDeletesWeight: 2.0, FloorSegmentFileSize: 1 << 40,
	})
	if err != nil {
		t.Fatal(err)
	}
	snap, err = ai.Reader()
	if err != nil {
		t.Fatal(err)
	}
	segs = snap.(*scorch.IndexSnapshot).Segments()
	if len(segs) != 1 {
		t.Fatalf("%d segments after the merge, want 1", len(segs))
	}
	merged := literal.PathOf(segs[0].Segment())
	snap.Close()
	if slices.Contains(built, merged) {
		t.Fatalf("the segment after the merge is the build's")
	}
	compare("merged", literalTwin(t, idx))
	if _, err := os.Stat(merged); err != nil {
		t.Errorf("the merged segment's bigram index was not written: %v", err)
	}

	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	if idx, err = indexer.OpenWritable(path); err != nil {
		t.Fatal(err)
	}
	for _, f := range built {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s, of a segment merged away, is still there: %v", filepath.Base(f), err)
		}
	}
	if _, err := os.Stat(merged); err != nil {
		t.Errorf("the served segment's bigram index is gone: %v", err)
	}
}

// TestDecodedPostingsGivenBack: the postings a reader of a literal field
// decodes for itself go back to a pool when it closes, and are never
// handed to another reader while it reads: readers open together, one
// closed twice, and readers opened after them, interleaved, each read
// what a reader of that term alone reads.
func TestDecodedPostingsGivenBack(t *testing.T) {
	_, live := servedSample(t)
	r := snapshotOf(t, live.Index())
	field := corpus.FieldBodyLit
	terms := []string{"建议", "乡村", "教育", "医疗", "服务", "养老"}
	ctx := context.Background()
	read := func(tr interface {
		Next(*index.TermFieldDoc) (*index.TermFieldDoc, error)
	}) []string {
		var out []string
		for {
			p, err := tr.Next(nil)
			if err != nil {
				t.Fatal(err)
			}
			if p == nil {
				return out
			}
			n, _ := docNumber(p.ID)
			out = append(out, fmt.Sprint(n, "/", p.Freq, "/", p.Norm))
		}
	}
	alone := map[string][]string{}
	for _, term := range terms {
		tr, err := cachedTermReader(ctx, r, term, field)
		if err != nil {
			t.Fatal(err)
		}
		alone[term] = read(tr)
		tr.Close()
		if len(alone[term]) == 0 {
			t.Fatalf("%s: no postings in %s: the test reads nothing", term, field)
		}
	}
	for round := range 3 {
		var open []index.TermFieldReader
		for _, term := range terms {
			tr, err := cachedTermReader(ctx, r, term, field)
			if err != nil {
				t.Fatal(err)
			}
			open = append(open, tr)
		}
		for i, tr := range open {
			if got := read(tr); !slices.Equal(got, alone[terms[i]]) {
				t.Fatalf("round %d, %s read with the others open: %d postings, alone %d", round, terms[i], len(got), len(alone[terms[i]]))
			}
		}
		for _, tr := range open {
			tr.Close()
			tr.Close() // twice: given back once
		}
	}
}
