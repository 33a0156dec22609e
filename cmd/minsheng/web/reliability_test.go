package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/gin-gonic/gin"

	"minsheng/indexer"
	"minsheng/search"
)

// A spoofed X-Forwarded-For or X-Real-IP changes nothing by default: no
// proxy is trusted, so the client is the peer of the connection. Only a
// configured proxy's header is believed.
func TestSpoofedForwardedForIgnored(t *testing.T) {
	live, s := sampleSearcher(t)
	for _, tt := range []struct {
		trusted []string
		want    string
	}{
		{nil, "192.0.2.1"},
		{[]string{"192.0.2.1"}, "203.0.113.7"},
	} {
		srv := New(Options{Search: s, Live: live, Log: slog.New(slog.DiscardHandler)})
		h, err := srv.Handler(tt.trusted)
		if err != nil {
			t.Fatal(err)
		}
		h.(*gin.Engine).GET("/test-client-ip", func(c *gin.Context) { c.String(http.StatusOK, c.ClientIP()) })
		req := httptest.NewRequest("GET", "/test-client-ip", nil) // from 192.0.2.1:1234
		req.Header.Set("X-Forwarded-For", "203.0.113.7")
		req.Header.Set("X-Real-IP", "203.0.113.8")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if got := w.Body.String(); got != tt.want {
			t.Errorf("trusted proxies %v: ClientIP %q, want %q", tt.trusted, got, tt.want)
		}
	}
}

// bleveIndex names bleve.Index for embedding: a field named Index would
// hide the interface's Index method.
type bleveIndex = bleve.Index

// slowIndex is an index whose searches take as long as their context
// allows: a search that would run past any budget.
type slowIndex struct {
	bleveIndex
	started chan struct{} // receives once per search that started
}

func (x slowIndex) SearchInContext(ctx context.Context, _ *bleve.SearchRequest) (*bleve.SearchResult, error) {
	select {
	case x.started <- struct{}{}:
	default:
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(time.Minute): // bounded, whatever happens
		return nil, context.DeadlineExceeded
	}
}

// getWithin sends GET target to the server at base and fails the test
// when no answer comes within limit: a hung connection.
func getWithin(t *testing.T, base, target string, limit time.Duration) (int, []byte, time.Duration) {
	t.Helper()
	c := &http.Client{Timeout: limit}
	start := time.Now()
	resp, err := c.Get(base + target)
	if err != nil {
		t.Fatalf("GET %s: no answer within %s: %v", target, limit, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b, time.Since(start)
}

func wantJSONError(t *testing.T, what string, body []byte) {
	t.Helper()
	var e struct{ Error string }
	if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
		t.Errorf("%s: body %q is not {\"error\": ...}", what, body)
	}
}

// A search past its deadline answers 503 with a JSON error, over a real
// connection, soon after its budget; it never hangs.
func TestSearchPastDeadlineIs503(t *testing.T) {
	live, sample := sampleSearcher(t)
	slow := slowIndex{bleveIndex: sample.Index, started: make(chan struct{}, 1)}
	s := search.New(slow, search.Options{Limits: search.Limits{Timeout: 300 * time.Millisecond}, Keywords: sample.Keywords})
	srv := New(Options{Search: s, Analyst: s, Handling: s, Live: live, Log: slog.New(slog.DiscardHandler)})
	h, err := srv.Handler(nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()
	for _, target := range []string{
		"/api/v1/search?q=" + url.QueryEscape("乡村振兴"),
		"/api/v1/search",
		"/api/v1/docs/s-2022-0123",
		"/api/v1/docs/s-2022-0123/similar",
		"/api/v1/analytics/trends?q=" + url.QueryEscape("乡村振兴"),
		"/api/v1/analytics/keywords?q=" + url.QueryEscape("乡村振兴"),
		"/api/v1/analytics/units",
	} {
		code, body, took := getWithin(t, ts.URL, target, 20*time.Second)
		t.Logf("%s: %d after %s: %s", target, code, took.Round(time.Millisecond), body)
		if code != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d, want 503", target, code)
		}
		wantJSONError(t, target, body)
		if took < 300*time.Millisecond {
			t.Errorf("%s: answered after %s, before the budget of 300ms ran out", target, took)
		}
	}
}

// blockingSearcher holds every search until release is closed or the
// search's context ends.
type blockingSearcher struct {
	Searcher
	release chan struct{}
	running chan struct{} // receives when a search starts
}

func (b *blockingSearcher) Search(ctx context.Context, r search.Request) (*search.Result, error) {
	b.running <- struct{}{}
	select {
	case <-b.release:
		return &search.Result{Hits: []search.Hit{}, Facets: map[string][]search.Count{}}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// With every search slot taken, one more search waits at most the search
// budget for a slot, then answers 503; once slots free up, searches run.
func TestSearchSlotsExhaustedIs503(t *testing.T) {
	live, s := sampleSearcher(t)
	b := &blockingSearcher{Searcher: s, release: make(chan struct{}), running: make(chan struct{}, 8)}
	srv := New(Options{Search: b, Live: live, Log: slog.New(slog.DiscardHandler), Limits: Limits{MaxConcurrent: 2, SearchTimeout: 400 * time.Millisecond}})
	h, err := srv.Handler(nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()
	var wg sync.WaitGroup
	codes := make(chan int, 2)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _, _ := getWithin(t, ts.URL, "/api/v1/search?q=held", 30*time.Second)
			codes <- code
		}()
	}
	for range 2 {
		select {
		case <-b.running:
		case <-time.After(10 * time.Second):
			t.Fatal("the two searches never started")
		}
	}
	for _, target := range []string{"/api/v1/search?q=third", "/api/v1/docs/s-2022-0123/similar"} {
		code, body, took := getWithin(t, ts.URL, target, 20*time.Second)
		t.Logf("%s with both slots taken: %d after %s: %s", target, code, took.Round(time.Millisecond), body)
		if code != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d, want 503", target, code)
		}
		wantJSONError(t, target, body)
		if took < 400*time.Millisecond {
			t.Errorf("%s: 503 after %s, without waiting the 400ms for a slot", target, took)
		}
	}
	close(b.release)
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != http.StatusOK {
			t.Errorf("a held search ended with %d, want 200", code)
		}
	}
	if code, body, _ := getWithin(t, ts.URL, "/api/v1/search?q=after", 20*time.Second); code != http.StatusOK {
		t.Errorf("search once slots are free: %d %s", code, body)
	}
}

// A server with no generation loaded (none built yet, or the index could
// not be opened) says so: /healthz and searches answer 503 with JSON.
func TestHealthWithoutIndex(t *testing.T) {
	live, err := indexer.OpenLive(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	srv := New(Options{Search: search.New(live.Index(), search.Options{}), Live: live, Log: slog.New(slog.DiscardHandler)})
	h, err := srv.Handler(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"/healthz", "/api/v1/search?q=x", "/api/v1/docs/x", "/api/v1/docs/x/similar"} {
		code, body := do(t, h, "GET", target, nil)
		if code != http.StatusServiceUnavailable {
			t.Errorf("%s with no index: %d, want 503: %s", target, code, body)
		}
		wantJSONError(t, target, body)
	}
}

// Hostile search parameters through the real handler: every answer is 200
// or 400 with a JSON error, never 5xx.
func TestSearchParameterAbuse(t *testing.T) {
	_, h := newAPITestServer(t)
	long := func(s string, n int) string { return strings.Repeat(s, n) }
	var topics []string
	for i := range 90 {
		topics = append(topics, "topic=t"+strings.Repeat("x", i%7))
	}
	for _, q := range []string{
		"from=0001-01-01&to=9999-12-31", "from=1000-01-01", "to=9999-12-31", "from=9999-12-31", "to=1000-01-01", "from=" + url.QueryEscape("0001年1月1日"),
		"after=junk&after=%ff&after=-", "after=1e309&after=NaN&after=" + long("9", 5000), "sort=date&after=x&after=y",
		"sort=-date&after=" + long("z", 100000) + "&after=x", "page=2147483648&size=100", "page=1e309", "size=1e309",
		"facet_size=-9223372036854775808", "size=%00", "q=%00%00", "q=" + url.QueryEscape(`"`+long("的", 998)+`"`),
		"q=" + url.QueryEscape(long("的 ", 64)), "q=" + url.QueryEscape(long("的 OR ", 100)), strings.Join(topics, "&"),
		"year=" + long("2024,", 90), "year=" + long("2024,", 2000), "kind=%c0%af", "q=topic:%2e%2e%2f", "q=" + url.QueryEscape("number:"+long("0", 900)),
	} {
		code, body := do(t, h, "GET", "/api/v1/search?"+q, nil)
		t.Logf("%3d  %.70s", code, q)
		if strings.HasPrefix(q, "from=") || strings.HasPrefix(q, "to=") {
			if code != http.StatusOK { // a date far out is a filter like any other
				t.Errorf("%s: %d, want 200: %s", q, code, body)
			}
		}
		if code != http.StatusOK && code != http.StatusBadRequest {
			t.Errorf("%.80s: status %d, want 200 or 400: %.300s", q, code, body)
		}
		if code != http.StatusOK {
			wantJSONError(t, q, body)
		}
	}
}

// Many filter values are refused before any handler: the pages link each
// selected value with the rest of the query, a cost that grows with the
// square of the values (2,000 topics in a 1 MB query took the abuse run's
// server past 24 GB). Up to Limits.MaxParams they are fine.
func TestManyParamsRejected(t *testing.T) {
	_, h := newAPITestServer(t)
	values := func(n int, sep string) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteString("t" + strings.Repeat("x", 40) + strconv.Itoa(i))
		}
		return b.String()
	}
	for _, tt := range []struct {
		target string
		want   int
	}{
		{"/?topic=" + values(800, "&topic="), 400},
		{"/?topic=" + values(101, ","), 400},
		{"/api/v1/search?year=" + values(2000, ","), 400},
		{"/api/v1/export.csv?unit=" + values(500, "&unit="), 400},
		{"/?topic=" + values(99, "&topic=") + "&q=" + url.QueryEscape(strings.Repeat("乡村,振兴", 100)), 200},
		{"/api/v1/search?topic=" + values(100, "&topic="), 200},
	} {
		code, body := do(t, h, "GET", tt.target, nil)
		if code != tt.want {
			t.Errorf("%.60s (%d bytes): %d, want %d: %.200s", tt.target, len(tt.target), code, tt.want, body)
		}
	}
}

// A document id with path tricks, NUL or invalid UTF-8 is just an id that
// no document has.
func TestDocIDTricks(t *testing.T) {
	_, h := newAPITestServer(t)
	for _, id := range []string{"..%2F..%2Fetc%2Fpasswd", "%2e%2e", "%00", "%ff%fe", strings.Repeat("a", 100000), "s-2022-0123%00"} {
		for _, target := range []string{"/api/v1/docs/" + id, "/api/v1/docs/" + id + "/similar"} {
			code, body := do(t, h, "GET", target, nil)
			if code != http.StatusNotFound && code != http.StatusBadRequest {
				t.Errorf("%.80s: %d, want 404 or 400: %.200s", target, code, body)
			}
		}
	}
	if code, _ := do(t, h, "GET", "/api/v1/docs/s-2022-0123", nil); code != http.StatusOK {
		t.Errorf("a plain id: %d", code)
	}
}

// A cancelled request (shutdown past its timeout, a client gone) is 503,
// not an internal error.
func TestStatusOfCancelled(t *testing.T) {
	for _, err := range []error{context.Canceled, context.DeadlineExceeded, fmt.Errorf("search: %w", context.Canceled)} {
		if got := statusOf(err); got != http.StatusServiceUnavailable {
			t.Errorf("statusOf(%v) = %d, want 503", err, got)
		}
	}
}
