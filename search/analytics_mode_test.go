package search_test

import (
	"context"
	"testing"

	"minsheng/corpus"
	"minsheng/search"
)

// TestAnalyticsFollowSearchMode: the analytics of a request count what
// Search counts in its total for the same request, in either mode, with
// synonyms: partial matches in the default mode, documents with every word
// in mode all.
func TestAnalyticsFollowSearchMode(t *testing.T) {
	f := newAnalyticsFixture(t)
	syn, err := search.BuiltinSynonyms()
	if err != nil {
		t.Fatal(err)
	}
	f.s.SetSynonyms(syn)
	ctx := context.Background()
	wider := 0
	for _, q := range []string{"农村 养老 补贴", "医保 报销", "乡村振兴 教育 医疗", "不存在的词语组合xyz", "养老", "如何解决农村留守儿童上学难的问题？"} {
		var totals [2]uint64
		for i, mode := range []string{search.ModePartial, search.ModeAll} {
			r := search.Request{Query: q, Mode: mode}
			res, err := f.s.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			totals[i] = res.Total
			tr, err := f.s.Trends(ctx, r, "year")
			if err != nil {
				t.Fatal(err)
			}
			if tr.Matched != res.Total {
				t.Errorf("%q, mode %s: trends matched %d, search total %d", q, mode, tr.Matched, res.Total)
			}
			kw, err := f.s.TopKeywords(ctx, r, 5)
			if err != nil {
				t.Fatal(err)
			}
			if kw.Matched != res.Total {
				t.Errorf("%q, mode %s: keywords matched %d, search total %d", q, mode, kw.Matched, res.Total)
			}
			r.Filters.Kind = []string{corpus.KindSuggestion}
			sug, err := f.s.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			u, err := f.s.Units(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if u.Suggestions != sug.Total {
				t.Errorf("%q, mode %s: unit figures count %d suggestions, search %d", q, mode, u.Suggestions, sug.Total)
			}
		}
		if totals[0] > totals[1] {
			wider++
		}
	}
	if wider < 3 {
		t.Errorf("only %d queries find more in the default mode than in mode all: the test tells the modes apart too little", wider)
	}
}
