package search_test

import (
	"testing"
	"time"

	"minsheng/corpus"
	"minsheng/search"
)

// New takes everything a Searcher is configured by in Options, and fills
// what is left zero with the defaults, keeping what is given.
func TestNewOptions(t *testing.T) {
	var want search.Limits
	want.SetDefaults()
	s := search.New(nil, search.Options{})
	if s.Limits != want || s.Zone != corpus.CST() || s.Now == nil || s.Keywords != nil {
		t.Errorf("zero Options: limits %+v zone %v now set %v keywords set %v; want %+v, CST, a clock, no keywords",
			s.Limits, s.Zone, s.Now != nil, s.Keywords != nil, want)
	}
	at := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	kw := func(string, int) []search.Keyword { return []search.Keyword{{Word: "养老"}} }
	s = search.New(nil, search.Options{Limits: search.Limits{MaxSize: 7}, Keywords: kw, Zone: time.UTC, Now: func() time.Time { return at }})
	if s.Limits.MaxSize != 7 || s.Limits.MaxTerms != want.MaxTerms {
		t.Errorf("limits %+v: want MaxSize 7, the other defaults", s.Limits)
	}
	if s.Zone != time.UTC || !s.Now().Equal(at) || s.Keywords == nil || s.Keywords("", 1)[0].Word != "养老" {
		t.Errorf("zone %v, now %v: want those given, with the keywords given", s.Zone, s.Now())
	}
}
