package literal_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	zapx "github.com/blevesearch/zapx/v17"

	"minsheng/indexer/literal"
)

// BenchmarkBuildSegment builds and writes the bigram index of the largest
// segment of the index in MINSHENG_BENCH_SEGMENTS (a generation's
// index/store folder: make bench's news-2023 generation), as a build does
// after its merge (writeLiterals), without the disk.
func BenchmarkBuildSegment(b *testing.B) {
	dir := os.Getenv("MINSHENG_BENCH_SEGMENTS")
	if dir == "" {
		b.Skip("skipping: set MINSHENG_BENCH_SEGMENTS to an index's store folder (a generation's index/store)")
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.zap"))
	if err != nil || len(paths) == 0 {
		b.Fatalf("no segment in %s: %v", dir, err)
	}
	largest, size := "", int64(-1)
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.Size() > size {
			largest, size = p, fi.Size()
		}
	}
	seg, err := (&zapx.ZapPlugin{}).Open(largest)
	if err != nil {
		b.Fatal(err)
	}
	defer seg.Close()
	for b.Loop() {
		x, err := literal.BuildSegment(seg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := x.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
