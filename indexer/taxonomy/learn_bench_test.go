package taxonomy

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"minsheng/corpus"
)

// BenchmarkLearnNews is what a build of news-2023 spends learning topics
// before it indexes: a walk of its 63,668 articles, none labelled, and
// the segmenter's loading, once.
func BenchmarkLearnNews(b *testing.B) {
	src := filepath.Join("..", "..", "..", "shared", "corpora", "news-2023", "news.jsonl.gz")
	if _, err := os.Stat(src); err != nil {
		b.Skipf("skipping: %v (../shared/corpora is absent)", err)
	}
	tax, err := LoadTaxonomy("")
	if err != nil {
		b.Fatal(err)
	}
	c, err := NewClassifier(tax)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		l, err := c.Learn(context.Background(), []string{src}, corpus.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if l.ModelHash() != "" {
			b.Fatalf("a model learned from unlabelled news: %s", l.ModelHash())
		}
	}
}
