package search_test

import (
	"reflect"
	"testing"
	"time"

	"minsheng/search"
)

// SetDefaults fills every zero (or negative) limit and keeps those set;
// New applies it.
func TestLimitsSetDefaults(t *testing.T) {
	var def search.Limits
	def.SetDefaults()
	v := reflect.ValueOf(def)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Errorf("Limits.%s has no default", v.Type().Field(i).Name)
		}
	}
	if def.Timeout != search.DefaultTimeout {
		t.Errorf("Timeout defaults to %s, want DefaultTimeout %s", def.Timeout, search.DefaultTimeout)
	}
	for _, tt := range []struct {
		name     string
		in, want search.Limits
	}{
		{"set", search.Limits{MaxQueryLen: 7, MaxTerms: 7, MaxPrefixChars: 7, MaxDraftLen: 7, MaxSize: 7, MaxPageDepth: 7, MaxFacetSize: 7, Timeout: time.Second},
			search.Limits{MaxQueryLen: 7, MaxTerms: 7, MaxPrefixChars: 7, MaxDraftLen: 7, MaxSize: 7, MaxPageDepth: 7, MaxFacetSize: 7, Timeout: time.Second}},
		{"negative", search.Limits{MaxQueryLen: -1, MaxTerms: -1, MaxPrefixChars: -1, MaxDraftLen: -1, MaxSize: -1, MaxPageDepth: -1, MaxFacetSize: -1, Timeout: -1}, def},
		{"some", search.Limits{MaxSize: 500}, func() search.Limits { l := def; l.MaxSize = 500; return l }()},
	} {
		got := tt.in
		got.SetDefaults()
		if got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
	if s := search.New(nil, search.Options{}); s.Limits != def {
		t.Errorf("New: limits %+v, want %+v", s.Limits, def)
	}
}
