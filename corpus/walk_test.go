package corpus

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// result is what one Walk did.
type result struct {
	docs  []Doc
	probs []Problem
	stats Stats
	err   error
}

// walk runs Walk over paths, collecting documents and problems.
func walk(t *testing.T, opt Options, paths ...string) result {
	t.Helper()
	var r result
	r.stats, r.err = Walk(context.Background(), paths, opt,
		func(d Doc) error { r.docs = append(r.docs, d); return nil },
		func(p Problem) { r.probs = append(r.probs, p) })
	return r
}

// writeFile writes content to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gz(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func ids(docs []Doc) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d.ID)
	}
	return out
}

// probsOf renders problems as "base:line: reason" for comparison.
func probsOf(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		p.File = filepath.Base(p.File)
		out = append(out, p.String())
	}
	return out
}

// unreadHint ends the note of a file's columns that no field takes.
const unreadHint = " (a column mapping gives one a field: --column NAME=FIELD, or NAME=- to ignore it)"

func checkProbs(t *testing.T, got []Problem, want ...string) {
	t.Helper()
	if g := probsOf(got); !slices.Equal(g, want) {
		t.Errorf("problems:\n got %q\nwant %q", g, want)
	}
}

func TestWalkFolder(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "b/c.csv", "标题,正文\n乙,正文乙\n")
	writeFile(t, dir, "a.jsonl", `{"title":"甲"}`+"\n")
	writeFile(t, dir, "page.txt", "丙\n正文丙\n")
	writeFile(t, dir, "d.json.gz", gz(t, `[{"title":"丁"}]`))
	writeFile(t, dir, "e.NDJSON", `{"title":"戊"}`)
	for _, ignored := range []string{".hidden.jsonl", ".git/x.jsonl", "README.md", "~$book.xlsx", "notes.jsonl.bak"} {
		writeFile(t, dir, ignored, `{"title":"ignored"}`)
	}
	r := walk(t, Options{}, dir)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if want := []string{"a-1", "c-2", "d-1", "e-1", "page"}; !slices.Equal(ids(r.docs), want) {
		t.Errorf("ids %q, want %q", ids(r.docs), want)
	}
	want := Stats{Files: 5, Docs: 5, Reasons: map[string]int{}}
	if !reflect.DeepEqual(r.stats, want) {
		t.Errorf("stats %+v, want %+v", r.stats, want)
	}
	n, err := Size([]string{dir, filepath.Join(dir, "a.jsonl")}) // a.jsonl once
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, f := range []string{"b/c.csv", "a.jsonl", "page.txt", "d.json.gz", "e.NDJSON"} {
		fi, _ := os.Stat(filepath.Join(dir, f))
		sum += fi.Size()
	}
	if n != sum {
		t.Errorf("Size = %d, want %d", n, sum)
	}
}

func TestWalkErrors(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.jsonl", `{"title":"甲"}`+"\n")
	var lines []string
	for i := range 1000 {
		lines = append(lines, fmt.Sprintf(`{"title":"第%d条"}`, i))
	}
	full := gz(t, strings.Join(lines, "\n"))
	array := gz(t, "["+strings.Join(lines, ",\n")+"]")
	tests := []struct {
		name, file, content string
		want                string // in the error, besides the file name
	}{
		{"unknown type", "notes.md", "x", "unknown file type"},
		{"corrupt gzip", "bad.jsonl.gz", "not gzip at all", "gzip: invalid header"},
		{"truncated gzip", "cut.jsonl.gz", full[:len(full)/2], "unexpected EOF"},
		{"truncated gzip array", "cut.json.gz", array[:len(array)/2], "unexpected EOF"},
		{"corrupt xlsx", "bad.xlsx", "PK\x03\x04 not really a zip", "zip"},
		{"missing", "missing.jsonl", "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.file)
			if tt.name != "missing" {
				p = writeFile(t, dir, tt.file, tt.content)
			}
			r := walk(t, Options{}, p, good)
			if r.err == nil || !strings.Contains(r.err.Error(), p) || !strings.Contains(r.err.Error(), tt.want) {
				t.Errorf("err = %v, want one naming %s with %q", r.err, p, tt.want)
			}
			if len(r.docs) != 0 && !strings.HasPrefix(tt.name, "truncated") {
				t.Errorf("%d docs before the error", len(r.docs))
			}
		})
	}
}

func TestWalkStops(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "s.jsonl", `{"title":"一"}`+"\n"+`{"title":"二"}`+"\n"+`{"title":"三"}`+"\n")

	stop := errors.New("index full")
	n := 0
	st, err := Walk(context.Background(), []string{p}, Options{}, func(Doc) error {
		if n++; n == 2 {
			return stop
		}
		return nil
	}, nil)
	if !errors.Is(err, stop) || !strings.Contains(err.Error(), p+": line 2") || st.Docs != 2 {
		t.Errorf("emit error: %v, %d docs", err, st.Docs)
	}

	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	st, err = Walk(ctx, []string{p}, Options{}, func(Doc) error {
		n++
		cancel()
		return nil
	}, nil)
	if !errors.Is(err, context.Canceled) || n != 1 || st.Docs != 1 {
		t.Errorf("cancelled: %v after %d docs", err, n)
	}

	if _, err := Walk(context.Background(), []string{p}, Options{Mapping: map[string]string{"x": "titel"}}, nil, nil); err == nil {
		t.Error("mapping to an unknown field: no error")
	}
}

func TestWalkDuplicateAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.jsonl", `{"id":"x","title":"一"}`)
	writeFile(t, dir, "b.csv", "id,title\nx,二\ny,三\n")
	r := walk(t, Options{}, dir)
	if !slices.Equal(ids(r.docs), []string{"x", "y"}) {
		t.Errorf("ids %q", ids(r.docs))
	}
	checkProbs(t, r.probs, "b.csv:2: duplicate id: x")
	if r.stats.Skipped != 1 || r.stats.Reasons["duplicate id"] != 1 {
		t.Errorf("stats %+v", r.stats)
	}
}

func TestWalkKind(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "k.jsonl", `{"title":"a"}
{"title":"b","number":"12"}
{"title":"c","units":"省财政厅"}
{"title":"d","delegation":"兰州代表团"}
{"title":"e","kind":"提案"}
{"title":"f","kind":" Policy "}
`)
	news := writeFile(t, dir, "n.txt", "标题\n正文\n")
	var kinds []string
	for _, d := range walk(t, Options{}, p, news).docs {
		kinds = append(kinds, d.Kind)
	}
	if want := []string{"news", "suggestion", "suggestion", "suggestion", "proposal", "policy", "news"}; !slices.Equal(kinds, want) {
		t.Errorf("guessed kinds %q, want %q", kinds, want)
	}
	kinds = nil
	for _, d := range walk(t, Options{Kind: "报告"}, p, news).docs {
		kinds = append(kinds, d.Kind)
	}
	if want := []string{"report", "report", "report", "report", "proposal", "policy", "report"}; !slices.Equal(kinds, want) {
		t.Errorf("kinds with Options.Kind %q, want %q", kinds, want)
	}
}

func TestWalkProgress(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat(`{"title":"进度","body":"`+strings.Repeat("正文", 5000)+`"}`+"\n", 20)
	files := []string{
		writeFile(t, dir, "a.jsonl", long),
		writeFile(t, dir, "b.jsonl.gz", gz(t, long)),
		writeXLSX(t, dir, "c.xlsx", [][]any{{"标题"}, {"一"}}),
	}
	var n int64
	st, err := Walk(context.Background(), files, Options{Progress: func(k int64) { n += k }}, nil, nil)
	if err != nil || st.Docs != 41 {
		t.Fatalf("%+v, %v", st, err)
	}
	size, _ := Size(files)
	if n != size {
		t.Errorf("progress %d bytes, want %d", n, size)
	}
}
