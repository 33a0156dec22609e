package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/mapping"

	"minsheng/corpus"
	"minsheng/indexer"
	"minsheng/search"
)

// The query mix of the load benchmark: words, phrases, questions, facets
// (every search returns them) and filters.
var loadQueries = []string{
	"q=乡村振兴", "q=教育+医疗", "q=经济发展", "q=人工智能", "q=生态环境保护",
	`q="高质量发展"`, `q="乡村振兴"`, `q="新能源汽车"`,
	"q=" + url.QueryEscape("如何解决农村留守儿童上学难的问题？"),
	"q=" + url.QueryEscape("今年一季度全国规模以上工业增加值同比增长多少"),
	"q=疫情&kind=news", "q=改革&year=2023", "q=科技创新&sort=-date", "q=&kind=proposal",
}

// BenchmarkSearchLoad runs 8 concurrent clients over loopback against the
// real handler, in this process, serving the index in MINSHENG_BENCH_DATA
// (one of all of ../shared/corpora for the mix above), and, in the same
// run, the same load against a plain bleve index of the same documents
// (bleve's cjk bigram analyzer, title and body, facets on kind and year)
// behind a minimal handler. make bench measures the load with
// BenchmarkNewsLoad (the binary in a process of its own) instead; this one
// stays to profile the handler (-cpuprofile, MINSHENG_BENCH_PLAIN=off).
// MINSHENG_BENCH_QUERIES=news searches BenchmarkNewsLoad's 200 queries
// instead of the mix (with MINSHENG_BENCH_DATA indexed from news-2023).
// Every answer is computed: the result cache is off, as this load
// measures the search (MINSHENG_BENCH_RESULT_CACHE=on turns it on).
func BenchmarkSearchLoad(b *testing.B) {
	data := os.Getenv("MINSHENG_BENCH_DATA")
	if data == "" {
		b.Skip("skipping: set MINSHENG_BENCH_DATA to a data folder indexed from ../shared/corpora (make bench does)")
	}
	// the garbage collector as serve sets it by default (gc_percent,
	// memory_limit), for both sides
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(DefaultMemoryLimit))
	opt := search.Options{ResultCacheMB: -1}
	if os.Getenv("MINSHENG_BENCH_RESULT_CACHE") == "on" {
		opt.ResultCacheMB = 0 // the default
	}
	live, s := benchSearcher(b, data, opt)
	srv := New(Options{Search: s, Live: live, Log: slog.New(slog.DiscardHandler)}) // the defaults: a search slot per CPU
	h, err := srv.Handler(nil)
	if err != nil {
		b.Fatal(err)
	}
	queries := loadQueries
	if os.Getenv("MINSHENG_BENCH_QUERIES") == "news" {
		queries = nil
		for _, q := range newsQueries(b, 200) {
			queries = append(queries, "q="+url.QueryEscape(q))
		}
	}
	dur := 20 * time.Second
	if v, err := time.ParseDuration(os.Getenv("MINSHENG_BENCH_DURATION")); err == nil {
		dur = v
	}
	if os.Getenv("MINSHENG_BENCH_PLAIN") == "off" { // to profile ours alone
		for i := 0; i < b.N; i++ {
			ours := load(b, h, "/api/v1/search?", queries, dur)
			b.Logf("8 clients, %s: minsheng %d requests, %d errors, p50 %.1f ms, p99 %.1f ms, %.0f qps (no plain bleve run: MINSHENG_BENCH_PLAIN=off)",
				dur, ours.n, ours.errors, ours.p50, ours.p99, ours.qps)
		}
		return
	}
	plain, err := plainIndex(b, live.Index())
	if err != nil {
		b.Fatal(err)
	}
	defer plain.Close()
	for i := 0; i < b.N; i++ {
		ours := load(b, h, "/api/v1/search?", queries, dur)
		theirs := load(b, plainHandler(plain), "/search?", queries, dur)
		b.ReportMetric(ours.p50, "p50-ms")
		b.ReportMetric(ours.p99, "p99-ms")
		b.ReportMetric(ours.qps, "qps")
		b.ReportMetric(theirs.p50, "plain-p50-ms")
		b.ReportMetric(theirs.p99, "plain-p99-ms")
		b.ReportMetric(theirs.qps, "plain-qps")
		b.Logf("8 clients, %s each: minsheng %d requests, %d errors, p50 %.1f ms, p99 %.1f ms, %.0f qps; plain bleve (cjk) %d requests, %d errors, p50 %.1f ms, p99 %.1f ms, %.0f qps",
			dur, ours.n, ours.errors, ours.p50, ours.p99, ours.qps, theirs.n, theirs.errors, theirs.p50, theirs.p99, theirs.qps)
	}
}

// benchSearcher opens the data folder's generation for b, closed when b
// ends, and a searcher of it as serve makes one: the built-in synonyms,
// and warmed (the columns of facets and sorts and the words of
// did-you-mean built, not paid by the first searches).
func benchSearcher(b *testing.B, data string, opt search.Options) (*indexer.Live, *search.Searcher) {
	live, err := indexer.OpenLive(data)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { live.Close() })
	s := search.New(live.Index(), opt)
	syn, err := search.BuiltinSynonyms() // as serve searches without a synonyms file
	if err != nil {
		b.Fatal(err)
	}
	s.SetSynonyms(syn)
	if err := s.Warm(context.Background()); err != nil {
		b.Fatal(err)
	}
	return live, s
}

// BenchmarkNewsQueries searches BenchmarkNewsLoad's 200 queries one after
// the other, in this process, without HTTP, every answer computed (facets
// and highlights as the API gives them), on the index in
// MINSHENG_BENCH_DATA (one of news-2023): the search's own cost, which
// the load's figures hold among others. One op is the 200 queries; run
// two builds alternately to compare them.
func BenchmarkNewsQueries(b *testing.B) {
	data := os.Getenv("MINSHENG_BENCH_DATA")
	if data == "" {
		b.Skip("skipping: set MINSHENG_BENCH_DATA to a data folder indexed from ../shared/corpora/news-2023")
	}
	_, s := benchSearcher(b, data, search.Options{ResultCacheMB: -1})
	queries := newsQueries(b, 200)
	ctx := context.Background()
	for _, q := range queries { // the postings the queries read, in the page cache
		if _, err := s.Search(ctx, search.Request{Query: q}); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		for _, q := range queries {
			if _, err := s.Search(ctx, search.Request{Query: q}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*len(queries)), "ms/query")
}

type loadResult struct {
	n, errors     int
	p50, p99, qps float64
}

// load serves h on a loopback port and runs 8 clients for d, each cycling
// through the queries.
func load(b *testing.B, h http.Handler, prefix string, loadQueries []string, d time.Duration) loadResult {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: h}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String() + prefix
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 30 * time.Second}
	var (
		mu      sync.Mutex
		lat     []float64
		byQuery = make([][]float64, len(loadQueries))
		errors  int
		wg      sync.WaitGroup
	)
	start := time.Now()
	for c := 0; c < 8; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := c; time.Since(start) < d; i++ {
				t0 := time.Now()
				resp, err := client.Get(base + loadQueries[i%len(loadQueries)])
				ok := err == nil && resp.StatusCode == http.StatusOK
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				ms := float64(time.Since(t0).Microseconds()) / 1000
				mu.Lock()
				lat = append(lat, ms)
				byQuery[i%len(loadQueries)] = append(byQuery[i%len(loadQueries)], ms)
				if !ok {
					errors++
				}
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	pct := func(lat []float64, p float64) float64 {
		sort.Float64s(lat)
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	// each query's figures; of a long list, the ten slowest at the p50
	var shown []int
	for i := range loadQueries {
		if len(byQuery[i]) > 0 {
			shown = append(shown, i)
		}
	}
	what := "by query"
	if len(shown) > 20 {
		sort.Slice(shown, func(a, b int) bool { return pct(byQuery[shown[a]], 0.5) > pct(byQuery[shown[b]], 0.5) })
		shown, what = shown[:10], "of the ten slowest queries"
	}
	var each strings.Builder
	for _, i := range shown {
		q := loadQueries[i]
		if u, err := url.QueryUnescape(q); err == nil {
			q = u
		}
		fmt.Fprintf(&each, " [%s] %.1f/%.1f", q, pct(byQuery[i], 0.5), pct(byQuery[i], 0.99))
	}
	b.Logf("%s p50/p99 ms %s:%s", prefix, what, each.String())
	return loadResult{n: len(lat), errors: errors, p50: pct(lat, 0.50), p99: pct(lat, 0.99), qps: float64(len(lat)) / elapsed}
}

// plainIndex builds a bleve index of the same documents with bleve's own
// cjk analyzer, in a temporary folder.
func plainIndex(b *testing.B, src bleve.Index) (bleve.Index, error) {
	m := mapping.NewIndexMapping()
	m.ScoringModel = "bm25"
	dm := mapping.NewDocumentStaticMapping()
	text := mapping.NewTextFieldMapping()
	text.Analyzer = cjk.AnalyzerName
	text.Store = false
	dm.AddFieldMappingsAt("title", text)
	dm.AddFieldMappingsAt("body", text)
	kw := mapping.NewKeywordFieldMapping()
	dm.AddFieldMappingsAt("kind", kw)
	dm.AddFieldMappingsAt("year", kw)
	stored := mapping.NewTextFieldMapping()
	stored.Index, stored.Store = false, true
	dm.AddFieldMappingsAt("_doc", stored)
	m.DefaultMapping = dm
	idx, err := bleve.New(filepath.Join(b.TempDir(), "plain"), m)
	if err != nil {
		return nil, err
	}
	// copy every stored document out of our index
	var after []string
	batch := idx.NewBatch()
	for {
		req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 1000, 0, false)
		req.Fields = []string{corpus.FieldStored}
		req.SortBy([]string{"_id"})
		req.SearchAfter = after
		res, err := src.Search(req)
		if err != nil {
			return nil, err
		}
		if len(res.Hits) == 0 {
			break
		}
		for _, h := range res.Hits {
			raw, _ := h.Fields[corpus.FieldStored].(string)
			var d corpus.Doc
			if err := json.Unmarshal([]byte(raw), &d); err != nil {
				return nil, err
			}
			f := map[string]any{"title": d.Title, "body": d.Body, "kind": d.Kind, "_doc": raw}
			if !d.Date.IsZero() {
				f["year"] = fmt.Sprint(d.Date.Year())
			}
			if err := batch.Index(h.ID, f); err != nil {
				return nil, err
			}
		}
		if err := idx.Batch(batch); err != nil {
			return nil, err
		}
		batch.Reset()
		after = []string{res.Hits[len(res.Hits)-1].ID}
	}
	return idx, nil
}

// plainHandler answers /search?q=&kind=&year= the plain way: one match
// query over title and body, filters as terms, facets on kind and year,
// ten hits with their stored document.
func plainHandler(idx bleve.Index) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := r.URL.Query()
		conj := bleve.NewConjunctionQuery()
		if text := v.Get("q"); text != "" {
			t := bleve.NewMatchQuery(text)
			t.SetField("title")
			body := bleve.NewMatchQuery(text)
			body.SetField("body")
			conj.AddQuery(bleve.NewDisjunctionQuery(t, body))
		} else {
			conj.AddQuery(bleve.NewMatchAllQuery())
		}
		for _, f := range []string{"kind", "year"} {
			if x := v.Get(f); x != "" {
				tq := bleve.NewTermQuery(x)
				tq.SetField(f)
				conj.AddQuery(tq)
			}
		}
		req := bleve.NewSearchRequestOptions(conj, 10, 0, false)
		req.Fields = []string{"_doc"}
		req.AddFacet("kind", bleve.NewFacetRequest("kind", 20))
		req.AddFacet("year", bleve.NewFacetRequest("year", 20))
		res, err := idx.SearchInContext(context.Background(), req)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(res)
	})
}
