package indexer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"minsheng/indexer/analysis"
)

// A locked index is an error within about a second, not a wait forever:
// while another writer holds a generation's bolt lock, Open and OpenLive
// give up after bolt_timeout (1 s) with an error.
func TestLockedIndexIsAnError(t *testing.T) {
	data := t.TempDir()
	src := filepath.Join(t.TempDir(), "docs.jsonl")
	if err := os.WriteFile(src, []byte(`{"id":"a","title":"乡村振兴","body":"建议加快乡村振兴"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	man, err := Build(context.Background(), data, BuildOptions{Sources: []string{src}})
	if err != nil {
		t.Fatal(err)
	}
	if err := analysis.Register(); err != nil {
		t.Fatal(err)
	}
	// a second writer, as another process opening the index would be
	holder, err := bleve.Open(IndexPath(data, man.Name))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		open func() error
	}{
		{"Open", func() error {
			idx, err := Open(IndexPath(data, man.Name))
			if err == nil {
				idx.Close()
			}
			return err
		}},
		{"OpenLive", func() error {
			l, err := OpenLive(data)
			if err == nil {
				l.Close()
			}
			return err
		}},
	} {
		start := time.Now()
		errc := make(chan error, 1)
		go func() { errc <- tt.open() }()
		select {
		case err := <-errc:
			took := time.Since(start)
			t.Logf("%s of a locked index: %v after %s", tt.name, err, took.Round(time.Millisecond))
			if err == nil {
				t.Errorf("%s opened an index another writer holds", tt.name)
			} else if !strings.Contains(err.Error(), "timeout") {
				t.Errorf("%s: error %q does not say it timed out", tt.name, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%s of a locked index still waiting after 30 s", tt.name)
		}
	}
	if err := holder.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := OpenLive(data)
	if err != nil {
		t.Fatalf("OpenLive once the lock is released: %v", err)
	}
	if l.Generation() != man.Name {
		t.Errorf("serving %q, want %q", l.Generation(), man.Name)
	}
	l.Close()
}
