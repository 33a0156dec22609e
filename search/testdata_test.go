package search_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"minsheng/search"
)

// searchCase is one search of a data-driven case: search/testdata/<case>/
// holds docs.jsonl and searches.json.
type searchCase struct {
	Name    string `json:"name"`
	Q       string `json:"q"`
	Sort    string `json:"sort"`
	Filters struct {
		Topic, Kind, Year, Delegation, Unit, Status, Source []string
		From, To                                            string
	} `json:"filters"`
	// Mode is the request's; without it the case runs in both modes:
	// mode all must find ids, the default must find them as its complete
	// matches, ranked before its partial ones.
	Mode string   `json:"mode"`
	IDs  []string `json:"ids"`
	// Partial are the partial matches of the default mode, in order, and
	// Missing the words each lacks; when absent, they are not checked.
	Partial []string `json:"partial"`
	// Suggestion, when given, is the response's did-you-mean ("" none).
	Suggestion *string                        `json:"suggestion"`
	Missing    map[string][]string            `json:"missing"`
	Matched    map[string][]string            `json:"matched"`
	Ordered    bool                           `json:"ordered"`
	Facets     map[string]map[string]int      `json:"facets"`
	Highlights map[string]map[string][]string `json:"highlights"`
}

func TestSearchCases(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/searches.json")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, file := range dirs {
		dir := filepath.Dir(file)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			ti := buildIndex(t, dir, []string{filepath.Join(dir, "docs.jsonl")}, nil)
			// a case's synonyms.txt, if it has one, is its searcher's
			if syn, err := search.LoadSynonyms(filepath.Join(dir, "synonyms.txt")); err == nil {
				ti.searcher.SetSynonyms(syn)
			} else if !errors.Is(err, fs.ErrNotExist) {
				t.Fatal(err)
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var cases []searchCase
			if err := json.Unmarshal(b, &cases); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			for _, c := range cases {
				runCase(t, ti, c)
			}
		})
	}
}

func runCase(t *testing.T, ti *testIndex, c searchCase) {
	t.Helper()
	if c.Mode == "" {
		all := c
		all.Mode, all.Partial, all.Missing, all.Matched, all.Highlights = search.ModeAll, nil, nil, map[string][]string{}, map[string]map[string][]string{}
		for _, id := range c.IDs { // what it says of complete matches holds in mode all
			if m, ok := c.Matched[id]; ok {
				all.Matched[id] = m
			}
			if h, ok := c.Highlights[id]; ok {
				all.Highlights[id] = h
			}
		}
		runMode(t, ti, all)
	}
	runMode(t, ti, c)
}

func runMode(t *testing.T, ti *testIndex, c searchCase) {
	t.Helper()
	r := search.Request{Query: c.Q, Sort: c.Sort, Size: 100, Mode: c.Mode}
	f := c.Filters
	r.Filters = search.Filters{Topic: f.Topic, Kind: f.Kind, Year: f.Year, Delegation: f.Delegation, Unit: f.Unit, Status: f.Status, Source: f.Source}
	var err error
	if f.From != "" {
		if r.Filters.From, err = search.ParseDay(f.From); err != nil {
			t.Fatal(err)
		}
	}
	if f.To != "" {
		if r.Filters.To, err = search.ParseDay(f.To); err != nil {
			t.Fatal(err)
		}
	}
	res, err := ti.searcher.Search(t.Context(), r)
	if err != nil {
		t.Errorf("%s: %q: %v", c.Name, c.Q, err)
		return
	}
	name := c.Name + " (mode " + res.Mode + ")"
	var got, partial []string
	hits := map[string]search.Hit{}
	for _, h := range res.Hits {
		hits[h.ID] = h
		if len(h.Missing) == 0 {
			if len(partial) > 0 && c.Sort == "" {
				t.Errorf("%s: %q: %s has every word but ranks below the partial match %s", name, c.Q, h.ID, partial[len(partial)-1])
			}
			got = append(got, h.ID)
		} else {
			partial = append(partial, h.ID)
		}
	}
	want := append([]string{}, c.IDs...)
	if !c.Ordered {
		sort.Strings(got)
		sort.Strings(want)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || res.TotalExact != uint64(len(want)) {
		t.Errorf("%s: %q: ids %v (total_exact %d), want %v", name, c.Q, got, res.TotalExact, want)
	}
	if c.Suggestion != nil && res.Suggestion != *c.Suggestion {
		t.Errorf("%s: %q: suggestion %q, want %q", name, c.Q, res.Suggestion, *c.Suggestion)
	}
	if c.Mode == search.ModeAll && (len(partial) > 0 || res.Total != res.TotalExact) {
		t.Errorf("%s: %q: partial matches %v (total %d, total_exact %d) in mode all", name, c.Q, partial, res.Total, res.TotalExact)
	}
	if c.Partial != nil && (fmt.Sprint(partial) != fmt.Sprint(c.Partial) || res.Total != uint64(len(want)+len(c.Partial))) {
		t.Errorf("%s: %q: partial matches %v (total %d), want %v", name, c.Q, partial, res.Total, c.Partial)
	}
	for id, words := range c.Missing {
		if h, ok := hits[id]; !ok || !reflect.DeepEqual(h.Missing, words) {
			t.Errorf("%s: %q: %s lacks %q, want %q", name, c.Q, id, h.Missing, words)
		}
	}
	for id, words := range c.Matched {
		if h, ok := hits[id]; !ok || !reflect.DeepEqual(h.Matched, words) {
			t.Errorf("%s: %q: %s matched %q, want %q", name, c.Q, id, h.Matched, words)
		}
	}
	for facet, values := range c.Facets {
		have := map[string]int{}
		for _, v := range res.Facets[facet] {
			have[v.Value] = v.Count
		}
		if !reflect.DeepEqual(have, values) {
			t.Errorf("%s: %q: facet %s = %v, want %v", name, c.Q, facet, have, values)
		}
	}
	for id, fields := range c.Highlights {
		h, ok := hits[id]
		if !ok {
			t.Errorf("%s: %q: no hit %s to check highlights of", name, c.Q, id)
			continue
		}
		for field, frags := range fields {
			if !reflect.DeepEqual(h.Highlights[field], frags) {
				t.Errorf("%s: %q: %s %s highlights\n got %q\nwant %q", name, c.Q, id, field, h.Highlights[field], frags)
			}
		}
	}
}
