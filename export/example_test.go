package export_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/xuri/excelize/v2"

	"minsheng/export"
	"minsheng/indexer"
	"minsheng/search"
)

// Export what a search matches as an Excel workbook, then read it back.
func ExampleExporter_Write() {
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

	// The searcher must allow the exporter's pages of DefaultPageSize hits.
	s := search.New(live.Index(), search.Options{Limits: search.Limits{MaxSize: export.DefaultPageSize}})
	e := &export.Exporter{Search: s, Generation: live.Generation}
	var buf bytes.Buffer
	sum, err := e.Write(ctx, &buf, search.Request{Query: `"互助养老点"`}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("rows:", sum.Rows, "first sheet:", sum.Sheets[0])

	f, err := excelize.OpenReader(&buf)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	header, err := f.GetCellValue(sum.Sheets[0], "A1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("first column:", header)
	// Output:
	// rows: 2 first sheet: 结果
	// first column: 编号
}
