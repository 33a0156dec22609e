package search_test

import (
	"context"
	"testing"
	"time"

	"minsheng/search"
)

// queryMix is the load benchmark's mix (cmd/minsheng/web BenchmarkSearchLoad)
// as requests, one sub-benchmark each, so that each can be timed and
// profiled alone.
var queryMix = []struct {
	name string
	r    search.Request
}{
	{"word", search.Request{Query: "乡村振兴"}},
	{"two-words", search.Request{Query: "教育 医疗"}},
	{"common-word", search.Request{Query: "经济发展"}},
	{"rare-word", search.Request{Query: "人工智能"}},
	{"long-word", search.Request{Query: "生态环境保护"}},
	{"phrase", search.Request{Query: `"高质量发展"`}},
	{"phrase-topic", search.Request{Query: `"乡村振兴"`}},
	{"phrase-rare", search.Request{Query: `"新能源汽车"`}},
	{"question", search.Request{Query: "如何解决农村留守儿童上学难的问题？"}},
	{"question-news", search.Request{Query: "今年一季度全国规模以上工业增加值同比增长多少"}},
	{"word-kind", search.Request{Query: "疫情", Filters: search.Filters{Kind: []string{"news"}}}},
	{"word-year", search.Request{Query: "改革", Filters: search.Filters{Year: []string{"2023"}}}},
	{"word-by-date", search.Request{Query: "科技创新", Sort: "-date"}},
	{"list-kind", search.Request{Filters: search.Filters{Kind: []string{"proposal"}}}},
}

// BenchmarkQueryMix times each query of the load mix, facets and
// highlights included, with the built-in synonyms as serve searches, on the index in MINSHENG_BENCH_DATA (make bench
// builds one of all of ../shared/corpora).
func BenchmarkQueryMix(b *testing.B) {
	// every answer computed (no result cache): this times the search
	s := search.New(search.OpenBenchData(b).Index(), search.Options{ResultCacheMB: -1})
	syn, err := search.BuiltinSynonyms() // as serve searches without a synonyms file
	if err != nil {
		b.Fatal(err)
	}
	s.SetSynonyms(syn)
	// the first search of a generation builds its columns and the words
	// of did-you-mean, as serve does before it serves: timed apart
	start := time.Now()
	if err := s.Warm(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Logf("the generation warmed (columns and did-you-mean words built): %s", time.Since(start).Round(time.Millisecond))
	for _, q := range queryMix {
		b.Run(q.name, func(b *testing.B) {
			var total uint64
			cpu := cpuTime()
			for b.Loop() {
				res, err := s.Search(context.Background(), q.r)
				if err != nil {
					b.Fatal(err)
				}
				total = res.Total
			}
			b.ReportMetric(float64(total), "hits")
			// the process's CPU time a search, which the other work of a
			// shared machine inflates less than ns/op
			b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
		})
	}
}
