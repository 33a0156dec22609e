package search_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minsheng/search"
)

// TestSegmentsAdvisedRandom: once a snapshot is searched, every segment
// file it maps is marked as read at random (VmFlags "rr" in
// /proc/self/smaps), so that the kernel reads no megabytes ahead of a
// page a search touches, and the server maps what it reads.
func TestSegmentsAdvisedRandom(t *testing.T) {
	idx, _ := segmentedSample(t)
	dir := filepath.Dir(t.TempDir()) // the test's, which holds the index: not another test's segments
	if _, err := search.New(idx, search.Options{}).Search(context.Background(), search.Request{Query: "乡村振兴"}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("skipping: %v", err)
	}
	defer f.Close()
	var segments, random int
	var inSegment bool
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if fields := strings.Fields(line); len(fields) > 0 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			inSegment = strings.HasSuffix(line, ".zap") && strings.Contains(line, dir)
			if inSegment {
				segments++
			}
			continue
		}
		if inSegment && strings.HasPrefix(line, "VmFlags:") && strings.Contains(line+" ", " rr ") {
			random++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if segments == 0 {
		t.Fatal("no segment file is mapped: the test looks at nothing")
	}
	if random != segments {
		t.Errorf("%d of the %d segment files mapped are advised random", random, segments)
	}
}
