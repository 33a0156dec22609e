package main

import (
	"reflect"
	"testing"
	"time"

	"minsheng/cmd/minsheng/web"
	"minsheng/search"
)

// Limits.SetDefaults gives every limit, the packages' through their own
// SetDefaults, and keeps those set.
func TestConfigLimitsSetDefaults(t *testing.T) {
	var l Limits
	l.SetDefaults()
	var sl search.Limits
	sl.SetDefaults()
	var wl web.Limits
	wl.SetDefaults()
	if l.SearchLimits != sl || l.WebLimits != wl {
		t.Errorf("the packages' limits %+v %+v, want their own defaults %+v %+v", l.SearchLimits, l.WebLimits, sl, wl)
	}
	v := reflect.ValueOf(l)
	for i := range v.NumField() {
		if f := v.Type().Field(i); !f.Anonymous && v.Field(i).IsZero() {
			t.Errorf("limits.%s has no default", f.Tag.Get("yaml"))
		}
	}
	set := Limits{MaxHeaderBytes: 7, ReadHeaderTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second,
		ExportMaxRows: 7, ShutdownTimeout: time.Second}
	set.SearchLimits.MaxSize = 7
	set.WebLimits.MaxBodyBytes = 7
	got := set
	got.SetDefaults()
	set.SearchLimits.SetDefaults()
	set.WebLimits.SetDefaults()
	if got != set || got.MaxSize != 7 || got.MaxBodyBytes != 7 {
		t.Errorf("SetDefaults changed limits that were set: %+v, want %+v", got, set)
	}
	if DefaultConfig().Limits != l {
		t.Errorf("DefaultConfig's limits %+v, want Limits.SetDefaults' %+v", DefaultConfig().Limits, l)
	}
}
