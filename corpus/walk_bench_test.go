package corpus_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"minsheng/corpus"
)

// BenchmarkWalkNews walks ../shared/corpora/news-2023 (gzip-compressed
// JSON Lines, 63,668 articles) without doing anything with its documents:
// what a build's learning of its topics costs, and its walk's share of
// indexing.
func BenchmarkWalkNews(b *testing.B) {
	src := filepath.Join("..", "..", "shared", "corpora", "news-2023", "news.jsonl.gz")
	if _, err := os.Stat(src); err != nil {
		b.Skipf("skipping: %v (../shared/corpora is absent)", err)
	}
	for b.Loop() {
		st, err := corpus.Walk(context.Background(), []string{src}, corpus.Options{}, func(corpus.Doc) error { return nil }, func(corpus.Problem) {})
		if err != nil {
			b.Fatal(err)
		}
		if st.Docs != 63668 {
			b.Fatalf("%d documents, want 63,668", st.Docs)
		}
	}
}
