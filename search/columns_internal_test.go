package search

import (
	"context"
	"testing"

	"minsheng/indexer"
)

// TestWarm: Warm builds the columns of the served generation, so that its
// first search does not.
func TestWarm(t *testing.T) {
	data := t.TempDir()
	if _, err := indexer.Build(context.Background(), data, indexer.BuildOptions{Sources: []string{"../corpus/sample"}}); err != nil {
		t.Fatal(err)
	}
	live, err := indexer.OpenLive(data)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
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
