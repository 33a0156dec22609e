package taxonomy

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"

	"minsheng/corpus"
	"minsheng/indexer"
)

// TestCorrectionSurvivesReindexAndRestart sets a document's topics, builds
// twice, reopens the store as a restarted server does, and checks the
// generations, the model and the audit.
func TestCorrectionSurvivesReindexAndRestart(t *testing.T) {
	ctx := context.Background()
	data, src := t.TempDir(), t.TempDir()
	docs := `{"id":"a","kind":"proposal","title":"关于护林员的建议","body":"护林员工资低，森林防火任务重。","category":"林业"}
{"id":"b","kind":"proposal","title":"关于灌区改造的建议","body":"灌区渠道老化，灌溉用水浪费。","category":"水务"}
{"id":"c","kind":"proposal","title":"关于水库除险加固的建议","body":"小型水库病险多，需要除险加固。"}
{"id":"d","kind":"proposal","title":"关于路灯的建议","body":"夜间路灯不亮。","category":"城建"}
`
	if err := os.WriteFile(filepath.Join(src, "p.jsonl"), []byte(docs), 0o644); err != nil {
		t.Fatal(err)
	}
	c := testClassifier(t, learnTaxonomy)
	store, err := OpenCorrections(data)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	if _, err := store.Set("c", []string{"水利"}, []string{"林草"}, at); err != nil {
		t.Fatal(err)
	}
	build := func() *indexer.Manifest {
		t.Helper()
		corr, err := LoadCorrections(data)
		if err != nil {
			t.Fatal(err)
		}
		man, err := indexer.Build(ctx, data, indexer.BuildOptions{Sources: []string{src}, Tagger: c.WithCorrections(corr)})
		if err != nil {
			t.Fatal(err)
		}
		return man
	}
	check := func(man *indexer.Manifest) {
		t.Helper()
		idx, err := indexer.Open(indexer.IndexPath(data, man.Name))
		if err != nil {
			t.Fatal(err)
		}
		defer idx.Close()
		d, err := indexedDoc(idx, "c")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(d.Topics, []string{"林草"}) || d.PrimaryTopic != "林草" || !d.TopicsCorrected {
			t.Errorf("generation %s: document c %q primary %q corrected %v, want [林草] as staff set", man.Name, d.Topics, d.PrimaryTopic, d.TopicsCorrected)
		}
		if man.TaxonomyVersion != c.Version() || man.ModelHash == "" {
			t.Errorf("manifest taxonomy %q model %q", man.TaxonomyVersion, man.ModelHash)
		}
	}
	first := build()
	check(first)
	// a restart: the store is opened anew, the correction changed again
	store, err = OpenCorrections(data)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := store.Get("c"); !ok || !slices.Equal(got, []string{"林草"}) {
		t.Fatalf("after reopening: %q %v", got, ok)
	}
	second := build()
	check(second)
	if first.ModelHash != second.ModelHash {
		t.Errorf("same sources and corrections, model hashes %s and %s", first.ModelHash, second.ModelHash)
	}
	if _, err := store.Set("c", []string{"林草"}, nil, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	audit, err := store.Audit("c")
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 2 || !audit[0].Time.Equal(at.Add(time.Hour)) || len(audit[0].After) != 0 ||
		!slices.Equal(audit[1].Before, []string{"水利"}) || !slices.Equal(audit[1].After, []string{"林草"}) || !audit[1].Time.Equal(at) {
		t.Errorf("audit %+v", audit)
	}
	if all, _ := store.Audit(""); len(all) != 2 {
		t.Errorf("whole audit %+v", all)
	}
	// a torn last line of the audit, as a crash leaves it, is skipped
	f, err := os.OpenFile(filepath.Join(data, correctionsDir, correctionsAudit), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"time":"2026-12-05T12:00:00Z","id":"c","bef`)
	f.Close()
	if audit, err := store.Audit("c"); err != nil || len(audit) != 2 {
		t.Errorf("torn audit: %d entries, %v", len(audit), err)
	}
	third := build()
	idx, err := indexer.Open(indexer.IndexPath(data, third.Name))
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	d, err := indexedDoc(idx, "c")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Topics) != 0 || d.PrimaryTopic != "" || !d.TopicsCorrected {
		t.Errorf("every topic removed by staff: %+v", d)
	}
}

// indexedDoc reads a document as the build stored it.
func indexedDoc(idx bleve.Index, id string) (*corpus.Doc, error) {
	doc, err := idx.Document(id)
	if err != nil || doc == nil {
		return nil, fmt.Errorf("document %s: %v", id, err)
	}
	var d corpus.Doc
	doc.VisitFields(func(f index.Field) {
		if f.Name() == corpus.FieldStored {
			err = json.Unmarshal(f.Value(), &d)
		}
	})
	return &d, err
}

// TestCorrectedLists: a classifier lists the documents its correction
// source has a correction for (what a server brings each generation it
// opens in line with), sorted, from a map or the live store, as they are
// made; none without a source.
func TestCorrectedLists(t *testing.T) {
	c := defaultClassifier(t)
	if got := c.Corrected(); got != nil {
		t.Errorf("without corrections: %v", got)
	}
	if got := c.WithCorrections(map[string][]string{"b": {"教育"}, "a": nil}).Corrected(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("from a map: %v, want [a b]", got)
	}
	store, err := OpenCorrections(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	live := c.WithCorrectionSource(store)
	for _, id := range []string{"z", "m"} {
		if _, err := store.Set(id, nil, []string{"教育"}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if got := live.Corrected(); !slices.Equal(got, []string{"m", "z"}) {
		t.Errorf("from the store: %v, want [m z]", got)
	}
}
