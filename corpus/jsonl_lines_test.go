package corpus_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"minsheng/corpus"
)

// TestJSONLinesInOrder: records decoded in batches on several cores are
// added in the file's order, each problem at its own line, across many
// batches (some cut short by their bytes) and with blank lines between;
// the keys no field takes are noted once.
func TestJSONLinesInOrder(t *testing.T) {
	var b strings.Builder
	var want []string
	bad := map[int]bool{}
	line := 0
	for i := range 1000 {
		line++
		switch {
		case i%97 == 5:
			b.WriteString("{broken\n")
			bad[line] = true
		case i%131 == 7:
			b.WriteString("   \n") // blank: neither a document nor a problem
		default:
			body := "正文"
			if i%50 == 0 {
				body = strings.Repeat("长", 200000) // 600 KB: a batch cut by its bytes
			}
			fmt.Fprintf(&b, `{"id":"d%d","title":"标题%d","body":%q,"extra_%d":1}`+"\n", i, i, body, i%3)
			want = append(want, fmt.Sprintf("d%d", i))
		}
	}
	path := filepath.Join(t.TempDir(), "docs.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var got []string
	var lines []int
	var notes []string
	_, err := corpus.Walk(context.Background(), []string{path}, corpus.Options{}, func(d corpus.Doc) error {
		got = append(got, d.ID)
		return nil
	}, func(p corpus.Problem) {
		if p.Note() {
			notes = append(notes, p.Reason)
			return
		}
		lines = append(lines, p.Line)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%d documents, want %d, in the file's order", len(got), len(want))
	}
	var wantLines []int
	for l := range bad {
		wantLines = append(wantLines, l)
	}
	slices.Sort(wantLines)
	if !slices.Equal(lines, wantLines) {
		t.Errorf("problems at lines %v, want %v", lines, wantLines)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "extra_0") || !strings.Contains(notes[0], "extra_1") || !strings.Contains(notes[0], "extra_2") {
		t.Errorf("notes %q, want one naming extra_0, extra_1 and extra_2", notes)
	}
}

// TestJSONLinesStopAtError: an error of the callback ends the walk there,
// with that error, and no document after it is added.
func TestJSONLinesStopAtError(t *testing.T) {
	var b strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&b, `{"id":"d%d","title":"标题","body":"正文"}`+"\n", i)
	}
	path := filepath.Join(t.TempDir(), "docs.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("enough")
	n := 0
	_, err := corpus.Walk(context.Background(), []string{path}, corpus.Options{}, func(d corpus.Doc) error {
		n++
		if d.ID == "d1234" {
			return stop
		}
		return nil
	}, func(corpus.Problem) {})
	if !errors.Is(err, stop) {
		t.Errorf("walk returned %v, want the callback's error", err)
	}
	if n != 1235 {
		t.Errorf("%d documents added, want 1235: none after the error", n)
	}
}

// TestJSONLinesProgress: Options.Progress gets every byte of the file,
// on the caller's goroutine (the race detector checks it: the counter is
// not synchronised), though the file is read on another.
func TestJSONLinesProgress(t *testing.T) {
	var b strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&b, `{"id":"d%d","title":"标题","body":"%s"}`+"\n", i, strings.Repeat("正文", 100))
	}
	path := filepath.Join(t.TempDir(), "docs.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var read int64 // written by Progress, read by emit: one goroutine
	last := int64(-1)
	_, err := corpus.Walk(context.Background(), []string{path}, corpus.Options{Progress: func(n int64) { read += n }},
		func(corpus.Doc) error {
			if read < last {
				return errors.New("progress went back")
			}
			last = read
			return nil
		}, func(corpus.Problem) {})
	if err != nil {
		t.Fatal(err)
	}
	if read != int64(b.Len()) {
		t.Errorf("progress reported %d bytes, the file has %d", read, b.Len())
	}
}

// TestJSONLinesBeforeAReadError: when a file cannot be read to its end (a
// gzip cut short), the walk fails, and every record whole before the cut
// has been added first, in order, as when records were read one by one.
func TestJSONLinesBeforeAReadError(t *testing.T) {
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	for i := range 3000 {
		fmt.Fprintf(zw, `{"id":"d%d","title":"标题","body":"%s"}`+"\n", i, strings.Repeat("正文", 50+i%7))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	cut := zb.Bytes()[:zb.Len()/2]
	// the records whole in what the cut file decompresses to
	zr, err := gzip.NewReader(bytes.NewReader(cut))
	if err != nil {
		t.Fatal(err)
	}
	prefix, err := io.ReadAll(zr)
	if err == nil {
		t.Fatal("the cut file decompressed whole")
	}
	whole := bytes.Count(prefix, []byte("\n"))
	path := filepath.Join(t.TempDir(), "cut.jsonl.gz")
	if err := os.WriteFile(path, cut, 0o600); err != nil {
		t.Fatal(err)
	}
	var got []string
	_, err = corpus.Walk(context.Background(), []string{path}, corpus.Options{}, func(d corpus.Doc) error {
		got = append(got, d.ID)
		return nil
	}, func(corpus.Problem) {})
	if err == nil {
		t.Fatal("the walk of a cut file succeeded")
	}
	if len(got) != whole || whole < 2*64 {
		t.Fatalf("%d documents before the error, want the %d whole records (more than two batches)", len(got), whole)
	}
	for i, id := range got {
		if id != fmt.Sprintf("d%d", i) {
			t.Fatalf("document %d is %s: out of order", i, id)
		}
	}
}
