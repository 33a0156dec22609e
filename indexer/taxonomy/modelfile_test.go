package taxonomy

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"minsheng/corpus"
)

// TestModelFileRoundTrip saves a model as a build does, reads it back and
// checks that it is the same model (hash and tags), that a damaged file
// is refused, and that a classifier with a ModelStore tags with the model
// it holds now.
func TestModelFileRoundTrip(t *testing.T) {
	c := testClassifier(t, learnTaxonomy)
	trained := c.WithModel(c.Train(learnExamples()))
	dir := t.TempDir()
	if m, err := LoadModel(dir); m != nil || err != nil {
		t.Fatalf("no file: %v %v, want nil and no error", m, err)
	}
	if err := c.SaveModel(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ModelFile)); err == nil {
		t.Fatal("a classifier without a model wrote a model file")
	}
	if err := trained.SaveModel(dir); err != nil {
		t.Fatal(err)
	}
	m, err := LoadModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.Hash() != trained.ModelHash() || m.digest() != m.Hash() {
		t.Errorf("read model %s, saved %s", m.Hash(), trained.ModelHash())
	}
	title, body := "关于护林员和森林防火的建议", "林区护林员少，森林防火压力大。"
	want := trained.Classify(title, body)
	if got := c.WithModel(m).Classify(title, body); !slices.EqualFunc(got, want, func(a, b corpus.Topic) bool {
		return a.Name == b.Name && a.Model == b.Model && a.Score == b.Score
	}) || len(got) == 0 {
		t.Errorf("read model tags %+v, saved one %+v", got, want)
	}

	store := &ModelStore{}
	live := c.WithModelSource(store)
	if got := live.Classify(title, body); got != nil || live.ModelHash() != "" {
		t.Errorf("empty store: %+v %q, want no topic (no keyword occurs) and no model", got, live.ModelHash())
	}
	if err := store.Load(dir); err != nil {
		t.Fatal(err)
	}
	if got := live.Classify(title, body); len(got) != 1 || got[0].Name != "林草" || live.ModelHash() != m.Hash() {
		t.Errorf("store holding the model: %+v %q", got, live.ModelHash())
	}

	path := filepath.Join(dir, ModelFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"empty":     nil,
		"not one":   []byte("hello"),
		"truncated": b[:len(b)/2],
	} {
		if err := os.WriteFile(path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		if m, err := LoadModel(dir); err == nil || m != nil || !strings.Contains(err.Error(), ModelFile) {
			t.Errorf("%s file: %v, %v; want an error naming the file", name, m, err)
		}
		if err := store.Load(dir); err == nil || store.Model() == nil {
			t.Errorf("%s file: store.Load %v, and the model held must stay", name, err)
		}
	}
	// a weight changed: the content no longer gives its hash
	m.w[0] += 1
	if err := m.write(mustCreate(t, path)); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadModel(dir); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("changed weight: %v, want damaged", err)
	}
	// words cut by other dictionaries: refused, whatever its hash
	m.w[0] -= 1
	m.Dict = "another"
	m.hash = m.digest()
	if err := m.write(mustCreate(t, path)); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadModel(dir); err == nil || !strings.Contains(err.Error(), "dictionaries another") {
		t.Errorf("other dictionaries: %v, want refused", err)
	}
}

func mustCreate(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
