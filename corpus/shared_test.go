package corpus

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shared is the folder of real corpora beside the repository (../shared).
const shared = "../../shared/corpora"

// TestProposalsCSV reads the CPPCC proposals CSV with its column mapping
// and checks every document against the same records in proposals.jsonl.
func TestProposalsCSV(t *testing.T) {
	csvPath := filepath.Join(shared, "proposals/proposals.csv")
	jsonPath := filepath.Join(shared, "proposals/proposals.jsonl")
	if _, err := os.Stat(csvPath); err != nil {
		t.Skipf("shared corpus not found (%v): it lives in ../shared beside the repository", err)
	}
	opt := Options{Kind: KindProposal, Mapping: map[string]string{"reason": "title", "personnel_name": "author",
		"type": "category", "content": "body", "proposal_number": "number"}}
	r := walk(t, opt, csvPath)
	if r.err != nil || len(r.probs) > 0 {
		t.Fatalf("%v %v", r.err, r.probs)
	}

	f, err := os.Open(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []Doc
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var d Doc
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		want = append(want, d)
	}
	if len(want) != 544 || len(r.docs) != len(want) || r.stats.Docs != len(want) {
		t.Fatalf("%d docs from the CSV, %d lines in the JSONL, want 544", len(r.docs), len(want))
	}
	for i, d := range r.docs {
		w := want[i]
		if d.Title == "" || d.Body == "" || d.Kind != KindProposal ||
			strings.Join(strings.Fields(d.Title), " ") != strings.Join(strings.Fields(w.Title), " ") ||
			d.Body != strings.TrimSpace(w.Body) || d.Number != w.Number || d.Author != w.Author || d.Category != w.Category || !d.Date.Equal(w.Date) {
			t.Fatalf("record %d:\n got %+v\nwant %+v", i, d, w)
		}
	}
}
