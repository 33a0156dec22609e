package indexer

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"minsheng/corpus"
	"minsheng/indexer/analysis"
)

const newsCorpus = "../../shared/corpora/news-2023/news.jsonl.gz"

// BenchmarkIndexNews indexes all of news-2023 (63,668 articles) into a new
// generation and, in the same run, times raw gojieba search-mode
// segmentation of the same text with one worker per core: the ratio shows
// what indexing costs beyond segmenting. Run by `make bench`.
func BenchmarkIndexNews(b *testing.B) {
	if _, err := os.Stat(newsCorpus); err != nil {
		b.Skipf("skipping: %s is absent", newsCorpus)
	}
	var texts []string
	var textBytes int64
	_, err := corpus.Walk(context.Background(), []string{newsCorpus}, corpus.Options{}, func(d corpus.Doc) error {
		texts = append(texts, d.Title+"\n"+d.Body)
		textBytes += int64(len(d.Title) + len(d.Body))
		return nil
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	d, err := analysis.BuiltinDicts()
	if err != nil {
		b.Fatal(err)
	}
	a, err := analysis.NewAnalysis(d)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		start := time.Now()
		man, err := Build(context.Background(), dir, BuildOptions{Sources: []string{newsCorpus}})
		if err != nil {
			b.Fatal(err)
		}
		idxSec := time.Since(start).Seconds()
		peak := memStatus(b, "VmHWM")

		start = time.Now()
		segment(a, texts)
		segSec := time.Since(start).Seconds()

		idxMBs := float64(textBytes) / 1e6 / idxSec
		segMBs := float64(textBytes) / 1e6 / segSec
		b.ReportMetric(float64(man.Docs), "docs")
		b.ReportMetric(float64(man.Docs)/idxSec, "docs/s")
		b.ReportMetric(idxSec, "index-s")
		b.ReportMetric(idxMBs, "index-MB/s")
		b.ReportMetric(segMBs, "jieba-MB/s")
		b.ReportMetric(idxMBs/segMBs, "index/jieba")
		b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
		b.Logf("news-2023: %d docs, %.1f MB of text: indexed in %.1f s (%.0f docs/s, %.2f MB/s); raw jieba search mode %.2f MB/s with %d workers; ratio %.2f; peak RSS while indexing %d MB",
			man.Docs, float64(textBytes)/1e6, idxSec, float64(man.Docs)/idxSec, idxMBs, segMBs, runtime.GOMAXPROCS(0), idxMBs/segMBs, peak>>20)
	}
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

// memStatus reads a field of /proc/self/status (VmRSS, VmHWM), in bytes.
func memStatus(tb testing.TB, field string) int64 {
	tb.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		tb.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return kb << 10
		}
	}
	tb.Skipf("no %s in /proc/self/status", field)
	return 0
}
