package main

import (
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"minsheng/indexer"
)

// A reindex job indexes by default as many batches at once as `index`
// in a build process (at a lower priority), half as many, at least one,
// built in the server; the setting changes both, and serve refuses a
// negative one.
func TestBuildWorkersSetting(t *testing.T) {
	c := DefaultConfig()
	if got, want := c.jobWorkers(), runtime.GOMAXPROCS(0); c.BuildIn != buildInProcess || got != want {
		t.Errorf("default build_in %s with %d workers, want %s with %d", c.BuildIn, got, buildInProcess, want)
	}
	c.BuildIn = buildInServer
	if got, want := c.jobWorkers(), max(1, runtime.GOMAXPROCS(0)/2); got != want {
		t.Errorf("build_in server: %d workers by default, want %d", got, want)
	}
	t.Setenv("MINSHENG_BUILD_WORKERS", "3")
	for _, in := range []string{buildInProcess, buildInServer} {
		t.Setenv("MINSHENG_BUILD_IN", in)
		c, _, err := loadConfig("serve", nil, func(fs *flagSet, c *Config) {})
		if err != nil {
			t.Fatal(err)
		}
		if c.BuildWorkers != 3 || c.jobWorkers() != 3 {
			t.Errorf("MINSHENG_BUILD_WORKERS=3, build_in %s: build_workers %d, %d workers", in, c.BuildWorkers, c.jobWorkers())
		}
	}
	t.Setenv("MINSHENG_BUILD_WORKERS", "-1")
	err := runServe(t.Context(), []string{"--data", t.TempDir()}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "build_workers") {
		t.Errorf("build_workers -1: %v, want an error naming build_workers", err)
	}
}

// The server's analysis queue follows build_workers, 0 meaning half the
// CPUs, at least 1: its live documents and a job built in the server.
func TestAnalysisWorkers(t *testing.T) {
	for _, c := range []struct{ build, want int }{{0, max(1, runtime.GOMAXPROCS(0)/2)}, {1, 1}, {3, 3}} {
		if got := analysisWorkers(c.build); got != c.want {
			t.Errorf("analysisWorkers(%d) = %d, want %d", c.build, got, c.want)
		}
	}
}

// TestBuildGC: while a reindex job runs the server collects garbage as a
// build does, and as a server again after it.
func TestBuildGC(t *testing.T) {
	c := DefaultConfig()
	if c.GCPercent != 100 || c.BuildGCPercent != indexer.BuildGCPercent {
		t.Fatalf("gc_percent %d, build_gc_percent %d; want 100 and %d", c.GCPercent, c.BuildGCPercent, indexer.BuildGCPercent)
	}
	defer debug.SetGCPercent(debug.SetGCPercent(c.GCPercent))
	done := c.buildGC()
	if got := debug.SetGCPercent(-1); got != c.BuildGCPercent {
		t.Errorf("during a job the GC percent is %d, want %d", got, c.BuildGCPercent)
	}
	done()
	if got := debug.SetGCPercent(-1); got != c.GCPercent {
		t.Errorf("after a job the GC percent is %d, want %d", got, c.GCPercent)
	}
}
