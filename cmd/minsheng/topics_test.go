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

// TestTopicsListYAML: `topics list --yaml` prints the built-in taxonomy's
// file, which read back is the same taxonomy (same version), so staff can
// start their own from it: here with a categories map added, which topics
// eval then takes without --map.
func TestTopicsListYAML(t *testing.T) {
	t.Setenv("MINSHENG_CONFIG", "")
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"topics", "list", "--yaml"}, &out); err != nil {
		t.Fatal(err)
	}
	builtin, err := taxonomy.DefaultTaxonomy()
	if err != nil {
		t.Fatal(err)
	}
	printed, err := taxonomy.ParseTaxonomy("printed.yaml", out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if printed.Version() != builtin.Version() || len(printed.Topics) != len(builtin.Topics) {
		t.Fatalf("printed taxonomy %s with %d topics, built-in %s with %d", printed.Version(), len(printed.Topics), builtin.Version(), len(builtin.Topics))
	}
	dir := t.TempDir()
	own := filepath.Join(dir, "own.yaml")
	if err := os.WriteFile(own, append(out.Bytes(), "\ncategories:\n  教育类: 教育\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"topics", "list", "--taxonomy", own, "--yaml"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "教育类: 教育\n") {
		t.Errorf("topics list --taxonomy FILE --yaml prints something else than the file: ...%q", out.String()[max(0, out.Len()-80):])
	}
	src := filepath.Join(dir, "labelled.jsonl")
	if err := os.WriteFile(src, []byte(`{"id":"e1","title":"关于加强乡村教师队伍建设的建议","body":"义务教育阶段乡村教师短缺。","category":"教育类"}`+"\n"+
		`{"id":"e2","title":"关于改善街道路灯照明的建议","body":"路灯不亮。","category":"城建"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"topics", "eval", "--source", src, "--taxonomy", own, "--folds", "0"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2 documents (0 records skipped), 1 in a mapped category") {
		t.Errorf("topics eval with the taxonomy's own categories:\n%s", out.String())
	}
	if err := run(ctx, []string{"topics", "explain", "e1", "--yaml"}, &out); err == nil {
		t.Error("topics explain --yaml: no error")
	}
}
