package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"minsheng/corpus"
	"minsheng/indexer/taxonomy"
	"minsheng/search"
)

// fakeHandling answers the handling routes with empty figures.
type fakeHandling struct{}

func (fakeHandling) Handling(context.Context, search.Request) (*search.HandlingStats, error) {
	return &search.HandlingStats{}, nil
}

func (fakeHandling) Promises(context.Context, search.Request) (*search.Promises, error) {
	return &search.Promises{}, nil
}

// A feature is on exactly when its service is given to New: without it
// the API answers 503 with a message and the page says so in Chinese,
// never a panic or a 500; with it, 200. The searcher itself has the
// methods in neither case, so nothing can be found by type assertion.
func TestCapabilitiesGivenAtConstruction(t *testing.T) {
	routes := []struct {
		target string
		off    string // what the answer says when the feature is off
		on     func(o *Options)
	}{
		{"/api/v1/analytics/trends", "analytics are not available", func(o *Options) { o.Analyst = &uiAnalyst{} }},
		{"/api/v1/analytics/units", "analytics are not available", func(o *Options) { o.Analyst = &uiAnalyst{} }},
		{"/api/v1/topics", "analytics are not available", func(o *Options) { o.Analyst = &uiAnalyst{} }},
		{"/analytics", "本服务器未提供统计分析", func(o *Options) { o.Analyst = &uiAnalyst{} }},
		{"/api/v1/analytics/handling", "handling analytics are not available", func(o *Options) { o.Handling = fakeHandling{} }},
		{"/api/v1/analytics/promises", "handling analytics are not available", func(o *Options) { o.Handling = fakeHandling{} }},
		{"/promises", "本服务器未提供承诺跟踪", func(o *Options) { o.Handling = fakeHandling{} }},
	}
	for _, tt := range routes {
		_, h := newUIServer(t, Options{Search: &uiSearcher{}})
		w := get(t, h, tt.target)
		if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), tt.off) {
			t.Errorf("%s without its service: %d %.200q, want 503 saying %q", tt.target, w.Code, w.Body.String(), tt.off)
		}
		o := Options{Search: &uiSearcher{}}
		tt.on(&o)
		_, h = newUIServer(t, o)
		if w := get(t, h, tt.target); w.Code != http.StatusOK {
			t.Errorf("%s with its service: %d %.300q, want 200", tt.target, w.Code, w.Body.String())
		}
	}
	// the analytics page shows the handling figures only with their service
	const handlingLink = "/api/v1/export/handling.xlsx"
	_, h := newUIServer(t, Options{Search: &uiSearcher{}, Analyst: &uiAnalyst{}})
	if w := get(t, h, "/analytics"); w.Code != http.StatusOK || strings.Contains(w.Body.String(), handlingLink) {
		t.Errorf("analytics page without handling: %d, handling shown: %v", w.Code, strings.Contains(w.Body.String(), handlingLink))
	}
	_, h = newUIServer(t, Options{Search: &uiSearcher{}, Analyst: &uiAnalyst{}, Handling: fakeHandling{}})
	if w := get(t, h, "/analytics"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), handlingLink) {
		t.Errorf("analytics page with handling: %d, handling shown: %v", w.Code, strings.Contains(w.Body.String(), handlingLink))
	}
	// topic corrections are checked against the taxonomy given to New;
	// without one they are refused
	const token = "capabilities-test-token-0123"
	store, err := taxonomy.OpenCorrections(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	docs := &uiSearcher{docs: map[string]*corpus.Doc{"s-1": {ID: "s-1", Title: "题", Topics: []string{"教育"}}}}
	put := func(o Options) *httptest.ResponseRecorder {
		_, h := newUIServer(t, o)
		r := httptest.NewRequest(http.MethodPut, "/api/v1/docs/s-1/topics", strings.NewReader(`{"topics":["教育"]}`))
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	o := Options{Search: docs, Topics: store, AdminToken: token}
	if w := put(o); w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "no taxonomy is configured") {
		t.Errorf("correction without a taxonomy: %d %s, want 503", w.Code, w.Body.String())
	}
	o.Taxonomy = fixedTaxonomy{Topics: []search.TopicInfo{{Name: "教育"}}}
	if w := put(o); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"topics_corrected":true`) {
		t.Errorf("correction with a taxonomy: %d %s, want 200", w.Code, w.Body.String())
	}
}

// SetDefaults fills every zero limit and keeps those that are set.
func TestWebLimitsSetDefaults(t *testing.T) {
	var l Limits
	l.SetDefaults()
	v := reflect.ValueOf(l)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Errorf("Limits.%s has no default", v.Type().Field(i).Name)
		}
	}
	if l.SearchTimeout != search.DefaultTimeout {
		t.Errorf("SearchTimeout defaults to %s, not the search's %s", l.SearchTimeout, search.DefaultTimeout)
	}
	set := Limits{MaxBodyBytes: 7, MaxParams: 7, MaxConcurrent: 7, SearchTimeout: 7 * time.Second, ExportTimeout: 7 * time.Second,
		ExportStall: 7 * time.Second, AuthFailures: 7, MaxBulkDocs: 7}
	got := set
	got.SetDefaults()
	if got != set {
		t.Errorf("SetDefaults changed limits that were set: %+v, want %+v", got, set)
	}
	// a negative limit is no limit to keep: the default
	neg := Limits{MaxBodyBytes: -1, MaxParams: -1, MaxConcurrent: -1, SearchTimeout: -1, ExportTimeout: -1, ExportStall: -1, AuthFailures: -1, MaxBulkDocs: -1}
	neg.SetDefaults()
	if neg != l {
		t.Errorf("negative limits became %+v, want the defaults %+v", neg, l)
	}
	// New applies them
	if s := New(Options{}); s.Limits != l || cap(s.slots) != l.MaxConcurrent || s.Log == nil {
		t.Errorf("New(Options{}) limits %+v slots %d log %v, want %+v", s.Limits, cap(s.slots), s.Log, l)
	}
}
