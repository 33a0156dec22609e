package search_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"minsheng/indexer"
	"minsheng/search"
)

// Search an index generation: words, a quoted phrase, a filter; read the
// hits, their highlighted snippets and the facet counts.
func ExampleSearcher_Search() {
	data, err := os.MkdirTemp("", "minsheng-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(data)
	ctx := context.Background()
	if _, err := indexer.Build(ctx, data, indexer.BuildOptions{
		Sources: []string{filepath.Join("..", "corpus", "testdata", "example")},
	}); err != nil {
		log.Fatal(err)
	}
	live, err := indexer.OpenLive(data)
	if err != nil {
		log.Fatal(err)
	}
	defer live.Close()

	s := search.New(live.Index(), search.Options{})
	res, err := s.Search(ctx, search.Request{
		Query:   `"互助养老点"`,
		Filters: search.Filters{Kind: []string{"suggestion"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, h := range res.Hits {
		fmt.Println(h.ID, h.Title)
		fmt.Println(strings.Contains(h.Snippet, "<mark>互助养老点</mark>"))
	}
	// Output:
	// ex-2023-001 关于加快农村养老服务设施建设的建议
	// true
}
