package search

import (
	"context"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"minsheng/corpus"
	"minsheng/indexer"
)

// everyFacet counts document n in every facet of cs as the hooks did
// before facetCounter: every facet of every match, values through of().
// The test's oracle and the benchmark's other side.
func everyFacet(cs *columnSet, counts [][]int, overdueAt int, cutoff int64, n uint64) {
	for i, c := range counts {
		if i == overdueAt {
			if o := cs.overdue.ord(n, cutoff); o >= 0 {
				c[o]++
			}
			continue
		}
		for _, o := range cs.cols[i].of(n) {
			c[o]++
		}
	}
}

// servedColumns returns the columns of the generation in data.
func servedColumns(tb testing.TB, data string) *columnSet {
	tb.Helper()
	live, err := indexer.OpenLive(data)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { live.Close() })
	s := New(live.Index(), Options{})
	if err := s.Warm(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return s.columns.entries[0].v
}

// TestFacetCounterCountsEveryFacet: the counter gives every facet's counts
// as counting every facet of every match does, on the sample (multi-valued
// topics and units, suggestions with deadlines, news without) for every
// document, with cutoffs that make none, some and all due dates passed.
func TestFacetCounterCountsEveryFacet(t *testing.T) {
	data := t.TempDir()
	if _, err := indexer.Build(context.Background(), data, indexer.BuildOptions{Sources: []string{"../corpus/sample"}}); err != nil {
		t.Fatal(err)
	}
	cs := servedColumns(t, data)
	if !cs.overdue.any {
		t.Fatal("the sample has no deadlines or due dates: the overdue facet goes untested")
	}
	singles := 0
	for _, c := range cs.cols {
		if c.single != nil {
			singles++
		}
	}
	if singles == 0 || singles == len(cs.cols) {
		t.Fatalf("%d of %d facet columns single-valued: both kinds must be tested", singles, len(cs.cols))
	}
	overdueAt := slices.Index(facetFields, corpus.FieldOverdue)
	for _, cut := range []time.Time{time.Unix(0, 0), time.Date(2024, 6, 1, 0, 0, 0, 0, corpus.CST()), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)} {
		fc := newFacetCounter(cs, overdueAt, cut.UnixNano())
		want := make([][]int, len(cs.cols))
		for i, c := range cs.cols {
			want[i] = make([]int, len(c.terms))
		}
		for n := range uint64(len(cs.ids) + 2) { // past the last document too
			fc.add(n)
			everyFacet(cs, want, overdueAt, cut.UnixNano(), n)
		}
		if !reflect.DeepEqual(fc.counts, want) {
			t.Errorf("cutoff %s: counter\n%v\nevery facet\n%v", cut, fc.counts, want)
		}
	}
}

// BenchmarkFacetCount times counting the facets of every document of the
// index in MINSHENG_BENCH_DATA, per match: every facet of every match
// (before) beside facetCounter (after), in one run.
func BenchmarkFacetCount(b *testing.B) {
	data := os.Getenv("MINSHENG_BENCH_DATA")
	if data == "" {
		b.Skip("skipping: set MINSHENG_BENCH_DATA to a data folder (make bench does)")
	}
	cs := servedColumns(b, data)
	overdueAt := slices.Index(facetFields, corpus.FieldOverdue)
	cut := time.Now().UnixNano()
	docs := uint64(len(cs.ids))
	b.Run("every-facet", func(b *testing.B) {
		counts := make([][]int, len(cs.cols))
		for i, c := range cs.cols {
			counts[i] = make([]int, len(c.terms))
		}
		for b.Loop() {
			for n := range docs {
				everyFacet(cs, counts, overdueAt, cut, n)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(uint64(b.N)*docs), "ns/match")
	})
	b.Run("counter", func(b *testing.B) {
		for b.Loop() {
			fc := newFacetCounter(cs, overdueAt, cut)
			for n := range docs {
				fc.add(n)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(uint64(b.N)*docs), "ns/match")
	})
}
