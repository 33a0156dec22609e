package search_test

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"minsheng/corpus"
	"minsheng/errs"
	"minsheng/search"
)

// TestSchemaFiltersAndFacets goes through the schema of fields: every
// filter narrows a search to the documents whose values (as the schema
// reads them from each document) hold the value asked for, every facet
// counts them, and every keyword field is selected by its prefixes in the
// query language. An entry added to the schema is tested here with no
// change to this test.
func TestSchemaFiltersAndFacets(t *testing.T) {
	ti := buildIndex(t, "sample", []string{"../corpus/sample"}, nil)
	ctx := context.Background()
	all, err := ti.searcher.Search(ctx, search.Request{Size: 1, FacetSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(search.FacetFields(), corpus.Facets()) {
		t.Errorf("facets %v, schema %v", search.FacetFields(), corpus.Facets())
	}
	today := corpus.Today(time.Now(), nil) // the searcher's day: Options.Zone's default
	for _, f := range corpus.Fields() {
		if f.ValuesOn != nil {
			f.Values = func(d *corpus.Doc) []string { return f.ValuesOn(d, today) }
		}
		if f.Values == nil {
			if f.Facet || f.Filter {
				t.Errorf("%s is a facet or filter without Values", f.Name)
			}
			continue
		}
		want := map[string][]string{} // value -> ids, from the documents
		for i := range ti.docs {
			for _, v := range f.Values(&ti.docs[i]) {
				want[v] = append(want[v], ti.docs[i].ID)
			}
		}
		if len(want) == 0 && (f.Facet || f.Filter) {
			t.Errorf("%s: the sample corpus has no values: the test would prove nothing", f.Name)
		}
		if f.Facet {
			counts := all.Facets[f.Name]
			if len(counts) != min(len(want), 100) {
				t.Errorf("facet %s has %d values, the documents %d", f.Name, len(counts), len(want))
			}
			for _, c := range counts {
				if c.Count != len(want[c.Value]) {
					t.Errorf("facet %s=%s counts %d, the documents %d", f.Name, c.Value, c.Count, len(want[c.Value]))
				}
			}
		}
		checked := 0
		for v, ids := range want {
			if checked++; checked > 5 {
				break
			}
			slices.Sort(ids)
			if f.Filter {
				var r search.Request
				r.Filters.Set(f.Name, []string{v})
				if got := sorted(ti.ids(t, r)); !slices.Equal(got, ids) {
					t.Errorf("filter %s=%s finds %d documents, want %d", f.Name, v, len(got), len(ids))
				}
			}
			if (f.Type == corpus.TypeKeyword || f.Type == corpus.TypeComputed) && !f.NoPrefix {
				if f.Name == corpus.FieldNumber { // number:第0123号 finds 第123号 too
					ids = nil
					for w, wids := range want {
						if sameNumber(w, v) {
							ids = append(ids, wids...)
						}
					}
					slices.Sort(ids)
				}
				for _, p := range append([]string{f.Name, f.Label}, f.Prefixes...) {
					q := p + `:"` + v + `"`
					if got := sorted(ti.ids(t, search.Request{Query: q})); !slices.Equal(got, ids) {
						t.Errorf("query %s finds %d documents, want %d", q, len(got), len(ids))
					}
				}
			}
		}
	}
}

// sameNumber reports whether two document numbers differ at most in the
// zeros that pad them (第0123号, 第123号) and their year's brackets.
func sameNumber(a, b string) bool {
	norm := func(s string) string {
		s = strings.NewReplacer("[", "〔", "]", "〕", "(", "〔", ")", "〕", "（", "〔", "）", "〕", "【", "〔", "】", "〕").Replace(s)
		return regexp.MustCompile(`第0*([0-9])`).ReplaceAllString(s, "第$1")
	}
	return norm(a) == norm(b)
}

// TestUnknownFilter: a filter the schema does not have is a bad request,
// and so is a field:value of the query whose value its filter refuses
// (year:abc found nothing, with a 200).
func TestUnknownFilter(t *testing.T) {
	ti := buildIndex(t, "sample", []string{"../corpus/sample"}, nil)
	var r search.Request
	r.Filters.Set("no_such_filter", []string{"x"})
	if _, err := ti.searcher.Search(context.Background(), r); !errors.Is(err, errs.Invalid) {
		t.Errorf("unknown filter: %v, want ErrInvalid", err)
	}
	for _, q := range []string{"year:abc", "教育 year:24", "教育 -year:二〇二三", "教育 OR year:x", "overdue:maybe"} {
		if _, err := ti.searcher.Search(context.Background(), search.Request{Query: q}); !errors.Is(err, errs.Invalid) {
			t.Errorf("%s: %v, want ErrInvalid", q, err)
		}
	}
	for _, q := range []string{"year:2023", "教育 -year:2024", "overdue:true", "教育 year2023"} {
		if _, err := ti.searcher.Search(context.Background(), search.Request{Query: q}); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}

func sorted(s []string) []string { slices.Sort(s); return s }

// TestFiltersSetAndValues: the filters with fields of their own and the
// others are read and written alike.
func TestFiltersSetAndValues(t *testing.T) {
	for _, f := range corpus.Filters() {
		var fs search.Filters
		fs.Set(f.Name, []string{"x"})
		if got := fs.Values(f.Name); !slices.Equal(got, []string{"x"}) {
			t.Errorf("%s: %v", f.Name, got)
		}
		fs.Set(f.Name, nil)
		if got := fs.Values(f.Name); got != nil {
			t.Errorf("%s cleared: %v", f.Name, got)
		}
	}
}
