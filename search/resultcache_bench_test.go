package search

import (
	"context"
	"testing"
	"time"
)

// BenchmarkResultCache times listings (the empty query: the staff UI's
// first page, a facet clicked with no words) and a query on the index in
// MINSHENG_BENCH_DATA, each computed (the cache off) and then answered
// from the result cache, in the same run, and reports the ratio.
func BenchmarkResultCache(b *testing.B) {
	s := New(OpenBenchData(b).Index(), Options{})
	if err := s.Warm(context.Background()); err != nil {
		b.Fatal(err)
	}
	for _, l := range []struct {
		name string
		r    Request
	}{
		{"all", Request{}},
		{"kind-news", Request{Filters: Filters{Kind: []string{"news"}}}},
		{"year-by-date", Request{Filters: Filters{Year: []string{"2023"}}, Sort: SortDateDesc}},
		{"query", Request{Query: "乡村振兴 人才"}},
	} {
		b.Run(l.name, func(b *testing.B) {
			for b.Loop() {
				measure := func(off bool, n int) time.Duration {
					s.results.setMax(DefaultResultCacheMB << 20)
					if off {
						s.results.setMax(0)
					}
					if _, err := s.Search(context.Background(), l.r); err != nil { // fills the cache when on
						b.Fatal(err)
					}
					start := time.Now()
					for range n {
						if _, err := s.Search(context.Background(), l.r); err != nil {
							b.Fatal(err)
						}
					}
					return time.Since(start) / time.Duration(n)
				}
				computed, cached := measure(true, 5), measure(false, 5)
				b.ReportMetric(float64(computed.Microseconds())/1000, "computed-ms")
				b.ReportMetric(float64(cached.Microseconds())/1000, "cached-ms")
				b.ReportMetric(float64(computed)/float64(cached), "ratio")
			}
		})
	}
}
