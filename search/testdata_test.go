package search_test

import (
	"encoding/json"
	"fmt"
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
	IDs        []string                       `json:"ids"`
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
	r := search.Request{Query: c.Q, Sort: c.Sort, Size: 100}
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
	got := make([]string, len(res.Hits))
	hits := map[string]search.Hit{}
	for i, h := range res.Hits {
		got[i] = h.ID
		hits[h.ID] = h
	}
	want := append([]string{}, c.IDs...)
	if !c.Ordered {
		sort.Strings(got)
		sort.Strings(want)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || res.Total != uint64(len(want)) {
		t.Errorf("%s: %q: ids %v (total %d), want %v", c.Name, c.Q, got, res.Total, want)
	}
	for facet, values := range c.Facets {
		have := map[string]int{}
		for _, v := range res.Facets[facet] {
			have[v.Value] = v.Count
		}
		if !reflect.DeepEqual(have, values) {
			t.Errorf("%s: %q: facet %s = %v, want %v", c.Name, c.Q, facet, have, values)
		}
	}
	for id, fields := range c.Highlights {
		h, ok := hits[id]
		if !ok {
			t.Errorf("%s: %q: no hit %s to check highlights of", c.Name, c.Q, id)
			continue
		}
		for field, frags := range fields {
			if !reflect.DeepEqual(h.Highlights[field], frags) {
				t.Errorf("%s: %q: %s %s highlights\n got %q\nwant %q", c.Name, c.Q, id, field, h.Highlights[field], frags)
			}
		}
	}
}
