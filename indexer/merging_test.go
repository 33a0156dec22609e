package indexer

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
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
	for k := range buildConfig() {
		if _, ok := meta.Config[k]; ok {
			t.Errorf("index_meta.json stores %s: %s", k, b)
		}
	}
}
