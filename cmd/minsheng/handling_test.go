package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minsheng/indexer"
	"minsheng/search"
)

// TestExportHandlingReport runs minsheng export --report handling over
// an index of the sample corpus: the workbook has the report's sheets and
// its 汇总 states the searcher's figures for the session.
func TestExportHandlingReport(t *testing.T) {
	data := t.TempDir()
	if _, err := indexer.Build(context.Background(), data, indexer.BuildOptions{Sources: []string{"../../corpus/sample"}}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "报告.xlsx")
	var stdout bytes.Buffer
	if err := runExport(context.Background(), []string{"--data", data, "--log-level", "error", "--report", "handling",
		"--session", "十四届二次会议", "-o", out}, &stdout); err != nil {
		t.Fatal(err)
	}
	live, err := indexer.OpenLive(data)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	var r search.Request
	r.Filters.Set("session", []string{"十四届二次会议"})
	st, err := search.New(live.Index(), search.Options{}).Handling(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), "|"); got != "汇总|按主题|按单位|逾期|重点督办|承诺跟踪|说明" {
		t.Errorf("sheets %s", got)
	}
	rows, _ := f.GetRows("汇总")
	if len(rows) < 2 || rows[1][0] != "建议总数" || rows[1][1] != strconv.Itoa(st.Total) || st.Total == 0 {
		t.Errorf("汇总 %v, want 建议总数 %d", rows[:min(2, len(rows))], st.Total)
	}
	if err := runExport(context.Background(), []string{"--data", data, "--report", "handling", "-o", filepath.Join(t.TempDir(), "x.csv")}, &stdout); err == nil {
		t.Error("a handling report as CSV was not refused")
	}
}
