package corpus_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"minsheng/corpus"
)

// TestOnly: a walk with Options.Only emits the documents that have one of
// its fields, and only those, whatever case or mapping names the key, an
// escape spells it, or the format; the rest are neither counted nor
// reported.
func TestOnly(t *testing.T) {
	dir := t.TempDir()
	lines := []string{
		`{"id":"a1","title":"甲","category":"农林水利"}`,        // the key itself
		`{"id":"a2","title":"乙"}`,                          // neither field
		`{"id":"a3","title":"丙","Topics":["教育"]}`,          // another case
		`{"id":"a4","title":"丁","分类":"教育事业"}`,              // an alias
		`{"id":"a5","title":"戊","\u0063ategory":"医卫体育"}`,   // an escape spells it
		`{"id":"a6","title":"己","category":""}`,            // named, empty
		`{"id":"a7","title":"庚","类目":"科学技术"}`,              // mapped below
		`{"id":"a8","title":"辛","body":"category 出现在正文里"}`, // in a value only
		`{"id":"a9","title":"壬",`,                          // broken, names neither
		`{"id":"a10","title":"癸","category":`,              // broken, names one: reported
		`{"id":"a2","title":"乙二","category":"资源环境"}`,       // a2 again, with one
	}
	if err := os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	csv := "id,title,category\nc1,子,农林水利\nc2,丑,\n"
	if err := os.WriteFile(filepath.Join(dir, "b.csv"), []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	var got, problems []string
	st, err := corpus.Walk(context.Background(), []string{dir},
		corpus.Options{Only: []string{"category", "topics"}, Mapping: map[string]string{"类目": "category"}},
		func(d corpus.Doc) error {
			got = append(got, d.ID+":"+d.Category+strings.Join(d.Topics, ""))
			return nil
		},
		func(p corpus.Problem) { problems = append(problems, p.Reason) })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a1:农林水利", "a3:教育", "a4:教育事业", "a5:医卫体育", "a7:科学技术", "a2:资源环境", "c1:农林水利"}
	if !slices.Equal(got, want) {
		t.Errorf("emitted %q, want %q", got, want)
	}
	if st.Docs != len(want) || st.Skipped != 1 || len(problems) != 1 || !strings.Contains(problems[0], "broken json") {
		t.Errorf("stats %+v, problems %q: want %d documents and the one broken record that names category", st, problems, len(want))
	}
	if _, err := corpus.Walk(context.Background(), []string{dir}, corpus.Options{Only: []string{"no such field"}}, nil, nil); err == nil {
		t.Error("a walk only of an unknown field ran")
	}
}

// TestOnlyIsAFilter: on the labelled proposals, a walk with Only emits
// what a walk of every document emits that has one of its fields.
func TestOnlyIsAFilter(t *testing.T) {
	src := filepath.Join("..", "..", "shared", "corpora", "proposals")
	if _, err := os.Stat(src); err != nil {
		t.Skipf("skipping: %v (../shared/corpora is absent)", err)
	}
	walk := func(opt corpus.Options) []corpus.Doc {
		var docs []corpus.Doc
		if _, err := corpus.Walk(context.Background(), []string{src}, opt, func(d corpus.Doc) error {
			docs = append(docs, d)
			return nil
		}, nil); err != nil {
			t.Fatal(err)
		}
		return docs
	}
	var want []corpus.Doc
	for _, d := range walk(corpus.Options{}) {
		if d.Category != "" || len(d.Topics) > 0 {
			want = append(want, d)
		}
	}
	got := walk(corpus.Options{Only: []string{"category", "topics"}})
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("%d documents with Only, %d with a category or topics in a walk of all", len(got), len(want))
	}
}
