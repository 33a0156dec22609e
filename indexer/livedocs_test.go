package indexer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"minsheng/corpus"
	"minsheng/indexer/wal"
)

// liveSource writes n suggestions to dir/live.jsonl: live-0 … live-(n-1).
func liveSource(t *testing.T, dir string, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"id":"live-%d","kind":"suggestion","title":"第%d号建议","body":"关于乡村教育的建议%d","status":"办理中"}`+"\n", i, i, i)
	}
	path := filepath.Join(dir, "live.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// openDocs opens the log and live documents of data, closed when the test ends.
func openDocs(t *testing.T, data string) (*Live, *Docs, *wal.Log) {
	t.Helper()
	log, err := wal.Open(wal.Dir(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	live, docs, err := OpenLiveDocs(data, log, nil, nil)
	if err != nil {
		log.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { live.Close(); log.Close() })
	return live, docs, log
}

func write(t *testing.T, docs *Docs, cs ...DocChange) []DocResult {
	t.Helper()
	res, _, err := docs.Write(context.Background(), "editor", cs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// served is document id as the served index holds it: its body, "" when absent.
func served(t *testing.T, live *Live, id string) string {
	t.Helper()
	d, err := storedDoc(context.Background(), live.Index(), id)
	if err != nil {
		t.Fatal(err)
	}
	if d == nil {
		return ""
	}
	return d.Body
}

func TestLiveDocsWrite(t *testing.T) {
	data, src := t.TempDir(), t.TempDir()
	buildOnce(t, data, BuildOptions{Sources: []string{liveSource(t, src, 3)}})
	live, docs, _ := openDocs(t, data)

	res := write(t, docs,
		DocChange{Line: 1, Op: OpPut, Body: []byte(`{"id":"new-1","kind":"suggestion","title":"新建议","body":"关于养老服务的建议"}`)},
		DocChange{Line: 2, Op: OpPut, Body: []byte(`{"id":"live-0","title":"改过的","body":"改过的正文"}`)},
		DocChange{Line: 3, Op: OpPut, Body: []byte(`{"id":"bad","kind":"memo","body":"x"}`)},
		DocChange{Line: 4, Op: OpPatch, ID: "live-0", Body: []byte(`{"status":"已办结","reply":"已答复"}`)},
	)
	want := []DocResult{
		{ID: "new-1", Result: wal.Created, Version: 1, Line: 1},
		{ID: "live-0", Result: wal.Updated, Version: 2, Line: 2},
		{Result: ResultError, Line: 3},
		{ID: "live-0", Result: wal.Updated, Version: 3, Line: 4},
	}
	for i, w := range want {
		g := res[i]
		if g.ID != w.ID || g.Result != w.Result || g.Version != w.Version || g.Line != w.Line {
			t.Errorf("item %d: %+v, want %+v", i, g, w)
		}
	}
	if !errors.Is(res[2].Err, ErrBadDoc) || !strings.Contains(res[2].Error, "line 3") || !strings.Contains(res[2].Error, `"kind"`) {
		t.Errorf("bad line: %q", res[2].Error)
	}
	if got := served(t, live, "new-1"); got != "关于养老服务的建议" {
		t.Errorf("new-1 served as %q", got)
	}
	if got := served(t, live, "live-0"); got != "改过的正文" {
		t.Errorf("live-0 served as %q", got)
	}

	// If-Match: the version read, or 409
	res = write(t, docs, DocChange{Op: OpPatch, ID: "live-0", IfMatch: 2, Body: []byte(`{"status":"x"}`)})
	if !errors.Is(res[0].Err, ErrVersionConflict) {
		t.Errorf("stale If-Match: %+v", res[0])
	}
	res = write(t, docs, DocChange{Op: OpDelete, ID: "live-0", IfMatch: 3})
	if res[0].Result != wal.Deleted || res[0].Version != 4 || served(t, live, "live-0") != "" {
		t.Errorf("delete: %+v, served %q", res[0], served(t, live, "live-0"))
	}
	res = write(t, docs, DocChange{Op: OpPatch, ID: "live-0", Body: []byte(`{"status":"x"}`)},
		DocChange{Op: OpDelete, ID: "nothing"})
	if !errors.Is(res[0].Err, ErrNoDoc) || !errors.Is(res[1].Err, ErrNoDoc) {
		t.Errorf("patch of deleted, delete of unknown: %+v", res)
	}
	if v, ok, err := docs.Version(context.Background(), "live-1"); err != nil || !ok || v != 1 {
		t.Errorf("version of a source document: %d %v %v", v, ok, err)
	}

	h := docs.History("live-0")
	if len(h) != 3 {
		t.Fatalf("history: %+v", h)
	}
	if h[1].Token != "editor" || !slices.Equal(h[1].Changed, []string{"reply", "status"}) || h[2].Result != wal.Deleted {
		t.Errorf("history: %+v", h)
	}
}

// Every build replays the log on top of the sources, and a document the
// API and a source file both changed is taken from the later one.
func TestReplayIntoNewGeneration(t *testing.T) {
	data, src := t.TempDir(), t.TempDir()
	path := liveSource(t, src, 4)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(path, old, old)
	buildOnce(t, data, BuildOptions{Sources: []string{path}})
	live, docs, log := openDocs(t, data)
	write(t, docs,
		DocChange{Op: OpPut, Body: []byte(`{"id":"api-1","body":"只从接口来的建议"}`)},
		DocChange{Op: OpPatch, ID: "live-1", Body: []byte(`{"body":"接口改过的正文"}`)},
		DocChange{Op: OpPatch, ID: "live-2", Body: []byte(`{"body":"接口改的，源文件后来又改"}`)},
		DocChange{Op: OpDelete, ID: "live-3"},
	)
	seq := log.Seq()

	rebuild := func() {
		t.Helper()
		m := buildOnce(t, data, BuildOptions{Sources: []string{path}, Changes: docs.State})
		if err := live.Switch(m.Name); err != nil {
			t.Fatal(err)
		}
	}
	rebuild()
	for id, want := range map[string]string{"api-1": "只从接口来的建议", "live-1": "接口改过的正文",
		"live-2": "接口改的，源文件后来又改", "live-3": "", "live-0": "关于乡村教育的建议0"} {
		if got := served(t, live, id); got != want {
			t.Errorf("after rebuild %s = %q, want %q", id, got, want)
		}
	}
	if got, _ := live.Index().DocCount(); got != 4 {
		t.Errorf("rebuilt generation holds %d documents, want 4", got)
	}
	// the build counts the tokens of the documents it holds: not the
	// source's bodies of live-1 and live-2, which the log replaced, nor
	// live-3's, which it deleted
	checkBodyLength(t, live, "api-1", "live-0", "live-1", "live-2")
	if st := log.State(); st.Seq != seq || len(st.Entries) != 4 {
		t.Errorf("log after the fold: seq %d, %d entries", st.Seq, len(st.Entries))
	}

	// the source file changes after the API did: its version wins
	later := time.Now().Add(time.Hour)
	os.Chtimes(path, later, later)
	rebuild()
	for id, want := range map[string]string{"api-1": "只从接口来的建议", "live-2": "关于乡村教育的建议2", "live-3": "关于乡村教育的建议3"} {
		if got := served(t, live, id); got != want {
			t.Errorf("after the source changed %s = %q, want %q", id, got, want)
		}
	}
}

// checkBodyLength checks that the body length the served generation
// stores for BM25 (corpus.KeyFieldLengths) is the sum of what its analyzer
// makes of the bodies of ids, as served.
func checkBodyLength(t *testing.T, live *Live, ids ...string) {
	t.Helper()
	idx := live.Index()
	got := storedLengths(t, idx)
	a := idx.Mapping().AnalyzerNamed(corpus.AnalyzerWords)
	var want uint64
	for _, id := range ids {
		want += uint64(len(a.Analyze([]byte(served(t, live, id)))))
	}
	if got[corpus.FieldBody] != want || want == 0 {
		t.Errorf("body: %d tokens stored, the analyzer counts %d in the bodies of %v", got[corpus.FieldBody], want, ids)
	}
}

// Records the served generation lacks (a crash after the log's fsync,
// before the index kept them) are replayed when it opens, once.
func TestReplayOnOpen(t *testing.T) {
	data, src := t.TempDir(), t.TempDir()
	buildOnce(t, data, BuildOptions{Sources: []string{liveSource(t, src, 2)}})
	log, err := wal.Open(wal.Dir(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		_, err := log.Append(wal.Record{Token: "admin", Changes: []wal.Change{
			put(fmt.Sprintf("w-%d", i), fmt.Sprintf("日志里的第%d篇", i)),
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	log.Append(wal.Record{Token: "admin", Changes: []wal.Change{{ID: "live-0", Result: wal.Deleted, Version: 2}}})
	log.Close()

	live, docs, log := openDocs(t, data)
	if got, _ := live.Index().DocCount(); got != 4 {
		t.Errorf("replayed generation holds %d documents, want 4", got)
	}
	if served(t, live, "w-2") != "日志里的第2篇" || served(t, live, "live-0") != "" {
		t.Errorf("not replayed: w-2 %q live-0 %q", served(t, live, "w-2"), served(t, live, "live-0"))
	}
	var idx = live.Index()
	if seq, err := LogSeq(idx); err != nil || seq != 4 {
		t.Errorf("index holds log seq %d (%v), want 4", seq, err)
	}
	if _, err := os.Stat(filepath.Join(wal.Dir(data), "snapshot")); err != nil {
		t.Errorf("log not folded once its generation was served: %v", err)
	}
	// a new write after the replay gets the next version and seq
	res, seq, err := docs.Write(context.Background(), "admin", []DocChange{{Op: OpPatch, ID: "w-1", Body: []byte(`{"status":"已办结"}`)}})
	if err != nil || seq != 5 || res[0].Version != 2 {
		t.Errorf("write after replay: %+v seq %d %v", res, seq, err)
	}
	if h := docs.History("w-1"); len(h) != 2 || h[0].Token != "admin" {
		t.Errorf("history %+v", h)
	}
	_ = log
}

func put(id, body string) wal.Change {
	d, err := ParseDoc(fmt.Appendf(nil, `{"id":%q,"body":%q}`, id, body))
	if err != nil {
		panic(err)
	}
	return wal.Change{ID: id, Result: wal.Created, Version: 1, Doc: d}
}

func TestParseDocErrors(t *testing.T) {
	long := strings.Repeat("x", MaxIDLen+1)
	for _, tt := range []struct{ in, field string }{
		{`{"id":"a","body":`, ""},
		{"{\"id\":\"a\",\"body\":\"\xff\xfe\"}", "UTF-8"},
		{`["a"]`, "object"},
		{`{"body":"正文"}`, `"id"`},
		{`{"id":"` + long + `","body":"x"}`, `"id"`},
		{`{"id":"a/b","body":"x"}`, `"id"`},
		{`{"id":".","body":"x"}`, `"id"`},
		{`{"id":"..","body":"x"}`, `"id"`},
		{`{"id":"a","kind":"memo","body":"x"}`, `"kind"`},
		{`{"id":"a","body":"x","colour":"red"}`, `"colour"`},
		{`{"id":"a","body":"x","units":"教育厅"}`, `"units"`},
		{`{"id":"a","body":"x","key_supervised":"yes"}`, `"key_supervised"`},
		{`{"id":"a","body":42}`, `"body"`},
		{`{"id":"a","body":"x","date":"上周"}`, `"date"`},
		{`{"id":"a","title":" ","body":""}`, `"body"`},
		{`{"id":"a","body":"x","inferred":[]}`, `"inferred"`},
		{`{"id":"a","body":"x","primary_topic":"教育"}`, `"primary_topic"`},
	} {
		_, err := ParseDoc([]byte(tt.in))
		if !errors.Is(err, ErrBadDoc) || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("ParseDoc(%.60q) = %v, want ErrBadDoc naming %s", tt.in, err, tt.field)
		}
	}
	d, err := ParseDoc([]byte(`{"id":"a","title":"标题","body":"正文","date":"2024年3月1日","units":["教育厅","财政厅"],"key_supervised":true}`))
	if err != nil || d.Kind != "suggestion" || d.Date.Year() != 2024 || len(d.Units) != 2 || !d.KeySupervised {
		t.Errorf("good document: %+v %v", d, err)
	}
}

// Batches of the writable generation return before bleve persists them:
// a clean close may drop them, and the next open replays them from the
// log. Every document written is there after close and reopen, twice.
func TestLiveDocsSurviveReopen(t *testing.T) {
	data, src := t.TempDir(), t.TempDir()
	buildOnce(t, data, BuildOptions{Sources: []string{liveSource(t, src, 2)}})
	const n = 60
	for round := range 2 {
		log, err := wal.Open(wal.Dir(data), nil)
		if err != nil {
			t.Fatal(err)
		}
		live, docs, err := OpenLiveDocs(data, log, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			write(t, docs, DocChange{Op: OpPut, Body: fmt.Appendf(nil, `{"id":"r%d-%d","body":"第%d轮第%d篇"}`, round, i, round, i)})
		}
		live.Close()
		log.Close()
	}
	live, _, _ := openDocs(t, data)
	if got, _ := live.Index().DocCount(); got != 2+2*n {
		t.Errorf("after two rounds of writes, close and reopen: %d documents, want %d", got, 2+2*n)
	}
	for _, id := range []string{"r0-0", "r0-59", "r1-0", "r1-59"} {
		if served(t, live, id) == "" {
			t.Errorf("%s lost", id)
		}
	}
}
