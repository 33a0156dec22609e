package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"minsheng/corpus"
	"minsheng/indexer"
)

// TestMain runs the build-job command when a server of these tests starts
// its build process: the tests that run serve in this process (the web UI
// in Chromium) make the test binary the server's executable. After the
// tests it removes the binary buildTrimpathBinary built (66 MB a run).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == buildJobCommand {
		main()
		os.Exit(0)
	}
	code := m.Run()
	if trimpathBuild.dir != "" {
		os.RemoveAll(trimpathBuild.dir)
	}
	os.Exit(code)
}

// The build-job command builds what its request names and reports on
// stdout, one message a line: progress, the problems of the sources, then
// the manifest; a build that fails reports its error instead, which main
// does not print again.
func TestBuildJobCommand(t *testing.T) {
	data, src := t.TempDir(), t.TempDir()
	n := writeDocs(t, filepath.Join(src, "docs.jsonl"), 300, 0)
	// one document and one broken record
	os.WriteFile(filepath.Join(src, "bad.jsonl"), []byte("{\"id\": \"x\", \"title\": \"无正文\"}\nnot json\n"), 0o600)
	req := func(sources ...string) io.Reader {
		b, err := json.Marshal(buildJobRequest{Config: Config{Data: data, Sources: sources, LogLevel: "error", LogFormat: "text"}, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		return bytes.NewReader(b)
	}
	var out bytes.Buffer
	if err := runBuildJob(t.Context(), req(src), &out); err != nil {
		t.Fatalf("build-job: %v\n%s", err, out.String())
	}
	var progress, problems int
	man, msg, err := readBuildJob(&out, indexer.BuildOptions{
		Progress: func(indexer.Progress) { progress++ },
		Problem:  func(corpus.Problem) { problems++ },
	})
	if err != nil || msg != "" {
		t.Fatalf("read the messages: %v %q", err, msg)
	}
	if man == nil || man.Docs != n+1 || man.Skipped != 1 || progress == 0 || problems != 1 {
		t.Fatalf("manifest %+v after %d progress and %d problem messages; want %d documents, 1 skipped, progress and the problem", man, progress, problems, n+1)
	}
	if cur, err := indexer.Current(data); err != nil || cur != man.Name {
		t.Errorf("current generation %q (%v), want the new %s", cur, err, man.Name)
	}

	out.Reset()
	err = runBuildJob(t.Context(), req(filepath.Join(src, "missing.jsonl")), &out)
	if !errors.Is(err, errReported) {
		t.Fatalf("build of a missing source: %v, want errReported", err)
	}
	man, msg, err = readBuildJob(&out, indexer.BuildOptions{})
	if err != nil || man != nil || !strings.Contains(msg, "missing.jsonl") {
		t.Errorf("build of a missing source reported %+v, %q, %v; want an error naming the file", man, msg, err)
	}
	if err := runBuildJob(t.Context(), strings.NewReader("{"), io.Discard); err == nil || errors.Is(err, errReported) {
		t.Errorf("a request that is not JSON: %v, want an error of its own", err)
	}
	if err := run(t.Context(), []string{buildJobCommand, "--data", data}, io.Discard); err == nil || !strings.Contains(err.Error(), "minsheng index") {
		t.Errorf("build-job with arguments, as by hand: %v, want an error pointing at minsheng index", err)
	}
}

var buildPID = regexp.MustCompile(`msg="build process started" pid=(\d+)`)

// buildProcess waits for the server's log to name its nth build process
// (from 1) and returns its pid.
func (s *server) buildProcess(t *testing.T, nth int) int {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := buildPID.FindAllStringSubmatch(s.logText(), -1); len(m) >= nth {
			pid, _ := strconv.Atoi(m[nth-1][1])
			return pid
		}
	}
	t.Fatalf("no build process %d in the log:\n%s", nth, s.logText())
	return 0
}

// procStat is the fields of /proc/PID[/task/TID]/stat after the command
// name: state first (field 3), then ppid (4) ... nice (19).
func procStat(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil, fmt.Errorf("%s: %q", path, b)
	}
	return strings.Fields(string(b[i+1:])), nil
}

// exited says whether process pid is gone (or a zombie nobody reaps).
func exited(pid int) bool {
	f, err := procStat(fmt.Sprintf("/proc/%d/stat", pid))
	return err != nil || f[0] == "Z" || f[0] == "X"
}

// A reindex job of the server builds in a process of its own, a child of
// the server at build_nice, every thread of it, while the server answers
// searches. A build process killed mid-build fails the job with a reason,
// its partial generation removed, and the server serves on; a cancelled
// job stops its process; a server killed mid-build takes its build
// process with it, which removes its partial generation.
func TestBuildProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/task"); err != nil {
		t.Skip("skipping: reads the build process's threads in /proc")
	}
	sc := startLargeReindex(t, buildBinary(t), 48<<20)
	data, nSmall, s, gen0, job := sc.data, sc.nSmall, sc.s, sc.gen0, sc.job
	pid := s.buildProcess(t, 1)
	s.pollJob(t, job.ID, time.Minute, func(j apiJob) bool { return j.Docs > 0 || j.State != "running" })
	st, err := procStat(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatalf("build process %d: %v", pid, err)
	}
	if st[1] != strconv.Itoa(s.cmd.Process.Pid) {
		t.Errorf("build process %d has parent %s, want the server %d", pid, st[1], s.cmd.Process.Pid)
	}
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
	for _, task := range tasks {
		if f, err := procStat(task); err == nil && f[16] != strconv.Itoa(defaultBuildNice) {
			t.Errorf("thread %s of the build process runs at nice %s, want %d", task, f[16], defaultBuildNice)
		}
	}
	if len(tasks) == 0 {
		t.Errorf("no threads of the build process %d", pid)
	}
	if code, total := s.searchTotal(t, "教育"); code != http.StatusOK || total != nSmall {
		t.Errorf("search during the build: %d, %d results; want 200 and %d", code, total, nSmall)
	}

	syscall.Kill(pid, syscall.SIGKILL)
	j := s.pollJob(t, job.ID, 30*time.Second, func(j apiJob) bool { return j.State != "running" })
	if j.State != "failed" || !strings.Contains(j.Error, "build process ended without a result") || !strings.Contains(j.Error, "killed") {
		t.Errorf("job of a killed build process: %+v", j)
	}
	if p := partialFolders(t, data); len(p) != 0 {
		t.Errorf("partial folder left by the killed build process: %v", p)
	}
	if g := s.generation(t); g != gen0 {
		t.Errorf("serving %s after the failed job, want %s", g, gen0)
	}
	if code, total := s.searchTotal(t, "教育"); code != http.StatusOK || total != nSmall {
		t.Errorf("search after the build process was killed: %d, %d results; want 200 and %d", code, total, nSmall)
	}

	// a job cancelled through the API: its process stops and cleans up
	var next apiJob
	if code := s.call(t, "POST", "/api/v1/reindex", "", &next); code != http.StatusAccepted {
		t.Fatalf("second reindex: %d %+v", code, next)
	}
	s.pollJob(t, next.ID, time.Minute, func(j apiJob) bool { return j.Docs > 0 || j.State != "running" })
	pid = s.buildProcess(t, 2)
	if code := s.call(t, "POST", "/api/v1/jobs/"+next.ID+"/cancel", "", nil); code != http.StatusAccepted {
		t.Fatalf("cancel: %d", code)
	}
	j = s.pollJob(t, next.ID, 30*time.Second, func(j apiJob) bool { return j.State != "running" })
	if j.State != "cancelled" || !exited(pid) {
		t.Errorf("cancelled job %+v; its build process exited: %v", j, exited(pid))
	}
	if p := partialFolders(t, data); len(p) != 0 {
		t.Errorf("partial folder left by a cancelled job: %v", p)
	}

	// a server killed during a job
	if code := s.call(t, "POST", "/api/v1/reindex", "", &next); code != http.StatusAccepted {
		t.Fatalf("third reindex: %d %+v", code, next)
	}
	s.pollJob(t, next.ID, time.Minute, func(j apiJob) bool { return j.Docs > 0 || j.State != "running" })
	pid = s.buildProcess(t, 3)
	killed := time.Now()
	s.cmd.Process.Signal(syscall.SIGKILL)
	// the build of the rest of the source takes far longer
	for deadline := killed.Add(10 * time.Second); !exited(pid); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("build process %d still runs 10 s after its server was killed", pid)
		}
	}
	t.Logf("the build process ended %s after its server was killed", time.Since(killed).Round(time.Millisecond))
	<-s.done // its log is the server's: closed once both have exited
	if p := partialFolders(t, data); len(p) != 0 {
		t.Errorf("partial folder left by the build process of a killed server: %v", p)
	}
}

// serve refuses a build_in, build_nice or build_sched it cannot use,
// naming it.
func TestBuildInSetting(t *testing.T) {
	if c := DefaultConfig(); c.BuildIn != buildInProcess || c.BuildNice != defaultBuildNice || c.BuildSched != buildSchedIdle {
		t.Errorf("defaults build_in %q, build_nice %d, build_sched %q; want %q, %d and %q", c.BuildIn, c.BuildNice, c.BuildSched, buildInProcess, defaultBuildNice, buildSchedIdle)
	}
	for _, c := range []struct{ env, value, name string }{
		{"MINSHENG_BUILD_IN", "thread", "build_in"},
		{"MINSHENG_BUILD_NICE", "20", "build_nice"},
		{"MINSHENG_BUILD_NICE", "-1", "build_nice"},
		{"MINSHENG_BUILD_SCHED", "batch", "build_sched"},
	} {
		t.Run(c.env+"="+c.value, func(t *testing.T) {
			t.Setenv(c.env, c.value)
			err := runServe(context.Background(), []string{"--data", t.TempDir()}, io.Discard)
			if err == nil || !strings.Contains(err.Error(), c.name) {
				t.Errorf("%s=%s: %v, want an error naming %s", c.env, c.value, err, c.name)
			}
		})
	}
}

// lowerPriority with idle puts every thread of the process under
// SCHED_IDLE at the niceness asked, threads started later too. It runs in
// a process of its own (this test binary again), whose priority it may
// lower for good.
func TestLowerPriorityIdle(t *testing.T) {
	if _, err := os.Stat("/proc/self/task"); err != nil {
		t.Skip("skipping: reads the threads in /proc")
	}
	if os.Getenv("MINSHENG_TEST_LOWER_PRIORITY") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLowerPriorityIdle$", "-test.v")
		cmd.Env = append(os.Environ(), "MINSHENG_TEST_LOWER_PRIORITY=1")
		out, err := cmd.CombinedOutput()
		if err == nil && !bytes.Contains(out, []byte("--- PASS: TestLowerPriorityIdle")) {
			err = errors.New("it did not pass")
		}
		if err != nil {
			t.Fatalf("the process of lowered priority: %v\n%s", err, out)
		}
		return
	}
	if err := lowerPriority(7, true); err != nil {
		t.Fatal(err)
	}
	// threads started after: a goroutine locked to its thread takes a new one
	started, stop := make(chan struct{}), make(chan struct{})
	for i := 0; i < 4; i++ {
		go func() {
			runtime.LockOSThread()
			started <- struct{}{}
			<-stop
		}()
	}
	for i := 0; i < 4; i++ {
		<-started
	}
	defer close(stop)
	tasks, _ := filepath.Glob("/proc/self/task/*/stat")
	if len(tasks) < 5 {
		t.Fatalf("%d threads, want at least the 4 started and the main one", len(tasks))
	}
	for _, task := range tasks {
		f, err := procStat(task)
		if err != nil {
			continue // ended since
		}
		// fields 19 and 41 of proc(5), counted from 3 after the name
		if f[16] != "7" || f[38] != "5" {
			t.Errorf("thread %s at nice %s under policy %s, want 7 and SCHED_IDLE (5)", task, f[16], f[38])
		}
	}
}
