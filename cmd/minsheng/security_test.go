package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// These tests run the real binary for issue 21: who may do what, a trace
// of it, and nothing a local user or a stranger can bend.

// sampleData indexes the sample corpus into a new data folder.
func sampleData(t *testing.T, bin string) (data, sample string) {
	t.Helper()
	sample, err := filepath.Abs("../../corpus/sample")
	if err != nil {
		t.Fatal(err)
	}
	data = filepath.Join(t.TempDir(), "data")
	runIndexCmd(t, bin, data, sample)
	return data, sample
}

// fromAddr is an HTTP client whose connections leave from local address
// ip (any 127.x.y.z is the loopback on Linux): a client address of its own.
func fromAddr(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

// do sends a request with the bearer token tok ("" none) from client and
// returns the status, the Retry-After header and the body.
func do(t *testing.T, client *http.Client, method, url, tok, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// serveFails runs serve expecting it to refuse to start, and returns its
// standard error.
func serveFails(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err == nil || ctx.Err() != nil {
		t.Fatalf("serve %v started (or hung: %v); want a refusal\n%s", args, ctx.Err(), out)
	}
	return string(out)
}

// TestTokensAtStart: a short token is refused with how to make one; a
// token file others may read is refused; a 0600 file works and keeps the
// token out of the process list; --admin-token works with a warning.
func TestTokensAtStart(t *testing.T) {
	bin := buildTrimpathBinary(t)
	data, _ := sampleData(t, bin)
	dir := t.TempDir()
	addr := []string{"--data", data, "--addr", "127.0.0.1:0"}

	out := serveFails(t, bin, []string{"MINSHENG_ADMIN_TOKEN=short-secret"}, addr...)
	if !strings.Contains(out, "at least 24") || !strings.Contains(out, "openssl rand -base64 32") {
		t.Errorf("a 12-character token: %s", out)
	}
	tokFile := filepath.Join(dir, "admin.token")
	const tok = "file-token-of-more-than-24-characters"
	if err := os.WriteFile(tokFile, []byte(tok+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(tokFile, 0o644) // whatever the umask
	out = serveFails(t, bin, []string{"MINSHENG_ADMIN_TOKEN_FILE=" + tokFile}, addr...)
	if !strings.Contains(out, "mode 0644") || !strings.Contains(out, "chmod 600") {
		t.Errorf("a token file of mode 0644: %s", out)
	}
	edFile := filepath.Join(dir, "editor.token")
	if err := os.WriteFile(edFile, []byte(tok), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tokFile, 0o600); err != nil {
		t.Fatal(err)
	}
	out = serveFails(t, bin, []string{"MINSHENG_ADMIN_TOKEN_FILE=" + tokFile, "MINSHENG_EDITOR_TOKEN_FILE=" + edFile}, addr...)
	if !strings.Contains(out, "the editor token is the admin token") {
		t.Errorf("one token for both roles: %s", out)
	}

	s := startServeWith(t, bin, []string{"MINSHENG_ADMIN_TOKEN_FILE=" + tokFile}, append([]string{"serve"}, addr...)...)
	if code, _, body := do(t, http.DefaultClient, "GET", s.base+"/api/v1/jobs", tok, ""); code != http.StatusOK {
		t.Fatalf("token from the file: %d %s", code, body)
	}
	cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(s.cmd.Process.Pid), "cmdline"))
	if err == nil && strings.Contains(string(cmdline), tok) {
		t.Errorf("the token is in the process's command line")
	}
	if strings.Contains(s.logText(), "shows the token") {
		t.Errorf("a warning about --admin-token without the flag:\n%s", s.logText())
	}

	s.stop()
	s = startServeWith(t, bin, nil, append([]string{"serve", "--admin-token", tok}, addr...)...)
	if code, _, _ := do(t, http.DefaultClient, "GET", s.base+"/api/v1/jobs", tok, ""); code != http.StatusOK {
		t.Fatalf("--admin-token: %d", code)
	}
	if !strings.Contains(s.logText(), "level=WARN msg=\"--admin-token shows the token") {
		t.Errorf("--admin-token without a warning:\n%s", s.logText())
	}
}

// stop ends a server with SIGINT and waits for it.
func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	<-s.done
}

// TestAuthThrottleRealServer: after limits.auth_failures wrong tokens in a
// minute, one address gets 429 with Retry-After, even with the right
// token, while another address is served; the failures are logged at warn
// with the address and route, never the token.
func TestAuthThrottleRealServer(t *testing.T) {
	bin := buildTrimpathBinary(t)
	data, _ := sampleData(t, bin)
	s := startServeWith(t, bin, []string{"MINSHENG_ADMIN_TOKEN=" + e2eToken, "MINSHENG_AUTH_FAILURES=5"},
		"serve", "--data", data, "--addr", "127.0.0.1:0")
	attacker, other := fromAddr("127.0.0.2"), fromAddr("127.0.0.3")
	const guess = "guessed-token-number-007"
	for i := range 5 {
		if code, _, body := do(t, attacker, "POST", s.base+"/api/v1/reindex", guess, ""); code != http.StatusForbidden {
			t.Fatalf("wrong token %d: %d %s", i+1, code, body)
		}
	}
	for _, tok := range []string{guess, e2eToken} {
		code, h, body := do(t, attacker, "GET", s.base+"/api/v1/jobs", tok, "")
		if code != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
			t.Fatalf("after 5 failures: %d Retry-After %q %s; want 429 with Retry-After", code, h.Get("Retry-After"), body)
		}
	}
	if code, _, body := do(t, other, "GET", s.base+"/api/v1/jobs", e2eToken, ""); code != http.StatusOK {
		t.Fatalf("another address: %d %s", code, body)
	}
	if code, _, _ := do(t, attacker, "GET", s.base+"/api/v1/search?q=教育", "", ""); code != http.StatusOK {
		t.Errorf("the throttled address cannot search: %d", code)
	}
	log := s.logText()
	if n := strings.Count(log, `level=WARN msg="authentication failed" client=127.0.0.2 method=POST route=/api/v1/reindex`); n != 5 {
		t.Errorf("%d failures logged with address and route, want 5:\n%s", n, log)
	}
	if strings.Contains(log, guess) {
		t.Errorf("the log holds the guessed token")
	}
}

// TestAuditRealServer: every admin route is an audit record in the data
// folder, listed by GET /api/v1/audit and still there after a restart.
func TestAuditRealServer(t *testing.T) {
	bin := buildTrimpathBinary(t)
	data, sample := sampleData(t, bin)
	env := []string{"MINSHENG_ADMIN_TOKEN=" + e2eToken}
	args := []string{"serve", "--data", data, "--addr", "127.0.0.1:0", "--source", sample}
	s := startServeWith(t, bin, env, args...)
	c := fromAddr("127.0.0.4")
	var gen string
	{
		_, _, body := do(t, c, "GET", s.base+"/api/v1/generations", e2eToken, "")
		var g struct{ Generations []struct{ Name string } }
		json.Unmarshal([]byte(body), &g)
		if len(g.Generations) == 0 {
			t.Fatalf("no generation: %s", body)
		}
		gen = g.Generations[0].Name
	}
	_, _, body := do(t, c, "POST", s.base+"/api/v1/reindex", e2eToken, "")
	var job struct{ ID string }
	json.Unmarshal([]byte(body), &job)
	calls := []struct{ method, path, body string }{
		{"GET", "/api/v1/jobs?limit=3", ""},
		{"GET", "/api/v1/jobs/" + job.ID, ""},
		{"POST", "/api/v1/jobs/" + job.ID + "/cancel", ""},
		{"POST", "/api/v1/schedules", `{"cron": "0 3 * * *", "name": "夜间重建"}`},
		{"GET", "/api/v1/schedules", ""},
		{"DELETE", "/api/v1/schedules/sch-0001", ""},
		{"POST", "/api/v1/generations/" + gen + "/activate", ""},
		{"GET", "/api/v1/audit?limit=1", ""},
	}
	for _, k := range calls {
		do(t, c, k.method, s.base+k.path, e2eToken, k.body)
	}
	s.stop()
	s = startServeWith(t, bin, env, args...)
	code, _, body := do(t, c, "GET", s.base+"/api/v1/audit?limit=1000", e2eToken, "")
	var res struct {
		Records []struct {
			Token, Client, Method, Route, Path, Outcome string
			Status                                      int
			Params                                      map[string]string
		}
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || code != http.StatusOK {
		t.Fatalf("GET /api/v1/audit: %d %s", code, body)
	}
	want := append([]struct{ method, path, body string }{{"GET", "/api/v1/generations", ""}, {"POST", "/api/v1/reindex", ""}}, calls...)
	if len(res.Records) != len(want) {
		t.Fatalf("%d records after a restart, want %d: %s", len(res.Records), len(want), body)
	}
	for i, r := range res.Records {
		w := want[len(want)-1-i]
		path, _, _ := strings.Cut(w.path, "?")
		if r.Method != w.method || r.Path != path || r.Token != "admin" || r.Client != "127.0.0.4" || r.Status == 0 || r.Outcome == "" {
			t.Errorf("record %d, for %s %s: %+v", i, w.method, w.path, r)
		}
		if w.body != "" && r.Params["body"] != w.body {
			t.Errorf("record of %s %s lacks its body: %v", w.method, w.path, r.Params)
		}
	}
}

// TestScheduleMinimumRealServer: "@every 1s" and every-minute crons are
// refused with 400 naming the minimum interval; a nightly one is taken.
func TestScheduleMinimumRealServer(t *testing.T) {
	bin := buildTrimpathBinary(t)
	data, _ := sampleData(t, bin)
	s := startServeWith(t, bin, []string{"MINSHENG_ADMIN_TOKEN=" + e2eToken}, "serve", "--data", data, "--addr", "127.0.0.1:0")
	for _, cron := range []string{"@every 1s", "* * * * *", "*/10 * * * *"} {
		code, _, body := do(t, http.DefaultClient, "POST", s.base+"/api/v1/schedules", e2eToken, `{"cron": "`+cron+`"}`)
		if code != http.StatusBadRequest || !strings.Contains(body, "1h0m0s") || !strings.Contains(body, "min_schedule_interval") {
			t.Errorf("%q: %d %s; want 400 naming the minimum", cron, code, body)
		}
	}
	if code, _, body := do(t, http.DefaultClient, "POST", s.base+"/api/v1/schedules", e2eToken, `{"cron": "0 2 * * *"}`); code != http.StatusCreated {
		t.Errorf("a nightly schedule: %d %s", code, body)
	}
}

// TestPlantedDictionaryRealServer: a malformed jieba.dict.utf8 planted in
// the cache folder beside an "ok" file (cppjieba aborted on it) is
// rewritten at start: the service starts and segments correctly. A cache
// folder others may write is refused with a message, and so is a
// malformed user dictionary file, before gojieba sees it.
func TestPlantedDictionaryRealServer(t *testing.T) {
	bin := buildTrimpathBinary(t)
	cache := filepath.Join(t.TempDir(), "cache")
	env := []string{"MINSHENG_CACHE_DIR=" + cache}
	sample, _ := filepath.Abs("../../corpus/sample")
	data := filepath.Join(t.TempDir(), "data")
	cmd := exec.Command(bin, "index", "--data", data, "--source", sample)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("index: %v\n%s", err, out)
	}
	dicts, _ := filepath.Glob(filepath.Join(cache, "jieba-*", "jieba.dict.utf8"))
	if len(dicts) != 1 {
		t.Fatalf("cache holds %v", dicts)
	}
	if err := os.WriteFile(dicts[0], []byte("植入 x\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(filepath.Dir(dicts[0]), "ok"), nil, 0o600)
	s := startServeWith(t, bin, env, "serve", "--data", data, "--addr", "127.0.0.1:0")
	waitOK(t, s.base+"/healthz")
	// the query is segmented by the segmenter serve loaded from the cache
	// (cppjieba aborted the process on the planted file before)
	code, _, body := do(t, http.DefaultClient, "GET", s.base+"/api/v1/search?q=乡村振兴&size=1", "", "")
	var res struct{ Total int }
	json.Unmarshal([]byte(body), &res)
	if code != http.StatusOK || res.Total < 20 {
		t.Fatalf("search after a planted dictionary: %d %s", code, body)
	}
	if b, _ := os.ReadFile(dicts[0]); len(b) < 1<<20 {
		t.Errorf("the planted dictionary was not rewritten: %d bytes", len(b))
	}
	s.stop()

	open := filepath.Join(t.TempDir(), "open")
	os.Mkdir(open, 0o777)
	os.Chmod(open, 0o777)
	out := serveFails(t, bin, []string{"MINSHENG_CACHE_DIR=" + open}, "--data", data, "--addr", "127.0.0.1:0")
	if !strings.Contains(out, "written by others") || !strings.Contains(out, "MINSHENG_CACHE_DIR") {
		t.Errorf("a cache folder of mode 0777: %s", out)
	}
	user := filepath.Join(t.TempDir(), "user.dict")
	os.WriteFile(user, []byte("代表建议 NaN n\n"), 0o600)
	out = serveFails(t, bin, env, "--data", data, "--addr", "127.0.0.1:0", "--user-dict", user)
	if !strings.Contains(out, "user_dict "+user) || !strings.Contains(out, "frequency") {
		t.Errorf("a malformed user dictionary: %s", out)
	}
}

// TestOwnerOnlyFilesUnderUmask000: index and serve (with a reindex job, an
// audit record and a schedule) started under umask 000 leave nothing in
// the data folder that group or others may read or write.
func TestOwnerOnlyFilesUnderUmask000(t *testing.T) {
	bin := buildTrimpathBinary(t)
	sample, _ := filepath.Abs("../../corpus/sample")
	data := filepath.Join(t.TempDir(), "data")
	out, err := exec.Command("sh", "-c", `umask 000 && exec "$0" index --data "$1" --source "$2"`, bin, data, sample).CombinedOutput()
	if err != nil {
		t.Fatalf("index under umask 000: %v\n%s", err, out)
	}
	s := startServeWith(t, "sh", []string{"MINSHENG_ADMIN_TOKEN=" + e2eToken},
		"-c", `umask 000 && exec "$0" serve --data "$1" --addr 127.0.0.1:0 --source "$2"`, bin, data, sample)
	var job struct{ ID string }
	if code := s.call(t, "POST", "/api/v1/reindex", "", &job); code != http.StatusAccepted {
		t.Fatalf("reindex: %d", code)
	}
	s.pollJob(t, job.ID, 2*time.Minute, func(j apiJob) bool { return j.State == "succeeded" })
	s.call(t, "POST", "/api/v1/schedules", `{"cron": "0 2 * * *"}`, nil)
	s.stop()
	n := 0
	filepath.WalkDir(data, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := d.Info()
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: mode %04o, want owner-only", path, fi.Mode().Perm())
		}
		n++
		return nil
	})
	for _, f := range []string{"CURRENT", "jobs.db", "audit.db", "generations"} {
		if _, err := os.Stat(filepath.Join(data, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if n < 10 {
		t.Fatalf("only %d entries in the data folder", n)
	}
}
