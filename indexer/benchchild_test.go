package indexer

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/yanyiwu/gojieba"

	"minsheng/corpus"
	"minsheng/internal/procstat"
)

// BenchmarkIndexNews runs each build it measures in a process of its own,
// this test binary run again with these variables, so that the peak RSS
// the kernel reports for it is that build's alone.
const (
	benchChildEnv      = "MINSHENG_BENCH_CHILD" // "ours" or "naive": the build to run
	benchDirEnv        = "MINSHENG_BENCH_DIR"   // the folder it builds in
	benchOutEnv        = "MINSHENG_BENCH_OUT"   // the file it writes its benchResult to
	benchCPUProfileEnv = "MINSHENG_BENCH_CPUPROFILE"
	benchMemProfileEnv = "MINSHENG_BENCH_MEMPROFILE"
	benchLogEnv        = "MINSHENG_BENCH_LOG" // set: the build logs to stderr
)

// NewBenchTagger returns the Tagger `minsheng index` builds with (the
// built-in taxonomy's classifier), so that BenchmarkIndexNews's build of
// ours learns and tags as a real build does. It is set by
// benchtagger_test.go: the taxonomy imports this package, so only the
// external test package may import it.
var NewBenchTagger func() (Learner, error)

// benchResult is what a child build reports.
type benchResult struct {
	Docs     int     `json:"docs"`
	Seconds  float64 `json:"seconds"`
	PeakAnon int64   `json:"peak_anon"` // largest anonymous RSS sampled, bytes: the rest of the peak is mapped files (the segments)
}

// TestMain runs a child build of BenchmarkIndexNews when the test binary
// is started as one, and the tests otherwise.
func TestMain(m *testing.M) {
	if kind := os.Getenv(benchChildEnv); kind != "" {
		if err := benchChild(kind); err != nil {
			fmt.Fprintf(os.Stderr, "%s build: %v\n", kind, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// benchChild builds benchSource() the way kind says, with the profiles
// the environment asks for, and writes its benchResult.
func benchChild(kind string) error {
	dir, out := os.Getenv(benchDirEnv), os.Getenv(benchOutEnv)
	if dir == "" || out == "" {
		return fmt.Errorf("%s and %s must be set", benchDirEnv, benchOutEnv)
	}
	if p := os.Getenv(benchCPUProfileEnv); p != "" {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	debug.SetGCPercent(BuildGCPercent) // as minsheng index does
	debug.SetMemoryLimit(BuildMemoryLimit)
	stop := make(chan struct{})
	anon := peakAnon(stop)
	ctx := context.Background()
	start := time.Now()
	var (
		res benchResult
		err error
	)
	switch kind {
	case "ours":
		opt := BuildOptions{Sources: []string{benchSource()}}
		if os.Getenv(benchLogEnv) != "" {
			opt.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
		}
		if NewBenchTagger == nil {
			return fmt.Errorf("no tagger: NewBenchTagger is not set")
		}
		if opt.Tagger, err = NewBenchTagger(); err != nil {
			return err
		}
		var man *Manifest
		if man, err = Build(ctx, dir, opt); err == nil {
			res.Docs = man.Docs
		}
	case "naive":
		res.Docs, err = buildNaive(ctx, dir, benchSource())
	default:
		err = fmt.Errorf("unknown build %q", kind)
	}
	if err != nil {
		return err
	}
	res.Seconds = time.Since(start).Seconds()
	close(stop)
	res.PeakAnon = <-anon
	if p := os.Getenv(benchMemProfileEnv); p != "" {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			return err
		}
	}
	js, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return os.WriteFile(out, js, 0o600)
}

// peakAnon samples the process's anonymous RSS every 100 ms until stop
// is closed, then sends the largest it saw. The kernel's peak RSS counts
// the pages of the segment files a build maps and reads as well; those are
// page cache it can drop, the anonymous memory is not.
func peakAnon(stop <-chan struct{}) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		var peak int64
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, procstat.Bytes(0, "RssAnon"))
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// naiveDoc is a document of the naive index: the text a new user would
// index, in bleve's default (dynamic) mapping.
type naiveDoc struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// buildNaive indexes the title and body of every document of src into a
// bleve index as a new user of bleve and gojieba would write it:
// bleve.NewIndexMapping() (dynamic text fields: stored, with term vectors,
// and in the _all field), BM25, gojieba's own dictionaries, a tokenizer
// that hands gojieba's search-mode words to bleve at positions 1, 2, 3 …,
// batches of 1,000 from one goroutine, and Close. No literal field, no
// facets, no merge into one segment.
func buildNaive(ctx context.Context, dir, src string) (int, error) {
	j := gojieba.NewJieba()
	defer j.Free()
	err := registry.RegisterTokenizer("bench_naive_jieba", func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return naiveTokenizer{j}, nil
	})
	if err != nil {
		return 0, err
	}
	m := bleve.NewIndexMapping()
	m.ScoringModel = index.BM25Scoring
	if err := m.AddCustomTokenizer("jieba", map[string]any{"type": "bench_naive_jieba"}); err != nil {
		return 0, err
	}
	if err := m.AddCustomAnalyzer("jieba", map[string]any{"type": "custom", "tokenizer": "jieba"}); err != nil {
		return 0, err
	}
	m.DefaultAnalyzer = "jieba"
	idx, err := bleve.New(dir, m)
	if err != nil {
		return 0, err
	}
	b, n := idx.NewBatch(), 0
	_, err = corpus.Walk(ctx, []string{src}, corpus.Options{}, func(d corpus.Doc) error {
		if err := b.Index(d.ID, naiveDoc{Title: d.Title, Body: d.Body}); err != nil {
			return err
		}
		n++
		if b.Size() < 1000 {
			return nil
		}
		err := idx.Batch(b)
		b.Reset()
		return err
	}, nil)
	if err == nil && b.Size() > 0 {
		err = idx.Batch(b)
	}
	if cerr := idx.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// naiveTokenizer is the gojieba tokenizer a new user writes for bleve:
// search mode with HMM, byte offsets as gojieba gives them, one position
// per word.
type naiveTokenizer struct{ j *gojieba.Jieba }

// Tokenize implements analysis.Tokenizer.
func (t naiveTokenizer) Tokenize(text []byte) analysis.TokenStream {
	words := t.j.Tokenize(string(text), gojieba.SearchMode, true)
	out := make(analysis.TokenStream, len(words))
	for i, w := range words {
		out[i] = &analysis.Token{Term: []byte(w.Str), Start: w.Start, End: w.End, Position: i + 1, Type: analysis.Ideographic}
	}
	return out
}
