package search_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"minsheng/corpus"
	"minsheng/indexer"
	zhanalysis "minsheng/indexer/analysis"
	"minsheng/search"
)

// shared is the folder of real corpora beside the repository.
const shared = "../../shared"

// needShared skips a test when ../shared is absent (CI always has it).
func needShared(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(shared, rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("skipping: %s is absent (the real corpora live in ../shared beside the repository)", p)
	}
	return p
}

// testIndex is an index built from documents once per test binary.
type testIndex struct {
	live     *indexer.Live
	searcher *search.Searcher
	docs     []corpus.Doc
}

var (
	indexesMu sync.Mutex
	indexes   = map[string]*testIndex{}
	indexDirs []string // the folders buildIndex made, removed by TestMain
)

// TestMain runs the tests, then closes the indexes buildIndex built and
// removes their folders, which outlive any one test (every run left
// them in the temporary folder, 34 MB each).
func TestMain(m *testing.M) {
	code := m.Run()
	indexesMu.Lock()
	for _, ti := range indexes {
		ti.live.Close()
	}
	for _, dir := range indexDirs {
		os.RemoveAll(dir)
	}
	indexesMu.Unlock()
	os.Exit(code)
}

// buildIndex indexes sources (files or folders) into a temporary data
// folder, once per key for the whole test binary. keep, when non-nil,
// rewrites each document before it is indexed.
func buildIndex(tb testing.TB, key string, sources []string, keep func(*corpus.Doc)) *testIndex {
	tb.Helper()
	indexesMu.Lock()
	defer indexesMu.Unlock()
	if ti := indexes[key]; ti != nil {
		return ti
	}
	dir, err := os.MkdirTemp("", "minsheng-test-")
	if err != nil {
		tb.Fatal(err)
	}
	indexDirs = append(indexDirs, dir)
	// A JSONL of the (rewritten) documents is what gets indexed, so the test
	// knows exactly what the index holds.
	var docs []corpus.Doc
	_, err = corpus.Walk(context.Background(), sources, corpus.Options{}, func(d corpus.Doc) error {
		if keep != nil {
			keep(&d)
		}
		docs = append(docs, d)
		return nil
	}, func(corpus.Problem) {})
	if err != nil {
		tb.Fatal(err)
	}
	src := filepath.Join(dir, "docs.jsonl")
	f, err := os.Create(src)
	if err != nil {
		tb.Fatal(err)
	}
	enc := json.NewEncoder(f)
	for i := range docs {
		if err := enc.Encode(&docs[i]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if _, err := indexer.Build(context.Background(), data, indexer.BuildOptions{Sources: []string{src}}); err != nil {
		tb.Fatal(err)
	}
	live, err := indexer.OpenLive(data)
	if err != nil {
		tb.Fatal(err)
	}
	an, err := zhanalysis.NewBuiltinAnalysis()
	if err != nil {
		tb.Fatal(err)
	}
	s := search.New(live.Index(), search.Options{Limits: search.Limits{MaxSize: 10000, MaxPageDepth: 100000}, Keywords: an.Keywords})
	for i := range docs { // what the index stored
		indexer.IndexFields(&docs[i])
	}
	ti := &testIndex{live: live, searcher: s, docs: docs}
	indexes[key] = ti
	return ti
}

// ids returns the ids of every hit of a query, in order.
func (ti *testIndex) ids(tb testing.TB, r search.Request) []string {
	tb.Helper()
	if r.Size == 0 {
		r.Size = 10000
	}
	res, err := ti.searcher.Search(context.Background(), r)
	if err != nil {
		tb.Fatalf("search %q: %v", r.Query, err)
	}
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	if uint64(len(out)) != res.Total {
		tb.Fatalf("search %q: %d hits of %d: raise the test size", r.Query, len(out), res.Total)
	}
	return out
}
