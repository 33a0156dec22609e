package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minsheng/indexer"
	"minsheng/indexer/taxonomy"
)

// TestTopicsCommand indexes the sample corpus through the index command,
// which tags with the built-in taxonomy, and explains a document.
func TestTopicsCommand(t *testing.T) {
	t.Setenv("MINSHENG_CONFIG", "")
	ctx := context.Background()
	data := t.TempDir()
	var out bytes.Buffer
	if err := run(ctx, []string{"index", "--data", data, "--source", "../../corpus/sample"}, &out); err != nil {
		t.Fatal(err)
	}
	tax, err := taxonomy.DefaultTaxonomy()
	if err != nil {
		t.Fatal(err)
	}
	mans, err := indexer.List(data)
	if err != nil || len(mans) != 1 || mans[0].TaxonomyVersion != tax.Version() {
		t.Fatalf("generations %+v (%v), want one stamped with taxonomy %s", mans, err, tax.Version())
	}

	out.Reset()
	if err := run(ctx, []string{"topics", "explain", "s-2020-0012", "--data", data}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"s-2020-0012  关于支持临夏州发展牛羊产业助推乡村振兴的建议",
		"tagged with taxonomy " + tax.Version(),
		"given by the source:  乡村振兴",
		"inferred when indexed: 乡村振兴",
		"乡村振兴 3×(1,1)=9",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("explain output lacks %q:\n%s", want, out.String())
		}
	}

	// a staff taxonomy: the document is explained by it, and list shows it
	mine := filepath.Join(t.TempDir(), "mine.yaml")
	if err := os.WriteFile(mine, []byte("topics:\n  - name: 畜牧\n    keywords:\n      牛羊: 2\n      养殖: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"topics", "explain", "--taxonomy", mine, "--data", data, "s-2020-0012"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "畜牧") || !strings.Contains(out.String(), mine) {
		t.Errorf("explain with a staff taxonomy:\n%s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"topics", "list", "--taxonomy", mine}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1 topics") || !strings.Contains(out.String(), "牛羊 2, 养殖 1") {
		t.Errorf("list:\n%s", out.String())
	}

	for _, args := range [][]string{
		{"topics"},
		{"topics", "explain"},
		{"topics", "explain", "no-such-id", "--data", data},
		{"topics", "list", "--taxonomy", filepath.Join(data, "missing.yaml")},
		{"topics", "remove"},
	} {
		if err := run(ctx, args, &out); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}
