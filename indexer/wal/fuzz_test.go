package wal

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadSegment: any bytes as the log's one segment open without a
// panic; what opening keeps is whole records only, and reading it again
// gives the same state.
func FuzzReadSegment(f *testing.F) {
	dir := f.TempDir()
	l, err := Open(dir, nil)
	if err != nil {
		f.Fatal(err)
	}
	mustAppend(f, l, put("a", "一", 1))
	mustAppend(f, l, put("b", "二", 1), Change{ID: "a", Result: Deleted, Version: 2})
	l.Close()
	good, err := os.ReadFile(filepath.Join(dir, segName(1)))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)-3])
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		seg := filepath.Join(dir, segName(1))
		if err := os.WriteFile(seg, data, 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := Open(dir, nil)
		if err != nil {
			return // a record out of order: refused, not served
		}
		st := l.State()
		l.Close()
		again, err := Read(dir)
		if err != nil {
			t.Fatalf("read after open: %v", err)
		}
		if again.Seq != st.Seq || len(again.Entries) != len(st.Entries) {
			t.Fatalf("reopened: seq %d, %d entries; opened: seq %d, %d entries", again.Seq, len(again.Entries), st.Seq, len(st.Entries))
		}
	})
}
