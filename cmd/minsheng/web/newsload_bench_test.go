package web

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"minsheng/internal/procstat"
)

// benchToken is the admin token of the server the news load starts.
const benchToken = "bench-admin-token-of-32-characters"

// BenchmarkNewsLoad is the search measurement, in one run: 8
// clients over loopback search 200 one-to-three-word queries drawn from
// news-2023's titles (newsQueries) against the real binary (`minsheng
// serve`, the default API: facets and highlights on) serving the index in
// MINSHENG_BENCH_NEWS, then the same load against a naive bleve+gojieba
// index of the same documents behind a minimal handler (its own process,
// MINSHENG_BENCH_NAIVE, built there when absent), then against ours with
// every answer computed (cache=false: the result cache, which answers the
// first load's repeated queries, skipped), then the first load and then
// the computed one against ours while a reindex job started through the
// API rebuilds news-2023 (a job each), then that job again with no
// searches, for the time it takes alone. Each load reports requests/s,
// p50, p99 and the serving process's RSS (/proc/PID/status).
// MINSHENG_BENCH_BIN is the binary (make bench passes bin/minsheng; else
// it is built), MINSHENG_BENCH_DURATION the length of each idle load
// (20 s), MINSHENG_BENCH_QUERY_COUNT the number of queries (200; past
// the 650 or so whose pages the default result cache holds, the default
// API computes more of its answers); MINSHENG_BENCH_JOB=off leaves the
// jobs out, MINSHENG_BENCH_JOB_ALONE=off the job alone. make bench
// builds both folders first.
func BenchmarkNewsLoad(b *testing.B) {
	data := os.Getenv("MINSHENG_BENCH_NEWS")
	if data == "" {
		b.Skip("skipping: set MINSHENG_BENCH_NEWS to a data folder indexed from ../shared/corpora/news-2023 (make bench does)")
	}
	naiveDir := os.Getenv("MINSHENG_BENCH_NAIVE")
	if naiveDir == "" {
		naiveDir = strings.TrimSuffix(data, "/") + "-naive"
	}
	dur := 20 * time.Second
	if v, err := time.ParseDuration(os.Getenv("MINSHENG_BENCH_DURATION")); err == nil && v > 0 {
		dur = v
	}
	n := 200
	if v, err := strconv.Atoi(os.Getenv("MINSHENG_BENCH_QUERY_COUNT")); err == nil && v > 0 {
		n = v
	}
	queries := newsQueries(b, n)
	source, err := filepath.Abs(newsCorpus) // the jobs of serve read it
	if err != nil {
		b.Fatal(err)
	}
	bin := benchBinary(b)
	naive := naiveIndex(b, naiveDir)
	ours := startBenchServer(b, exec.Command(bin, "serve", "--data", data, "--addr", "127.0.0.1:0", "--source", source),
		[]string{"MINSHENG_ADMIN_TOKEN=" + benchToken, "MINSHENG_METRICS_ADDR=127.0.0.1:0", "MINSHENG_LOG_FORMAT=text", "MINSHENG_LOG_LEVEL=info"},
		`msg=serving addr=(http://\S+)`, "msg=\"search columns ready\"")
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	theirs := startBenchServer(b, exec.Command(self), []string{naiveServeEnv + "=" + naive}, `serving (http://\S+)`, "")
	oursURL := func(q string) string { return ours.base + "/api/v1/search?q=" + url.QueryEscape(q) }
	computedURL := func(q string) string { return oursURL(q) + "&cache=false" }
	theirsURL := func(q string) string { return theirs.base + "/search?q=" + url.QueryEscape(q) }
	for i := 0; i < b.N; i++ {
		// every query once on each side first: what is built on a first
		// use (columns, caches) is not in the figures
		newsLoad(b, ours, oursURL, queries, 1, nil)
		newsLoad(b, theirs, theirsURL, queries, 1, nil)
		h0, m0, cached := ours.cacheFigures()
		idle := newsLoad(b, ours, oursURL, queries, 8, sleeper(dur))
		h1, m1, _ := ours.cacheFigures()
		nv := newsLoad(b, theirs, theirsURL, queries, 8, sleeper(dur))
		computed := newsLoad(b, ours, computedURL, queries, 8, sleeper(dur))
		b.Logf("news-2023, %d queries of 1-3 words from the leads of its articles, 8 clients over loopback, %s each idle load:", len(queries), dur)
		b.Logf("  minsheng (facets, highlights; the default result cache answers repeats): %s", idle)
		if asked := (h1 - h0) + (m1 - m0); cached && asked > 0 {
			share := 100 * (h1 - h0) / asked
			b.Logf("    (%.1f%% of %.0f searches answered from the result cache)", share, asked)
			b.ReportMetric(share, "cached-%")
		}
		b.Logf("  naive bleve+gojieba (no facets, no highlights): %s", nv)
		b.Logf("  minsheng, every answer computed (cache=false): %s", computed)
		b.ReportMetric(idle.qps, "qps")
		b.ReportMetric(idle.p50, "p50-ms")
		b.ReportMetric(idle.p99, "p99-ms")
		b.ReportMetric(mb(idle.rss), "rss-MB")
		b.ReportMetric(mb(idle.anon), "rss-anon-MB")
		b.ReportMetric(nv.qps, "naive-qps")
		b.ReportMetric(nv.p99, "naive-p99-ms")
		b.ReportMetric(mb(nv.rss), "naive-rss-MB")
		b.ReportMetric(computed.qps, "computed-qps")
		b.ReportMetric(computed.p50, "computed-p50-ms")
		b.ReportMetric(computed.p99, "computed-p99-ms")
		if os.Getenv("MINSHENG_BENCH_JOB") == "off" {
			b.Logf("  (MINSHENG_BENCH_JOB=off: no reindex job)")
			continue
		}
		// the same load as idle, the default API, during a job: the cache
		// answers its repeats from the generation served until the swap,
		// and the build's process takes CPU from them
		var defaultJobSecs float64
		duringDefault := newsLoad(b, ours, oursURL, queries, 8, func() { defaultJobSecs = reindexJob(b, ours.base) })
		b.Logf("  minsheng during a reindex job of news-2023, the default API: %s; p99 %.2f× the idle p99; the job took %.1f s",
			duringDefault, duringDefault.p99/idle.p99, defaultJobSecs)
		b.ReportMetric(duringDefault.qps, "job-default-qps")
		b.ReportMetric(duringDefault.p99, "job-default-p99-ms")
		b.ReportMetric(duringDefault.p99/idle.p99, "job-default-p99-ratio")
		var jobSecs, aloneSecs float64
		// and every answer computed, compared with the computed idle load
		during := newsLoad(b, ours, computedURL, queries, 8, func() { jobSecs = reindexJob(b, ours.base) })
		if os.Getenv("MINSHENG_BENCH_JOB_ALONE") != "off" {
			aloneSecs = reindexJob(b, ours.base)
		}
		b.Logf("  minsheng during a reindex job of news-2023, every answer computed: %s; p99 %.2f× the computed idle p99", during, during.p99/computed.p99)
		if aloneSecs > 0 {
			b.Logf("  the job took %.1f s under the load, %.1f s alone: %.2f× as long", jobSecs, aloneSecs, jobSecs/aloneSecs)
		} else {
			b.Logf("  the job took %.1f s under the load (MINSHENG_BENCH_JOB_ALONE=off: not run alone)", jobSecs)
		}
		serverPeak, buildPeak := mb(procstat.Bytes(ours.pid, "VmHWM")), ours.buildPeak()
		b.Logf("  minsheng serve's peak RSS since it started (VmHWM, builds in the server included): %.0f MB; its build processes' peak RSS: %d MB",
			serverPeak, buildPeak)
		b.ReportMetric(serverPeak, "job-server-peak-RSS-MB")
		b.ReportMetric(float64(buildPeak), "job-build-peak-RSS-MB")
		b.ReportMetric(during.qps, "job-qps")
		b.ReportMetric(during.p99, "job-p99-ms")
		b.ReportMetric(during.p99/computed.p99, "job-p99-ratio")
		b.ReportMetric(jobSecs, "job-s")
		if aloneSecs > 0 {
			b.ReportMetric(jobSecs/aloneSecs, "job-time-ratio")
		}
	}
}

func sleeper(d time.Duration) func() { return func() { time.Sleep(d) } }

func mb(n int64) float64 { return float64(n) / (1 << 20) }

// benchServer is a server process of the news load.
type benchServer struct {
	base string
	pid  int

	mu          sync.Mutex // guards buildPeakMB and metrics
	buildPeakMB int64      // the largest peak RSS of its build processes, from its log
	metrics     string     // the URL of its /metrics without a token, from its log; "": none
}

// servingMetrics is serve's log line of its metrics listener.
var servingMetrics = regexp.MustCompile(`msg="serving metrics" addr=(http://\S+)`)

// cacheFigures returns the result cache's hits and misses so far, from
// the server's /metrics; ok is false when it has none to tell.
func (s *benchServer) cacheFigures() (hits, misses float64, ok bool) {
	s.mu.Lock()
	u := s.metrics
	s.mu.Unlock()
	if u == "" {
		return 0, 0, false
	}
	resp, err := http.Get(u)
	if err != nil {
		return 0, 0, false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, 0, false
	}
	var found int
	for _, line := range strings.Split(string(body), "\n") {
		name, v, _ := strings.Cut(line, " ")
		f, err := strconv.ParseFloat(v, 64)
		switch {
		case err != nil:
		case name == "minsheng_result_cache_hits_total":
			hits, found = f, found+1
		case name == "minsheng_result_cache_misses_total":
			misses, found = f, found+1
		}
	}
	return hits, misses, found == 2
}

// buildEnded is the server's log line of a build process's end.
var buildEnded = regexp.MustCompile(`msg="build process ended".* peak_rss_mb=(\d+)`)

// buildPeak is the largest peak RSS, in MB, of the build processes the
// server ran so far; 0 when none ran (or the job built in the server).
func (s *benchServer) buildPeak() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buildPeakMB
}

// startBenchServer starts cmd with env added, reads its output until a
// line matches addrRe (the address, first group) and then, when ready is
// not empty, until a line contains ready; the process is killed when the
// benchmark ends.
func startBenchServer(b *testing.B, cmd *exec.Cmd, env []string, addrRe, ready string) *benchServer {
	b.Helper()
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout // one stream to read
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	re := regexp.MustCompile(addrRe)
	s := &benchServer{pid: cmd.Process.Pid}
	addr, up := make(chan string, 1), make(chan struct{})
	exited := make(chan struct{})
	var (
		mu   sync.Mutex // guards tail
		tail []string   // the last lines, for a failure's message
	)
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var once, readyOnce sync.Once
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			tail = append(tail[max(0, len(tail)-20):], line)
			mu.Unlock()
			if m := re.FindStringSubmatch(line); m != nil {
				once.Do(func() { addr <- m[1] })
			}
			if m := servingMetrics.FindStringSubmatch(line); m != nil {
				s.mu.Lock()
				s.metrics = m[1]
				s.mu.Unlock()
			}
			if m := buildEnded.FindStringSubmatch(line); m != nil {
				n, _ := strconv.ParseInt(m[1], 10, 64)
				s.mu.Lock()
				s.buildPeakMB = max(s.buildPeakMB, n)
				s.mu.Unlock()
			}
			if ready == "" || strings.Contains(line, ready) {
				readyOnce.Do(func() { close(up) })
			}
		}
		cmd.Wait()
	}()
	b.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	timeout := time.After(5 * time.Minute)
	failed := func() {
		mu.Lock()
		defer mu.Unlock()
		b.Fatalf("%s exited before it was ready:\n%s", cmd.Path, strings.Join(tail, "\n"))
	}
	select {
	case s.base = <-addr:
	case <-exited:
		failed()
	case <-timeout:
		b.Fatalf("%s not listening after 5 minutes", cmd.Path)
	}
	select {
	case <-up:
	case <-exited:
		failed()
	case <-timeout:
		b.Fatalf("%s not ready after 5 minutes", cmd.Path)
	}
	return s
}

// newsResult is one load's figures.
type newsResult struct {
	n, errors     int
	qps, p50, p99 float64
	rss, anon     int64 // the server's largest VmRSS and RssAnon seen during the load
}

func (r newsResult) String() string {
	return fmt.Sprintf("%d requests (%d errors), %.0f requests/s, p50 %.1f ms, p99 %.1f ms, server RSS up to %.0f MB (anonymous %.0f MB; the rest is mapped files: the index, the binary)",
		r.n, r.errors, r.qps, r.p50, r.p99, mb(r.rss), mb(r.anon))
}

// newsLoad runs clients that search the queries in turn (each client from
// its own place in the list) against s while f runs; with f nil, each
// client searches the list once. An answer other than 200 is an error,
// counted and the first few logged.
func newsLoad(b *testing.B, s *benchServer, at func(string) string, queries []string, clients int, f func()) newsResult {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * clients}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	stop := make(chan struct{})
	var (
		mu     sync.Mutex // guards lat, errors and rss
		lat    []float64
		errors int
		rss    int64
		anon   int64
		wg     sync.WaitGroup
	)
	sample := func() {
		v, a := procstat.Bytes(s.pid, "VmRSS"), procstat.Bytes(s.pid, "RssAnon")
		mu.Lock()
		rss, anon = max(rss, v), max(anon, a)
		mu.Unlock()
	}
	wg.Go(func() { // the server's memory, every 100 ms
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			sample()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
	start := time.Now()
	var clientsWG sync.WaitGroup
	for c := range clients {
		clientsWG.Go(func() {
			from := c * len(queries) / clients
			for i := 0; f != nil || i < len(queries); i++ {
				if f != nil {
					select {
					case <-stop:
						return
					default:
					}
				}
				q := queries[(from+i)%len(queries)]
				t0 := time.Now()
				resp, err := client.Get(at(q))
				status := 0
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
				}
				ms := float64(time.Since(t0).Microseconds()) / 1000
				mu.Lock()
				lat = append(lat, ms)
				if status != http.StatusOK {
					if errors++; errors <= 5 {
						b.Logf("search %q: status %d, %v", q, status, err)
					}
				}
				mu.Unlock()
			}
		})
	}
	if f != nil {
		f()
		close(stop)
		clientsWG.Wait()
	} else {
		clientsWG.Wait()
		close(stop)
	}
	elapsed := time.Since(start).Seconds()
	wg.Wait()
	sample()
	return newsResult{n: len(lat), errors: errors, qps: float64(len(lat)) / elapsed, p50: pctl(lat, 0.5), p99: pctl(lat, 0.99), rss: rss, anon: anon}
}

// reindexJob starts a reindex job through the API and waits for it; it
// returns the job's seconds.
func reindexJob(b *testing.B, base string) float64 {
	var job struct {
		ID, State, Error string
		Seconds          float64
	}
	call := func(method, path string) {
		req, err := http.NewRequest(method, base+path, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+benchToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode/100 != 2 {
			b.Fatalf("%s %s: %s %s", method, path, resp.Status, body)
		}
		if err := json.Unmarshal(body, &job); err != nil {
			b.Fatalf("%s %s: %v", method, path, err)
		}
	}
	call("POST", "/api/v1/reindex")
	for job.State == "running" || job.State == "queued" || job.State == "" {
		time.Sleep(500 * time.Millisecond)
		call("GET", "/api/v1/jobs/"+job.ID)
	}
	if job.State != "succeeded" {
		b.Fatalf("reindex job %s: %s %s", job.ID, job.State, job.Error)
	}
	return job.Seconds
}

// benchBinary is MINSHENG_BENCH_BIN, or the binary built into a
// temporary folder.
func benchBinary(b *testing.B) string {
	if bin := os.Getenv("MINSHENG_BENCH_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(b.TempDir(), "minsheng")
	cmd := exec.Command("go", "build", "-o", bin, "minsheng/cmd/minsheng")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
