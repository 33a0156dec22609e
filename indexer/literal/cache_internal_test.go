package literal

import (
	"fmt"
	"path/filepath"
	"testing"

	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// fakeSegment is a segment on disk at path without documents of a build's.
type fakeSegment struct {
	segment.PersistedSegment
	path string
}

func (s *fakeSegment) Path() string { return s.path }
func (s *fakeSegment) Dictionary(string) (segment.TermDictionary, error) {
	return emptyDict{}, nil
}

type emptyDict struct{ segment.TermDictionary }

func (emptyDict) Cardinality() int { return 0 }

// TestForgetDropsAClosedIndex: Forget drops the entries of the
// segments of one index, and only those; the cache holds at most maxCached.
func TestForgetDropsAClosedIndex(t *testing.T) {
	cache.mu.Lock()
	cache.m = map[segment.Segment]*cached{}
	cache.mu.Unlock()
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	for i := range 3 {
		for _, dir := range []string{a, b} {
			if x, err := For(&fakeSegment{path: filepath.Join(dir, "store", fmt.Sprintf("%012x.zap", i))}); x != nil || err != nil {
				t.Fatalf("a segment of no build's documents: %v, %v", x, err)
			}
		}
	}
	Forget(a)
	if n := len(cache.m); n != 3 {
		t.Fatalf("%d entries after forgetting one index's 3 of 6", n)
	}
	for s := range cache.m {
		if filepath.Dir(filepath.Dir(PathOf(s))) != b {
			t.Errorf("%s is left, of the forgotten index", PathOf(s))
		}
	}
	for i := range 2 * maxCached {
		For(&fakeSegment{path: filepath.Join(b, "store", fmt.Sprintf("%012x.zap", 100+i))})
	}
	if n := len(cache.m); n != maxCached {
		t.Errorf("%d entries, want at most %d", n, maxCached)
	}
}
