package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"minsheng/export"
	"minsheng/indexer"
	"minsheng/indexer/analysis"
	"minsheng/search"
)

var apiFixture struct {
	sync.Once
	dir  string // the data folder, removed by TestMain
	live *indexer.Live
	s    *search.Searcher
	err  error
}

// closeAPIFixture closes the sample index sampleSearcher built, if it
// did, and removes its folder.
func closeAPIFixture() {
	if apiFixture.live != nil {
		apiFixture.live.Close()
	}
	if apiFixture.dir != "" {
		os.RemoveAll(apiFixture.dir)
	}
}

// sampleSearcher indexes corpus/sample once per test binary.
func sampleSearcher(t *testing.T) (*indexer.Live, *search.Searcher) {
	t.Helper()
	apiFixture.Do(func() {
		dir, err := os.MkdirTemp("", "minsheng-web-")
		if err != nil {
			apiFixture.err = err
			return
		}
		apiFixture.dir = dir
		if _, err := indexer.Build(context.Background(), dir, indexer.BuildOptions{Sources: []string{"../../../corpus/sample"}}); err != nil {
			apiFixture.err = err
			return
		}
		live, err := indexer.OpenLive(dir)
		if err != nil {
			apiFixture.err = err
			return
		}
		an, err := analysis.NewBuiltinAnalysis()
		if err != nil {
			apiFixture.err = err
			return
		}
		s := search.New(live.Index(), search.Options{Keywords: an.Keywords})
		apiFixture.live, apiFixture.s = live, s
	})
	if apiFixture.err != nil {
		t.Fatal(apiFixture.err)
	}
	return apiFixture.live, apiFixture.s
}

// newAPITestServer serves the sample corpus through the real handler.
func newAPITestServer(t *testing.T) (*Server, *gin.Engine) {
	t.Helper()
	live, s := sampleSearcher(t)
	srv := New(Options{Search: s, Analyst: s, Handling: s, Live: live, Log: slog.New(slog.DiscardHandler), Limits: Limits{MaxBodyBytes: 64 << 10}})
	h, err := srv.Handler(nil)
	if err != nil {
		t.Fatal(err)
	}
	return srv, h.(*gin.Engine)
}

func do(t *testing.T, h http.Handler, method, target string, body io.Reader) (int, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code, w.Body.Bytes()
}

func TestSearchAPI(t *testing.T) {
	_, h := newAPITestServer(t)
	code, body := do(t, h, "GET", "/api/v1/search?q="+url.QueryEscape("乡村振兴")+"&size=5", nil)
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	var res search.Result
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	if res.Total < 20 || len(res.Hits) != 5 {
		t.Fatalf("total %d, %d hits", res.Total, len(res.Hits))
	}
	for _, f := range []string{"topic", "kind", "year", "delegation", "unit", "status", "source"} {
		if _, ok := res.Facets[f]; !ok {
			t.Errorf("no facet %q", f)
		}
	}
	sum := 0
	for _, c := range res.Facets["kind"] {
		sum += c.Count
	}
	if uint64(sum) != res.Total {
		t.Errorf("kind facet counts add to %d, total is %d", sum, res.Total)
	}
	// a filter narrows to exactly its facet count
	kind := res.Facets["kind"][0]
	code, body = do(t, h, "GET", "/api/v1/search?q="+url.QueryEscape("乡村振兴")+"&kind="+url.QueryEscape(kind.Value), nil)
	var narrowed search.Result
	if err := json.Unmarshal(body, &narrowed); err != nil || code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	if narrowed.Total != uint64(kind.Count) {
		t.Errorf("kind=%s: total %d, facet said %d", kind.Value, narrowed.Total, kind.Count)
	}
	// an empty query lists everything, newest first
	code, body = do(t, h, "GET", "/api/v1/search?size=100", nil)
	var all search.Result
	if err := json.Unmarshal(body, &all); err != nil || code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	if all.Total != 173 {
		t.Errorf("empty query: total %d, want 173", all.Total)
	}
	for i := 1; i < len(all.Hits); i++ {
		if all.Hits[i-1].Date < all.Hits[i].Date {
			t.Fatalf("empty query not newest first: %s before %s", all.Hits[i-1].Date, all.Hits[i].Date)
		}
	}
}

// Every bad input is a 4xx with a JSON message; odd queries are searched.
func TestSearchAPIErrors(t *testing.T) {
	_, h := newAPITestServer(t)
	for _, tt := range []struct {
		query string
		want  int
	}{
		{"size=abc", 400}, {"size=0", 400}, {"size=101", 400}, {"size=-1", 400},
		{"page=abc", 400}, {"page=-5", 400}, {"page=9223372036854775807", 400},
		{"size=99999999999999999999", 400}, {"from=yesterday", 400}, {"to=2024-13-45", 400},
		{"from=2024-05-01&to=2024-01-01", 400}, {"sort=random", 400}, {"year=abcd", 400},
		{"q=" + strings.Repeat("长", 1001), 400}, {"q=%ff%fe", 400}, {"facet_size=100000", 400},
		{"q=" + url.QueryEscape(`"unclosed`), 200}, {"q=" + url.QueryEscape("((("), 200},
		{"q=" + url.QueryEscape("/.*/"), 200}, {"q=" + url.QueryEscape("*a*"), 200},
		{"q=" + url.QueryEscape("a* b* c*"), 200}, {"q=" + url.QueryEscape("topic:"), 200},
		{"q=" + url.QueryEscape("- OR OR -"), 200}, {"q=" + url.QueryEscape("乡村~999"), 200},
		{"q=x&after=1&after=2&after=3", 200}, {"q=x&after=1", 400},
		{"q=x&cache=false", 200}, {"q=x&cache=true", 200}, {"q=x&cache=maybe", 400},
	} {
		code, body := do(t, h, "GET", "/api/v1/search?"+tt.query, nil)
		if code != tt.want {
			t.Errorf("%.60s: status %d, want %d: %s", tt.query, code, tt.want, body)
			continue
		}
		if code != 200 {
			var e struct{ Error string }
			if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
				t.Errorf("%.60s: error body %q is not {\"error\": ...}", tt.query, body)
			}
		}
	}
}

func TestDocsAndSimilarAPI(t *testing.T) {
	srv, h := newAPITestServer(t)
	if code, body := do(t, h, "GET", "/api/v1/docs/no-such-doc", nil); code != 404 || !bytes.Contains(body, []byte(`"error"`)) {
		t.Errorf("unknown doc: %d %s", code, body)
	}
	code, body := do(t, h, "GET", "/api/v1/docs/s-2022-0123", nil)
	if code != 200 {
		t.Fatalf("doc: %d %s", code, body)
	}
	var doc struct{ ID, Title, Body, Reply string }
	if err := json.Unmarshal(body, &doc); err != nil || doc.ID != "s-2022-0123" || doc.Title == "" {
		t.Fatalf("doc: %s", body)
	}

	// a document is never among its own similar documents; its repeat is
	code, body = do(t, h, "GET", "/api/v1/docs/s-2022-0123/similar?size=5", nil)
	var sim search.Result
	if err := json.Unmarshal(body, &sim); err != nil || code != 200 {
		t.Fatalf("similar: %d %s", code, body)
	}
	ids := []string{}
	for _, hit := range sim.Hits {
		ids = append(ids, hit.ID)
		if hit.ID == "s-2022-0123" {
			t.Errorf("the document is among its own similar documents")
		}
	}
	if !strings.Contains(strings.Join(ids[:min(3, len(ids))], ","), "s-2025-0004") {
		t.Errorf("the 2025 repeat of s-2022-0123 is not among its 3 most similar: %v", ids)
	}

	// a draft identical to a stored document finds that document first
	draft, _ := json.Marshal(map[string]any{"text": doc.Title + "\n" + doc.Body, "size": 3})
	code, body = do(t, h, "POST", "/api/v1/similar", bytes.NewReader(draft))
	if err := json.Unmarshal(body, &sim); err != nil || code != 200 {
		t.Fatalf("similar draft: %d %s", code, body)
	}
	if len(sim.Hits) == 0 || sim.Hits[0].ID != "s-2022-0123" || len(sim.Hits[0].Shared) == 0 || sim.Hits[0].Reply == "" {
		t.Errorf("identical draft: first hit %+v", sim.Hits)
	}

	for _, tt := range []struct {
		body string
		want int
	}{
		{`{"text": ""}`, 400}, {`{"text": "   "}`, 400}, {`not json`, 400}, {`{"text": "x", "size": 1000}`, 400},
		{`{"text": "` + strings.Repeat("长", int(srv.Limits.MaxBodyBytes)) + `"}`, 413},
	} {
		if code, body := do(t, h, "POST", "/api/v1/similar", strings.NewReader(tt.body)); code != tt.want {
			t.Errorf("POST /similar %.40s: %d, want %d: %.200s", tt.body, code, tt.want, body)
		}
	}
	if code, _ := do(t, h, "GET", "/api/v1/docs/no-such-doc/similar", nil); code != 404 {
		t.Errorf("similar of an unknown doc: %d, want 404", code)
	}
	if code, _ := do(t, h, "GET", "/api/v1/docs/s-2022-0123/similar?size=x", nil); code != 400 {
		t.Errorf("similar size=x: %d, want 400", code)
	}
}

// TestResultCacheMetrics: /metrics tells the result cache's hits and
// misses since the server started and what it holds; a search asked not
// to be cached is neither.
func TestResultCacheMetrics(t *testing.T) {
	live, _ := sampleSearcher(t)
	s := search.New(live.Index(), search.Options{})
	srv := New(Options{Search: s, Live: live, ResultCache: s.ResultCacheStats})
	h, err := srv.Handler(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"养老", "养老", "教育", "养老&cache=false"} {
		if code, body := do(t, h, "GET", "/api/v1/search?q="+q, nil); code != 200 {
			t.Fatalf("search %s: %d %s", q, code, body)
		}
	}
	code, body := do(t, srv.MetricsHandler(), "GET", "/metrics", nil)
	for _, m := range []string{"minsheng_result_cache_hits_total 1\n", "minsheng_result_cache_misses_total 2\n",
		"minsheng_result_cache_entries 2\n", "minsheng_result_cache_max_bytes 1.6777216e+07\n"} {
		if code != 200 || !bytes.Contains(body, []byte(m)) {
			t.Errorf("metrics lack %q", m)
		}
	}
	if st := s.ResultCacheStats(); st.Bytes <= 0 || st.Bytes > st.Max {
		t.Errorf("the cache reckons its 2 results at %d bytes of %d", st.Bytes, st.Max)
	}
}

// TestSearchCachesNoDocuments: the API's search keeps its page in the
// result cache without the hits' documents (search.Request.NoDocs), and
// the staff UI's search page likewise: the same search asked again is
// answered from the cache, its hits without documents.
func TestSearchCachesNoDocuments(t *testing.T) {
	live, _ := sampleSearcher(t)
	for _, path := range []string{"/api/v1/search?", "/?"} {
		s := search.New(live.Index(), search.Options{})
		h, err := New(Options{Search: s, Live: live}).Handler(nil)
		if err != nil {
			t.Fatal(err)
		}
		v := url.Values{"q": {"养老"}}
		if code, body := do(t, h, "GET", path+v.Encode(), nil); code != 200 {
			t.Fatalf("%s: %d %s", path, code, body)
		}
		r, err := searchRequest(v)
		if err != nil {
			t.Fatal(err)
		}
		if path == "/?" {
			r.Size = uiPageSize
		}
		r.NoDocs = true
		hits := s.ResultCacheStats().Hits
		res, err := s.Search(context.Background(), r)
		if err != nil || len(res.Hits) == 0 {
			t.Fatalf("%s: %v, %d hits", path, err, len(res.Hits))
		}
		if s.ResultCacheStats().Hits != hits+1 {
			t.Errorf("%s: the page was not kept as a search without documents", path)
		}
		for _, hit := range res.Hits {
			if hit.Doc != nil {
				t.Errorf("%s: the kept page holds the document of %s", path, hit.ID)
			}
		}
	}
}

func TestHealthMetricsAndPanics(t *testing.T) {
	srv, h := newAPITestServer(t)
	if code, body := do(t, h, "GET", "/healthz", nil); code != 200 || !bytes.Contains(body, []byte(`"generation":"gen-`)) {
		t.Errorf("healthz: %d %s", code, body)
	}
	do(t, h, "GET", "/api/v1/search?q=x", nil)
	// /metrics is open on its own listener (metrics_addr), behind the admin
	// token on the main address (TestMetricsNeedToken)
	code, body := do(t, srv.MetricsHandler(), "GET", "/metrics", nil)
	for _, m := range []string{"minsheng_http_requests_total", "minsheng_http_request_seconds", "minsheng_index_generation_info", "minsheng_index_documents 173", "minsheng_index_bytes"} {
		if code != 200 || !bytes.Contains(body, []byte(m)) {
			t.Errorf("metrics lack %s", m)
		}
	}
	h.GET("/test-panic", func(*gin.Context) { panic("boom") })
	if code, body := do(t, h, "GET", "/test-panic", nil); code != 500 || !bytes.Contains(body, []byte(`"error"`)) {
		t.Errorf("panic: %d %s", code, body)
	}
	if code, _ := do(t, h, "GET", "/healthz", nil); code != 200 {
		t.Errorf("after a panic: healthz %d", code)
	}
	if code, body := do(t, h, "GET", "/no/such/route", nil); code != 404 || !bytes.Contains(body, []byte(`"error"`)) {
		t.Errorf("unknown route: %d %s", code, body)
	}
}

// The OpenAPI description lists every registered route, and only those.
func TestOpenAPICoversRoutes(t *testing.T) {
	_, h := newAPITestServer(t)
	code, body := do(t, h, "GET", "/api/v1/openapi.json", nil)
	if code != 200 {
		t.Fatalf("openapi.json: %d", code)
	}
	var spec struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(body, &spec); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(spec.OpenAPI, "3.") {
		t.Errorf("openapi version %q", spec.OpenAPI)
	}
	param := regexp.MustCompile(`:([a-zA-Z_]+)`)
	registered := map[string]bool{}
	var catchAll []string // "method prefix/": a *name route serves every path below it
	for _, r := range h.Routes() {
		if r.Method == "HEAD" {
			continue
		}
		p := param.ReplaceAllString(r.Path, "{$1}")
		if !strings.HasPrefix(p, "/api/") && p != "/healthz" && p != "/metrics" {
			continue // the staff UI's pages are HTML, not API
		}
		m := strings.ToLower(r.Method)
		if i := strings.Index(p, "*"); i >= 0 {
			prefix, documented := p[:i], false
			catchAll = append(catchAll, m+" "+prefix)
			for sp, ops := range spec.Paths {
				if _, ok := ops[m]; ok && strings.HasPrefix(sp, prefix) {
					documented = true
				}
			}
			if !documented {
				t.Errorf("route %s %s serves no path described in openapi.json", r.Method, p)
			}
			continue
		}
		registered[m+" "+p] = true
		if _, ok := spec.Paths[p][m]; !ok {
			t.Errorf("route %s %s is not in openapi.json", r.Method, p)
		}
	}
	for p, ops := range spec.Paths {
		for m := range ops {
			if m == "parameters" || registered[m+" "+p] {
				continue
			}
			served := false
			for _, c := range catchAll {
				cm, prefix, _ := strings.Cut(c, " ")
				served = served || cm == m && strings.HasPrefix(p, prefix)
			}
			if !served {
				t.Errorf("openapi.json describes %s %s, which is not registered", strings.ToUpper(m), p)
			}
		}
	}
}

// cache=false asks for a search computed anew: the search package skips
// its result cache for it (search.TestResultCache).
func TestSearchRequestCache(t *testing.T) {
	for _, c := range []struct {
		v    string
		none bool
	}{{"", false}, {"true", false}, {"1", false}, {"false", true}, {"0", true}} {
		r, err := searchRequest(url.Values{"q": {"x"}, "cache": {c.v}})
		if err != nil || r.NoCache != c.none {
			t.Errorf("cache=%q: NoCache %v, error %v; want %v", c.v, r.NoCache, err, c.none)
		}
	}
}

// Every operation that takes the search filters takes topic_scope too, and
// the description says so once: asked for a scope that is none, each
// answers 400.
func TestOpenAPITopicScope(t *testing.T) {
	live, s := sampleSearcher(t)
	srv := New(Options{Search: s, Analyst: s, Handling: s, Live: live, Log: slog.New(slog.DiscardHandler)})
	srv.Export = &Export{Exporter: &export.Exporter{Search: s, Handling: s, Generation: live.Generation}}
	h, err := srv.Handler(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, body := do(t, h, "GET", "/api/v1/openapi.json", nil)
	var spec struct {
		Paths map[string]map[string]struct {
			Filters bool `json:"x-search-filters"`
			Params  []struct {
				Name string `json:"name"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(body, &spec); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for p, ops := range spec.Paths {
		op, ok := ops["get"]
		if !ok || !op.Filters {
			continue
		}
		n := 0
		for _, q := range op.Params {
			if q.Name == "topic_scope" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("GET %s: topic_scope described %d times, want once", p, n)
		}
		path := strings.ReplaceAll(p, "{report}", "trends")
		if code, b := do(t, h, "GET", path+"?topic_scope=most", nil); code != http.StatusBadRequest {
			t.Errorf("GET %s?topic_scope=most: %d %.200s, want 400", path, code, b)
		}
		checked++
	}
	if checked < 8 {
		t.Errorf("%d operations take the search filters, want the search, the analytics and the exports", checked)
	}
}
