package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"minsheng/audit"
)

// send sends a request from addr with the Authorization header auth.
func send(h http.Handler, method, target, addr, auth, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.RemoteAddr = addr + ":40000"
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestAuthThrottle: after Limits.AuthFailures wrong tokens in a minute an
// address gets 429 with Retry-After, even with the right token; another
// address is not affected; each failure is logged at warn with address,
// route and a hint, never the token.
func TestAuthThrottle(t *testing.T) {
	f := newAdminFixture(t, 3)
	var logs bytes.Buffer
	f.srv.Log = slog.New(slog.NewTextHandler(&logs, nil))
	f.srv.Limits.AuthFailures = 4
	const bad = "Bearer guess-number-one"
	for i := range 4 {
		if w := send(f.h, "GET", "/api/v1/jobs", "198.51.100.7", bad, ""); w.Code != http.StatusForbidden {
			t.Fatalf("wrong token %d: %d %s, want 403", i+1, w.Code, w.Body)
		}
	}
	for _, auth := range []string{bad, "Bearer " + testToken} {
		w := send(f.h, "GET", "/api/v1/jobs", "198.51.100.7", auth, "")
		ra, _ := strconv.Atoi(w.Header().Get("Retry-After"))
		if w.Code != http.StatusTooManyRequests || ra < 1 || ra > 60 {
			t.Fatalf("after 4 failures, %q: %d Retry-After %q %s; want 429 with Retry-After 1-60", auth, w.Code, w.Header().Get("Retry-After"), w.Body)
		}
	}
	if w := send(f.h, "GET", "/api/v1/jobs", "198.51.100.8", "Bearer "+testToken, ""); w.Code != http.StatusOK {
		t.Fatalf("another address: %d %s, want 200", w.Code, w.Body)
	}
	if w := send(f.h, "GET", "/api/v1/jobs", "198.51.100.8", bad, ""); w.Code != http.StatusForbidden {
		t.Fatalf("another address's first failure: %d, want 403", w.Code)
	}
	log := logs.String()
	if n := strings.Count(log, "level=WARN msg=\"authentication failed\""); n != 5 {
		t.Errorf("%d failures logged at warn, want 5:\n%s", n, log)
	}
	for _, want := range []string{"client=198.51.100.7", "route=/api/v1/jobs", "token_hint=\"len=16 sha256="} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %s:\n%s", want, log)
		}
	}
	if n := strings.Count(log, `msg="client throttled: its authenticated requests get 429 for the rest of the minute" client=198.51.100.7 failures=4`); n != 1 {
		t.Errorf("the throttling of the address logged %d times, want once:\n%s", n, log)
	}
	if strings.Contains(log, "guess-number-one") {
		t.Errorf("the log holds the wrong token itself:\n%s", log)
	}

	// the window passes: the address may try again
	th := f.srv.authThrottle()
	if wait := th.blocked("198.51.100.7", time.Now().Add(61*time.Second)); wait != 0 {
		t.Errorf("a minute later the address still waits %s", wait)
	}
}

// TestWrongRoleNotThrottled: the editor token on an admin route is 403
// saying the route needs the admin token, and however often it is sent it
// is no guess: the address's editor writes and admin requests still pass.
func TestWrongRoleNotThrottled(t *testing.T) {
	f := newAdminFixture(t, 3)
	var logs bytes.Buffer
	f.srv.Log = slog.New(slog.NewTextHandler(&logs, nil))
	f.srv.Limits.AuthFailures = 3
	const editor = "editor-token-of-thirty-characters"
	f.srv.EditorToken = editor
	const addr = "198.51.100.20"
	for i := range 10 {
		w := send(f.h, "GET", "/api/v1/jobs", addr, "Bearer "+editor, "")
		if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "needs the admin token") {
			t.Fatalf("editor token on an admin route, try %d: %d %s; want 403 saying it needs the admin token", i+1, w.Code, w.Body)
		}
	}
	if w := send(f.h, "GET", "/api/v1/jobs", addr, "Bearer "+testToken, ""); w.Code != http.StatusOK {
		t.Fatalf("admin token after 10 editor tries: %d %s, want 200", w.Code, w.Body)
	}
	// the fixture has no live documents: an editor route of its own
	// shares the server's throttle
	edit := gin.New()
	edit.POST("/edit", f.srv.requireEditor, func(c *gin.Context) { c.Status(http.StatusNoContent) })
	if w := send(edit, "POST", "/edit", addr, "Bearer "+editor, ""); w.Code != http.StatusNoContent {
		t.Fatalf("editor write after 10 editor tries on an admin route: %d %s", w.Code, w.Body)
	}
	if strings.Contains(logs.String(), "authentication failed") {
		t.Errorf("the editor token was logged as a failed authentication:\n%s", logs.String())
	}
	// a wrong token still counts
	for range 3 {
		send(f.h, "GET", "/api/v1/jobs", addr, "Bearer guess-number-two", "")
	}
	if w := send(f.h, "GET", "/api/v1/jobs", addr, "Bearer "+testToken, ""); w.Code != http.StatusTooManyRequests {
		t.Fatalf("after 3 wrong tokens: %d, want 429", w.Code)
	}
}

// TestAuditEveryAdminRoute: every admin route, whatever its outcome, is
// an audit record with the token's name, the client, route, parameters
// and status; GET /audit lists them newest first.
func TestAuditEveryAdminRoute(t *testing.T) {
	f := newAdminFixture(t, 3)
	l, err := audit.Open(filepath.Join(t.TempDir(), audit.File), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	f.srv.Audit = l
	auth := "Bearer " + testToken
	routes := append(adminRoutes[:len(adminRoutes):len(adminRoutes)], struct{ method, path string }{"GET", "/api/v1/audit"})
	want := map[string]int{}
	for _, rt := range routes {
		body := ""
		if rt.path == "/api/v1/schedules" && rt.method == "POST" {
			body = `{"cron": "0 3 * * *", "name": "夜间"}`
		}
		w := send(f.h, rt.method, rt.path+"?limit=5", "203.0.113.9", auth, body)
		want[rt.method+" "+rt.path] = w.Code
	}
	// a refused request (wrong token) is not an action: it is logged, not audited
	send(f.h, "POST", "/api/v1/reindex", "203.0.113.10", "Bearer nope", "")

	w := send(f.h, "GET", "/api/v1/audit?limit=1000", "203.0.113.9", auth, "")
	var res struct {
		Records []audit.Record `json:"records"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || w.Code != 200 {
		t.Fatalf("GET /audit: %d %s", w.Code, w.Body)
	}
	if len(res.Records) != len(routes) {
		t.Fatalf("%d records, want %d (one per admin request):\n%+v", len(res.Records), len(routes), res.Records)
	}
	for i, r := range res.Records {
		rt := routes[len(routes)-1-i]
		if r.Method+" "+r.Path != rt.method+" "+rt.path || r.Token != TokenAdmin || r.Client != "203.0.113.9" ||
			r.Status != want[rt.method+" "+rt.path] || r.Outcome != audit.Outcome(r.Status) || r.RequestID == "" || r.Time.IsZero() {
			t.Errorf("record %d for %s %s: %+v", i, rt.method, rt.path, r)
		}
		if r.Params["query.limit"] != "5" {
			t.Errorf("record of %s %s lacks the query: %v", r.Method, r.Path, r.Params)
		}
		if r.Status >= 400 && r.Error == "" {
			t.Errorf("refused %s %s without its message: %+v", r.Method, r.Path, r)
		}
	}
	for _, r := range res.Records {
		switch r.Method + " " + r.Route {
		case "POST /api/v1/schedules":
			if !strings.Contains(r.Params["body"], "0 3 * * *") {
				t.Errorf("schedule record lacks the body: %v", r.Params)
			}
		case "POST /api/v1/jobs/:id/cancel":
			if r.Params["id"] != "job-1" || r.Outcome != "refused" {
				t.Errorf("cancel record: %+v", r)
			}
		}
	}
	if w := send(f.h, "GET", "/api/v1/audit?limit=0", "203.0.113.9", auth, ""); w.Code != 400 {
		t.Errorf("limit=0: %d", w.Code)
	}
	if w := send(f.h, "GET", "/api/v1/audit?before=x", "203.0.113.9", auth, ""); w.Code != 400 {
		t.Errorf("before=x: %d", w.Code)
	}
}

// TestEditorToken: editor routes take the editor token or the admin
// token and record which; admin routes refuse the editor token.
func TestEditorToken(t *testing.T) {
	f := newAdminFixture(t, 3)
	l, err := audit.Open(filepath.Join(t.TempDir(), audit.File), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	f.srv.Audit = l
	const editor = "editor-token-of-thirty-characters"
	r := gin.New()
	r.Use(withRequestID)
	r.POST("/edit", f.srv.requireEditor, func(c *gin.Context) {
		b, _ := c.GetRawData()
		c.JSON(200, gin.H{"read": len(b)})
	})
	f.srv.AdminToken = ""
	if w := send(r, "POST", "/edit", "192.0.2.50", "Bearer "+editor, ""); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "MINSHENG_EDITOR_TOKEN") {
		t.Fatalf("no token configured: %d %s, want 403 naming MINSHENG_EDITOR_TOKEN", w.Code, w.Body)
	}
	f.srv.AdminToken = testToken
	if w := send(r, "POST", "/edit", "192.0.2.51", "Bearer "+editor, ""); w.Code != http.StatusForbidden {
		t.Fatalf("an editor token the server does not have: %d %s, want 403", w.Code, w.Body)
	}
	f.srv.EditorToken = editor
	for _, c := range []struct{ tok, name string }{{editor, TokenEditor}, {testToken, TokenAdmin}} {
		if w := send(r, "POST", "/edit", "192.0.2.50", "Bearer "+c.tok, `{"x":1}`); w.Code != 200 {
			t.Fatalf("%s token: %d %s", c.name, w.Code, w.Body)
		}
	}
	if w := send(f.h, "GET", "/api/v1/jobs", "192.0.2.50", "Bearer "+editor, ""); w.Code != http.StatusForbidden {
		t.Fatalf("editor token on an admin route: %d, want 403", w.Code)
	}
	recs, err := l.List(audit.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Token != TokenAdmin || recs[1].Token != TokenEditor || recs[1].Params["body"] != `{"x":1}` {
		t.Fatalf("editor audit records: %+v", recs)
	}
}

// TestInternalErrorHidden: a 500 says "internal error" and the request
// id, nothing of the error itself, which is logged under that id; every
// response carries X-Request-Id.
func TestInternalErrorHidden(t *testing.T) {
	_, h := newAPITestServer(t)
	var logs bytes.Buffer
	srv := New(Options{Log: slog.New(slog.NewTextHandler(&logs, nil))})
	g := gin.New()
	g.Use(withRequestID, srv.recover)
	g.GET("/fail", func(c *gin.Context) { srv.failErr(c, errors.New("open /srv/secret/path/index: no such file")) })
	g.GET("/panic", func(*gin.Context) { panic("boom at /srv/secret/path") })
	for _, p := range []string{"/fail", "/panic"} {
		w := send(g, "GET", p, "192.0.2.1", "", "")
		var e struct {
			Error     string `json:"error"`
			RequestID string `json:"request_id"`
		}
		json.Unmarshal(w.Body.Bytes(), &e)
		id := w.Header().Get("X-Request-Id")
		if w.Code != 500 || e.Error != "internal error" || e.RequestID == "" || e.RequestID != id || strings.Contains(w.Body.String(), "/srv") {
			t.Errorf("%s: %d %s (X-Request-Id %q)", p, w.Code, w.Body, id)
		}
		if !strings.Contains(logs.String(), "request_id="+id) || !strings.Contains(logs.String(), "/srv/secret/path") {
			t.Errorf("%s: the detail is not logged under request id %s:\n%s", p, id, logs.String())
		}
	}
	for _, p := range []string{"/healthz", "/api/v1/search?q=x", "/nothing", "/api/v1/jobs"} {
		if w := send(h, "GET", p, "192.0.2.1", "", ""); len(w.Header().Get("X-Request-Id")) != 16 {
			t.Errorf("%s: %d without X-Request-Id", p, w.Code)
		}
	}
}

// TestMetricsNeedToken: /metrics of the main address answers only the
// admin token (and then is not audited); the metrics listener's handler
// serves it to anyone and nothing else.
func TestMetricsNeedToken(t *testing.T) {
	f := newAdminFixture(t, 3)
	l, err := audit.Open(filepath.Join(t.TempDir(), audit.File), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	f.srv.Audit = l
	for auth, want := range map[string]int{"": 401, "Bearer wrong": 403, "Bearer " + testToken: 200} {
		w := send(f.h, "GET", "/metrics", "192.0.2.60", auth, "")
		if w.Code != want || (want == 200) != strings.Contains(w.Body.String(), "minsheng_index_documents 3") {
			t.Errorf("/metrics with %q: %d, want %d", auth, w.Code, want)
		}
	}
	if recs, _ := l.List(audit.Query{}); len(recs) != 0 {
		t.Errorf("scrapes audited: %+v", recs)
	}
	m := f.srv.MetricsHandler()
	if w := send(m, "GET", "/metrics", "192.0.2.61", "", ""); w.Code != 200 || !strings.Contains(w.Body.String(), "minsheng_index_documents 3") {
		t.Errorf("metrics listener: %d", w.Code)
	}
	if w := send(m, "GET", "/api/v1/search?q=x", "192.0.2.61", "", ""); w.Code != 404 {
		t.Errorf("metrics listener serves the API: %d", w.Code)
	}
}

// TestAdminPageHasAudit: the 管理 page has the audit section its script
// fills from GET /api/v1/audit, and the script asks for it.
func TestAdminPageHasAudit(t *testing.T) {
	f := newAdminFixture(t, 3)
	w := send(f.h, "GET", "/admin", "192.0.2.70", "", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `id="audit"`) || !strings.Contains(w.Body.String(), "操作记录") {
		t.Fatalf("admin page: %d, no audit section", w.Code)
	}
	js := send(f.h, "GET", "/static/ui.js", "192.0.2.70", "", "")
	if !strings.Contains(js.Body.String(), "'/audit?limit=1000'") {
		t.Errorf("ui.js does not load the audit trail (%d)", js.Code)
	}
}

// TestPageInternalErrorHidden: a page's 500 shows the request id, not the
// error, which is logged under it.
func TestPageInternalErrorHidden(t *testing.T) {
	var logs bytes.Buffer
	srv := New(Options{Log: slog.New(slog.NewTextHandler(&logs, nil))})
	g := gin.New()
	g.Use(withRequestID)
	g.GET("/page", func(c *gin.Context) {
		a, st := srv.alertOf(c, errors.New("open /srv/secret/index: permission denied"))
		c.String(st, a.Title+" "+a.Message)
	})
	w := send(g, "GET", "/page", "192.0.2.80", "", "")
	id := w.Header().Get("X-Request-Id")
	if w.Code != 500 || strings.Contains(w.Body.String(), "/srv") || !strings.Contains(w.Body.String(), id) {
		t.Errorf("page 500: %d %s", w.Code, w.Body)
	}
	if !strings.Contains(logs.String(), "/srv/secret/index") || !strings.Contains(logs.String(), "request_id="+id) {
		t.Errorf("not logged under %s: %s", id, logs.String())
	}
}
