package indexer

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"minsheng/corpus"
	"minsheng/indexer/analysis"
)

const newsCorpus = "../../shared/corpora/news-2023/news.jsonl.gz"

// benchSource is what BenchmarkIndexNews indexes: news-2023, or the file
// MINSHENG_BENCH_NEWS names (a part of it, to try a change quickly).
func benchSource() string {
	if p := os.Getenv("MINSHENG_BENCH_NEWS"); p != "" {
		return p
	}
	return newsCorpus
}

// BenchmarkIndexNews indexes all of news-2023 (63,668 articles) into a new
// generation as `minsheng index` does (the built-in taxonomy learns from
// the sources and tags every document: NewBenchTagger) and, in the same
// run, into the naive bleve index a new user of bleve and gojieba would
// write (buildNaive: title and body in bleve's default mapping), and times
// raw gojieba search-mode segmentation of the same text with one worker
// per core. Each build runs in a process of its own (this binary again,
// see TestMain), so its peak RSS is its own; both run with the garbage
// collector `minsheng index` sets (BuildGCPercent, BuildMemoryLimit). It
// reports each build's MB/s of text, CPU seconds, peak RSS (and of it,
// anonymous memory) and index size on disk, and the ratios ours/naive.
// Run by `make bench`; MINSHENG_BENCH_PROFILE=DIR writes each build's CPU
// and allocation profiles there (ours.cpu, ours.mem, naive.cpu, naive.mem).
func BenchmarkIndexNews(b *testing.B) {
	src := benchSource()
	if _, err := os.Stat(src); err != nil {
		b.Skipf("skipping: %s is absent", src)
	}
	var texts []string
	var textBytes int64
	_, err := corpus.Walk(context.Background(), []string{src}, corpus.Options{}, func(d corpus.Doc) error {
		texts = append(texts, d.Title+"\n"+d.Body)
		textBytes += int64(len(d.Title) + len(d.Body))
		return nil
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	a, err := analysis.NewBuiltinAnalysis()
	if err != nil {
		b.Fatal(err)
	}
	mb := float64(textBytes) / 1e6
	for i := 0; i < b.N; i++ {
		ours := runBuild(b, "ours")
		naive := runBuild(b, "naive")
		start := time.Now()
		segment(a, texts)
		segMBs := mb / time.Since(start).Seconds()

		oursMBs, naiveMBs := mb/ours.Seconds, mb/naive.Seconds
		b.ReportMetric(float64(ours.Docs), "docs")
		b.ReportMetric(ours.Seconds, "index-s")
		b.ReportMetric(oursMBs, "index-MB/s")
		b.ReportMetric(naiveMBs, "naive-MB/s")
		b.ReportMetric(oursMBs/naiveMBs, "ours/naive")
		b.ReportMetric(naive.CPU/ours.CPU, "naive-cpu/ours-cpu")
		b.ReportMetric(segMBs, "jieba-MB/s")
		b.ReportMetric(float64(ours.Peak)/(1<<20), "peak-RSS-MB")
		b.ReportMetric(float64(naive.Peak)/(1<<20), "naive-peak-RSS-MB")
		b.ReportMetric(float64(ours.PeakAnon)/(1<<20), "peak-anon-MB")
		b.ReportMetric(float64(naive.PeakAnon)/(1<<20), "naive-peak-anon-MB")
		b.ReportMetric(float64(ours.Disk)/(1<<20), "disk-MB")
		b.ReportMetric(float64(naive.Disk)/(1<<20), "naive-disk-MB")
		b.Logf("%s: %d docs, %.1f MB of text (title and body); raw jieba search mode %.2f MB/s with %d workers", filepath.Base(src), ours.Docs, mb, segMBs, runtime.GOMAXPROCS(0))
		for _, r := range []buildRun{ours, naive} {
			b.Logf("%-5s %6.1f s  %5.2f MB/s  %6.1f CPU-s  peak RSS %5d MB (anonymous %d MB; the rest mapped segment files)  index %5d MB on disk  (load before: %s)",
				r.Kind, r.Seconds, mb/r.Seconds, r.CPU, r.Peak>>20, r.PeakAnon>>20, r.Disk>>20, r.Load)
		}
		b.Logf("ours/naive: %.2f× the MB/s, %.2f× the CPU time, %.2f× the peak RSS, %.2f× the disk; ours/jieba %.2f",
			oursMBs/naiveMBs, ours.CPU/naive.CPU, float64(ours.Peak)/float64(naive.Peak), float64(ours.Disk)/float64(naive.Disk), oursMBs/segMBs)
	}
}

// buildRun is one child build as the parent saw it.
type buildRun struct {
	benchResult
	Kind string
	CPU  float64 // user and system seconds of the child
	Peak int64   // its peak RSS, bytes
	Disk int64   // bytes its index takes on disk, as du counts them
	Load string  // /proc/loadavg before it started
}

// runBuild runs the build kind in a child process (see TestMain) in a
// folder of its own and measures it.
func runBuild(b *testing.B, kind string) buildRun {
	b.Helper()
	dir := b.TempDir()
	data, out := filepath.Join(dir, "data"), filepath.Join(dir, "result.json")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), benchChildEnv+"="+kind, benchDirEnv+"="+data, benchOutEnv+"="+out)
	if p := os.Getenv("MINSHENG_BENCH_PROFILE"); p != "" {
		cmd.Env = append(cmd.Env, benchCPUProfileEnv+"="+filepath.Join(p, kind+".cpu"),
			benchMemProfileEnv+"="+filepath.Join(p, kind+".mem"))
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	r := buildRun{Kind: kind, Load: loadAvg()}
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s build: %v", kind, err)
	}
	js, err := os.ReadFile(out)
	if err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(js, &r.benchResult); err != nil {
		b.Fatal(err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.Peak = ru.Maxrss << 10 // kB on Linux
		r.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	r.Disk = diskUsage(b, data)
	return r
}

// diskUsage is what du reports for the tree at root, in bytes: the blocks
// its files take.
func diskUsage(tb testing.TB, root string) int64 {
	tb.Helper()
	var n int64
	err := filepath.WalkDir(root, func(_ string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			n += st.Blocks * 512
		} else {
			n += info.Size()
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// loadAvg is the first three fields of /proc/loadavg: the machine is
// shared, and its load is part of a figure.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// segment cuts every text in search mode with one worker per core.
func segment(a *analysis.Analysis, texts []string) {
	var wg sync.WaitGroup
	next := make(chan string, 64)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range next {
				a.Segment(t)
			}
		}()
	}
	for _, t := range texts {
		next <- t
	}
	close(next)
	wg.Wait()
}
