package search_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	bsearch "github.com/blevesearch/bleve/v2/search"

	"minsheng/corpus"
	"minsheng/search"
)

// TestColumnsMatchBleve checks that facets counted from the columns, and
// sorts by the date and id columns, give what bleve gives alone from doc
// values and stored ids: the same totals, the same hits in the same order
// with the same sort values (so After tokens stay valid), the same facets.
func TestColumnsMatchBleve(t *testing.T) {
	cases := []struct {
		name    string
		sources func(testing.TB) *testIndex
		queries []string
	}{
		{"sample", func(tb testing.TB) *testIndex { return buildIndex(tb, "sample", sampleSources, nil) },
			[]string{"", "乡村振兴", "教育 医疗", `"养老服务"`, "如何解决农村留守儿童上学难的问题？", "交通 OR 水利", "-教育 学校", "topic:生态环保", "第0123号", "十四届"}},
		{"sample, a third undated", undatedSample, []string{"", "乡村振兴", "教育 OR 医疗", `"养老服务"`}},
		// a third the same text: dozens of matches of one score, which
		// the date and then the id order across every page's edges
		{"sample, a third alike", alikeSample, []string{"防汛抗旱物资", "储备 防汛抗旱物资", `"防汛抗旱物资"`}},
		{"proposals+policy", realisticIndex,
			[]string{"", "经济发展", "人工智能", `"高质量发展"`, "今年一季度全国规模以上工业增加值同比增长多少", "疫情 防控", "改革 OR 创新"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ti := c.sources(t)
			idx := ti.live.Index()
			ours := search.New(idx, search.Options{Limits: search.Limits{MaxSize: 10000, MaxPageDepth: 100000}})
			ref := search.NewReference(idx, search.Limits{MaxSize: 10000, MaxPageDepth: 100000})
			compared := 0
			for _, q := range c.queries {
				for _, sort := range []string{"", search.SortDate, search.SortDateDesc} {
					for _, r := range []search.Request{
						{Query: q, Sort: sort, Size: 10},
						{Query: q, Sort: sort, Size: 7, Page: 3},
						{Query: q, Sort: sort, Size: 1000, FacetSize: 3},
						{Query: q, Sort: sort, Size: 20, Filters: search.Filters{Kind: []string{"proposal", "suggestion"}}},
					} {
						got := compare(t, ours, ref, r)
						compared++
						// the next page through After, from our sort values
						// (bleve cannot take After past an undated document:
						// it reads every date of After as RFC 3339)
						if n := len(got.Hits); n > 0 && uint64(n) < got.Total && !undated(got.Hits[n-1].Sort) {
							r.After, r.Page = got.Hits[n-1].Sort, 0
							compare(t, ours, ref, r)
							compared++
						}
					}
				}
			}
			t.Logf("%d requests: columns and bleve agree", compared)
		})
	}
}

// TestColumnsMatchBleveOnSegments is TestColumnsMatchBleve on an index of
// several segments with deleted and re-indexed documents: the id column,
// read from the id field's postings, must skip the deleted versions and
// number each segment's documents after the ones before, as bleve's
// stored ids are.
func TestColumnsMatchBleveOnSegments(t *testing.T) {
	idx, _ := segmentedSample(t)
	ours := search.New(idx, search.Options{Limits: search.Limits{MaxSize: 10000, MaxPageDepth: 100000}})
	ref := search.NewReference(idx, search.Limits{MaxSize: 10000, MaxPageDepth: 100000})
	for _, q := range []string{"", "乡村振兴", "教育 医疗", `"养老服务"`, "交通 OR 水利"} {
		for _, sort := range []string{"", search.SortDate, search.SortDateDesc} {
			compare(t, ours, ref, search.Request{Query: q, Sort: sort, Size: 1000, FacetSize: 3})
			compare(t, ours, ref, search.Request{Query: q, Sort: sort, Size: 7, Page: 2})
		}
	}
}

func undated(sort []string) bool {
	for _, v := range sort {
		if v == bsearch.HighTerm || v == bsearch.LowTerm {
			return true
		}
	}
	return false
}

func compare(t *testing.T, ours, ref *search.Searcher, r search.Request) *search.Result {
	t.Helper()
	got, err := ours.Search(context.Background(), r)
	if err != nil {
		t.Fatalf("%+v: %v", r, err)
	}
	want, err := ref.Search(context.Background(), r)
	if err != nil {
		t.Fatalf("%+v (bleve): %v", r, err)
	}
	what := fmt.Sprintf("q=%q sort=%q page=%d size=%d after=%q", r.Query, r.Sort, r.Page, r.Size, r.After)
	if got.Total != want.Total {
		t.Errorf("%s: total %d, bleve %d", what, got.Total, want.Total)
	}
	if len(got.Hits) != len(want.Hits) {
		t.Fatalf("%s: %d hits, bleve %d", what, len(got.Hits), len(want.Hits))
	}
	for i := range got.Hits {
		g, w := got.Hits[i], want.Hits[i]
		if g.ID != w.ID || !reflect.DeepEqual(g.Sort, w.Sort) {
			t.Errorf("%s: hit %d is %s %q, bleve %s %q", what, i, g.ID, g.Sort, w.ID, w.Sort)
			break
		}
	}
	if !reflect.DeepEqual(got.Facets, want.Facets) {
		t.Errorf("%s: facets\n%v\nbleve\n%v", what, got.Facets, want.Facets)
	}
	return got
}

// TestAfterWalksEveryHit pages through every hit with After, in each
// order: each page continues where the last stopped, so the walk yields
// exactly the hits of one long page. (With bleve's date sort alone, every
// page after the first was empty: it reads After's dates as RFC 3339.)
func TestAfterWalksEveryHit(t *testing.T) {
	for _, ti := range []*testIndex{buildIndex(t, "sample", sampleSources, nil), undatedSample(t)} {
		for _, q := range []string{"", "乡村振兴", "教育 OR 医疗"} {
			for _, sort := range []string{"", search.SortDate, search.SortDateDesc} {
				all, err := ti.searcher.Search(context.Background(), search.Request{Query: q, Sort: sort, Size: 1000})
				if err != nil {
					t.Fatal(err)
				}
				if all.Total < 10 || uint64(len(all.Hits)) != all.Total {
					t.Fatalf("q=%q: %d hits of %d, want at least 10, all on one page", q, len(all.Hits), all.Total)
				}
				var walked []string
				r := search.Request{Query: q, Sort: sort, Size: 7, NoFacets: true}
				for pages := 0; pages < 1000; pages++ {
					res, err := ti.searcher.Search(context.Background(), r)
					if err != nil {
						t.Fatal(err)
					}
					if len(res.Hits) == 0 {
						break
					}
					for _, h := range res.Hits {
						walked = append(walked, h.ID)
					}
					r.After = res.Hits[len(res.Hits)-1].Sort
				}
				var want []string
				for _, h := range all.Hits {
					want = append(want, h.ID)
				}
				if !reflect.DeepEqual(walked, want) {
					t.Errorf("q=%q sort=%q: walking pages of 7 gave %d hits, want the %d of one page in its order", q, sort, len(walked), len(want))
				}
			}
		}
	}
}

// undatedSample is the sample corpus with every third document's date
// removed: missing dates sort last either way.
// alikeSample is the sample with every third document's title and body
// the same, and its reply gone: documents that score alike, whose dates
// and ids order them.
func alikeSample(tb testing.TB) *testIndex {
	n := 0
	return buildIndex(tb, "sample, a third alike", sampleSources, func(d *corpus.Doc) {
		if n++; n%3 == 0 {
			d.Title, d.Body, d.Reply = "关于储备防汛抗旱物资的建议", "建议各地储备防汛抗旱物资。", ""
		}
	})
}

func undatedSample(tb testing.TB) *testIndex {
	n := 0
	return buildIndex(tb, "sample, a third undated", sampleSources, func(d *corpus.Doc) {
		if n++; n%3 == 0 {
			d.Date = time.Time{}
		}
	})
}
