package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"minsheng/corpus"
	"minsheng/errs"
	"minsheng/search"
)

// The search package's Searcher serves the analytics routes.
var _ Analyst = (*search.Searcher)(nil)

// fakeAnalyst records what the handlers ask and answers canned results.
type fakeAnalyst struct {
	Searcher // not called by these routes
	err      error
	taxonomy *search.Taxonomy // nil: no TaxonomySource

	req      search.Request
	interval string
	size     int
	tax      search.Taxonomy
}

func (f *fakeAnalyst) Trends(_ context.Context, r search.Request, interval string) (*search.Trends, error) {
	f.req, f.interval = r, interval
	return &search.Trends{Interval: "year", Periods: []string{"2024"}, Total: []int{3},
		Topics: []search.TopicSeries{{Topic: "教育", Counts: []int{2}, Total: 2}}, Matched: 3}, f.err
}

func (f *fakeAnalyst) TopKeywords(_ context.Context, r search.Request, size int) (*search.KeywordStats, error) {
	f.req, f.size = r, size
	return &search.KeywordStats{Matched: 3, Sampled: 3, Keywords: []search.KeywordStat{{Word: "养老服务", Weight: 0.5, Docs: 2, Corpus: 4}}}, f.err
}

func (f *fakeAnalyst) Units(_ context.Context, r search.Request) (*search.UnitStats, error) {
	f.req = r
	return &search.UnitStats{Suggestions: 2, Completed: 1, Share: 0.5, Units: []search.UnitStat{{Unit: "省教育厅", Count: 2, Completed: 1, Share: 0.5}}}, f.err
}

func (f *fakeAnalyst) Topics(_ context.Context, t search.Taxonomy) (*search.TopicList, error) {
	f.tax = t
	out := &search.TopicList{Version: t.Version, Documents: 5}
	for _, ti := range t.Topics {
		out.Topics = append(out.Topics, search.TopicCount{TopicInfo: ti, Count: 1, InTaxonomy: true})
	}
	return out, f.err
}

// withTaxonomy adds a TaxonomySource to a fakeAnalyst.
type withTaxonomy struct{ *fakeAnalyst }

func (w withTaxonomy) Taxonomy() search.Taxonomy { return *w.taxonomy }

func serveAnalytics(t *testing.T, o Options, target string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	o.Live, o.Log, o.Limits = fakeLive{}, slog.New(slog.DiscardHandler), Limits{SearchTimeout: time.Second}
	srv := New(o)
	h, err := srv.Handler(nil)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s: %d, not JSON: %q", target, w.Code, w.Body.String())
	}
	return w, body
}

type fakeLive struct{}

func (fakeLive) Generation() string { return "gen-test" }

func TestAnalyticsRoutes(t *testing.T) {
	q := url.Values{"q": {"养老"}, "topic": {"教育,一老一小"}, "year": {"2024"}, "kind": {"suggestion"}, "from": {"2024-01-01"}}
	wantFilters := search.Filters{Topic: []string{"教育", "一老一小"}, Year: []string{"2024"}, Kind: []string{"suggestion"},
		From: time.Date(2024, 1, 1, 0, 0, 0, 0, corpus.CST())}
	tests := []struct {
		target   string
		interval string
		size     int
		field    string // a key of the answer
	}{
		{"/api/v1/analytics/trends?interval=month&" + q.Encode(), "month", 0, "periods"},
		{"/api/v1/analytics/trends?" + q.Encode(), "", 0, "topics"},
		{"/api/v1/analytics/keywords?size=5&" + q.Encode(), "", 5, "keywords"},
		{"/api/v1/analytics/units?" + q.Encode(), "", 0, "units"},
	}
	for _, tt := range tests {
		f := &fakeAnalyst{}
		w, body := serveAnalytics(t, Options{Search: f, Analyst: f}, tt.target)
		if w.Code != http.StatusOK {
			t.Errorf("%s: %d %v", tt.target, w.Code, body)
			continue
		}
		if _, ok := body[tt.field]; !ok {
			t.Errorf("%s: no %q in %v", tt.target, tt.field, body)
		}
		if f.req.Query != "养老" || !reflect.DeepEqual(f.req.Filters, wantFilters) {
			t.Errorf("%s: request %+v, want q 养老 and %+v", tt.target, f.req, wantFilters)
		}
		if f.interval != tt.interval || f.size != tt.size || f.req.Size != 0 {
			t.Errorf("%s: interval %q size %d page size %d, want %q %d 0", tt.target, f.interval, f.size, f.req.Size, tt.interval, tt.size)
		}
	}
}

func TestTopicsRoute(t *testing.T) {
	tax := search.Taxonomy{Version: "abc123", Topics: []search.TopicInfo{{Name: "教育", Keywords: []string{"学校"}}, {Name: "一老一小"}}}
	f := &fakeAnalyst{taxonomy: &tax}
	w, body := serveAnalytics(t, Options{Search: f, Analyst: f, Taxonomy: withTaxonomy{f}}, "/api/v1/topics")
	if w.Code != http.StatusOK || !reflect.DeepEqual(f.tax, tax) {
		t.Fatalf("%d %v; searcher got %+v", w.Code, body, f.tax)
	}
	if body["version"] != "abc123" || len(body["topics"].([]any)) != 2 {
		t.Errorf("answer %v", body)
	}
	first := body["topics"].([]any)[0].(map[string]any)
	if first["name"] != "教育" || first["count"] != 1.0 || first["in_taxonomy"] != true {
		t.Errorf("first topic %v", first)
	}
	// without a taxonomy, the index's topics only
	f = &fakeAnalyst{}
	if w, body := serveAnalytics(t, Options{Search: f, Analyst: f}, "/api/v1/topics"); w.Code != http.StatusOK || len(f.tax.Topics) != 0 {
		t.Errorf("%d %v", w.Code, body)
	}
}

func TestAnalyticsErrors(t *testing.T) {
	tests := []struct {
		a      Analyst // nil: the server has no analytics
		target string
		status int
		msg    string
	}{
		{&fakeAnalyst{}, "/api/v1/analytics/keywords?size=many", 400, "size must be a whole number"},
		{&fakeAnalyst{}, "/api/v1/analytics/trends?from=yesterday", 400, "from"},
		{&fakeAnalyst{err: fmt.Errorf("%w: interval must be year or month", errs.Invalid)}, "/api/v1/analytics/trends?interval=week", 400, "interval"},
		{&fakeAnalyst{err: fmt.Errorf("%w: no index is loaded", search.ErrUnavailable)}, "/api/v1/analytics/units", 503, "no index"},
		{nil, "/api/v1/analytics/units", 503, "analytics are not available"},
		{nil, "/api/v1/topics", 503, "analytics are not available"},
	}
	for _, tt := range tests {
		w, body := serveAnalytics(t, Options{Search: struct{ Searcher }{}, Analyst: tt.a}, tt.target)
		msg, _ := body["error"].(string)
		if w.Code != tt.status || !strings.Contains(msg, tt.msg) {
			t.Errorf("%s: %d %q, want %d with %q", tt.target, w.Code, msg, tt.status, tt.msg)
		}
	}
}

func TestOpenAPIHasAnalyticsRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	for _, p := range []string{"/api/v1/topics", "/api/v1/analytics/trends", "/api/v1/analytics/keywords", "/api/v1/analytics/units"} {
		if _, ok := doc.Paths[p]["get"]; !ok {
			t.Errorf("openapi.json has no GET %s", p)
		}
	}
}
