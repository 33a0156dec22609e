package indexer

import (
	"context"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yanyiwu/gojieba"

	"minsheng/corpus"
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
	a := testAnalysis(b)
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
		segment(a.jieba, texts)
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
func segment(j *gojieba.Jieba, texts []string) {
	var wg sync.WaitGroup
	next := make(chan string, 64)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range next {
				j.Tokenize(t, gojieba.SearchMode, true)
			}
		}()
	}
	for _, t := range texts {
		next <- t
	}
	close(next)
	wg.Wait()
}

// BenchmarkTokenize is the analyzer alone on a 1,000-character suggestion.
func BenchmarkTokenize(b *testing.B) {
	a := testAnalysis(b)
	text := []byte(strings.Repeat("关于加快农村寄递物流体系建设助力乡村振兴的建议，建议省邮政管理局会同省商务厅推动快递进村。", 20))
	b.SetBytes(int64(len(text)))
	for i := 0; i < b.N; i++ {
		a.Tokenize(text)
	}
}

// BenchmarkLiteralTokenize is the literal (character and bigram) analyzer.
func BenchmarkLiteralTokenize(b *testing.B) {
	a := testAnalysis(b)
	text := []byte(strings.Repeat("关于加快农村寄递物流体系建设助力乡村振兴的建议，建议省邮政管理局会同省商务厅推动快递进村。", 20))
	b.SetBytes(int64(len(text)))
	for i := 0; i < b.N; i++ {
		a.LiteralTokenize(text)
	}
}

// BenchmarkFoldRunes is the highlighter's folding of a document's text.
func BenchmarkFoldRunes(b *testing.B) {
	a := testAnalysis(b)
	text := []byte(strings.Repeat("关于加快农村寄递物流体系建设助力乡村振兴的建议，建议省邮政管理局会同省商务厅推动快递进村。\n", 20))
	b.SetBytes(int64(len(text)))
	for i := 0; i < b.N; i++ {
		a.charRunes(text)
	}
}
