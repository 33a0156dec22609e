package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	blanalysis "github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"

	"minsheng/corpus"
	"minsheng/indexer/analysis"
)

// The naive index of the news load: what a newcomer writes with bleve and
// gojieba in an afternoon. Title and body go through one analyzer that is
// jieba's search mode and nothing more (positions one after another,
// lower case), with bleve's defaults for a text field (stored, term
// vectors) and BM25; no literal field, no folding, no facets.
const (
	naiveTokenizer = "bench_naive_jieba"
	naiveAnalyzer  = "bench_naive"
	// naiveServeEnv makes the test binary serve the naive index in the
	// folder it names instead of running tests (see TestMain): the naive
	// server runs in a process of its own, as ours does, so that each
	// side's memory is its own.
	naiveServeEnv = "MINSHENG_BENCH_NAIVE_SERVE"
)

// TestMain runs the tests, or serves the naive index when the news load
// starts this binary as its naive server. After the tests it removes the
// sample index they share (sampleSearcher).
func TestMain(m *testing.M) {
	if dir := os.Getenv(naiveServeEnv); dir != "" {
		if err := naiveServe(dir); err != nil {
			fmt.Fprintln(os.Stderr, "naive server:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	closeAPIFixture()
	os.Exit(code)
}

// naiveTokens is the naive tokenizer: jieba search mode, byte offsets,
// positions in the order jieba gives the words.
type naiveTokens struct{ a *analysis.Analysis }

func (t naiveTokens) Tokenize(text []byte) blanalysis.TokenStream {
	ws := t.a.Segment(string(text))
	out := make(blanalysis.TokenStream, 0, len(ws))
	for i, w := range ws {
		out = append(out, &blanalysis.Token{Term: []byte(w.Str), Start: w.Start, End: w.End, Position: i + 1, Type: blanalysis.Ideographic})
	}
	return out
}

// registerNaive adds the naive tokenizer to bleve's registry; a second call
// in the same process finds it there (the registry's only error).
func registerNaive() {
	registry.RegisterTokenizer(naiveTokenizer, func(map[string]any, *registry.Cache) (blanalysis.Tokenizer, error) {
		a, err := analysis.NewBuiltinAnalysis()
		if err != nil {
			return nil, err
		}
		return naiveTokens{a}, nil
	})
}

// naiveMapping is the naive index's mapping.
func naiveMapping() (*mapping.IndexMappingImpl, error) {
	registerNaive()
	m := mapping.NewIndexMapping()
	m.ScoringModel = "bm25"
	if err := m.AddCustomAnalyzer(naiveAnalyzer, map[string]any{
		"type": "custom", "tokenizer": naiveTokenizer, "token_filters": []any{lowercase.Name},
	}); err != nil {
		return nil, err
	}
	dm := mapping.NewDocumentStaticMapping()
	text := mapping.NewTextFieldMapping()
	text.Analyzer = naiveAnalyzer
	dm.AddFieldMappingsAt("title", text)
	dm.AddFieldMappingsAt("body", text)
	m.DefaultMapping = dm
	m.DefaultAnalyzer = naiveAnalyzer
	return m, nil
}

// naiveIndex returns the folder of the naive index of the news corpus
// under dir, building it when absent (in dir/index.tmp, renamed when
// complete) and logging its rate.
func naiveIndex(b *testing.B, dir string) string {
	final := filepath.Join(dir, "index")
	if _, err := os.Stat(final); err == nil {
		return final
	}
	tmp := final + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		b.Fatal(err)
	}
	m, err := naiveMapping()
	if err != nil {
		b.Fatal(err)
	}
	idx, err := bleve.New(tmp, m)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	var docs, textBytes int
	batch := idx.NewBatch()
	_, err = corpus.Walk(context.Background(), []string{newsCorpus}, corpus.Options{}, func(d corpus.Doc) error {
		docs++
		textBytes += len(d.Title) + len(d.Body)
		if err := batch.Index(d.ID, map[string]any{"title": d.Title, "body": d.Body}); err != nil {
			return err
		}
		if batch.Size() < 1000 {
			return nil
		}
		err := idx.Batch(batch)
		batch.Reset()
		return err
	}, nil)
	if err == nil {
		err = idx.Batch(batch)
	}
	if err = errors.Join(err, idx.Close()); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, final); err != nil {
		b.Fatal(err)
	}
	secs := time.Since(start).Seconds()
	b.Logf("naive bleve+gojieba index of news-2023 built in %s: %d docs, %.1f s, %.2f MB/s of text (this process, with the test's other work; the indexing figures of make bench are BenchmarkIndexNews's)",
		final, docs, secs, float64(textBytes)/1e6/secs)
	return final
}

// naiveServe serves the naive index in dir on a loopback port, prints
// "serving http://ADDR" on stdout and serves until the process is killed.
func naiveServe(dir string) error {
	registerNaive()
	idx, err := bleve.OpenUsing(dir, map[string]any{"read_only": true})
	if err != nil {
		return err
	}
	defer idx.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("serving http://%s\n", ln.Addr())
	return http.Serve(ln, naiveHandler(idx))
}

// naiveHandler answers /search?q= the naive way: the words as one match
// query on title or body (any word), the ten best hits with their stored
// title, no facets, no highlights (as the issue measured it).
func naiveHandler(idx bleve.Index) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		text := r.URL.Query().Get("q")
		title := bleve.NewMatchQuery(text)
		title.SetField("title")
		body := bleve.NewMatchQuery(text)
		body.SetField("body")
		req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(title, body), 10, 0, false)
		req.Fields = []string{"title"}
		res, err := idx.SearchInContext(r.Context(), req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(res)
	})
}
