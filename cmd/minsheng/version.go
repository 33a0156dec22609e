package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"minsheng/indexer/analysis"
	"minsheng/indexer/taxonomy"
)

// runVersion is `minsheng version`: what this binary is, from the build
// information the Go tool stamps into it, and which dictionaries and
// taxonomy it carries (the hashes an index generation is stamped with).
func runVersion(_ context.Context, args []string, stdout io.Writer) error {
	if len(args) == 1 && isHelp(args[0]) {
		fmt.Fprintln(stdout, "usage: minsheng version\n\n"+
			"prints the module version, VCS revision and time, the Go version, and the hashes of the\n"+
			"built-in dictionaries and taxonomy (those an index generation is stamped with); it takes no flags")
		return nil
	}
	if len(args) > 0 {
		return fmt.Errorf("version: unexpected arguments %q", args)
	}
	for _, kv := range versionInfo() {
		fmt.Fprintf(stdout, "%-10s %s\n", kv[0], kv[1])
	}
	return nil
}

// versionInfo lists the facts `minsheng version` prints, in order.
func versionInfo() [][2]string {
	module, revision, when, modified := "(devel)", "unknown (built without VCS stamping, e.g. GOFLAGS=-buildvcs=false: build with make or go build -buildvcs=true)", "", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			module = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = " (modified)"
				}
			}
		}
	}
	out := [][2]string{
		{"minsheng", module},
		{"revision", revision + modified},
	}
	if when != "" {
		out = append(out, [2]string{"time", when})
	}
	out = append(out, [2]string{"go", runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH})
	if d, err := analysis.BuiltinDicts(); err == nil {
		out = append(out, [2]string{"dicts", d.Hash()})
	} else {
		out = append(out, [2]string{"dicts", "error: " + err.Error()})
	}
	if t, err := taxonomy.DefaultTaxonomy(); err == nil {
		out = append(out, [2]string{"taxonomy", t.Version() + " (built-in)"})
	} else {
		out = append(out, [2]string{"taxonomy", "error: " + err.Error()})
	}
	return out
}
