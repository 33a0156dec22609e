package reindex

import (
	"testing"
	"time"
)

// SetDefaults fills the zero fields that have a default and keeps those
// set; MinInterval has none (0 allows any schedule).
func TestJobsOptionsSetDefaults(t *testing.T) {
	utc := time.UTC
	for _, tt := range []struct {
		name              string
		in                JobsOptions
		loc               string
		save              time.Duration
		history, problems int
	}{
		{"zero", JobsOptions{}, "Asia/Shanghai", 2 * time.Second, 1000, 100},
		{"negative", JobsOptions{SaveEvery: -1, History: -1, Problems: -1}, "Asia/Shanghai", 2 * time.Second, 1000, 100},
		{"set", JobsOptions{Location: utc, SaveEvery: time.Minute, History: 5, Problems: 6}, "UTC", time.Minute, 5, 6},
	} {
		o := tt.in
		o.SetDefaults()
		if o.Location.String() != tt.loc && !(tt.loc == "Asia/Shanghai" && o.Location.String() == "CST") {
			t.Errorf("%s: location %s, want %s", tt.name, o.Location, tt.loc)
		}
		if o.SaveEvery != tt.save || o.History != tt.history || o.Problems != tt.problems {
			t.Errorf("%s: save every %s history %d problems %d, want %s %d %d", tt.name, o.SaveEvery, o.History, o.Problems, tt.save, tt.history, tt.problems)
		}
		if o.Logger == nil || o.Build == nil {
			t.Errorf("%s: logger %v build %v: a nil stayed nil", tt.name, o.Logger != nil, o.Build != nil)
		}
		if o.MinInterval != 0 {
			t.Errorf("%s: MinInterval %s, want 0 (no default)", tt.name, o.MinInterval)
		}
	}
}
