package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"minsheng/corpus"
	"minsheng/export"
	"minsheng/search"
)

// exportFake serves n small documents, paging with After; block, when set,
// is called before page blockAt is answered.
type exportFake struct {
	n       int
	blockAt int
	block   func(ctx context.Context)

	mu    sync.Mutex // guards pages and last
	pages int
	last  search.Request
}

func (f *exportFake) Search(ctx context.Context, r search.Request) (*search.Result, error) {
	f.mu.Lock()
	f.pages++
	page := f.pages
	f.last = r
	f.mu.Unlock()
	if page == f.blockAt && f.block != nil {
		f.block(ctx)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	start := 0
	if r.After != nil {
		k, _ := strconv.Atoi(r.After[0])
		start = k + 1
	}
	res := &search.Result{Total: uint64(f.n), Page: 1, Size: r.Size}
	for i := start; i < min(start+r.Size, f.n); i++ {
		d := &corpus.Doc{ID: fmt.Sprintf("d-%d", i), Kind: corpus.KindSuggestion, Title: fmt.Sprintf("建议 %d", i),
			Body: strings.Repeat("正文", 200), Units: []string{"省教育厅"}, Status: "已办结", Topics: []string{"教育"},
			Date: time.Date(2024, 1, 1+i%28, 0, 0, 0, 0, corpus.CST())}
		res.Hits = append(res.Hits, search.Hit{ID: d.ID, Kind: d.Kind, Title: d.Title, Topics: d.Topics, Units: d.Units,
			Status: d.Status, Doc: d, Sort: []string{strconv.Itoa(i)}})
	}
	return res, nil
}

func (f *exportFake) lastRequest() search.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

type exportLive struct{}

func (exportLive) Generation() string { return "gen-test" }

// newExportServer serves exports from f. Without a base URL the workbook
// has no hyperlinks, which excelize adds slowly (and very slowly under
// -race).
func newExportServer(t *testing.T, f *exportFake, baseURL string) http.Handler {
	t.Helper()
	srv := New(Options{Live: exportLive{}, Log: slog.New(slog.DiscardHandler)})
	srv.Export = &Export{
		Exporter: &export.Exporter{Search: f, BaseURL: baseURL, Generation: func() string { return "gen-test" },
			Now: func() time.Time { return time.Date(2026, 11, 27, 7, 30, 0, 0, time.UTC) }},
		Taxonomy: func() string { return "tax-9" },
	}
	h, err := srv.Handler(nil)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestExportXLSX(t *testing.T) {
	f := &exportFake{n: 1500}
	h := newExportServer(t, f, "http://minsheng.test")
	req := httptest.NewRequest("GET", "/api/v1/export.xlsx?q="+url.QueryEscape("教育")+"&topic=教育&sort=-date&size=5&page=3", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body.Bytes())
	}
	if ct := w.Header().Get("Content-Type"); ct != xlsxType {
		t.Errorf("Content-Type %q", ct)
	}
	wantCD := `attachment; filename="minsheng-export-20261127-1530.xlsx"; filename*=UTF-8''` +
		"%E6%B0%91%E5%A3%B0%E6%A3%80%E7%B4%A2%E7%BB%93%E6%9E%9C-20261127-1530.xlsx"
	if cd := w.Header().Get("Content-Disposition"); cd != wantCD {
		t.Errorf("Content-Disposition %s\nwant %s", cd, wantCD)
	}
	if last := f.lastRequest(); last.Query != "教育" || !slices.Equal(last.Filters.Topic, []string{"教育"}) || last.Sort != "-date" || last.Size != export.DefaultPageSize {
		t.Errorf("the export searched %+v", last)
	}
	x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("结果")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1501 {
		t.Errorf("结果 has %d rows, want 1501", len(rows))
	}
	notes, _ := x.GetRows("说明")
	got := map[string]string{}
	for _, r := range notes {
		if len(r) == 2 {
			got[r[0]] = r[1]
		}
	}
	if got["分类体系版本"] != "tax-9" || got["索引版本"] != "gen-test" || got["导出时间"] != "2026-11-27 15:30:00（北京时间，UTC+8）" {
		t.Errorf("说明 %v", got)
	}
	if u := got["重新导出（网址）"]; !strings.HasPrefix(u, "http://minsheng.test/api/v1/export.xlsx?q=") || !strings.Contains(u, "topic=") {
		t.Errorf("re-run address %q", u)
	}
}

func TestExportReportsAndCSV(t *testing.T) {
	h := newExportServer(t, &exportFake{n: 30}, "http://minsheng.test")
	for _, c := range []struct {
		target string
		status int
		sheets []string
		ctype  string
	}{
		{"/api/v1/export/trends.xlsx", 200, []string{"趋势", "说明"}, xlsxType},
		{"/api/v1/export/units.xlsx?q=x", 200, []string{"办理情况", "说明"}, xlsxType},
		{"/api/v1/export.csv", 200, nil, csvType},
		{"/api/v1/export/nope.xlsx", 404, nil, ""},
		{"/api/v1/export/trends.csv", 404, nil, ""},
		{"/api/v1/export/units.xlsx/more", 404, nil, ""},
		{"/api/v1/export.xlsx?page=abc", 400, nil, ""},
		{"/api/v1/export.xlsx?from=yesterday", 400, nil, ""},
	} {
		req := httptest.NewRequest("GET", c.target, nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != c.status {
			t.Errorf("%s: status %d, want %d: %.200s", c.target, w.Code, c.status, w.Body.Bytes())
			continue
		}
		if c.status != 200 {
			if !strings.Contains(w.Body.String(), `"error"`) {
				t.Errorf("%s: error body %q", c.target, w.Body.String())
			}
			continue
		}
		if ct := w.Header().Get("Content-Type"); ct != c.ctype {
			t.Errorf("%s: Content-Type %q", c.target, ct)
		}
		if c.sheets == nil {
			if !bytes.HasPrefix(w.Body.Bytes(), []byte("\ufeff编号,标题")) {
				t.Errorf("%s: CSV starts %q", c.target, w.Body.Bytes()[:min(40, w.Body.Len())])
			}
			continue
		}
		x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
		if err != nil {
			t.Fatalf("%s: %v", c.target, err)
		}
		if !slices.Equal(x.GetSheetList(), c.sheets) {
			t.Errorf("%s: sheets %v, want %v", c.target, x.GetSheetList(), c.sheets)
		}
		x.Close()
	}
}

// TestExportSampleIndex exports from the real search over the sample
// corpus: the rows are the search's total, and the search's own
// validation answers 400.
func TestExportSampleIndex(t *testing.T) {
	live, _ := sampleSearcher(t)
	srv := New(Options{Live: live, Log: slog.New(slog.DiscardHandler)})
	srv.Export = &Export{Exporter: &export.Exporter{Search: search.New(live.Index(), search.Options{Limits: search.Limits{MaxSize: export.DefaultPageSize}}),
		Generation: live.Generation}}
	h, err := srv.Handler(nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := srv.Export.Exporter.Search.Search(context.Background(), search.Request{Query: "乡村振兴", Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/export.xlsx?q="+url.QueryEscape("乡村振兴"), nil))
	if w.Code != 200 {
		t.Fatalf("status %d: %.300s", w.Code, w.Body.Bytes())
	}
	x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows("结果")
	if res.Total == 0 || len(rows) != int(res.Total)+1 {
		t.Errorf("结果 has %d rows; the search finds %d", len(rows), res.Total)
	}
	for _, target := range []string{"/api/v1/export.xlsx?sort=sideways", "/api/v1/export/trends.xlsx?year=20x", "/api/v1/export.csv?from=2024-02-01&to=2024-01-01"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
		if w.Code != 400 || !strings.Contains(w.Body.String(), `"error"`) {
			t.Errorf("%s: status %d %.200s, want 400 with a message", target, w.Code, w.Body.Bytes())
		}
	}
}

func TestExportNotConfigured(t *testing.T) {
	srv := New(Options{Live: exportLive{}, Log: slog.New(slog.DiscardHandler)})
	h, err := srv.Handler(nil)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/export.xlsx", nil))
	if w.Code != 503 {
		t.Errorf("status %d, want 503", w.Code)
	}
}

// TestExportClientGoesAway: a client that disconnects mid-export cancels
// the export, and excelize's temp files are gone afterwards.
func TestExportClientGoesAway(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	stopped := make(chan error, 1)
	disconnect := make(chan struct{})
	f := &exportFake{n: 100000, blockAt: 20, block: func(ctx context.Context) {
		close(disconnect) // the client may go now
		select {
		case <-ctx.Done():
			stopped <- ctx.Err()
		case <-time.After(time.Minute):
			stopped <- nil
		}
	}}
	ts := httptest.NewServer(newExportServer(t, f, ""))
	defer ts.Close()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/v1/export.xlsx", nil)
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		done <- err
	}()
	select {
	case <-disconnect:
	case <-time.After(2 * time.Minute):
		t.Fatal("the export never reached page 20")
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "excelize-*")); len(left) == 0 {
		t.Error("no excelize temp file mid-export: the test does not test the clean-up")
	}
	cancel()
	if err := <-done; err == nil {
		t.Error("the client's request did not fail")
	}
	if err := <-stopped; err == nil {
		t.Fatal("the export did not see the client go away")
	}
	// the handler returns after its searcher does; wait for the clean-up
	deadline := time.Now().Add(5 * time.Second)
	for {
		left, _ := filepath.Glob(filepath.Join(tmp, "excelize-*"))
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("temp files left: %v", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
	f.mu.Lock()
	pages := f.pages
	f.mu.Unlock()
	if pages > 20 {
		t.Errorf("%d pages read after the client went away at page 20", pages)
	}
}

func TestRFC5987(t *testing.T) {
	if got := rfc5987("民声 a+b's.xlsx"); got != "%E6%B0%91%E5%A3%B0%20a+b%27s.xlsx" {
		t.Errorf("rfc5987 = %s", got)
	}
}
