package search

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The set of dropped segment files forgets the files that are gone, and
// only those: a long-running server writes and removes segment files all
// its life.
func TestDroppedFilesForgetsGone(t *testing.T) {
	dir := t.TempDir()
	var d droppedFiles
	live := make([]string, 10)
	for i := range live {
		live[i] = filepath.Join(dir, fmt.Sprintf("live%d.zap", i))
		if err := os.WriteFile(live[i], nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if !d.first(live[i]) {
			t.Fatalf("%s: seen before it was added", live[i])
		}
	}
	for i := range 1000 {
		gone := filepath.Join(dir, fmt.Sprintf("gone%d.zap", i))
		if err := os.WriteFile(gone, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if !d.first(gone) {
			t.Fatalf("%s: seen before it was added", gone)
		}
		if d.first(gone) {
			t.Fatalf("%s: not remembered", gone)
		}
		os.Remove(gone) // merged away
	}
	if n := len(d.paths); n > 2*len(live)+64+1 {
		t.Errorf("after 1,000 files added and removed, the set holds %d paths", n)
	}
	for _, p := range live {
		if d.first(p) {
			t.Errorf("%s: forgotten while it exists", p)
		}
	}
}
