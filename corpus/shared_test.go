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
	if r.err != nil {
		t.Fatal(r.err)
	}
	// the columns the mapping leaves out are noted, nothing else
	checkProbs(t, r.probs, "proposals.csv: columns not read: pkid, rownum, year"+unreadHint)

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

// TestPagesSharedReports reads the 31 provincial government work reports
// of 2026 in ../shared, whose texts were scraped from the provinces' sites
// with the pages' navigation, buttons (【字号： 加大 还原 减小 】) and
// metadata lines (来源：某某日报 / 时间：2026-02-09, labels and values on
// separate lines) still in them, as news pages. The title the page's
// structure gives must be the report's title: 27 of 31 were when this was
// written (Guangdong and Hainan have no metadata line and a shorter title
// on top, Guizhou a photo caption first, Qinghai the governor's name just
// above the metadata).
func TestPagesSharedReports(t *testing.T) {
	path := filepath.Join(shared, "policy/gov-work-reports.jsonl")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("shared corpus not found (%v): it lives in ../shared beside the repository", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	reports, same := 0, 0
	for sc.Scan() {
		var r struct{ Title, Body, Date string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(r.Date, "2026") {
			continue
		}
		reports++
		p := parsePage(textLines(r.Body))
		if p.Title == r.Title {
			same++
		} else {
			t.Logf("%s: title %q", r.Title, p.Title)
		}
		if p.anchored && (p.Source == "" || strings.ContainsAny(p.Source, ":：（") || p.Date.Year() != 2026) {
			t.Errorf("%s: source %q, date %v", r.Title, p.Source, p.Date)
		}
		if strings.HasPrefix(p.Body, "【") || strings.HasPrefix(p.Body, "加大") {
			t.Errorf("%s: buttons left at the start of the body: %.40q", r.Title, p.Body)
		}
	}
	if reports != 31 || same < 27 {
		t.Errorf("%d of %d titles found, want at least 27 of 31", same, reports)
	}
}
