package indexer

import (
	"context"
	"fmt"
	"runtime/debug"
	"testing"
)

// buildOnce builds a generation of data or fails the test.
func buildOnce(t *testing.T, data string, opt BuildOptions) *Manifest {
	t.Helper()
	man, err := Build(context.Background(), data, opt)
	if err != nil {
		t.Fatal(err)
	}
	return man
}

// TestBuildLeavesGCAlone: the garbage collector's target and memory limit
// are the process's, set once by main; a build, which may run inside the
// server beside searches, neither changes them while it runs nor after.
func TestBuildLeavesGCAlone(t *testing.T) {
	const percent, limit = 123, 3 << 30
	defer debug.SetGCPercent(debug.SetGCPercent(percent))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(limit))
	gcPercent := func() int { p := debug.SetGCPercent(percent); debug.SetGCPercent(p); return p }
	var during []string
	check := func(when string) {
		if p, l := gcPercent(), debug.SetMemoryLimit(-1); p != percent || l != limit {
			during = append(during, fmt.Sprintf("%s: GC percent %d, memory limit %d; want %d, %d", when, p, l, percent, limit))
		}
	}
	buildOnce(t, t.TempDir(), BuildOptions{Sources: []string{"../corpus/sample"},
		Progress: func(Progress) { check("during the build") }})
	check("after the build")
	for _, d := range during {
		t.Error(d)
	}
}
