package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"minsheng/errs"
	"minsheng/indexer"
	"minsheng/indexer/reindex"
	"minsheng/search"
)

const testToken = "s3cret-token"

// adminFixture is a server over a data folder with one generation and a
// running jobs service.
type adminFixture struct {
	h    http.Handler
	srv  *Server
	data string
	live *indexer.Live
	jobs *reindex.Jobs
}

func newAdminFixture(t *testing.T, docs int) *adminFixture {
	t.Helper()
	data, srcDir := t.TempDir(), t.TempDir()
	var b strings.Builder
	for i := range docs {
		fmt.Fprintf(&b, `{"id": "d%d", "title": "第%d号建议", "body": "关于教育的意见，希望加强工作。%s"}`+"\n",
			i, i, strings.Repeat("推动各项措施落到实处。", 20))
	}
	src := filepath.Join(srcDir, "docs.jsonl")
	if err := os.WriteFile(src, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	opt := indexer.BuildOptions{Sources: []string{src}}
	if _, err := indexer.Build(context.Background(), data, opt); err != nil {
		t.Fatal(err)
	}
	live, err := indexer.OpenLive(data)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	jobs, err := reindex.OpenJobs(data, live, reindex.JobsOptions{
		Build:  func() (indexer.BuildOptions, error) { return opt, nil },
		Logger: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { jobs.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; jobs.Close(); live.Close() })
	srv := New(Options{Search: search.New(live.Index(), search.Options{}), Live: live, Log: log})
	srv.Jobs, srv.AdminToken = jobs, testToken
	h, err := srv.Handler(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &adminFixture{h: h, srv: srv, data: data, live: live, jobs: jobs}
}

// do sends a request with the admin token and decodes a JSON answer into
// out (when not nil).
func (f *adminFixture) do(t *testing.T, method, target, body string, out any) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+testToken)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	if out != nil {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, target, w.Code, w.Body, err)
		}
	}
	return w
}

func (f *adminFixture) waitJob(t *testing.T, id string) reindex.Job {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var j reindex.Job
		if w := f.do(t, "GET", "/api/v1/jobs/"+id, "", &j); w.Code != http.StatusOK {
			t.Fatalf("GET job: %d %s", w.Code, w.Body)
		}
		if j.Finished() {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s", id, j.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var adminRoutes = []struct{ method, path string }{
	{"POST", "/api/v1/reindex"},
	{"GET", "/api/v1/jobs"},
	{"GET", "/api/v1/jobs/job-1"},
	{"POST", "/api/v1/jobs/job-1/cancel"},
	{"GET", "/api/v1/schedules"},
	{"POST", "/api/v1/schedules"},
	{"DELETE", "/api/v1/schedules/sch-1"},
	{"GET", "/api/v1/generations"},
	{"POST", "/api/v1/generations/gen-20260101-000000-000/activate"},
}

func TestAdminAuth(t *testing.T) {
	f := newAdminFixture(t, 5)
	sent := 0
	for _, rt := range adminRoutes {
		for _, c := range []struct {
			auth string
			want int
		}{
			{"", http.StatusUnauthorized},
			{"Bearer", http.StatusUnauthorized},
			{"Basic " + testToken, http.StatusUnauthorized},
			{"Bearer wrong", http.StatusForbidden},
			{"Bearer " + testToken + "x", http.StatusForbidden},
			{"Bearer " + testToken[:len(testToken)-1], http.StatusForbidden},
		} {
			r := httptest.NewRequest(rt.method, rt.path, nil)
			if c.auth != "" {
				r.Header.Set("Authorization", c.auth)
			}
			// each from an address of its own: the throttle of wrong
			// tokens by address is TestAuthThrottle's
			sent++
			r.RemoteAddr = fmt.Sprintf("192.0.2.%d:1234", sent)
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, r)
			var e struct{ Error string }
			json.Unmarshal(w.Body.Bytes(), &e)
			if w.Code != c.want || e.Error == "" {
				t.Errorf("%s %s with %q: %d %s, want %d with a message", rt.method, rt.path, c.auth, w.Code, w.Body, c.want)
			}
			if c.want == http.StatusUnauthorized && !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s %s: 401 without WWW-Authenticate", rt.method, rt.path)
			}
		}
	}
	// With no token configured the admin API is off, whatever is sent.
	f.srv.AdminToken = ""
	for _, rt := range adminRoutes {
		for _, auth := range []string{"", "Bearer ", "Bearer " + testToken} {
			r := httptest.NewRequest(rt.method, rt.path, nil)
			r.Header.Set("Authorization", auth)
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, r)
			if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "MINSHENG_ADMIN_TOKEN") {
				t.Errorf("admin off: %s %s with %q: %d %s", rt.method, rt.path, auth, w.Code, w.Body)
			}
		}
	}
	// Search stays open.
	r := httptest.NewRequest("GET", "/api/v1/search?q=教育", nil)
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Errorf("search: %d %s", w.Code, w.Body)
	}
}

// TestReindexBurst: ten triggers within a second start exactly one job;
// the other nine are 409 with the running job in the body.
func TestReindexBurst(t *testing.T) {
	f := newAdminFixture(t, 300)
	before := f.live.Generation()
	type answer struct {
		code int
		job  reindex.Job
		err  string
	}
	answers := make(chan answer, 10)
	var wg sync.WaitGroup
	start := time.Now()
	for range 10 {
		wg.Go(func() {
			w := f.do(t, "POST", "/api/v1/reindex", "", nil)
			a := answer{code: w.Code}
			if w.Code == http.StatusAccepted {
				json.Unmarshal(w.Body.Bytes(), &a.job)
			} else {
				var body struct {
					Error string      `json:"error"`
					Job   reindex.Job `json:"job"`
				}
				json.Unmarshal(w.Body.Bytes(), &body)
				a.job, a.err = body.Job, body.Error
			}
			answers <- a
		})
	}
	wg.Wait()
	close(answers)
	elapsed := time.Since(start)
	var accepted []reindex.Job
	conflicts := 0
	var named []string
	for a := range answers {
		switch a.code {
		case http.StatusAccepted:
			accepted = append(accepted, a.job)
		case http.StatusConflict:
			conflicts++
			if a.err == "" {
				t.Errorf("409 without a message")
			}
			named = append(named, a.job.ID)
		default:
			t.Errorf("reindex answered %d", a.code)
		}
	}
	t.Logf("10 triggers in %s: %d accepted, %d conflicts", elapsed.Round(time.Millisecond), len(accepted), conflicts)
	if elapsed > time.Second {
		t.Errorf("the triggers took %s, not within a second", elapsed)
	}
	if len(accepted) != 1 || conflicts != 9 {
		t.Fatalf("%d accepted, %d conflicts; want 1 and 9", len(accepted), conflicts)
	}
	job := accepted[0]
	if job.State != reindex.StateRunning || job.Trigger != "api" || job.ID == "" {
		t.Errorf("accepted job: %+v", job)
	}
	for _, id := range named {
		if id != job.ID {
			t.Errorf("409 names job %q, the running one is %s", id, job.ID)
		}
	}
	j := f.waitJob(t, job.ID)
	if j.State != reindex.StateSucceeded || j.Docs != 300 || j.Generation == "" || j.Generation == before {
		t.Fatalf("job: %+v", j)
	}
	var list struct{ Jobs []reindex.Job }
	if w := f.do(t, "GET", "/api/v1/jobs?limit=5", "", &list); w.Code != 200 || len(list.Jobs) != 1 || list.Jobs[0].ID != job.ID {
		t.Errorf("GET jobs: %d %+v", w.Code, list)
	}
	var gens struct{ Generations []reindex.Generation }
	f.do(t, "GET", "/api/v1/generations", "", &gens)
	if len(gens.Generations) != 2 || gens.Generations[0].Name != j.Generation || !gens.Generations[0].Serving ||
		!gens.Generations[0].Current || gens.Generations[1].Serving {
		t.Errorf("generations: %+v", gens)
	}
	// Rollback to the first generation.
	var g reindex.Generation
	if w := f.do(t, "POST", "/api/v1/generations/"+before+"/activate", "", &g); w.Code != 200 || !g.Serving || g.Name != before {
		t.Errorf("activate: %d %s", w.Code, w.Body)
	}
	if f.live.Generation() != before {
		t.Errorf("serving %s after rollback", f.live.Generation())
	}
	// Cancelling a finished job is a conflict with the job.
	var c struct {
		Error string
		Job   reindex.Job
	}
	if w := f.do(t, "POST", "/api/v1/jobs/"+job.ID+"/cancel", "", &c); w.Code != http.StatusConflict || c.Job.ID != job.ID {
		t.Errorf("cancel of a finished job: %d %s", w.Code, w.Body)
	}
}

// TestGenerationPathTricks: ids that are not generation names, however
// they are spelt in the path, are 400 and change nothing.
func TestGenerationPathTricks(t *testing.T) {
	f := newAdminFixture(t, 5)
	serving := f.live.Generation()
	for _, id := range []string{
		"..", "../x", "../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "%2e%2e%2f%2e%2e",
		"gen-1", serving + "%2F..", serving + "/../" + serving, ".%00", "gen-20260101-000000-000.tmp",
		"CURRENT", "%20",
	} {
		w := f.do(t, "POST", "/api/v1/generations/"+id+"/activate", "", nil)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "not a generation name") {
			t.Errorf("activate %q: %d %s, want 400", id, w.Code, w.Body)
		}
	}
	if w := f.do(t, "POST", "/api/v1/generations/gen-20200101-000000-000/activate", "", nil); w.Code != http.StatusNotFound {
		t.Errorf("unknown generation: %d %s, want 404", w.Code, w.Body)
	}
	if w := f.do(t, "POST", "/api/v1/generations/"+serving, "", nil); w.Code != http.StatusNotFound {
		t.Errorf("no /activate: %d %s, want 404", w.Code, w.Body)
	}
	if f.live.Generation() != serving {
		t.Errorf("serving changed to %s", f.live.Generation())
	}
}

func TestSchedulesAPI(t *testing.T) {
	f := newAdminFixture(t, 5)
	for _, c := range []struct {
		body string
		want int
		msg  string
	}{
		{`{"cron": "61 * * * *"}`, 400, "cron expression"},
		{`{"cron": ""}`, 400, "empty"},
		{`{"cron": "@every nonsense"}`, 400, "cron expression"},
		{`{"cron": "0 2 * * *", "zone": "x"}`, 400, `unknown field \"zone\"`},
		{`{"cron": 5}`, 400, `field \"cron\" must be a string, not a number`},
		{``, 400, "empty body"},
		{`[`, 400, "body must be JSON"},
		{`{"cron": "0 2 * * *"} {"cron": "0 3 * * *"}`, 400, "more than one JSON value"},
		{`{"cron": "CRON_TZ=UTC 0 2 * * *"}`, 400, "schedules run in the configured time zone, Asia/Shanghai"},
		{`{"cron": "TZ=Europe/Paris 0 2 * * *"}`, 400, "time_zone"},
		{`{"cron": "CRON_TZ=UTC"}`, 400, "time_zone"}, // the cron parser panics on it
	} {
		w := f.do(t, "POST", "/api/v1/schedules", c.body, nil)
		if w.Code != c.want || !strings.Contains(w.Body.String(), c.msg) || strings.Contains(w.Body.String(), "scheduleRequest") {
			t.Errorf("POST schedules %s: %d %s, want %d with %q", c.body, w.Code, w.Body, c.want, c.msg)
		}
	}
	var sc reindex.Schedule
	w := f.do(t, "POST", "/api/v1/schedules", `{"cron": "0 2 * * *", "name": "夜间重建"}`, &sc)
	if w.Code != http.StatusCreated || sc.ID == "" || sc.Description != "每天 02:00" || sc.Name != "夜间重建" || sc.Next.IsZero() {
		t.Fatalf("POST schedules: %d %s", w.Code, w.Body)
	}
	if sc.Next.Hour() != 2 && sc.TimeZone == "Asia/Shanghai" {
		t.Errorf("next firing %s is not at 02:00 in %s", sc.Next, sc.TimeZone)
	}
	// the same schedule again is a conflict naming the first
	if w := f.do(t, "POST", "/api/v1/schedules", `{"cron": "0  2 * * *", "name": "又一个"}`, nil); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), sc.ID) {
		t.Errorf("POST schedules again: %d %s, want 409 naming %s", w.Code, w.Body, sc.ID)
	}
	var list struct{ Schedules []reindex.Schedule }
	if f.do(t, "GET", "/api/v1/schedules", "", &list); len(list.Schedules) != 1 || list.Schedules[0].ID != sc.ID {
		t.Errorf("GET schedules: %+v", list)
	}
	if w := f.do(t, "DELETE", "/api/v1/schedules/"+sc.ID, "", nil); w.Code != http.StatusOK {
		t.Errorf("DELETE: %d %s", w.Code, w.Body)
	}
	for _, c := range []struct{ method, path string }{
		{"DELETE", "/api/v1/schedules/" + sc.ID},
		{"GET", "/api/v1/jobs/job-nope"},
		{"POST", "/api/v1/jobs/job-nope/cancel"},
	} {
		if w := f.do(t, c.method, c.path, "", nil); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "no ") {
			t.Errorf("%s %s: %d %s, want 404 with a message", c.method, c.path, w.Code, w.Body)
		}
	}
	for _, q := range []string{"0", "-1", "x", "1001"} {
		if w := f.do(t, "GET", "/api/v1/jobs?limit="+q, "", nil); w.Code != http.StatusBadRequest {
			t.Errorf("limit=%s: %d", q, w.Code)
		}
	}
}

// TestOpenAPIHasAdminRoutes: every admin route is described, with the
// bearer security scheme.
func TestOpenAPIHasAdminRoutes(t *testing.T) {
	var doc struct {
		Paths      map[string]map[string]struct{ Security []map[string][]string }
		Components struct {
			SecuritySchemes map[string]struct{ Type, Scheme string }
		}
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	if s := doc.Components.SecuritySchemes["bearerAuth"]; s.Type != "http" || s.Scheme != "bearer" {
		t.Errorf("bearerAuth scheme: %+v", s)
	}
	param := regexp.MustCompile(`/(job-1|sch-1|gen-20260101-000000-000)`)
	for _, rt := range adminRoutes {
		p := param.ReplaceAllString(rt.path, "/{id}")
		op, ok := doc.Paths[p][strings.ToLower(rt.method)]
		if !ok {
			t.Errorf("openapi.json lacks %s %s", rt.method, p)
			continue
		}
		if len(op.Security) == 0 {
			t.Errorf("%s %s has no security", rt.method, p)
		}
	}
}

func TestStatusOfJobErrors(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{reindex.ErrJobRunning, 409},
		{fmt.Errorf("x: %w", reindex.ErrJobDone), 409},
		{fmt.Errorf("%w: bad cron", errs.Invalid), 400},
		{fmt.Errorf("%w: no job", errs.NotFound), 404},
		{reindex.ErrClosed, 503},
		{errors.New("disk full"), 500},
	} {
		if got := statusOf(c.err); got != c.want {
			t.Errorf("statusOf(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}
