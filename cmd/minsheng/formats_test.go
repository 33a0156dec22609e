package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIndexFormats runs `minsheng index` over a folder of saved news pages
// (the readers' test pages, text and HTML, UTF-8 and GBK), a Word file, an
// old binary .doc and a truncated .docx: every page and the Word file are
// indexed and found, the two bad files reported, skipped and counted.
func TestIndexFormats(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds an index")
	}
	src, data := t.TempDir(), t.TempDir()
	pages, err := filepath.Glob("../../corpus/testdata/pages/*.*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range pages {
		if filepath.Ext(p) != ".txt" && filepath.Ext(p) != ".html" {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		writeSource(t, src, filepath.Base(p), b)
		n++
	}
	docx := wordFile(t, "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>代表团</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>临夏代表团</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"+
		"<w:p><w:r><w:t>关于扶持牛羊产业的建议</w:t></w:r></w:p><w:p><w:r><w:t>牛羊产业链条短，精深加工能力弱。</w:t></w:r></w:p>")
	writeSource(t, src, "word/s-1.docx", docx)
	writeSource(t, src, "word/old.doc", append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 504)...))
	writeSource(t, src, "word/cut.docx", docx[:len(docx)/2])

	var out bytes.Buffer
	if err := runIndex(context.Background(), []string{"--data", data, "--source", src, "--log-level", "error"}, &out); err != nil {
		t.Fatalf("index: %v\n%s", err, out.String())
	}
	for _, want := range []string{fmt.Sprintf("documents  %d\n", n+1), "skipped    2\n", "  broken docx          1\n", "  unsupported format   1\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
	for q, id := range map[string]string{"花椒产业": "h07-bullet-footer", "护林员": "h04-gb18030", "花牛苹果": "t05-city-paper-gbk", "牛羊产业": "s-1"} {
		out.Reset()
		if err := runSearch(context.Background(), []string{"--data", data, "--json", q}, &out); err != nil {
			t.Fatalf("search %s: %v", q, err)
		}
		var res struct {
			Hits []struct{ ID, Kind, Delegation string }
		}
		if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res.Hits) == 0 || res.Hits[0].ID != id {
			t.Errorf("search %s: %v %+v, want %s first", q, err, res.Hits, id)
		}
		if id == "s-1" && (res.Hits[0].Kind != "suggestion" || res.Hits[0].Delegation != "临夏代表团") {
			t.Errorf("Word file read as %+v", res.Hits[0])
		}
	}
}

func writeSource(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// wordFile is a .docx whose body is the given WordprocessingML.
func wordFile(t *testing.T, body string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `</w:body></w:document>`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
