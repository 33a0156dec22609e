package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"minsheng/corpus"
	"minsheng/indexer"
	"minsheng/indexer/taxonomy"
	"minsheng/search"
)

// TestTopicsEvalCommand measures a small labelled file with and without a
// learned model, and refuses what it cannot measure.
func TestTopicsEvalCommand(t *testing.T) {
	t.Setenv("MINSHENG_CONFIG", "")
	ctx := context.Background()
	dir := t.TempDir()
	var b strings.Builder
	texts := map[string][2]string{
		"林业": {"关于加强森林防火和护林员队伍建设的建议", "森林防火任务重，护林员不足，林区道路差，请增加护林员。"},
		"水务": {"关于灌区渠道改造和农田灌溉的建议", "灌区渠道老化，灌溉用水浪费，渠系需要改造。"},
		"城建": {"关于改善街道路灯照明的建议", "路灯不亮，夜间出行不便，请维修路灯。"},
	}
	n := 0
	for i := 0; i < 6; i++ {
		for _, cat := range []string{"林业", "水务", "城建"} {
			n++
			fmt.Fprintf(&b, `{"id":"p%d","kind":"proposal","title":%q,"body":%q,"category":%q}`+"\n", n, texts[cat][0], texts[cat][1], cat)
		}
	}
	src := filepath.Join(dir, "labelled.jsonl")
	if err := os.WriteFile(src, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	tax := filepath.Join(dir, "t.yaml")
	if err := os.WriteFile(tax, []byte("categories: {林业: 林草}\ntopics:\n  - name: 林草\n    keywords: {造林: 3}\n  - name: 水利\n    keywords: {水库: 3}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"topics", "eval", "--source", src, "--taxonomy", tax, "--map", "水务=水利", "--folds", "3"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"18 documents (0 records skipped), 12 in a mapped category",
		"keywords alone", "3-fold cross-validated",
		"macro-F1 0.000;", // the keywords occur nowhere
		"macro-F1 1.000;", // the model learns both from two folds
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("eval output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := run(ctx, []string{"topics", "eval", "--source", src, "--taxonomy", tax, "--map", "水务=水利", "--folds", "3", "--splits", "3"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"the same on 3 splits of the documents into 3 folds", "macro-F1 of each split: 1.000 1.000 1.000", "mean macro-F1 1.000 over 3 splits"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("eval --splits 3 output lacks %q:\n%s", want, out.String())
		}
	}
	for _, args := range [][]string{
		{"topics", "eval", "--source", src, "--map", "水务=教育", "--splits", "0"},
		{"topics", "eval"},
		{"topics", "eval", "--source", src},                                   // nothing maps
		{"topics", "eval", "--source", src, "--map", "水务"},                    // not CATEGORY=TOPIC
		{"topics", "eval", "--source", src, "--map", "水务=没有"},                 // unknown topic
		{"topics", "eval", "--source", src, "--map", "水务=教育", "--folds", "1"}, // one fold
		{"topics", "eval", "--source", src, "--map", "水务=教育", "extra"},
	} {
		if err := run(ctx, args, &out); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

// TestTopicsEvalSaysWhatIsMissing: a labelled file whose category the
// readers do not find (a CSV's type column), or whose categories no
// mapping names, is refused with what would make it measurable, not
// measured as a table of zeros; a --map category that no document has is
// noted.
func TestTopicsEvalSaysWhatIsMissing(t *testing.T) {
	t.Setenv("MINSHENG_CONFIG", "")
	ctx := context.Background()
	dir := t.TempDir()
	csv := "reason,type,content\n" +
		"关于加强乡村学校教师队伍建设的建议,教育事业,乡村学校教师流失，建议提高待遇。\n" +
		"关于加快基层医疗机构建设的建议,医卫体育,基层医院设备不足，医生短缺。\n" +
		"关于治理太湖蓝藻的建议,资源环境,太湖蓝藻多发，水质下降。\n"
	src := filepath.Join(dir, "labelled.csv")
	if err := os.WriteFile(src, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, c := range []struct {
		args []string
		want string // in the error
	}{
		{[]string{"--map", "教育事业=教育"}, "none of the 3 documents has a category"},
		{[]string{"--map", "教育事业=教育"}, "--column type=category"},
		{[]string{"--column", "type=category", "--map", "教育=教育"}, "their categories are 医卫体育 (1), 教育事业 (1), 资源环境 (1)"},
	} {
		args := append([]string{"topics", "eval", "--source", src, "--folds", "0"}, c.args...)
		err := run(ctx, args, &out)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one saying %q", args, err, c.want)
		}
	}
	out.Reset()
	args := []string{"topics", "eval", "--source", src, "--folds", "0", "--column", "type=category", "--map", "教育事业=教育", "--map", "资源环=生态环保"}
	if err := run(ctx, args, &out); err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	for _, want := range []string{"3 documents (0 records skipped), 1 in a mapped category", "note: --map 资源环=生态环保: no document has the category 资源环"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("%q: the output lacks %q:\n%s", args, want, out.String())
		}
	}
}

// TestExplainShowsModel indexes the sample corpus, whose suggestions give
// their topics, so the build learns a model: the manifest and explain say
// so, and a correction stored in the data folder is applied by the build.
func TestExplainShowsModel(t *testing.T) {
	t.Setenv("MINSHENG_CONFIG", "")
	ctx := context.Background()
	data := t.TempDir()
	store, err := taxonomy.OpenCorrections(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Set("s-2020-0012", nil, []string{"教育"}, time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"index", "--data", data, "--source", "../../corpus/sample"}, &out); err != nil {
		t.Fatal(err)
	}
	mans, err := indexer.List(data)
	if err != nil || len(mans) != 1 || mans[0].ModelHash == "" {
		t.Fatalf("manifests %+v (%v): want one with a model", mans, err)
	}
	// the summary names the taxonomy and the model
	for _, want := range []string{"taxonomy   " + mans[0].TaxonomyVersion + "\n", "model      " + mans[0].ModelHash + " "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the index summary lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := run(ctx, []string{"topics", "explain", "s-2020-0012", "--data", data}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"model " + mans[0].ModelHash, "topics, primary first: 教育  (set by staff)", "given by the source:  乡村振兴"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("explain lacks %q:\n%s", want, out.String())
		}
	}

	// the generation keeps its model: a server serving it tags the
	// documents written to it as the build tagged the others
	models := &taxonomy.ModelStore{}
	loadGenerationModel(models, data, mans[0].Name, slog.New(slog.DiscardHandler))
	if models.Model().Hash() != mans[0].ModelHash {
		t.Fatalf("the generation's model file gives model %q, its manifest %q", models.Model().Hash(), mans[0].ModelHash)
	}
	idx, err := indexer.Open(indexer.IndexPath(data, mans[0].Name))
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	d, ok, err := search.New(idx, search.Options{}).Document(ctx, "s-2020-0012")
	if err != nil || !ok {
		t.Fatalf("document: %v %v", ok, err)
	}
	c := &Config{Data: data}
	tagger, err := c.tagger()
	if err != nil {
		t.Fatal(err)
	}
	got := tagger.WithModelSource(models).Classify(d.Title, d.Body)
	if fmt.Sprint(got) != fmt.Sprint(d.Inferred) || !slices.ContainsFunc(got, func(tp corpus.Topic) bool { return tp.Model > 0 }) {
		t.Errorf("tagged as a live document: %+v; the build: %+v (want the same, with the model's part)", got, d.Inferred)
	}
}
