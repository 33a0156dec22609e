package indexer

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTextBytesOfGzippedSource builds a generation from a .jsonl.gz of
// very repetitive text: the manifest's TextBytes is the text of its
// documents, decompressed (title, body and reply), many times the
// compressed size that Bytes keeps for the share read.
func TestTextBytesOfGzippedSource(t *testing.T) {
	src := filepath.Join(t.TempDir(), "news.jsonl.gz")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	enc := json.NewEncoder(zw)
	var want int64
	for i := range 20 {
		d := map[string]string{
			"id": "n" + string(rune('a'+i)), "title": "乡村振兴简报", "date": "2024-03-08",
			"body":  strings.Repeat("推进乡村全面振兴，", 200),
			"reply": strings.Repeat("已答复。", i),
		}
		want += int64(len(d["title"]) + len(d["body"]) + len(d["reply"]))
		if err := enc.Encode(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	var last Progress
	man := buildOnce(t, data, BuildOptions{Sources: []string{src}, BatchSize: 7, Progress: func(p Progress) { last = p }})
	if man.Docs != 20 {
		t.Fatalf("indexed %d documents, want 20", man.Docs)
	}
	if man.TextBytes != want {
		t.Errorf("TextBytes = %d, want %d (the documents' text, decompressed)", man.TextBytes, want)
	}
	if man.Bytes*10 > man.TextBytes {
		t.Errorf("Bytes = %d: want the compressed size, far below the text's %d", man.Bytes, man.TextBytes)
	}
	if last.TextBytes != want || last.Bytes != man.Bytes || last.TotalBytes != man.Bytes {
		t.Errorf("last progress %+v: want TextBytes %d and Bytes = TotalBytes = %d", last, want, man.Bytes)
	}
	b, err := os.ReadFile(ManifestPath(data, man.Name))
	if err != nil {
		t.Fatal(err)
	}
	var stored Manifest
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	if stored.TextBytes != want {
		t.Errorf("manifest.json text_bytes = %d, want %d", stored.TextBytes, want)
	}
}
