package literal_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minsheng/indexer/literal"
)

// TestFoldedRoundTrip: what a FoldedWriter is given, document by document
// and field by field (some empty, some left out), is what Visit reads.
func TestFoldedRoundTrip(t *testing.T) {
	texts := [][]string{
		{"关于乡村振兴的建议", "乡村振兴战略实施以来", "", "第0001号"},
		{"", "", "", ""},
		{"教育", strings.Repeat("教育公平", 5000), "答复:已列入计划", ""},
		{"x", "", "", "meta"},
	}
	path := filepath.Join(t.TempDir(), "1.zap"+literal.FoldedExt)
	w, err := literal.NewFoldedWriter(path, uint64(len(texts)))
	if err != nil {
		t.Fatal(err)
	}
	for d, fields := range texts {
		for i, text := range fields {
			if d == 3 && i == 1 {
				continue // a field left out is empty
			}
			if err := w.Add(uint64(d), i, []byte(text)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	x, err := literal.OpenFolded(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if x.Docs() != uint64(len(texts)) {
		t.Fatalf("%d documents, want %d", x.Docs(), len(texts))
	}
	for d, fields := range texts {
		for i, want := range fields {
			var got []byte
			if err := x.Visit(literal.FoldedFields[i], uint64(d), func(b []byte) { got = bytes.Clone(b) }); err != nil {
				t.Fatal(err)
			}
			if string(got) != want {
				t.Errorf("document %d, %s: %.20q, want %.20q", d, literal.FoldedFields[i], got, want)
			}
		}
	}
	if err := x.Visit("title", 0, func([]byte) {}); err == nil {
		t.Error("a field the file does not hold: no error")
	}
	if err := x.Visit(literal.FoldedFields[0], uint64(len(texts)), func([]byte) {}); err == nil {
		t.Error("a document past the last: no error")
	}
}

// TestFoldedWriterOrder: fields and documents out of order, or past the
// documents the file holds, are errors, and nothing is written.
func TestFoldedWriterOrder(t *testing.T) {
	for _, c := range []struct {
		name string
		adds [][2]int // document, field
	}{
		{"a field again", [][2]int{{0, 1}, {0, 1}}},
		{"fields out of order", [][2]int{{0, 2}, {0, 1}}},
		{"documents out of order", [][2]int{{1, 0}, {0, 3}}},
		{"a document past the last", [][2]int{{2, 0}}},
		{"no such field", [][2]int{{0, len(literal.FoldedFields)}}},
	} {
		path := filepath.Join(t.TempDir(), "x.fold")
		w, err := literal.NewFoldedWriter(path, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range c.adds {
			err = w.Add(uint64(a[0]), a[1], []byte("文本"))
		}
		if err == nil {
			t.Errorf("%s: no error", c.name)
		}
		if err := w.Close(); err == nil {
			t.Errorf("%s: closed without error", c.name)
		}
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*")); len(left) > 0 {
			t.Errorf("%s: left %q", c.name, left)
		}
	}
}

// TestOpenFoldedRefusesDamage: a truncated, altered or foreign file is
// ErrFoldedFormat, never a panic.
func TestOpenFoldedRefusesDamage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.fold")
	w, err := literal.NewFoldedWriter(path, 2)
	if err != nil {
		t.Fatal(err)
	}
	for d := range 2 {
		for i := range literal.FoldedFields {
			if err := w.Add(uint64(d), i, []byte("乡村振兴")); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"empty":          {},
		"truncated":      good[:len(good)-3],
		"cut in half":    good[:len(good)/2],
		"a text longer":  append(append([]byte{}, good[:10]...), append([]byte("多"), good[10:]...)...),
		"another format": append([]byte("mslit\x00\x00\x03"), good[8:]...),
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".fold")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if x, err := literal.OpenFolded(p); !errors.Is(err, literal.ErrFoldedFormat) {
			t.Errorf("%s: %v, %v; want ErrFoldedFormat", name, x, err)
		}
	}
}
