package search

import (
	"os"
	"testing"

	"minsheng/indexer"
)

// OpenBenchData opens the data folder MINSHENG_BENCH_DATA names (make
// bench indexes one of all of ../shared/corpora) for the benchmarks of
// this package and of search_test, closed when b ends; b is skipped when
// the variable is unset.
func OpenBenchData(b *testing.B) *indexer.Live {
	b.Helper()
	data := os.Getenv("MINSHENG_BENCH_DATA")
	if data == "" {
		b.Skip("skipping: set MINSHENG_BENCH_DATA to a data folder indexed from ../shared/corpora (make bench does)")
	}
	live, err := indexer.OpenLive(data)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { live.Close() })
	return live
}
