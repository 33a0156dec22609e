package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"minsheng/indexer"
	"minsheng/indexer/wal"
	"minsheng/search"
)

const editorToken = "editor-s3cret"

// docsFixture serves a data folder of three suggestions with live
// documents, the admin and the editor token.
type docsFixture struct {
	h    http.Handler
	live *indexer.Live
}

func newDocsFixture(t *testing.T, lim Limits) *docsFixture {
	t.Helper()
	data, srcDir := t.TempDir(), t.TempDir()
	var b strings.Builder
	for i := range 3 {
		fmt.Fprintf(&b, `{"id":"s%d","kind":"suggestion","title":"第%d号建议","body":"关于乡村教育的意见%d","status":"办理中"}`+"\n", i, i, i)
	}
	src := filepath.Join(srcDir, "docs.jsonl")
	if err := os.WriteFile(src, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := indexer.Build(context.Background(), data, indexer.BuildOptions{Sources: []string{src}}); err != nil {
		t.Fatal(err)
	}
	live, docs, _ := openLiveDocs(t, data, nil)
	sr := search.New(live.Index(), search.Options{})
	srv := New(Options{Search: sr, Handling: sr, Live: live, Log: slog.New(slog.DiscardHandler), Limits: lim})
	srv.Docs, srv.AdminToken, srv.EditorToken = docs, testToken, editorToken
	h, err := srv.Handler(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &docsFixture{h: h, live: live}
}

// openLiveDocs serves the current generation of data for live documents
// tagged by tagger (nil: none), as serve does; stop closes its index and
// write-ahead log (a server stopping), and is called when tb ends if it
// was not.
func openLiveDocs(tb testing.TB, data string, tagger indexer.Tagger) (live *indexer.Live, docs *indexer.Docs, stop func()) {
	tb.Helper()
	wl, err := wal.Open(wal.Dir(data), nil)
	if err != nil {
		tb.Fatal(err)
	}
	live, docs, err = indexer.OpenLiveDocs(data, wl, tagger, nil)
	if err != nil {
		wl.Close()
		tb.Fatal(err)
	}
	var once sync.Once
	stop = func() { once.Do(func() { live.Close(); wl.Close() }) }
	tb.Cleanup(stop)
	return live, docs, stop
}

// req sends a request as token ("" for none) with header pairs.
func (f *docsFixture) req(t *testing.T, method, target, token, body string, headers ...string) (*httptest.ResponseRecorder, docsAnswer) {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	var ans docsAnswer
	json.Unmarshal(w.Body.Bytes(), &ans)
	return w, ans
}

// total is the number of search hits of q with extra parameters.
func (f *docsFixture) total(t *testing.T, q string, params string) (uint64, map[string][]search.Count) {
	t.Helper()
	w, _ := f.req(t, "GET", "/api/v1/search?q="+url.QueryEscape(q)+params, "", "")
	if w.Code != 200 {
		t.Fatalf("search %q: %d %s", q, w.Code, w.Body)
	}
	var res search.Result
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	return res.Total, res.Facets
}

func TestDocsAuth(t *testing.T) {
	f := newDocsFixture(t, Limits{})
	doc := `{"id":"n1","body":"新的建议"}`
	for _, tt := range []struct {
		token string
		want  int
	}{{"", 401}, {"wrong", 403}, {testToken + "x", 403}, {editorToken, 200}, {testToken, 200}} {
		if w, _ := f.req(t, "POST", "/api/v1/docs", tt.token, doc); w.Code != tt.want {
			t.Errorf("token %q: %d, want %d: %s", tt.token, w.Code, tt.want, w.Body)
		}
	}
	// the editor token writes documents, it does not run jobs
	if w, _ := f.req(t, "POST", "/api/v1/reindex", editorToken, ""); w.Code != 403 {
		t.Errorf("reindex with the editor token: %d", w.Code)
	}
	h, _ := f.req(t, "GET", "/api/v1/docs/n1/history", "", "")
	var hist struct {
		Version int64         `json:"version"`
		History []wal.Version `json:"history"`
	}
	json.Unmarshal(h.Body.Bytes(), &hist)
	if h.Code != 200 || hist.Version != 2 || len(hist.History) != 2 || hist.History[0].Token != "editor" || hist.History[1].Token != "admin" {
		t.Errorf("history: %d %s", h.Code, h.Body)
	}
}

func TestDocsWriteSearchable(t *testing.T) {
	f := newDocsFixture(t, Limits{})
	w, ans := f.req(t, "POST", "/api/v1/docs", editorToken,
		`{"id":"n1","kind":"suggestion","title":"关于养老服务的建议","body":"建议加强社区养老服务","status":"已办结","units":["民政厅"]}`)
	if w.Code != 200 || len(ans.Items) != 1 || ans.Items[0].Result != "created" || ans.Items[0].Version != 1 || ans.Seq != 1 {
		t.Fatalf("post: %d %s", w.Code, w.Body)
	}
	// searchable, with its facets, once answered
	if n, facets := f.total(t, "养老", "&status=已办结"); n != 1 || len(facets["unit"]) != 1 || facets["unit"][0].Value != "民政厅" {
		t.Errorf("new document: %d hits, facets %v", n, facets)
	}
	// PATCH with the version read; a stale version is 409
	g, _ := f.req(t, "GET", "/api/v1/docs/s1", "", "")
	if g.Header().Get("ETag") != `"1"` {
		t.Errorf("ETag of a source document: %q", g.Header().Get("ETag"))
	}
	w, ans = f.req(t, "PATCH", "/api/v1/docs/s1", editorToken, `{"status":"已办结","reply":"已经答复代表"}`, "If-Match", `"1"`)
	if w.Code != 200 || ans.Items[0].Version != 2 {
		t.Fatalf("patch: %d %s", w.Code, w.Body)
	}
	w, ans = f.req(t, "PATCH", "/api/v1/docs/s1", editorToken, `{"status":"办理中"}`, "If-Match", "1")
	if w.Code != 409 || !strings.Contains(ans.Error, "version 2") {
		t.Errorf("stale If-Match: %d %s", w.Code, w.Body)
	}
	if n, _ := f.total(t, "答复代表", "&status=已办结"); n != 1 {
		t.Errorf("patched reply and status: %d hits", n)
	}
	w, ans = f.req(t, "PUT", "/api/v1/docs/s2", editorToken, `{"id":"s2","kind":"suggestion","body":"整篇换掉的正文"}`, "If-Match", "1")
	if w.Code != 200 || ans.Items[0].Result != "updated" {
		t.Errorf("put: %d %s", w.Code, w.Body)
	}
	w, _ = f.req(t, "DELETE", "/api/v1/docs/s0", editorToken, "")
	// s1 alone still says 乡村教育: s0 is deleted, s2 replaced
	if n, _ := f.total(t, "乡村教育", ""); w.Code != 200 || n != 1 {
		t.Errorf("delete: %d, %d hits, want 1", w.Code, n)
	}
	if w, _ := f.req(t, "GET", "/api/v1/docs/s0", "", ""); w.Code != 404 {
		t.Errorf("deleted document: %d", w.Code)
	}
	for _, tt := range []struct{ method, target, body string }{
		{"PATCH", "/api/v1/docs/s0", `{"status":"x"}`},
		{"DELETE", "/api/v1/docs/nothing", ""},
		{"GET", "/api/v1/docs/nothing/history", ""},
	} {
		if w, _ := f.req(t, tt.method, tt.target, editorToken, tt.body); w.Code != 404 {
			t.Errorf("%s %s: %d %s", tt.method, tt.target, w.Code, w.Body)
		}
	}
}

// Each bad input is a 4xx naming the line and the field, and changes
// nothing; in a bulk, the good lines are made and the bad ones reported.
func TestDocsBadInput(t *testing.T) {
	f := newDocsFixture(t, Limits{MaxBodyBytes: 4096, MaxBulkDocs: 5})
	for _, tt := range []struct {
		name, method, target, body string
		headers                    []string
		status                     int
		says                       string
	}{
		{"invalid JSON", "POST", "/api/v1/docs", `{"id":"x","body":`, nil, 400, "invalid JSON"},
		{"invalid UTF-8", "POST", "/api/v1/docs", "{\"id\":\"x\",\"body\":\"\xc3\x28\"}", nil, 400, "UTF-8"},
		{"missing id", "POST", "/api/v1/docs", `{"body":"正文"}`, nil, 400, `field "id": missing`},
		{"long id", "POST", "/api/v1/docs", `{"id":"` + strings.Repeat("长", 100) + `","body":"x"}`, nil, 400, `field "id"`},
		{"id ..", "POST", "/api/v1/docs", `{"id":"..","body":"x"}`, nil, 400, `field "id": ".." cannot be an id`},
		{"id .", "POST", "/api/v1/docs", `{"id":".","body":"x"}`, nil, 400, `field "id": "." cannot be an id`},
		{"id .. of the path", "PUT", "/api/v1/docs/..", `{"id":"..","body":"x"}`, nil, 400, `field "id": ".." cannot be an id`},
		{"id with a slash", "POST", "/api/v1/docs", `{"id":"a/b","body":"x"}`, nil, 400, `field "id"`},
		{"id with a control character", "POST", "/api/v1/docs", `{"id":"a\u0007b","body":"x"}`, nil, 400, `field "id"`},
		{"bad due", "POST", "/api/v1/docs", `{"id":"x","body":"x","due":"2020年13月1日"}`, nil, 400, `field "due": "2020年13月1日" is not a date`},
		{"due a number", "POST", "/api/v1/docs", `{"id":"x","body":"x","due":20200301}`, nil, 400, `field "due"`},
		{"bad replied", "PATCH", "/api/v1/docs/s1", `{"replied":"昨天"}`, nil, 400, `field "replied": "昨天" is not a date`},
		{"unknown kind", "POST", "/api/v1/docs", `{"id":"x","kind":"memo","body":"x"}`, nil, 400, `field "kind"`},
		{"unknown field", "POST", "/api/v1/docs", `{"id":"x","body":"x","colour":1}`, nil, 400, `field "colour"`},
		{"field type", "POST", "/api/v1/docs", `{"id":"x","body":"x","units":7}`, nil, 400, `field "units"`},
		{"too large", "POST", "/api/v1/docs", `{"id":"x","body":"` + strings.Repeat("字", 2000) + `"}`, nil, 413, "larger than 4096 bytes"},
		{"id of another", "PUT", "/api/v1/docs/s1", `{"id":"s2","body":"x"}`, nil, 400, `field "id"`},
		{"patch id", "PATCH", "/api/v1/docs/s1", `{"id":"s2"}`, nil, 400, `field "id"`},
		{"patch type", "PATCH", "/api/v1/docs/s1", `{"key_supervised":"是"}`, nil, 400, `field "key_supervised"`},
		{"bad If-Match", "DELETE", "/api/v1/docs/s1", "", []string{"If-Match", "abc"}, 400, "If-Match"},
		{"too many", "POST", "/api/v1/docs", strings.Repeat(`{"id":"x","body":"x"}`+"\n", 6), []string{"Content-Type", "application/x-ndjson"}, 413, "max_bulk_docs"},
		{"all bad", "POST", "/api/v1/docs", "\n{\"id\":\"x\"}\n", []string{"Content-Type", "application/x-ndjson"}, 400, "line 2"},
		{"empty bulk", "POST", "/api/v1/docs", "\n\n", []string{"Content-Type", "application/x-ndjson"}, 400, "no documents"},
	} {
		w, ans := f.req(t, tt.method, tt.target, editorToken, tt.body, tt.headers...)
		if w.Code != tt.status || !strings.Contains(ans.Error, tt.says) {
			t.Errorf("%s: %d %s, want %d saying %s", tt.name, w.Code, w.Body, tt.status, tt.says)
		}
		if ans.Seq != 0 {
			t.Errorf("%s: logged as record %d", tt.name, ans.Seq)
		}
	}
	if n, _ := f.total(t, "", ""); n != 3 {
		t.Errorf("after bad input the index holds %d documents, want 3", n)
	}

	bulk := strings.Join([]string{
		`{"id":"b1","body":"第一篇好的"}`,
		`{"id":"b2","body":`,
		"",
		`{"id":"b3","kind":"memo","body":"x"}`,
		`{"id":"b4","body":"第四篇好的","units":"教育厅"}`,
		`{"id":"b5","body":"第五篇好的"}`,
	}, "\n")
	w, ans := f.req(t, "POST", "/api/v1/docs", editorToken, bulk, "Content-Type", "application/x-ndjson")
	if w.Code != 200 || len(ans.Items) != 5 || ans.Seq == 0 {
		t.Fatalf("mixed bulk: %d %s", w.Code, w.Body)
	}
	want := []struct {
		result string
		line   int
		says   string
	}{{"created", 1, ""}, {"error", 2, "line 2: "}, {"error", 4, `line 4: invalid document: field "kind"`}, {"error", 5, `line 5: invalid document: field "units"`}, {"created", 6, ""}}
	for i, w := range want {
		it := ans.Items[i]
		if it.Result != w.result || it.Line != w.line || !strings.Contains(it.Error, w.says) {
			t.Errorf("item %d: %+v, want %+v", i, it, w)
		}
	}
	if n, _ := f.total(t, "好的", ""); n != 2 {
		t.Errorf("good lines of the bulk: %d hits, want 2", n)
	}
}

// TestDocsHandlingFields: a live suggestion's handling fields read as a
// source's do: dates in the forms the readers take (and the form search
// hits show, which a client may send back), the reply class and the
// satisfaction normalised, so that the filters and the handling figures
// count it, and the lead unit first among the units.
func TestDocsHandlingFields(t *testing.T) {
	f := newDocsFixture(t, Limits{})
	w, _ := f.req(t, "POST", "/api/v1/docs", editorToken, `{"id":"h1","kind":"suggestion","title":"关于停车难的建议","body":"建议增加停车位",`+
		`"reply_class":"乙类","satisfaction":"比较满意","lead_unit":"住建厅","units":["交通厅","住建厅"],`+
		`"assigned":"2024年3月1日","due":"2024-05-15","replied":"2024/5/10"}`)
	if w.Code != 200 {
		t.Fatalf("post: %d %s", w.Code, w.Body)
	}
	var d struct {
		ReplyClass     string   `json:"reply_class"`
		ReplyClassText string   `json:"reply_class_text"`
		Satisfaction   string   `json:"satisfaction"`
		Units          []string `json:"units"`
	}
	g, _ := f.req(t, "GET", "/api/v1/docs/h1", "", "")
	if err := json.Unmarshal(g.Body.Bytes(), &d); err != nil || g.Code != 200 {
		t.Fatalf("get: %d %s", g.Code, g.Body)
	}
	if d.ReplyClass != "B" || d.ReplyClassText != "乙类" || d.Satisfaction != "基本满意" || strings.Join(d.Units, ",") != "住建厅,交通厅" {
		t.Errorf("stored %+v, want class B (乙类), 基本满意, units 住建厅 first", d)
	}
	if n, _ := f.total(t, "", "&reply_class=B"); n != 1 {
		t.Errorf("reply_class=B: %d hits, want 1", n)
	}
	if n, _ := f.total(t, "", "&satisfaction="+url.QueryEscape("基本满意")); n != 1 {
		t.Errorf("satisfaction=基本满意: %d hits, want 1", n)
	}
	var st search.HandlingStats
	getJSON(t, f.h, "/api/v1/analytics/handling?q="+url.QueryEscape("停车"), &st)
	for _, sh := range st.ReplyClass {
		if want := map[string]int{"B": 1}[sh.Value]; sh.Count != want || !strings.Contains("ABCD", sh.Value) {
			t.Errorf("handling figures count the reply classes %+v, want B once and no other", st.ReplyClass)
			break
		}
	}

	// the due date of a hit goes back as it came
	w, _ = f.req(t, "GET", "/api/v1/search?q="+url.QueryEscape("停车"), "", "")
	var res search.Result
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || len(res.Hits) != 1 {
		t.Fatalf("search: %d %s", w.Code, w.Body)
	}
	if h := res.Hits[0]; h.Due != "2024-05-15" || h.Replied != "2024-05-10" {
		t.Errorf("hit due %q replied %q, want 2024-05-15, 2024-05-10", h.Due, h.Replied)
	}
	if w, _ := f.req(t, "PATCH", "/api/v1/docs/h1", editorToken, `{"due":"`+res.Hits[0].Due+`","status":"已办结"}`); w.Code != 200 {
		t.Fatalf("patch with the hit's due: %d %s", w.Code, w.Body)
	}
	var hist struct {
		History []wal.Version `json:"history"`
	}
	getJSON(t, f.h, "/api/v1/docs/h1/history", &hist)
	if len(hist.History) != 2 || strings.Join(hist.History[1].Changed, ",") != "status" {
		t.Errorf("history %+v, want the patch to change status alone (the due day is the same)", hist.History)
	}
}
