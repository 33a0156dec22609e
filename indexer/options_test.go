package indexer

import (
	"log/slog"
	"runtime"
	"testing"
)

// SetDefaults fills the zero fields that have a default and keeps those
// set; what has none (sources, tagger, user dictionary) stays zero.
func TestBuildOptionsSetDefaults(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	for _, tt := range []struct {
		name               string
		in                 BuildOptions
		batch, keep, works int
	}{
		{"zero", BuildOptions{}, DefaultBatchSize, 3, max(1, runtime.GOMAXPROCS(0))},
		{"negative", BuildOptions{BatchSize: -1, Keep: -1, Workers: -1}, DefaultBatchSize, 3, max(1, runtime.GOMAXPROCS(0))},
		{"set", BuildOptions{BatchSize: 7, Keep: 8, Workers: 9, Logger: log}, 7, 8, 9},
	} {
		o := tt.in
		o.SetDefaults()
		if o.BatchSize != tt.batch || o.Keep != tt.keep || o.Workers != tt.works {
			t.Errorf("%s: batch %d keep %d workers %d, want %d %d %d", tt.name, o.BatchSize, o.Keep, o.Workers, tt.batch, tt.keep, tt.works)
		}
		if o.Logger == nil || o.Problem == nil || o.Progress == nil {
			t.Errorf("%s: logger %v problem %v progress %v: a nil stayed nil", tt.name, o.Logger != nil, o.Problem != nil, o.Progress != nil)
		}
		if tt.in.Logger != nil && o.Logger != tt.in.Logger {
			t.Errorf("%s: the logger given was replaced", tt.name)
		}
		if o.Sources != nil || o.UserDict != nil || o.Tagger != nil || o.Changes != nil || o.NoPrune {
			t.Errorf("%s: a field without a default was set: %+v", tt.name, o)
		}
	}
}
