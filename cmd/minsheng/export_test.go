package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minsheng/indexer"
	"minsheng/search"
)

// TestExportCommand runs minsheng export in-process over an index of the
// sample corpus: the file appears whole under its name, with the search's
// rows, and nothing else is left in its folder.
func TestExportCommand(t *testing.T) {
	data := t.TempDir()
	if _, err := indexer.Build(context.Background(), data, indexer.BuildOptions{Sources: []string{"../../corpus/sample"}}); err != nil {
		t.Fatal(err)
	}
	outDir := t.TempDir()
	out := filepath.Join(outDir, "导出.xlsx")
	var stdout bytes.Buffer
	err := runExport(context.Background(), []string{"--data", data, "--log-level", "error", "--topic", "乡村振兴", "--topic", "乡村振兴",
		"--sort", "-date", "-o", out, "--q", "乡村振兴"}, &stdout)
	if err != nil {
		t.Fatal(err)
	}
	live, err := indexer.OpenLive(data)
	if err != nil {
		t.Fatal(err)
	}
	res, err := search.New(live.Index(), search.Options{}).Search(context.Background(),
		search.Request{Query: "乡村振兴", Filters: search.Filters{Topic: []string{"乡村振兴"}}})
	live.Close()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("结果")
	if res.Total == 0 || len(rows) != int(res.Total)+1 {
		t.Errorf("结果 has %d rows; the search finds %d", len(rows), res.Total)
	}
	notes, _ := f.GetRows("说明")
	for _, r := range notes {
		if len(r) == 2 && r[0] == "筛选条件" && r[1] != "主题：乡村振兴" {
			t.Errorf("说明 filters %q: the repeated flag should count once", r[1])
		}
	}
	if !strings.Contains(stdout.String(), "wrote "+out) {
		t.Errorf("stdout %q", stdout.String())
	}
	if ents, _ := os.ReadDir(outDir); len(ents) != 1 {
		t.Errorf("%d files in the output folder, want the workbook alone", len(ents))
	}

	// a cancelled export leaves no file, not even a temporary one
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	gone := filepath.Join(outDir, "cancelled.xlsx")
	if err := runExport(ctx, []string{"--data", data, "--log-level", "error", "-o", gone}, &stdout); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled export: %v", err)
	}
	if ents, _ := os.ReadDir(outDir); len(ents) != 1 {
		t.Errorf("%d files in the output folder after a cancelled export, want 1", len(ents))
	}

	// a report, and CSV
	if err := runExport(context.Background(), []string{"--data", data, "--log-level", "error", "--report", "units", "-o", filepath.Join(outDir, "u.xlsx")}, &stdout); err != nil {
		t.Fatal(err)
	}
	if err := runExport(context.Background(), []string{"--data", data, "--log-level", "error", "-o", filepath.Join(outDir, "r.csv"), "乡村振兴"}, &stdout); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(outDir, "r.csv"))
	if err != nil || !bytes.HasPrefix(b, []byte("\ufeff编号,标题")) {
		t.Errorf("csv %v %.40q", err, b)
	}
	if err := runExport(context.Background(), []string{"--data", data, "--report", "nope"}, &stdout); err == nil {
		t.Error("--report nope accepted")
	}
}
