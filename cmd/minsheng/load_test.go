package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"minsheng/internal/procstat"
)

// loadQueries are what the 8 clients search, and whether each must find
// something in every generation (sample plus the generated documents).
var loadQueries = []struct {
	query   string
	nonzero bool
}{
	{"q=" + url.QueryEscape("乡村振兴"), true},
	{"q=" + url.QueryEscape("教育"), true},
	{"q=" + url.QueryEscape("医疗卫生 OR 养老服务"), true},
	{"q=" + url.QueryEscape(`"住房保障"`), true},
	{"q=" + url.QueryEscape("交通运输") + "&sort=-date", true},
	{"q=" + url.QueryEscape("生态环境 -医疗"), true},
	{"q=&size=20", true},
	{"q=" + url.QueryEscape("如何解决农村留守儿童上学难的问题？"), false},
	{"q=" + url.QueryEscape("代表建议") + "&page=3&size=10", false},
	{"q=" + url.QueryEscape("乡村振兴") + "&kind=suggestion", false},
}

// TestLoad is the load run: 8 clients search the real binary for
// MINSHENG_LOAD_DURATION (10 s in make test; make load runs 60 s) while a
// reindex job runs (POST /api/v1/reindex, started again whenever one
// ends) over corpus/sample plus generated documents, and an export streams
// (GET /api/v1/export.xlsx, again whenever one ends). Pass line: 0 failed
// or wrongly empty searches, every job and export succeeds; p50/p99 and
// serve's peak RSS are reported.
func TestLoad(t *testing.T) {
	bin := buildTrimpathBinary(t)
	d := envDuration("MINSHENG_LOAD_DURATION", 10*time.Second)
	sample, err := filepath.Abs("../../corpus/sample")
	if err != nil {
		t.Fatal(err)
	}
	data, srcDir := t.TempDir(), t.TempDir()
	large := filepath.Join(srcDir, "generated.jsonl")
	size := int64(d.Seconds() * 400e3) // about what one reindex gets through under this load
	nLarge := writeDocs(t, large, 0, size)
	start := time.Now()
	out, err := exec.Command(bin, "index", "--data", data, "--source", sample, "--source", large).CombinedOutput()
	if err != nil {
		t.Fatalf("index: %v\n%s", err, out)
	}
	t.Logf("indexed corpus/sample and %d generated documents (%.1f MB) in %s", nLarge, float64(size)/1e6, time.Since(start).Round(time.Millisecond))
	s := startServe(t, bin, data, sample, large)
	pid := s.cmd.Process.Pid
	var spec struct{ Paths map[string]any }
	s.call(t, "GET", "/api/v1/openapi.json", "", &spec)
	_, exports := spec.Paths["/api/v1/export.xlsx"]
	if !exports {
		t.Log("no /api/v1/export.xlsx route in this build: the load runs without an export")
	}

	var (
		mu       sync.Mutex // guards the figures below
		lat      []time.Duration
		failures []string
		empty    int
		jobs     = map[string]int{}
		nexports int
		xbytes   int64
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 50 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for c := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; time.Now().Before(stop); i++ {
				q := loadQueries[i%len(loadQueries)]
				begin := time.Now()
				resp, err := client.Get(s.base + "/api/v1/search?" + q.query)
				if err != nil {
					fail("search %s: %v", q.query, err)
					continue
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				took := time.Since(begin)
				if err != nil || resp.StatusCode != http.StatusOK {
					fail("search %s: %d %v %.200s", q.query, resp.StatusCode, err, b)
					continue
				}
				mu.Lock()
				lat = append(lat, took)
				if q.nonzero && bytes.HasPrefix(b, []byte(`{"total":0,`)) {
					empty++
				}
				mu.Unlock()
			}
		}()
	}
	// the reindex, again whenever one ends
	wg.Add(1)
	go func() {
		defer wg.Done()
		for time.Now().Before(stop) {
			var job apiJob
			if code, err := s.admin("POST", "/api/v1/reindex", &job); err != nil || code != http.StatusAccepted {
				fail("reindex: %d %v %+v", code, err, job)
				return
			}
			var j apiJob
			for cancelled := false; ; time.Sleep(200 * time.Millisecond) {
				if code, err := s.admin("GET", "/api/v1/jobs/"+job.ID, &j); err != nil || code != http.StatusOK {
					fail("job %s: %d %v", job.ID, code, err)
					return
				}
				if j.State != "running" {
					break
				}
				if !cancelled && time.Now().After(stop) { // the run is over: stop it
					s.admin("POST", "/api/v1/jobs/"+job.ID+"/cancel", nil)
					cancelled = true
				}
			}
			mu.Lock()
			jobs[j.State]++
			mu.Unlock()
			if j.State == "failed" && !strings.Contains(j.Error, "cancel") {
				fail("reindex job %s failed: %s", j.ID, j.Error)
			}
		}
	}()
	// the export, again whenever one ends
	if exports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				resp, err := client.Get(s.base + "/api/v1/export.xlsx?q=" + url.QueryEscape("教育"))
				if err != nil {
					fail("export: %v", err)
					return
				}
				n, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK || n < 1000 {
					fail("export: %d, %d bytes, %v", resp.StatusCode, n, err)
					continue
				}
				mu.Lock()
				nexports++
				xbytes += n
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	peak := procstat.Bytes(pid, "VmHWM")

	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	var states []string
	for st, n := range jobs {
		states = append(states, fmt.Sprintf("%d %s", n, st))
	}
	sort.Strings(states)
	t.Logf("load run of %s: %d searches by 8 clients (%.0f/s), %d failed, %d wrongly empty; latency p50 %s p99 %s max %s",
		d, len(lat)+len(failures), float64(len(lat))/d.Seconds(), len(failures), empty,
		percentile(lat, 0.5).Round(time.Microsecond), percentile(lat, 0.99).Round(time.Microsecond), percentile(lat, 1).Round(time.Millisecond))
	t.Logf("reindex jobs meanwhile: %s; exports: %d complete (%.1f MB); serve's peak RSS %.0f MB",
		strings.Join(states, ", "), nexports, float64(xbytes)/1e6, float64(peak)/(1<<20))
	for _, f := range failures {
		t.Error(f)
	}
	if empty > 0 {
		t.Errorf("%d searches were wrongly empty", empty)
	}
	if len(lat) == 0 || len(jobs) == 0 || exports && nexports == 0 {
		t.Errorf("the load did not run: %d searches, jobs %v, %d exports", len(lat), jobs, nexports)
	}
}

// admin sends an admin request without a body and decodes the answer into
// out; unlike call, it may run on any goroutine.
func (s *server) admin(method, path string, out any) (int, error) {
	req, err := http.NewRequest(method, s.base+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+e2eToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || out == nil {
		return resp.StatusCode, err
	}
	return resp.StatusCode, json.Unmarshal(b, out)
}
