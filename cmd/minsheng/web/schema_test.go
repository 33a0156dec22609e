package web

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"

	"minsheng/corpus"
	"minsheng/search"
)

// TestSchemaReachesTheAPI goes through the schema of fields: each filter
// is a parameter of the search routes (read by searchRequest, listed with
// its description in every operation of openapi.json that takes the
// filters), and each facet has its Chinese name in the UI. An entry
// added to the schema is tested here with no change to this test.
func TestSchemaReachesTheAPI(t *testing.T) {
	raw, err := openAPISpec()
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]struct {
			Filters    bool `json:"x-search-filters"`
			Parameters []struct {
				Name, Description string
			}
		}
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	ops := 0
	for p, m := range spec.Paths {
		for method, op := range m {
			if !op.Filters {
				continue
			}
			ops++
			for _, f := range corpus.Filters() {
				i := slices.IndexFunc(op.Parameters, func(x struct{ Name, Description string }) bool { return x.Name == f.Name })
				if i < 0 || op.Parameters[i].Description != f.Doc || f.Doc == "" {
					t.Errorf("%s %s: no parameter %s described %q", method, p, f.Name, f.Doc)
				}
			}
		}
	}
	if ops < 7 { // search, three analytics, three exports
		t.Errorf("%d operations take the search filters", ops)
	}
	for _, f := range corpus.Filters() {
		r, err := searchRequest(url.Values{f.Name: {"x, y", "z"}})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Filters.Values(f.Name); !slices.Equal(got, []string{"x", "y", "z"}) {
			t.Errorf("?%s=x, y&%[1]s=z reads %v", f.Name, got)
		}
	}
	for _, name := range search.FacetFields() {
		if l := facetName(name); l == name || l == "" {
			t.Errorf("facet %s has no Chinese name in the UI", name)
		}
	}
}
