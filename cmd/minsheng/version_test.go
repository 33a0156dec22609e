package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"minsheng/indexer/analysis"
	"minsheng/indexer/taxonomy"
)

// TestUsageListsEveryCommand: `minsheng` alone names every subcommand.
func TestUsageListsEveryCommand(t *testing.T) {
	var out bytes.Buffer
	usage(&out)
	for _, name := range []string{"index", "search", "serve", "export", "topics", "version"} {
		if !strings.Contains(out.String(), "\n  "+name+" ") {
			t.Errorf("usage does not list %q:\n%s", name, out.String())
		}
	}
	if err := run(context.Background(), nil, &out); err == nil {
		t.Error("no command: want an error")
	}
	out.Reset()
	if err := run(context.Background(), []string{"help"}, &out); err != nil || !strings.Contains(out.String(), "version") {
		t.Errorf("help: %v\n%s", err, out.String())
	}
}

// TestEverySubcommandHelp: -h and --help of every subcommand print its
// usage and end without error (flag.ErrHelp, which main exits 0 on):
// `minsheng version -h` was "unexpected arguments", exit 2.
func TestEverySubcommandHelp(t *testing.T) {
	names := [][]string{{"topics", "list"}, {"topics", "explain"}, {"topics", "eval"}, {buildJobCommand}}
	for _, c := range commands {
		names = append(names, []string{c.name})
	}
	for _, name := range names {
		for _, h := range []string{"-h", "--help"} {
			var out bytes.Buffer
			err := run(context.Background(), append(slices.Clone(name), h), &out)
			if err != nil && !errors.Is(err, flag.ErrHelp) {
				t.Errorf("minsheng %s %s: %v, want its usage", strings.Join(name, " "), h, err)
			}
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version", "-h"}, &out); err != nil || !strings.Contains(out.String(), "usage: minsheng version") {
		t.Errorf("version -h: %v %q", err, out.String())
	}
}

// TestVersionPrintsHashes: the dictionary and taxonomy hashes are the ones
// a generation is stamped with.
func TestVersionPrintsHashes(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, &out); err != nil {
		t.Fatal(err)
	}
	d, err := analysis.BuiltinDicts()
	if err != nil {
		t.Fatal(err)
	}
	tax, err := taxonomy.DefaultTaxonomy()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"dicts      " + d.Hash(), "taxonomy   " + tax.Version(), "go         go1."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("version output lacks %q:\n%s", want, out.String())
		}
	}
	if err := run(context.Background(), []string{"version", "extra"}, &out); err == nil {
		t.Error("version with arguments: want an error")
	}
}

// TestVersionRevision builds the binary the way the Makefile does, in this
// git checkout, and wants the checkout's revision in `minsheng version`.
func TestVersionRevision(t *testing.T) {
	bin := buildTrimpathBinary(t)
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("skipping: not in a git checkout (%v)", err)
	}
	if fi, err := os.Stat(filepath.Join(strings.TrimSpace(string(top)), ".git")); err != nil || !fi.IsDir() {
		t.Skip("skipping: a linked git worktree, which the go tool does not stamp")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("minsheng version: %v\n%s", err, out)
	}
	if want := "revision   " + strings.TrimSpace(string(head)); !strings.Contains(string(out), want) {
		t.Errorf("want %q in:\n%s", want, out)
	}
}
