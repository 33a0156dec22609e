package indexer

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

// TestBuildConfigIsNotStored: the build's scorch configuration (no merges
// while documents come in) is given when the build opens its index and
// never stored in it, so a generation opened later, to serve and take
// live documents, merges its segments as scorch does by default.
func TestBuildConfigIsNotStored(t *testing.T) {
	data := t.TempDir()
	man, err := Build(context.Background(), data, BuildOptions{Sources: []string{"../corpus/sample"}, BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(IndexPath(data, man.Name), "index_meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Config map[string]any `json:"config"`
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	for k := range BuildConfig() {
		if _, ok := meta.Config[k]; ok {
			t.Errorf("index_meta.json stores %s: %s", k, b)
		}
	}
}

// TestMergedFilesRemovedAfterLateRelease: scorch marks a snapshot whose
// last reference is released as removable in a goroutine of its own, and
// removes the files of removable snapshots when its persister goes idle.
// A reader of the segments before a merge that is closed after the
// persister went idle (under load, the merge's own references can be
// released that late too) leaves their files on disk until the index
// changes again. awaitRemoval must still see them removed.
func TestMergedFilesRemovedAfterLateRelease(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	idx, err := bleve.NewUsing(path, bleve.NewIndexMapping(), scorch.Name, scorch.Name, BuildConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	for i := range 5 { // five batches, five segments
		b := idx.NewBatch()
		for j := range 3 {
			if err := b.Index(fmt.Sprintf("d%d-%d", i, j), map[string]any{"body": fmt.Sprintf("text %d %d", i, j)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := idx.Batch(b); err != nil {
			t.Fatal(err)
		}
	}
	ai, err := idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	s := ai.(*scorch.Scorch)
	zaps := func() int {
		files, err := filepath.Glob(filepath.Join(path, "store", "*.zap"))
		if err != nil {
			t.Fatal(err)
		}
		return len(files)
	}
	// wait for the five to be persisted, then hold them with a reader
	for deadline := time.Now().Add(10 * time.Second); zaps() < 5; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d segment files after 10 s, want 5", zaps())
		}
	}
	r, err := s.Reader()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ForceMerge(context.Background(), mergeAll()); err != nil {
		t.Fatal(err)
	}
	if n := segments(s); n != 1 {
		t.Fatalf("%d segments after the merge, want 1", n)
	}
	time.Sleep(500 * time.Millisecond) // the persister records the merge and goes idle
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the release is marked, in scorch's goroutine
	if n := zaps(); n == 1 {
		t.Skip("scorch removed the files without a further change: nothing to show on this run")
	}
	if err := awaitRemoval(context.Background(), s, path, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if n := zaps(); n != 1 {
		t.Errorf("%d segment files after awaitRemoval, want 1", n)
	}
}
