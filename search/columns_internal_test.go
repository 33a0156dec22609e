package search

import (
	"context"
	"testing"

	"minsheng/indexer"
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
	for _, r := range []any{s.columns.entries[0].reader, s.spellings.entries[0].reader, s.stats.entries[0].reader, s.results.snap} {
		if r != cur || r == old {
			t.Errorf("Forget kept an entry of another snapshot than the served one")
		}
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
