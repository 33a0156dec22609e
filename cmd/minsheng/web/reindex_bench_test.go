package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"minsheng/indexer"
	"minsheng/indexer/reindex"
	"minsheng/indexer/taxonomy"
	"minsheng/search"
)

// BenchmarkSearchDuringReindex measures, in one run, 8 clients searching
// the query mix (the default API: facets and highlights on) over loopback
// against the real handler with no job running, then during a reindex job
// of the server that indexes one batch per CPU (what a job did before
// build_workers), then during one with serve's default build_workers (half
// the CPUs, at least 1) and bleve's analysis queue as it comes (4
// goroutines), then during one with the analysis queue sized to
// build_workers too, as serve sets it. It reports each p99 beside the
// idle one and how long each job took. The generation is MINSHENG_BENCH_REINDEX_DOCS news of
// ../shared/corpora/news-2023 (default 10,000); MINSHENG_BENCH_DURATION is
// the idle load's length (default 10 s).
func BenchmarkSearchDuringReindex(b *testing.B) {
	n := 10000
	if v, err := fmt.Sscan(os.Getenv("MINSHENG_BENCH_REINDEX_DOCS"), &n); v != 1 || err != nil {
		n = 10000
	}
	dur := 10 * time.Second
	if v, err := time.ParseDuration(os.Getenv("MINSHENG_BENCH_DURATION")); err == nil {
		dur = v
	}
	lines := newsLines(b, n)
	defer debug.SetGCPercent(debug.SetGCPercent(400)) // as serve sets it while a job runs (build_gc_percent)
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(DefaultMemoryLimit))
	data, srcDir := b.TempDir(), b.TempDir()
	src := filepath.Join(srcDir, "news.jsonl")
	if err := os.WriteFile(src, append(bytes.Join(lines, []byte("\n")), '\n'), 0o644); err != nil {
		b.Fatal(err)
	}
	tax, err := taxonomy.LoadTaxonomy("")
	if err != nil {
		b.Fatal(err)
	}
	tagger, err := taxonomy.NewClassifier(tax)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := indexer.Build(context.Background(), data, indexer.BuildOptions{Sources: []string{src}, Tagger: tagger}); err != nil {
		b.Fatal(err)
	}
	live, err := indexer.OpenLive(data)
	if err != nil {
		b.Fatal(err)
	}
	defer live.Close()

	var (
		mu      sync.Mutex // guards workers
		workers int
	)
	jobs, err := reindex.OpenJobs(data, live, reindex.JobsOptions{
		Build: func() (indexer.BuildOptions, error) {
			mu.Lock()
			defer mu.Unlock()
			return indexer.BuildOptions{Sources: []string{src}, Tagger: tagger, Workers: workers}, nil
		},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		jobs.Run(ctx)
	}()
	defer func() {
		cancel()
		<-ran
		jobs.Close()
	}()

	srv := New(Options{Search: search.New(live.Index(), search.Options{ResultCacheMB: -1}), Live: live, Log: slog.New(slog.DiscardHandler)})
	h, err := srv.Handler(nil)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: h}
	go hs.Serve(ln)
	defer hs.Close()
	addr := "http://" + ln.Addr().String()

	// reindex runs one job with w batch workers and returns its seconds.
	reindexWith := func(w int) float64 {
		mu.Lock()
		workers = w
		mu.Unlock()
		job, err := jobs.Start(context.Background(), "bench")
		if err != nil {
			b.Fatal(err)
		}
		for !job.Finished() {
			time.Sleep(200 * time.Millisecond)
			if job, err = jobs.Job(job.ID); err != nil {
				b.Fatal(err)
			}
		}
		if job.State != reindex.StateSucceeded {
			b.Fatalf("job %s: %s %s", job.ID, job.State, job.Error)
		}
		return job.Seconds
	}
	all, serving := runtime.GOMAXPROCS(0), max(1, runtime.GOMAXPROCS(0)/2)
	// bleve analyses the documents of every batch on its process-wide
	// queue (4 goroutines unless set); serve sizes it to build_workers
	defer bleve.Config.SetAnalysisQueueSize(4)
	type setting struct{ workers, analysis int }
	settings := []setting{{all, 4}, {serving, 4}, {serving, serving}}
	for i := 0; i < b.N; i++ {
		idle := searchClients(b, addr, 8, func() { time.Sleep(dur) })
		b.Logf("8 clients, no job, %s: %d searches, p50 %.1f ms, p99 %.1f ms", dur, len(idle), pctl(idle, 0.5), pctl(idle, 0.99))
		b.ReportMetric(pctl(idle, 0.99), "p99-ms-idle")
		secs := map[setting]float64{}
		for _, st := range settings {
			bleve.Config.SetAnalysisQueueSize(st.analysis)
			var s float64
			during := searchClients(b, addr, 8, func() { s = reindexWith(st.workers) })
			secs[st] = s
			b.Logf("8 clients during a reindex job of %d news with %d batch worker(s), %d analysis goroutine(s): job %.1f s; %d searches (%.0f/s), p50 %.1f ms, p99 %.1f ms = %.2f× the idle p99",
				n, st.workers, st.analysis, s, len(during), float64(len(during))/s, pctl(during, 0.5), pctl(during, 0.99), pctl(during, 0.99)/pctl(idle, 0.99))
			unit := fmt.Sprintf("%dw", st.workers)
			if st.analysis != 4 {
				unit += fmt.Sprintf("-%da", st.analysis)
			}
			b.ReportMetric(pctl(during, 0.99), "p99-ms-job-"+unit)
			b.ReportMetric(pctl(during, 0.99)/pctl(idle, 0.99), "p99-ratio-job-"+unit)
			b.ReportMetric(s, "job-s-"+unit)
		}
		b.Logf("the job with %d worker(s) took %.2f× the time of the job with %d; with %d analysis goroutine(s) too, %.2f×",
			serving, secs[settings[1]]/secs[settings[0]], all, serving, secs[settings[2]]/secs[settings[0]])
		b.ReportMetric(secs[settings[1]]/secs[settings[0]], "job-time-ratio")
	}
}

// searchClients runs clients that search the query mix while f runs and
// returns their latencies in milliseconds; an answer other than 200 fails
// the benchmark.
func searchClients(b *testing.B, addr string, clients int, f func()) []float64 {
	stop := make(chan struct{})
	var (
		mu  sync.Mutex // guards lat
		lat []float64
		wg  sync.WaitGroup
	)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 30 * time.Second}
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				t0 := time.Now()
				resp, err := client.Get(addr + "/api/v1/search?" + loadQueries[i%len(loadQueries)])
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK { // a fast 503 would flatter the p99
					b.Errorf("search answered %s", resp.Status)
					continue
				}
				mu.Lock()
				lat = append(lat, float64(time.Since(t0).Microseconds())/1000)
				mu.Unlock()
			}
		}()
	}
	f()
	close(stop)
	wg.Wait()
	return lat
}
