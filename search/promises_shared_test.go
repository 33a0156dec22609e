package search_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"minsheng/corpus"
	"minsheng/indexer"
	zhanalysis "minsheng/indexer/analysis"
	"minsheng/indexer/taxonomy"
	"minsheng/search"
)

// maxCrossFlagged is the most flagged pairs of different categories the
// proposals may give, as a share of the pairs tracked.
const maxCrossFlagged = 0.02

// TestPromisesOnProposals checks 再次提出 on text we did not write: the
// Jiangsu CPPCC proposals of 2019 are taken as promises (each as if its
// reply were classed B) and those of 2022 as the later suggestions, indexed
// as the service indexes them. The source classifies every proposal into
// one of 14 categories (社会事业, 教育事业, 医卫体育 ...); two proposals of
// different categories are essentially never of one matter, so the pairs
// flagged across categories are false repeats, and must stay rare.
func TestPromisesOnProposals(t *testing.T) {
	if raceEnabled {
		t.Skip("skipping under -race: make test runs the corpus-wide tests without it")
	}
	src := needShared(t, "corpora/proposals/proposals.jsonl")
	ctx := context.Background()
	category := map[string]string{}
	dir := t.TempDir()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(filepath.Join(dir, "proposals.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	enc := json.NewEncoder(out)
	for sc.Scan() {
		var d map[string]any
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		id, _ := d["id"].(string)
		category[id], _ = d["category"].(string)
		d["kind"] = corpus.KindSuggestion
		if d["session"] == "2019" {
			d["reply_class"] = "B"
		}
		delete(d, "category") // the test's answer key, not the classifier's input
		if err := enc.Encode(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	tax, err := taxonomy.DefaultTaxonomy()
	if err != nil {
		t.Fatal(err)
	}
	clf, err := taxonomy.NewClassifier(tax)
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	if _, err := indexer.Build(ctx, data, indexer.BuildOptions{Sources: []string{dir}, Tagger: clf}); err != nil {
		t.Fatal(err)
	}
	live, err := indexer.OpenLive(data)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	an, err := zhanalysis.NewBuiltinAnalysis()
	if err != nil {
		t.Fatal(err)
	}
	s := search.New(live.Index(), search.Options{Limits: search.Limits{MaxSize: 1000, Timeout: 5 * time.Minute}, Keywords: an.Keywords})
	p, err := s.Promises(ctx, search.Request{})
	if err != nil {
		t.Fatal(err)
	}
	pairs, flagged, cross := 0, 0, 0
	for _, pr := range p.Promises {
		for _, c := range pr.Later {
			pairs++
			same := category[pr.ID] == category[c.ID]
			if !c.Repeated {
				continue
			}
			flagged++
			if !same {
				cross++
				t.Logf("flagged across categories: %s %s (%s) -> %s %s (%s), similarity %.3f, lift %.1f",
					pr.ID, pr.Title, category[pr.ID], c.ID, c.Title, category[c.ID], c.Similarity, c.Lift)
			}
		}
	}
	t.Logf("%d promises, %d pairs, %d flagged, %d of them across categories (%.1f%% of pairs)",
		p.Total, pairs, flagged, cross, 100*float64(cross)/float64(max(pairs, 1)))
	if p.Total < 200 || pairs < 3*200 {
		t.Fatalf("%d promises, %d pairs: the proposals were not read as expected", p.Total, pairs)
	}
	if float64(cross) > maxCrossFlagged*float64(pairs) {
		t.Errorf("%d of %d pairs flagged across categories, more than %.0f%%", cross, pairs, 100*maxCrossFlagged)
	}
}
