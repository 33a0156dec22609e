package audit

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestAddListPrune(t *testing.T) {
	path := filepath.Join(t.TempDir(), File)
	l, err := Open(path, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i, r := range []Record{
		{Time: now.Add(-3 * time.Hour), Token: "admin", Route: "/old", Status: 200},
		{Time: now.Add(-2 * time.Minute), Token: "admin", Route: "/api/v1/reindex", Status: 202},
		{Time: now.Add(-time.Minute), Token: "editor", Route: "/api/v1/docs", Status: 400},
		{Time: now, Token: "admin", Route: "/api/v1/jobs", Status: 500},
	} {
		if err := l.Add(&r); err != nil {
			t.Fatal(err)
		}
		if r.ID == "" || r.Outcome == "" {
			t.Fatalf("record %d: id %q outcome %q not filled in", i, r.ID, r.Outcome)
		}
	}
	all, err := l.List(Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 || all[0].Route != "/api/v1/jobs" || all[0].Outcome != "failed" || all[1].Outcome != "refused" || all[2].Outcome != "ok" {
		t.Fatalf("list newest first: %+v", all)
	}
	page, err := l.List(Query{Limit: 2, Before: all[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || page[0].ID != all[2].ID || page[1].ID != all[3].ID {
		t.Fatalf("page before %s: %+v", all[1].ID, page)
	}
	if page, _ := l.List(Query{Before: "999999"}); len(page) != 4 {
		t.Fatalf("before an id past the newest: %d records, want 4", len(page))
	}
	if ed, _ := l.List(Query{Token: "editor"}); len(ed) != 1 || ed[0].Token != "editor" {
		t.Fatalf("token filter: %+v", ed)
	}
	if _, err := l.List(Query{Before: "x"}); err == nil {
		t.Fatal("a bad before id was accepted")
	}
	n, err := l.Prune(now)
	if err != nil || n != 1 {
		t.Fatalf("prune: %d, %v; want the one record older than an hour", n, err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	// durable: reopened, the records are there; the file is owner-only
	l, err = Open(path, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if all, _ := l.List(Query{}); len(all) != 3 {
		t.Fatalf("after reopening: %d records, want 3", len(all))
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("audit store mode %v, want 0600", fi.Mode().Perm())
	}
}
