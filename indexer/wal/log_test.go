package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"minsheng/corpus"
)

func put(id, body string, version int64) Change {
	res := Updated
	if version == 1 {
		res = Created
	}
	return Change{ID: id, Result: res, Version: version, Doc: &corpus.Doc{ID: id, Kind: corpus.KindNews, Body: body}, Changed: []string{"body"}}
}

func mustOpen(t testing.TB, dir string) *Log {
	t.Helper()
	l, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func mustAppend(t testing.TB, l *Log, cs ...Change) Record {
	t.Helper()
	r, err := l.Append(Record{Token: "editor", Changes: cs})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// body is the body of id's last state, "" when deleted or unknown.
func body(st *State, id string) string {
	e := st.Entries[id]
	if e == nil || e.Doc == nil {
		return ""
	}
	return e.Doc.Body
}

func TestAppendReopen(t *testing.T) {
	dir := t.TempDir()
	l := mustOpen(t, dir)
	if r := mustAppend(t, l, put("a", "one", 1), put("b", "two", 1)); r.Seq != 1 {
		t.Fatalf("first seq %d", r.Seq)
	}
	mustAppend(t, l, put("a", "three", 2))
	mustAppend(t, l, Change{ID: "b", Result: Deleted, Version: 2})
	if _, err := Open(dir, nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = mustOpen(t, dir)
	defer l.Close()
	st := l.State()
	if st.Seq != 3 || body(st, "a") != "three" || !st.Entries["b"].Deleted || st.Entries["b"].Version != 2 {
		t.Fatalf("reopened: seq %d a=%q b=%+v", st.Seq, body(st, "a"), st.Entries["b"])
	}
	h := st.Entries["a"].History
	if len(h) != 2 || h[0].Result != Created || h[1].Version != 2 || h[1].Token != "editor" || h[1].Time.IsZero() {
		t.Fatalf("history of a: %+v", h)
	}
	if r := mustAppend(t, l, put("c", "four", 1)); r.Seq != 4 {
		t.Fatalf("seq after reopen %d, want 4", r.Seq)
	}
}

// A crash while a record is written leaves part of it: every cut of the
// last record, and a flipped byte in it, is dropped on open, and the
// records before it are all there.
func TestTornLastRecord(t *testing.T) {
	src := t.TempDir()
	l := mustOpen(t, src)
	mustAppend(t, l, put("a", "one", 1))
	mustAppend(t, l, put("b", "two", 1))
	seg := filepath.Join(src, segName(1))
	before, err := os.Stat(seg)
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, l, put("a", "a longer body written last", 2), put("c", "three", 1))
	l.Close()
	whole, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	lastStart := int(before.Size())
	check := func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, segName(1)), data, 0o644); err != nil {
			t.Fatal(err)
		}
		st, err := Read(dir)
		if err != nil {
			t.Fatal(err)
		}
		if st.Seq != 2 || body(st, "a") != "one" || st.Entries["c"] != nil {
			t.Fatalf("read: seq %d a=%q c=%v", st.Seq, body(st, "a"), st.Entries["c"])
		}
		l, err := Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		if fi, _ := os.Stat(filepath.Join(dir, segName(1))); fi.Size() != before.Size() {
			t.Fatalf("torn record not cut off: %d bytes, want %d", fi.Size(), before.Size())
		}
		// the next record follows the whole ones and reads back
		mustAppend(t, l, put("d", "four", 1))
		l.Close()
		st, err = Read(dir)
		if err != nil || st.Seq != 3 || body(st, "d") != "four" || body(st, "a") != "one" {
			t.Fatalf("after append: %v seq %d", err, st.Seq)
		}
	}
	for cut := lastStart; cut < len(whole); cut += max(1, (len(whole)-lastStart)/17) {
		t.Run(fmt.Sprintf("cut at %d", cut), func(t *testing.T) { check(t, whole[:cut]) })
	}
	for _, at := range []int{lastStart + 2, lastStart + 5, lastStart + 12, len(whole) - 3} {
		t.Run(fmt.Sprintf("byte %d flipped", at), func(t *testing.T) {
			data := append([]byte(nil), whole...)
			data[at] ^= 0x40
			check(t, data)
		})
	}
	// a length torn into a huge one is torn like the rest, and reading it
	// allocates nothing near what it claims
	t.Run("length torn", func(t *testing.T) {
		data := append([]byte(nil), whole...)
		binary.LittleEndian.PutUint32(data[lastStart:], maxFrame)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		check(t, data)
		runtime.ReadMemStats(&after)
		if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
			t.Fatalf("reading a frame that claims %d bytes allocated %d bytes", maxFrame, got)
		}
	})
}

// A corrupt record that is not at the end of the log is not a crash's
// torn write: opening refuses it rather than silently losing what follows.
func TestCorruptEarlierSegment(t *testing.T) {
	dir := t.TempDir()
	l := mustOpen(t, dir)
	mustAppend(t, l, put("a", "one", 1))
	l.Close()
	first := filepath.Join(dir, segName(1))
	data, _ := os.ReadFile(first)
	data[len(data)-2] ^= 1
	os.WriteFile(first, data, 0o644)
	os.WriteFile(filepath.Join(dir, segName(2)), nil, 0o644)
	if _, err := Open(dir, nil); err == nil {
		t.Fatal("opened a log with a corrupt record before its last segment")
	}
}

func TestFold(t *testing.T) {
	dir := t.TempDir()
	l := mustOpen(t, dir)
	for i := range 50 {
		mustAppend(t, l, put(fmt.Sprintf("d%02d", i%20), fmt.Sprintf("v%d", i), int64(i/20+1)))
	}
	mustAppend(t, l, Change{ID: "d03", Result: Deleted, Version: 4})
	want := l.State()
	if err := l.Fold(); err != nil {
		t.Fatal(err)
	}
	segs, _ := segments(dir)
	if len(segs) != 1 || filepath.Base(segs[0]) != segName(52) {
		t.Fatalf("segments after fold: %v", segs)
	}
	mustAppend(t, l, put("d05", "after the fold", 4))
	l.Close()
	st, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Seq != 52 || len(st.Entries) != 20 || body(st, "d05") != "after the fold" || !st.Entries["d03"].Deleted {
		t.Fatalf("after fold: seq %d, %d entries, d05 %q", st.Seq, len(st.Entries), body(st, "d05"))
	}
	for id, e := range want.Entries {
		if id == "d05" {
			continue
		}
		got := st.Entries[id]
		if got.Version != e.Version || body(st, id) != body(want, id) || len(got.History) != len(e.History) {
			t.Errorf("%s: %+v, want %+v", id, got, e)
		}
	}
	if h := st.Entries["d05"].History; len(h) != 4 || h[3].Seq != 52 {
		t.Errorf("history of d05 across the fold: %+v", h)
	}
}

// A crash in the middle of a fold: after the new snapshot is in place but
// before the old segments are removed, their records are skipped, not
// applied twice; a snapshot.tmp left behind is ignored.
func TestFoldCrash(t *testing.T) {
	dir := t.TempDir()
	l := mustOpen(t, dir)
	mustAppend(t, l, put("a", "one", 1))
	mustAppend(t, l, put("a", "two", 2))
	st := l.State()
	l.Close()
	// the fold got as far as the snapshot
	if err := writeSnapshot(dir, st); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, snapshotName+".tmp"), []byte("half a snapshot"), 0o644)
	l = mustOpen(t, dir)
	got := l.State()
	if got.Seq != 2 || len(got.Entries["a"].History) != 2 || body(got, "a") != "two" {
		t.Fatalf("after crash in fold: seq %d history %+v", got.Seq, got.Entries["a"].History)
	}
	if r := mustAppend(t, l, put("a", "three", 3)); r.Seq != 3 {
		t.Fatalf("seq %d", r.Seq)
	}
	if err := l.Fold(); err != nil {
		t.Fatal(err)
	}
	l.Close()
	got, err := Read(dir)
	if err != nil || got.Seq != 3 || len(got.Entries["a"].History) != 3 {
		t.Fatalf("%v %+v", err, got)
	}
	if _, err := os.Stat(filepath.Join(dir, snapshotName+".tmp")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("snapshot.tmp left: %v", err)
	}
}

func TestReadMissing(t *testing.T) {
	st, err := Read(filepath.Join(t.TempDir(), "none"))
	if err != nil || st.Seq != 0 || len(st.Entries) != 0 {
		t.Fatalf("%v %+v", err, st)
	}
}
