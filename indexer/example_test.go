package indexer_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"minsheng/indexer"
)

// Index a folder of source files into a new generation of a data folder,
// then open the generation that is now current.
func ExampleBuild() {
	data, err := os.MkdirTemp("", "minsheng-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(data)

	man, err := indexer.Build(context.Background(), data, indexer.BuildOptions{
		Sources: []string{filepath.Join("..", "corpus", "testdata", "example")},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("documents:", man.Docs, "skipped:", man.Skipped)

	live, err := indexer.OpenLive(data)
	if err != nil {
		log.Fatal(err)
	}
	defer live.Close()
	fmt.Println("serving the new generation:", live.Generation() == man.Name)
	// Output:
	// documents: 3 skipped: 0
	// serving the new generation: true
}
