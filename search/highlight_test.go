package search_test

import (
	"slices"
	"strings"
	"testing"

	"minsheng/search"
)

// TestHighlightsEveryMatchedText: a hit that a word found only in its
// reply (答复) or its handling units (承办单位) shows where, as one found in
// its title or body does. On the sample, 12 of the 22 hits of 教育 had no
// highlight at all (s-2024-0067, s-2022-0093 among them): only the title
// and body were marked.
func TestHighlightsEveryMatchedText(t *testing.T) {
	ti := buildIndex(t, "sample", sampleSources, nil)
	elsewhere := 0 // hits with marks only outside the title and body
	for _, q := range []string{"教育", "财政", "卫生健康", "农业农村", "人力资源"} {
		res, err := ti.searcher.Search(t.Context(), search.Request{Query: q, Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || uint64(len(res.Hits)) != res.Total {
			t.Fatalf("%s: %d hits of %d", q, len(res.Hits), res.Total)
		}
		mark := "<mark>" + q + "</mark>"
		for _, h := range res.Hits {
			if !marked(h.Highlights) {
				t.Errorf("%s: %s has no highlight: %q", q, h.ID, h.Highlights)
				continue
			}
			if !marked(map[string][]string{"title": h.Highlights["title"], "body": h.Highlights["body"]}) {
				elsewhere++
			}
			if strings.Contains(h.Reply, q) && !slices.ContainsFunc(h.Highlights["reply"], func(f string) bool { return strings.Contains(f, mark) }) {
				t.Errorf("%s: %s: the reply has the word, its highlights %q", q, h.ID, h.Highlights["reply"])
			}
			var units []string // the units with the word, as highlighted
			for _, u := range h.Units {
				if strings.Contains(u, q) {
					units = append(units, strings.ReplaceAll(u, q, mark))
				}
			}
			if !slices.Equal(h.Highlights["units"], units) {
				t.Errorf("%s: %s: units highlighted %q, want %q", q, h.ID, h.Highlights["units"], units)
			}
		}
	}
	if elsewhere == 0 {
		t.Error("no hit is marked only in its reply or units: the test tests nothing")
	}
	t.Logf("%d hits marked only outside the title and body", elsewhere)
}

// marked reports whether any highlight holds a mark.
func marked(hl map[string][]string) bool {
	for _, frags := range hl {
		for _, f := range frags {
			if strings.Contains(f, "<mark>") {
				return true
			}
		}
	}
	return false
}
