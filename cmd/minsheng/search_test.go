package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// minsheng search prints where a hit matched besides its body: a
// suggestion found by its reply showed only its body's start.
func TestSearchPrintsOtherHighlights(t *testing.T) {
	data, src := t.TempDir(), t.TempDir()
	writeSource(t, src, "s.jsonl", []byte(`{"id": "s-1", "kind": "suggestion", "title": "关于加强乡村道路养护的建议", "body": "部分乡村道路年久失修，群众出行不便。", "date": "2024-03-01", "units": ["省交通运输厅"], "reply": "已将农村公路养护资金列入年度预算。"}`+"\n"))
	var out bytes.Buffer
	if err := runIndex(context.Background(), []string{"--data", data, "--source", filepath.Join(src, "s.jsonl"), "--log-level", "error"}, &out); err != nil {
		t.Fatalf("index: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := runSearch(context.Background(), []string{"--data", data, "年度预算"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "s-1") || !strings.Contains(out.String(), "答复：已将农村公路养护资金列入【年度预算】") {
		t.Errorf("search 年度预算 prints no marked reply:\n%s", out.String())
	}
	out.Reset()
	if err := runSearch(context.Background(), []string{"--data", data, "交通运输厅"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "承办单位：省【交通运输厅】") {
		t.Errorf("search 交通运输厅 prints no marked unit:\n%s", out.String())
	}
}
