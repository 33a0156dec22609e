package search_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"minsheng/corpus"
	"minsheng/search"
)

// TestHandlingQueryPrefixes: 答复类别:C, its other notations, 满意度:,
// 主办单位: and 逾期: find what the filters find.
func TestHandlingQueryPrefixes(t *testing.T) {
	ti := buildIndex(t, "sample", sampleSources, nil)
	filter := func(name, v string) []string {
		var r search.Request
		r.Filters.Set(name, []string{v})
		return sorted(ti.ids(t, r))
	}
	for _, c := range []struct {
		query, field, value string
	}{
		{"答复类别:C", "reply_class", "C"},
		{"答复类别:丙类", "reply_class", "C"},
		{"reply_class:3类", "reply_class", "丙"},
		{"答复类别:B类", "reply_class", "乙类"},
		{"满意度:不满意", "satisfaction", "不满意"},
		{"主办单位:省教育厅", "lead_unit", "省教育厅"},
		{"逾期:true", "overdue", "true"},
		{"超期:是", "overdue", "true"},
		{"overdue:false", "overdue", "否"},
		{"届次:十四届二次会议", "session", "十四届二次会议"},
	} {
		got := sorted(ti.ids(t, search.Request{Query: c.query}))
		want := filter(c.field, c.value)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s finds %d, %s=%s %d", c.query, len(got), c.field, c.value, len(want))
		}
	}
	var r search.Request
	r.Filters.Set("overdue", []string{"perhaps"})
	if _, err := ti.searcher.Search(context.Background(), r); err == nil {
		t.Error("overdue=perhaps is no error")
	}
}

// TestOverdueByTheServiceDay: an unreplied suggestion becomes overdue
// when the service's day passes its due day, whatever the day in UTC.
func TestOverdueByTheServiceDay(t *testing.T) {
	ti := buildIndex(t, "sample", sampleSources, nil)
	var d *corpus.Doc
	for i := range ti.docs {
		if ti.docs[i].DeadlineState() == corpus.DeadlineOpen {
			d = &ti.docs[i]
			break
		}
	}
	if d == nil {
		t.Fatal("no unreplied suggestion with a due date in the sample")
	}
	// half past midnight on the day after the due day, in Beijing: still
	// the due day in UTC
	now := d.Due.AddDate(0, 0, 1).Add(30 * time.Minute)
	for _, c := range []struct {
		zone *time.Location
		want bool
	}{{nil, true}, {corpus.CST(), true}, {time.UTC, false}} {
		s := search.New(ti.live.Index(), search.Options{Limits: search.Limits{MaxSize: 1000}, Zone: c.zone, Now: func() time.Time { return now }})
		var r search.Request
		r.Size = 1000
		r.Filters.Set("overdue", []string{"true"})
		res, err := s.Search(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		found := slices.ContainsFunc(res.Hits, func(h search.Hit) bool { return h.ID == d.ID })
		if found != c.want {
			t.Errorf("zone %v at %s: %s overdue %v, want %v", c.zone, now, d.ID, found, c.want)
		}
		counts := map[string]int{}
		all, err := s.Search(context.Background(), search.Request{Size: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range all.Facets["overdue"] {
			counts[x.Value] = x.Count
		}
		if counts["true"] != int(res.Total) {
			t.Errorf("zone %v: the facet counts %d overdue, the filter finds %d", c.zone, counts["true"], res.Total)
		}
		st, err := s.Handling(context.Background(), search.Request{})
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(st.Overdue, d.ID) != c.want || len(st.Overdue) != int(res.Total) {
			t.Errorf("zone %v: handling lists %d overdue (%v), the filter %d", c.zone, len(st.Overdue), slices.Contains(st.Overdue, d.ID), res.Total)
		}
	}
}
