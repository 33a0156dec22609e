package main

import (
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"minsheng/indexer"
)

// A reindex job of the server indexes half as many batches at once as
// `index` by default, at least one; the setting changes it, and serve
// refuses a negative one.
func TestBuildWorkersSetting(t *testing.T) {
	if got, want := DefaultConfig().BuildWorkers, max(1, runtime.GOMAXPROCS(0)/2); got != want {
		t.Errorf("default build_workers = %d, want %d", got, want)
	}
	t.Setenv("MINSHENG_BUILD_WORKERS", "3")
	c, _, err := loadConfig("serve", nil, func(fs *flagSet, c *Config) {})
	if err != nil {
		t.Fatal(err)
	}
	if c.BuildWorkers != 3 {
		t.Errorf("MINSHENG_BUILD_WORKERS=3 gave build_workers %d", c.BuildWorkers)
	}
	t.Setenv("MINSHENG_BUILD_WORKERS", "-1")
	err = runServe(t.Context(), []string{"--data", t.TempDir()}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "build_workers") {
		t.Errorf("build_workers -1: %v, want an error naming build_workers", err)
	}
}

// The server's analysis queue follows build_workers, 0 meaning one per
// CPU as for the build itself.
func TestAnalysisWorkers(t *testing.T) {
	for _, c := range []struct{ build, want int }{{0, runtime.GOMAXPROCS(0)}, {1, 1}, {3, 3}} {
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
