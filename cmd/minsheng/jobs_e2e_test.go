package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests run the real binary: build it, index, serve, kill.

const e2eToken = "e2e-admin-token-of-32-characters"

// buildBinary compiles minsheng into a temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "minsheng")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// writeDocs writes JSON Lines documents until the file holds at least
// size bytes (at least n documents); every document holds 教育. It returns
// the number of documents.
func writeDocs(t *testing.T, path string, n int, size int64) int {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	topics := []string{"医疗卫生", "交通运输", "生态环境", "乡村振兴", "养老服务", "住房保障"}
	var written int64
	i := 0
	for ; i < n || written < size; i++ {
		body := fmt.Sprintf("第%d号建议：关于教育和%s的意见。", i, topics[i%len(topics)]) +
			strings.Repeat(fmt.Sprintf("代表建议有关部门加强%s工作，切实解决群众反映的突出问题，推动措施落到实处。", topics[(i/7)%len(topics)]), 8)
		b, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("d%d", i), "title": fmt.Sprintf("关于%s的建议（%d）", topics[i%len(topics)], i),
			"body": body, "date": fmt.Sprintf("2024-%02d-%02d", i%12+1, i%28+1), "delegation": "省直代表团"})
		k, _ := w.Write(append(b, '\n'))
		written += int64(k)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return i
}

// server is a running `minsheng serve`.
type server struct {
	cmd  *exec.Cmd
	base string
	done chan struct{} // closed when the process has exited
	mu   sync.Mutex    // guards log
	log  bytes.Buffer
}

var servingAddr = regexp.MustCompile(`msg=serving addr=(https?://\S+)`)

// startServe runs serve on a free port and waits until it listens.
func startServe(t *testing.T, bin, data string, sources ...string) *server {
	t.Helper()
	args := []string{"serve", "--data", data, "--addr", "127.0.0.1:0"}
	for _, s := range sources {
		args = append(args, "--source", s)
	}
	return startServeWith(t, bin, []string{"MINSHENG_ADMIN_TOKEN=" + e2eToken}, args...)
}

// startServeWith runs the binary with args and env (besides the test's
// own environment, a text log at info and build_sched normal) and waits
// until it listens. Its jobs build at the normal scheduling class: the
// tests of other packages share the CPU with them, and a build under
// SCHED_IDLE, the default, would wait for those (TestLowerPriorityIdle
// tests that class).
func startServeWith(t *testing.T, bin string, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), "MINSHENG_LOG_FORMAT=text", "MINSHENG_LOG_LEVEL=info", "MINSHENG_BUILD_SCHED="+buildSchedNormal), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.log.WriteString(line + "\n")
			s.mu.Unlock()
			if m := servingAddr.FindStringSubmatch(line); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-s.done
		if t.Failed() {
			t.Logf("server log:\n%s", s.logText())
		}
	})
	select {
	case s.base = <-addr:
	case <-s.done:
		t.Fatalf("serve exited: %v\n%s", cmd.ProcessState, s.logText())
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start listening\n%s", s.logText())
	}
	return s
}

func (s *server) logText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// logHas waits up to 5 s for the server's log to hold every one of subs
// and returns whether it did: the log reaches the test through a pipe and
// a goroutine, so a line written before a response may arrive after it.
func (s *server) logHas(subs ...string) bool {
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		log, all := s.logText(), true
		for _, sub := range subs {
			all = all && strings.Contains(log, sub)
		}
		if all || time.Now().After(deadline) {
			return all
		}
	}
}

// call sends a request (with the admin token when admin) and decodes the
// JSON answer into out.
func (s *server) call(t *testing.T, method, path, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e2eToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

// apiJob is the part of a job record these tests read.
type apiJob struct {
	ID         string  `json:"id"`
	Trigger    string  `json:"trigger"`
	State      string  `json:"state"`
	Start      string  `json:"start"`
	Docs       int     `json:"docs"`
	TotalBytes int64   `json:"total_bytes"`
	Bytes      int64   `json:"bytes_done"`
	Rate       float64 `json:"docs_per_second"`
	ETA        float64 `json:"eta_seconds"`
	Error      string  `json:"error"`
	Generation string  `json:"generation"`
}

// pollJob polls job id until ok says so.
func (s *server) pollJob(t *testing.T, id string, within time.Duration, ok func(apiJob) bool) apiJob {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var j apiJob
		if code := s.call(t, "GET", "/api/v1/jobs/"+id, "", &j); code != http.StatusOK {
			t.Fatalf("GET job %s: %d", id, code)
		}
		if ok(j) {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s after %s: %+v", id, within, j)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) searchTotal(t *testing.T, q string) (int, int) {
	t.Helper()
	var res struct {
		Total int `json:"total"`
	}
	code := s.call(t, "GET", "/api/v1/search?q="+q, "", &res)
	return code, res.Total
}

func (s *server) generation(t *testing.T) string {
	var h struct {
		Generation string `json:"generation"`
	}
	s.call(t, "GET", "/healthz", "", &h)
	return h.Generation
}

func partialFolders(t *testing.T, data string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(data, "generations", "*.tmp"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func runIndexCmd(t *testing.T, bin, data, src string) {
	t.Helper()
	out, err := exec.Command(bin, "index", "--data", data, "--source", src).CombinedOutput()
	if err != nil {
		t.Fatalf("minsheng index: %v\n%s", err, out)
	}
}

// largeReindex is a server that serves a generation of a small source
// and has started a reindex job of a large one.
type largeReindex struct {
	data, small, large string
	nSmall             int
	s                  *server
	gen0               string // the generation of the small source
	job                apiJob
}

// startLargeReindex indexes 200 documents with bin's index command,
// serves them with a large source of size bytes configured, and starts a
// reindex job.
func startLargeReindex(t *testing.T, bin string, size int64) largeReindex {
	t.Helper()
	r := largeReindex{data: t.TempDir()}
	srcDir := t.TempDir()
	r.small, r.large = filepath.Join(srcDir, "small.jsonl"), filepath.Join(srcDir, "large.jsonl")
	r.nSmall = writeDocs(t, r.small, 200, 0)
	start := time.Now()
	nLarge := writeDocs(t, r.large, 0, size)
	t.Logf("large source: %d documents, %d MB, written in %s", nLarge, size>>20, time.Since(start).Round(time.Millisecond))
	runIndexCmd(t, bin, r.data, r.small)
	r.s = startServe(t, bin, r.data, r.large)
	r.gen0 = r.s.generation(t)
	if code := r.s.call(t, "POST", "/api/v1/reindex", "", &r.job); code != http.StatusAccepted {
		t.Fatalf("reindex: %d %+v", code, r.job)
	}
	return r
}

// TestKillDuringReindex: SIGKILL in the middle of a reindex of a large
// source, of the server and its build process. On restart the previous
// generation serves at once, the job is failed, the partial folder is
// gone, and the next reindex succeeds. Then SIGTERM during a reindex stops
// the job cleanly.
func TestKillDuringReindex(t *testing.T) {
	bin := buildBinary(t)
	sc := startLargeReindex(t, bin, 64<<20)
	data, small, nSmall, large, s, gen0, job := sc.data, sc.small, sc.nSmall, sc.large, sc.s, sc.gen0, sc.job
	j := s.pollJob(t, job.ID, time.Minute, func(j apiJob) bool { return j.Docs > 0 || j.State != "running" })
	if j.State != "running" || j.TotalBytes < 64<<20 || j.Rate <= 0 {
		t.Fatalf("job before the kill: %+v", j)
	}
	t.Logf("killing with SIGKILL at %d documents (%.1f%% of the bytes), %.0f docs/s", j.Docs, 100*float64(j.Bytes)/float64(j.TotalBytes), j.Rate)
	// the machine stops: the server and its build process at once, so
	// that neither cleans up after the build (the process is stopped
	// first: it would take the SIGTERM of its server's death as a cancel)
	build := s.buildProcess(t, 1)
	syscall.Kill(build, syscall.SIGSTOP)
	s.cmd.Process.Signal(syscall.SIGKILL)
	syscall.Kill(build, syscall.SIGKILL)
	<-s.done // the server's log is closed once both have exited
	if p := partialFolders(t, data); len(p) != 1 {
		t.Fatalf("partial folders after the kill: %v", p)
	}

	restart := time.Now()
	s = startServe(t, bin, data, small)
	code, total := s.searchTotal(t, "教育")
	up := time.Since(restart)
	t.Logf("after the restart, search answered %d with %d results in %s", code, total, up.Round(time.Millisecond))
	if code != http.StatusOK || total != nSmall {
		t.Errorf("search after restart: %d, %d results; want 200 and %d", code, total, nSmall)
	}
	if up > 15*time.Second {
		t.Errorf("search took %s to answer after the restart", up)
	}
	if g := s.generation(t); g != gen0 {
		t.Errorf("serving %s after restart, want the previous %s", g, gen0)
	}
	if p := partialFolders(t, data); len(p) != 0 {
		t.Errorf("partial folder left after restart: %v", p)
	}
	j = s.pollJob(t, job.ID, 0, func(apiJob) bool { return true })
	if j.State != "failed" || !strings.Contains(j.Error, "interrupted") {
		t.Errorf("killed job after restart: %+v", j)
	}
	var next apiJob
	if code := s.call(t, "POST", "/api/v1/reindex", "", &next); code != http.StatusAccepted {
		t.Fatalf("second reindex: %d", code)
	}
	next = s.pollJob(t, next.ID, 60*time.Second, func(j apiJob) bool { return j.State != "running" })
	if next.State != "succeeded" || next.Docs != nSmall || next.Generation == "" {
		t.Fatalf("reindex after the crash: %+v", next)
	}
	if g := s.generation(t); g != next.Generation {
		t.Errorf("serving %s, want the new %s", g, next.Generation)
	}
	if code, total := s.searchTotal(t, "教育"); code != 200 || total != nSmall {
		t.Errorf("search on the new generation: %d, %d", code, total)
	}

	// SIGTERM during a reindex: the job is cancelled, the process exits
	// cleanly, the partial folder is removed and the record says why.
	s.cmd.Process.Signal(syscall.SIGTERM)
	<-s.done
	s = startServe(t, bin, data, large)
	var third apiJob
	s.call(t, "POST", "/api/v1/reindex", "", &third)
	s.pollJob(t, third.ID, time.Minute, func(j apiJob) bool { return j.Docs > 0 || j.State != "running" })
	stop := time.Now()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s of SIGTERM during a job")
	}
	t.Logf("SIGTERM during a job: exited in %s with %v", time.Since(stop).Round(time.Millisecond), s.cmd.ProcessState)
	if !s.cmd.ProcessState.Success() {
		t.Errorf("exit after SIGTERM: %v", s.cmd.ProcessState)
	}
	if p := partialFolders(t, data); len(p) != 0 {
		t.Errorf("partial folder left after SIGTERM: %v", p)
	}
	s = startServe(t, bin, data, small)
	j = s.pollJob(t, third.ID, 0, func(apiJob) bool { return true })
	if j.State != "failed" || !strings.Contains(j.Error, "interrupted") {
		t.Errorf("job stopped by SIGTERM: %+v", j)
	}
	if g := s.generation(t); g != next.Generation {
		t.Errorf("serving %s, want %s", g, next.Generation)
	}
}

// TestScheduleSurvivesRestart: a schedule created through the API fires,
// is still there after a restart, fires again, and its jobs are in the
// history with the trigger schedule:<id>.
func TestScheduleSurvivesRestart(t *testing.T) {
	bin := buildBinary(t)
	data, srcDir := t.TempDir(), t.TempDir()
	src := filepath.Join(srcDir, "docs.jsonl")
	n := writeDocs(t, src, 50, 0)
	runIndexCmd(t, bin, data, src)
	// a schedule every 2 s: the minimum interval (1 h by default) is
	// lowered for this test of firing and restarts
	env := []string{"MINSHENG_ADMIN_TOKEN=" + e2eToken, "MINSHENG_MIN_SCHEDULE_INTERVAL=1s"}
	args := []string{"serve", "--data", data, "--addr", "127.0.0.1:0", "--source", src}
	s := startServeWith(t, bin, env, args...)
	var sc struct {
		ID          string `json:"id"`
		Description string `json:"description"`
		Next        string `json:"next"`
	}
	if code := s.call(t, "POST", "/api/v1/schedules", `{"cron": "@every 2s", "name": "测试计划"}`, &sc); code != http.StatusCreated {
		t.Fatalf("POST schedules: %d", code)
	}
	if sc.ID == "" || sc.Description != "每 2 秒" || sc.Next == "" {
		t.Errorf("schedule: %+v", sc)
	}
	trigger := "schedule:" + sc.ID
	// waitScheduled returns the jobs of the schedule once one started
	// after since has succeeded.
	waitScheduled := func(since time.Time) []apiJob {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			var list struct{ Jobs []apiJob }
			s.call(t, "GET", "/api/v1/jobs?limit=100", "", &list)
			var mine []apiJob
			done := false
			for _, j := range list.Jobs {
				if j.Trigger != trigger {
					continue
				}
				mine = append(mine, j)
				st, _ := time.Parse(time.RFC3339Nano, j.Start)
				if j.State == "succeeded" && st.After(since) && j.Docs == n {
					done = true
				}
			}
			if done {
				return mine
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("no succeeded job with trigger %s after %s", trigger, since)
		return nil
	}
	first := waitScheduled(time.Time{})
	s.cmd.Process.Signal(syscall.SIGTERM)
	<-s.done
	restart := time.Now()
	s = startServeWith(t, bin, env, args...)
	var list struct {
		Schedules []struct {
			ID   string `json:"id"`
			Cron string `json:"cron"`
		}
	}
	if s.call(t, "GET", "/api/v1/schedules", "", &list); len(list.Schedules) != 1 || list.Schedules[0].ID != sc.ID || list.Schedules[0].Cron != "@every 2s" {
		t.Fatalf("schedules after restart: %+v", list)
	}
	after := waitScheduled(restart)
	t.Logf("schedule %s: %d records before the restart, %d after", sc.ID, len(first), len(after))
	seen := map[string]bool{}
	for _, j := range after {
		seen[j.ID] = true
	}
	for _, j := range first {
		if j.State == "succeeded" && !seen[j.ID] {
			t.Errorf("job %s of before the restart is missing from the history", j.ID)
		}
	}
	if code := s.call(t, "DELETE", "/api/v1/schedules/"+sc.ID, "", nil); code != http.StatusOK {
		t.Errorf("DELETE schedule: %d", code)
	}
}
