package main

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"minsheng/search"
)

// A synonyms file that does not read stops the server at start, naming
// its line.
func TestServeRefusesBadSynonyms(t *testing.T) {
	file := filepath.Join(t.TempDir(), "synonyms.txt")
	if err := os.WriteFile(file, []byte("# ok\n医保, 医疗保险\n孤单\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := runServe(t.Context(), []string{"--data", t.TempDir(), "--addr", "127.0.0.1:0", "--synonyms", file}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), file+":3:") {
		t.Errorf("bad synonyms: %v, want an error naming %s:3", err, file)
	}
}

// lockedBuffer is a log's output, read while the log writes.
type lockedBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// SIGHUP re-reads the synonyms file; a file that no longer reads leaves
// the list in use.
func TestSynonymsReloadOnSIGHUP(t *testing.T) {
	file := filepath.Join(t.TempDir(), "synonyms.txt")
	write := func(text string) {
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("医保, 医疗保险\n")
	c := &Config{Synonyms: file}
	syn, err := c.loadSynonyms()
	if err != nil {
		t.Fatal(err)
	}
	s := search.New(nil, search.Options{})
	s.SetSynonyms(syn)
	var logs lockedBuffer
	stop := reloadSynonymsOnHUP(t.Context(), c, slog.New(slog.NewTextHandler(&logs, nil)), s)
	defer stop()
	hup := func(until func() bool) {
		t.Helper()
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(20 * time.Second); !until(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("SIGHUP: nothing changed; log:\n%s", logs.String())
			}
		}
	}
	write("医保, 医疗保险, 基本医疗保险\n")
	hup(func() bool { return slices.Contains(s.Synonyms().Lookup("医保"), "基本医疗保险") })
	write("医保, 医疗保险\n=> 托育\n")
	hup(func() bool { return strings.Contains(logs.String(), "synonyms not reloaded") })
	if !strings.Contains(logs.String(), file+":2:") || len(s.Synonyms().Lookup("医保")) != 2 {
		t.Errorf("a bad file: synonyms %v; log:\n%s", s.Synonyms().Lookup("医保"), logs.String())
	}
}
