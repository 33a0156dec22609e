package search_test

import (
	"encoding/json"
	"testing"

	"minsheng/search"
)

// TestQueryCleaning: a query with stray punctuation, symbols or emoji, an
// unclosed quote or invisible characters answers as the query without
// them, in both modes: the same hits, totals, words matched and missing,
// highlights and facets. Before, 教育 ★ found nothing (教育 finds 22 of the
// sample), 教育 - 学校 in mode all nothing, : 121 documents with no word
// to show, "乡村振兴 教育 nothing, and 乡\u200b村振兴 100 documents as 乡,
// 村 and 振兴 (乡村振兴: 27).
func TestQueryCleaning(t *testing.T) {
	ti := buildIndex(t, "sample", sampleSources, nil)
	for _, tt := range []struct{ q, as string }{
		{"教育 ★", "教育"},
		{"★ 教育 😀 🇨🇳 © … · ～ — 、", "教育"},
		{"教育 - 学校", "教育 学校"},
		{"乡村振兴 教育 -★ OR ★", "乡村振兴 教育"},
		{"教育 ？", "教育？"}, // still a question
		{"(", ""},
		{":", ""},
		{"，", ""},
		{"。", ""},
		{"?", ""},
		{"😀", ""},
		{`"`, ""},
		{`"乡村振兴 教育`, "乡村振兴 教育"},
		{`"托育服务`, "托育服务"},
		{"乡\u200b村振兴", "乡村振兴"},
		{"\ufeff乡村\u00ad振兴 教\u2060育\u200d", "乡村振兴 教育"},
		{"\u200b", ""},
	} {
		for _, mode := range []string{search.ModePartial, search.ModeAll} {
			got, want := answer(t, ti, tt.q, mode), answer(t, ti, tt.as, mode)
			if got != want {
				t.Errorf("%+q (mode %s) answers\n%.600s\nwant, as %+q,\n%.600s", tt.q, mode, got, tt.as, want)
			}
		}
	}
	// the figures the cases above stand on
	for _, tt := range []struct {
		q     string
		mode  string
		total uint64
	}{{"教育", search.ModePartial, 22}, {"教育 学校", search.ModeAll, 10}, {"乡村振兴", search.ModePartial, 27}} {
		res, err := ti.searcher.Search(t.Context(), search.Request{Query: tt.q, Mode: tt.mode, NoCache: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != tt.total || res.TotalExact != tt.total {
			t.Errorf("%q (mode %s): total %d, total_exact %d, want %d", tt.q, tt.mode, res.Total, res.TotalExact, tt.total)
		}
	}
}

// answer is the whole response to q in mode, as JSON, without its time:
// every hit of the sample with its words, highlights and score, the
// totals, the facets and any suggestion. Computed each time, not read from
// the result cache, which would answer two queries it keys alike the same.
func answer(tb testing.TB, ti *testIndex, q, mode string) string {
	tb.Helper()
	res, err := ti.searcher.Search(tb.Context(), search.Request{Query: q, Mode: mode, Size: 200, NoCache: true})
	if err != nil {
		tb.Fatalf("search %q: %v", q, err)
	}
	res.TookMS = 0
	b, err := json.Marshal(res)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
