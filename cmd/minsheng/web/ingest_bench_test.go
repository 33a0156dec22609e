package web

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"minsheng/indexer"
	"minsheng/indexer/taxonomy"
	"minsheng/search"
)

// newsLines reads the first n documents of ../shared/corpora/news-2023 as
// JSON lines.
func newsLines(b *testing.B, n int) [][]byte {
	path := filepath.Join("..", "..", "..", "..", "shared", "corpora", "news-2023", "news.jsonl.gz")
	f, err := os.Open(path)
	if err != nil {
		b.Skipf("needs ../shared/corpora/news-2023: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var out [][]byte
	for sc.Scan() && len(out) < n {
		var d map[string]any
		if json.Unmarshal(sc.Bytes(), &d) != nil || d["body"] == "" {
			continue
		}
		js, _ := json.Marshal(d)
		out = append(out, js)
	}
	if len(out) < n {
		b.Fatalf("news-2023 has %d documents, want %d", len(out), n)
	}
	return out
}

// BenchmarkLiveIngest measures acknowledged ingest through POST
// /api/v1/docs (NDJSON bulks of 500, each answered once fsynced to the
// write-ahead log and indexed) with one client and with four, over
// loopback against the real handler, on a generation of 2,000 news; and,
// in the same run, the p99 of two clients searching the query mix with
// no ingest and during each ingest. MINSHENG_BENCH_INGEST_DOCS documents
// per ingest (default 5,000), MINSHENG_BENCH_DURATION of search alone
// (default 10 s). MINSHENG_BENCH_ANALYSIS sizes bleve's analysis queue
// before the index opens (a number, or "serve": as serve does with the
// default build_workers, half the CPUs); unset, it stays bleve's 4.
func BenchmarkLiveIngest(b *testing.B) {
	n := 5000
	if v, err := fmt.Sscan(os.Getenv("MINSHENG_BENCH_INGEST_DOCS"), &n); v != 1 || err != nil {
		n = 5000
	}
	dur := 10 * time.Second
	if v, err := time.ParseDuration(os.Getenv("MINSHENG_BENCH_DURATION")); err == nil {
		dur = v
	}
	q, err := strconv.Atoi(os.Getenv("MINSHENG_BENCH_ANALYSIS"))
	if os.Getenv("MINSHENG_BENCH_ANALYSIS") == "serve" {
		q, err = max(1, runtime.GOMAXPROCS(0)/2), nil
	}
	if err == nil && q > 0 {
		// an open index keeps its queue, and a new size closes the old one:
		// set before any index opens, restored after every one is closed
		bleve.Config.SetAnalysisQueueSize(q)
		defer bleve.Config.SetAnalysisQueueSize(4)
		b.Logf("bleve's analysis queue: %d goroutine(s)", q)
	}
	const base = 2000
	lines := newsLines(b, base+2*n)
	defer debug.SetGCPercent(debug.SetGCPercent(100)) // as serve sets it (gc_percent)
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(DefaultMemoryLimit))

	data, srcDir := b.TempDir(), b.TempDir()
	src := filepath.Join(srcDir, "base.jsonl")
	if err := os.WriteFile(src, append(bytes.Join(lines[:base], []byte("\n")), '\n'), 0o644); err != nil {
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
	live, docs, _ := openLiveDocs(b, data, tagger)
	srv := New(Options{Search: search.New(live.Index(), search.Options{}), Live: live, Log: slog.New(slog.DiscardHandler), Limits: Limits{MaxBodyBytes: 16 << 20}})
	srv.Docs, srv.EditorToken = docs, "bench-editor-token-of-24-characters"
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

	for i := 0; i < b.N; i++ {
		alone := searchWhile(b, addr, func() { time.Sleep(dur) })
		b.Logf("search alone, 2 clients, %s: %d searches, p50 %.1f ms, p99 %.1f ms", dur, len(alone), pctl(alone, 0.5), pctl(alone, 0.99))
		b.ReportMetric(pctl(alone, 0.99), "p99-ms-alone")
		for k, clients := range []int{1, 4} {
			part := lines[base+k*n : base+(k+1)*n]
			var in ingestResult
			during := searchWhile(b, addr, func() { in = ingest(b, addr+"/api/v1/docs", srv.EditorToken, part, clients) })
			b.Logf("ingest, %d client(s), bulks of 500: %d documents (%.1f MB) acknowledged in %.1f s: %.0f docs/s, %.2f MB/s, %d errors; search during it: %d searches, p50 %.1f ms, p99 %.1f ms",
				clients, in.docs, float64(in.bytes)/1e6, in.seconds, float64(in.docs)/in.seconds, float64(in.bytes)/1e6/in.seconds, in.errors,
				len(during), pctl(during, 0.5), pctl(during, 0.99))
			b.ReportMetric(float64(in.docs)/in.seconds, fmt.Sprintf("docs/s-%dc", clients))
			b.ReportMetric(float64(in.bytes)/1e6/in.seconds, fmt.Sprintf("MB/s-%dc", clients))
			b.ReportMetric(pctl(during, 0.99), fmt.Sprintf("p99-ms-ingest-%dc", clients))
		}
	}
}

type ingestResult struct {
	docs, errors int
	bytes        int64
	seconds      float64
}

// ingest posts lines, re-identified, as NDJSON bulks of 500 from clients
// at once.
func ingest(b *testing.B, url, token string, lines [][]byte, clients int) ingestResult {
	bulks := slices.Collect(slices.Chunk(lines, 500))
	var (
		mu  sync.Mutex // guards res and next
		res ingestResult
		nx  int
		wg  sync.WaitGroup
	)
	client := &http.Client{Timeout: 10 * time.Minute}
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := nx
				nx++
				mu.Unlock()
				if i >= len(bulks) {
					return
				}
				body := bytes.Join(bulks[i], []byte("\n"))
				req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/x-ndjson")
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				ok := err == nil && resp.StatusCode == http.StatusOK
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				mu.Lock()
				if ok {
					res.docs += len(bulks[i])
					res.bytes += int64(len(body))
				} else {
					res.errors++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.seconds = time.Since(start).Seconds()
	return res
}

// searchWhile runs two clients through the query mix while f runs and
// returns their latencies in milliseconds (searchClients with two).
func searchWhile(b *testing.B, addr string, f func()) []float64 {
	return searchClients(b, addr, 2, f)
}

func pctl(lat []float64, p float64) float64 {
	if len(lat) == 0 {
		return 0
	}
	s := slices.Clone(lat)
	sort.Float64s(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}
