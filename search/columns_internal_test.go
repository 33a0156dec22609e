package search

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"

	"minsheng/indexer"
	"minsheng/indexer/wal"
)

// TestWarm: Warm builds the columns of the served generation, so that its
// first search does not.
func TestWarm(t *testing.T) {
	_, live := servedSample(t)
	s := New(live.Index(), Options{})
	if len(s.columns.entries) != 0 {
		t.Fatal("columns before any search")
	}
	if err := s.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	n, _ := live.Index().DocCount()
	if len(s.columns.entries) != 1 || s.columns.entries[0].v == nil {
		t.Fatalf("after Warm: %d cache entries", len(s.columns.entries))
	}
	ids := 0
	for _, id := range s.columns.entries[0].v.ids {
		if id != "" {
			ids++
		}
	}
	if uint64(ids) != n || n == 0 {
		t.Errorf("columns hold %d ids, the index %d documents", ids, n)
	}
	// the next search finds them built
	if _, err := s.Search(context.Background(), Request{Query: "乡村振兴"}); err != nil {
		t.Fatal(err)
	}
	if len(s.columns.entries) != 1 {
		t.Errorf("%d cache entries after a search of the same generation, want 1", len(s.columns.entries))
	}
}

// TestForget: after a swap of generations, Forget drops what the Searcher
// kept of the generation swapped out (columns, words, statistics, results),
// which would otherwise stay beside the new one's.
func TestForget(t *testing.T) {
	ctx := context.Background()
	data, live := servedSample(t)
	s := New(live.Index(), Options{})
	search := func() {
		t.Helper()
		if _, err := s.Search(ctx, Request{Query: "乡村振兴"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Warm(ctx); err != nil {
			t.Fatal(err)
		}
	}
	search()
	old := s.snapshot()
	kept := func() (columns, spellings, stats int, results bool) {
		return len(s.columns.entries), len(s.spellings.entries), len(s.stats.entries), s.results.snap != nil
	}
	if c, w, st, r := kept(); c != 1 || w != 1 || st != 1 || !r {
		t.Fatalf("after searches of one generation: %d columns, %d words, %d statistics, results %v; want 1, 1, 1, true", c, w, st, r)
	}
	man, err := indexer.Build(ctx, data, indexer.BuildOptions{Sources: []string{"../corpus/sample"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := live.Switch(man.Name); err != nil {
		t.Fatal(err)
	}
	search()
	if c, w, st, _ := kept(); c != 2 || w != 2 || st != 2 {
		t.Fatalf("after searches of both generations: %d columns, %d words, %d statistics; want 2 of each", c, w, st)
	}
	s.Forget()
	if c, w, st, r := kept(); c != 1 || w != 1 || st != 1 || !r {
		t.Fatalf("after Forget: %d columns, %d words, %d statistics, results %v; want 1, 1, 1, true", c, w, st, r)
	}
	cur := s.snapshot()
	for _, r := range []any{s.columns.entries[0].key, s.stats.entries[0].key, s.results.snap} {
		if r != cur || r == old {
			t.Errorf("Forget kept an entry of another snapshot than the served one")
		}
	}
	if k := s.spellings.entries[0].key; k != spellingKey(cur) || k == spellingKey(old) {
		t.Errorf("Forget kept words of another generation than the served one")
	}
}

// servedSample builds the sample corpus in a new data folder and serves
// it (closed when the test ends).
func servedSample(t *testing.T) (string, *indexer.Live) {
	t.Helper()
	data := t.TempDir()
	if _, err := indexer.Build(context.Background(), data, indexer.BuildOptions{Sources: []string{"../corpus/sample"}}); err != nil {
		t.Fatal(err)
	}
	live, err := indexer.OpenLive(data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { live.Close() })
	return data, live
}

// TestColumnsComposed: the columns a snapshot composes from those of its
// segments are those read from the snapshot whole, value for value, in a
// built generation (one segment) and after live writes have added
// segments and deleted documents from the older ones; a segment's are
// built once, and those of segments merged away are dropped.
func TestColumnsComposed(t *testing.T) {
	ctx := context.Background()
	_, live, docs := writableSample(t)
	s := New(live.Index(), Options{})
	check := func(when string) (segments int) {
		t.Helper()
		r := heldReader(t, live.Index())
		composed, err := s.columnsOf(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		whole, err := buildColumns(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if msg := sameColumns(composed, whole); msg != "" {
			t.Errorf("%s: composed columns differ from those read whole: %s", when, msg)
		}
		return len(r.(*scorch.IndexSnapshot).Segments())
	}
	if n := check("built"); n != 1 {
		t.Fatalf("a built sample has %d segments, want 1", n)
	}
	write := func(changes ...indexer.DocChange) {
		t.Helper()
		res, _, err := docs.Write(ctx, "test", changes)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
		}
	}
	write(indexer.DocChange{Op: indexer.OpPut, Body: []byte(`{"id":"new-1","kind":"suggestion","title":"关于养老服务的建议","body":"社区养老","delegation":"新的代表团","units":["省民政厅","新的单位"],"status":"办理中","date":"2026-03-01"}`)},
		indexer.DocChange{Op: indexer.OpPatch, ID: "s-2024-0024", Body: []byte(`{"status":"已办结","delegation":"改过的代表团"}`)},
		indexer.DocChange{Op: indexer.OpDelete, ID: "n-2021-0011"})
	write(indexer.DocChange{Op: indexer.OpPut, Body: []byte(`{"id":"new-2","kind":"news","title":"乡村振兴新闻","body":"乡村振兴","date":"2025-07-01"}`)},
		indexer.DocChange{Op: indexer.OpDelete, ID: "new-1"})
	if n := check("after writes"); n < 2 {
		t.Errorf("after writes: %d segments, want a new one beside the generation's", n)
	}
	s.segColumns.mu.Lock()
	cached := len(s.segColumns.m)
	s.segColumns.mu.Unlock()
	if want := len(heldReader(t, live.Index()).(*scorch.IndexSnapshot).Segments()); cached > want {
		t.Errorf("%d segments' columns kept, the snapshot has %d", cached, want)
	}
}

// writableSample builds the sample corpus in a new data folder and serves
// it for live documents (closed when the test ends).
func writableSample(t *testing.T) (string, *indexer.Live, *indexer.Docs) {
	t.Helper()
	data := t.TempDir()
	if _, err := indexer.Build(context.Background(), data, indexer.BuildOptions{Sources: []string{"../corpus/sample"}}); err != nil {
		t.Fatal(err)
	}
	wl, err := wal.Open(wal.Dir(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	live, docs, err := indexer.OpenLiveDocs(data, wl, nil, nil)
	if err != nil {
		wl.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { live.Close(); wl.Close() })
	return data, live, docs
}

// heldReader returns the snapshot idx serves now, held until the test (or
// benchmark) ends.
func heldReader(t testing.TB, idx bleve.Index) index.IndexReader {
	t.Helper()
	ai, err := idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := ai.Reader()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// TestSpellingsOutliveWrites: the snapshots live writes make share the
// suggestion dictionary of their generation, which still suggests; a new
// generation has its own.
func TestSpellingsOutliveWrites(t *testing.T) {
	ctx := context.Background()
	data, live, docs := writableSample(t)
	s := New(live.Index(), Options{ResultCacheMB: -1})
	suggest := func(when string) *suggestDict {
		t.Helper()
		res, err := s.Search(ctx, Request{Query: "乡村振新"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Suggestion != "乡村振兴" {
			t.Errorf("%s: suggestion %q, want 乡村振兴", when, res.Suggestion)
		}
		d, err := s.suggestDict(ctx)
		if err != nil || d == nil {
			t.Fatalf("%s: dictionary %v, %v", when, d, err)
		}
		return d
	}
	before := suggest("built")
	snap := s.snapshot()
	for i := range 3 {
		body := fmt.Sprintf(`{"id":"w-%d","kind":"news","title":"第%d篇","body":"乡村振兴新闻"}`, i, i)
		if _, _, err := docs.Write(ctx, "test", []indexer.DocChange{{Op: indexer.OpPut, Body: []byte(body)}}); err != nil {
			t.Fatal(err)
		}
	}
	if s.snapshot() == snap {
		t.Fatal("the writes made no new snapshot")
	}
	if after := suggest("after writes"); after != before {
		t.Error("the writes' snapshots built a dictionary of their own")
	}
	man, err := indexer.Build(ctx, data, indexer.BuildOptions{Sources: []string{"../corpus/sample"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := live.Switch(man.Name); err != nil {
		t.Fatal(err)
	}
	if next := suggest("a new generation"); next == before {
		t.Error("a new generation kept the dictionary of the one before")
	}
}

// sameColumns says how two column sets differ in what they give each
// document, "" when they do not.
func sameColumns(a, b *columnSet) string {
	values := func(c *column, d uint64) []string {
		var out []string
		for _, o := range c.of(d) {
			out = append(out, c.terms[o])
		}
		if c.single != nil && d < uint64(len(c.single)) && c.single[d] != 0 && (len(out) != 1 || out[0] != c.terms[c.single[d]-1]) {
			out = append(out, "(single differs)")
		}
		return out
	}
	n := uint64(max(len(a.ids), len(b.ids)))
	at := func(l []string, d uint64) string {
		if d < uint64(len(l)) {
			return l[d]
		}
		return ""
	}
	for i := range a.cols {
		if (a.cols[i].single == nil) != (b.cols[i].single == nil) {
			return fmt.Sprintf("facet %s: single %v and %v", facetFields[i], a.cols[i].single != nil, b.cols[i].single != nil)
		}
		for d := range n {
			if va, vb := values(a.cols[i], d), values(b.cols[i], d); !slices.Equal(va, vb) {
				return fmt.Sprintf("facet %s, document %d: %q and %q", facetFields[i], d, va, vb)
			}
		}
	}
	for d := range n {
		if at(a.ids, d) != at(b.ids, d) || at(a.dates, d) != at(b.dates, d) {
			return fmt.Sprintf("document %d: id %q and %q, date %q and %q", d, at(a.ids, d), at(b.ids, d), at(a.dates, d), at(b.dates, d))
		}
		for _, cutoff := range []int64{0, time.Now().UnixNano(), 1 << 62} {
			if a.overdue.ord(d, cutoff) != b.overdue.ord(d, cutoff) {
				return fmt.Sprintf("document %d: overdue at %d: %d and %d", d, cutoff, a.overdue.ord(d, cutoff), b.overdue.ord(d, cutoff))
			}
		}
	}
	return ""
}

// BenchmarkColumnsAfterWrite times the columns of a snapshot of the index
// in MINSHENG_BENCH_DATA after a live write replaced one of its
// documents, in one run: read whole from the snapshot, as every snapshot's
// were (whole), beside composed from the columns of its segment, built
// once (composed: the segment's document 0 deleted, as a write of it
// leaves it; the written document's own segment of one adds next to
// nothing).
func BenchmarkColumnsAfterWrite(b *testing.B) {
	live := OpenBenchData(b)
	r := heldReader(b, live.Index())
	ctx := context.Background()
	segs := r.(*scorch.IndexSnapshot).Segments()
	counts := make([]uint64, len(segs))
	gone := make([][]uint64, len(segs))
	cols := make([][]*column, len(segs))
	for i, ss := range segs {
		var err error
		if cols[i], err = segmentColumnsOf(ctx, ss.Segment()); err != nil {
			b.Fatal(err)
		}
		counts[i] = ss.Segment().Count()
		gone[i] = make([]uint64, (counts[i]+63)/64)
	}
	gone[0][0] = 1
	b.Run("whole", func(b *testing.B) {
		for b.Loop() {
			if _, err := buildColumns(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("composed", func(b *testing.B) {
		for b.Loop() {
			compose(counts, gone, cols)
		}
	})
}
