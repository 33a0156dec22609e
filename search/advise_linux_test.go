package search_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minsheng/internal/procstat"
	"minsheng/search"
)

// TestSegmentsAdvisedRandom: once a snapshot is searched, every segment
// file it maps is marked as read at random (VmFlags "rr" in
// /proc/self/smaps), so that the kernel reads no megabytes ahead of a
// page a search touches, and the server maps what it reads. The index
// persists its last batches in the background, each a new segment file
// of a new snapshot, advised when that snapshot is first searched: the
// test searches again until every file mapped is one it searched.
func TestSegmentsAdvisedRandom(t *testing.T) {
	idx, _ := segmentedSample(t)
	dir := filepath.Dir(t.TempDir()) // the test's, which holds the index: not another test's segments
	s := search.New(idx, search.Options{ResultCacheMB: -1})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := s.Search(context.Background(), search.Request{Query: "乡村振兴"}); err != nil {
			t.Fatal(err)
		}
		segments, random := advisedSegments(t, dir)
		if segments == 0 {
			t.Fatal("no segment file is mapped: the test looks at nothing")
		}
		if random == segments {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of the %d segment files mapped are advised random", random, segments)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// advisedSegments counts the segment files under dir this process maps,
// and of them those advised random.
func advisedSegments(t *testing.T, dir string) (segments, random int) {
	t.Helper()
	for _, m := range procstat.Mappings(t, func(path string) bool {
		return strings.HasSuffix(path, ".zap") && strings.HasPrefix(path, dir)
	}) {
		segments++
		if m.Random {
			random++
		}
	}
	return segments, random
}
