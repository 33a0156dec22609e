package taxonomy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"minsheng/corpus"
)

// learnTaxonomy has two topics whose keywords say little, so that what a
// model learns shows.
const learnTaxonomy = `
further_factor: 1
categories:
  林业: 林草
  水务: 水利
topics:
  - name: 林草
    keywords: {造林: 3}
  - name: 水利
    keywords: {水库: 3}
`

func learnExamples() []Example {
	return []Example{
		{ID: "a", Title: "关于加强森林防火的建议", Body: "森林防火任务重，护林员不足，林区道路差。", Topic: "林草"},
		{ID: "b", Title: "关于护林员待遇的建议", Body: "护林员工资低，森林管护面积大。", Topic: "林草"},
		{ID: "c", Title: "关于灌区改造的建议", Body: "灌区渠道老化，灌溉用水浪费，渠系需要改造。", Topic: "水利"},
		{ID: "d", Title: "关于农田灌溉的建议", Body: "灌溉设施不足，渠道失修。", Topic: "水利"},
		{ID: "e", Title: "关于街道路灯的建议", Body: "路灯不亮，夜间出行不便。", Topic: ""},
	}
}

func TestTrainDeterministic(t *testing.T) {
	c := testClassifier(t, learnTaxonomy)
	ex := learnExamples()
	m1, m2 := c.Train(ex), c.Train(learnExamples())
	if m1.Hash() == "" || m1.Hash() != m2.Hash() {
		t.Fatalf("hashes %q and %q, want the same, not empty", m1.Hash(), m2.Hash())
	}
	slices.Reverse(ex)
	if h := c.Train(ex).Hash(); h != m1.Hash() {
		t.Errorf("examples in another order: hash %s, want %s", h, m1.Hash())
	}
	ex[0].Body += "灯光"
	if h := c.Train(ex).Hash(); h == m1.Hash() {
		t.Errorf("another example, same hash %s", h)
	}
	if want := []string{"林草", "水利", ""}; !slices.Equal(m1.Classes, want) {
		t.Errorf("classes %q, want %q", m1.Classes, want)
	}
	if m := c.Train([]Example{{Title: "x", Topic: ""}}); m != nil {
		t.Errorf("a model from the background alone: %+v", m)
	}
}

func TestModelAssigns(t *testing.T) {
	c := testClassifier(t, learnTaxonomy)
	names := func(c *Classifier, title, body string) []string {
		var out []string
		for _, tp := range c.Classify(title, body) {
			out = append(out, tp.Name)
		}
		return out
	}
	title, body := "关于护林员和森林防火的建议", "林区护林员少，森林防火压力大。"
	if got := names(c, title, body); got != nil {
		t.Fatalf("keywords alone: %q, want none (no keyword occurs)", got)
	}
	m := c.WithModel(c.Train(learnExamples()))
	if m.ModelHash() == "" || c.ModelHash() != "" {
		t.Errorf("model hashes %q and %q", m.ModelHash(), c.ModelHash())
	}
	if got := names(m, title, body); !slices.Equal(got, []string{"林草"}) {
		t.Errorf("with the model: %q, want [林草]\n%+v", got, m.Explain(title, body))
	}
	if got := names(m, "关于渠道灌溉的建议", "灌区渠道需要改造。"); !slices.Equal(got, []string{"水利"}) {
		t.Errorf("with the model: %q, want [水利]", got)
	}
	if got := names(m, "关于路灯的建议", "夜间路灯不亮。"); got != nil {
		t.Errorf("background text: %q, want none", got)
	}
	ex := m.Explain(title, body)
	if len(ex) != 2 || ex[0].Name != "林草" || !ex[0].Known || ex[0].Model <= 0 || !ex[0].Assigned {
		t.Errorf("explain %+v", ex)
	}
	tp := m.Classify(title, body)
	if len(tp) != 1 || tp[0].Model <= 0 {
		t.Errorf("classify %+v: want the model's part", tp)
	}
}

// TestNearestPrimary: a text the model finds of the background and that
// no topic reaches takes as its primary topic the topic the model does
// not know whose keywords come nearest their threshold, from PrimaryFloor
// of it; keywords alone do not.
func TestNearestPrimary(t *testing.T) {
	title, body := "关于路灯的建议", "夜间路灯不亮。"
	withThreshold := func(th float64) *Classifier {
		return testClassifier(t, learnTaxonomy+fmt.Sprintf("  - name: 市政\n    threshold: %g\n    keywords: {路灯: 3}\n", th))
	}
	var score float64
	for _, ts := range withThreshold(100).Explain(title, body) {
		if ts.Name == "市政" {
			score = ts.Score
		}
	}
	if score <= 0 {
		t.Fatalf("市政 scores %g", score)
	}
	for _, tc := range []struct {
		share   float64 // the score's share of the threshold
		model   bool
		want    []string
		nearest []string // Explain's Nearest topics
	}{
		{1.2, true, []string{"市政"}, nil},
		{0.8, true, []string{"市政"}, []string{"市政"}},
		{0.7, true, nil, nil},
		{1.2, false, []string{"市政"}, nil},
		{0.8, false, nil, nil},
	} {
		c := withThreshold(score / tc.share)
		if tc.model {
			c = c.WithModel(c.Train(learnExamples()))
		}
		var got []string
		for _, tp := range c.Classify(title, body) {
			got = append(got, tp.Name)
		}
		var nearest []string
		for _, ts := range c.Explain(title, body) {
			if ts.Nearest {
				nearest = append(nearest, ts.Name)
			}
		}
		if !slices.Equal(got, tc.want) || !slices.Equal(nearest, tc.nearest) {
			t.Errorf("score %.0f%% of the threshold, model %v: topics %q, nearest %q; want %q, %q",
				100*tc.share, tc.model, got, nearest, tc.want, tc.nearest)
		}
	}
}

func TestTagGivenCategoryAndCorrections(t *testing.T) {
	c := testClassifier(t, learnTaxonomy)
	d := corpus.Doc{ID: "x", Title: "造林", Body: "植树造林", Category: "水务", Topics: []string{"其他"}}
	c.Tag(&d)
	if !slices.Equal(d.GivenTopics, []string{"其他", "水利"}) || !slices.Equal(d.Topics, []string{"其他", "水利", "林草"}) ||
		d.PrimaryTopic != "其他" || d.TopicsCorrected {
		t.Errorf("tagged %+v", d)
	}
	if e, ok := c.Example(&d); !ok || e.Topic != "水利" {
		t.Errorf("example %+v %v, want 水利", e, ok)
	}
	other := corpus.Doc{ID: "y", Title: "路灯", Category: "城建"}
	if e, ok := c.Example(&other); !ok || e.Topic != "" {
		t.Errorf("unmapped category: example %+v %v, want the background", e, ok)
	}
	if _, ok := c.Example(&corpus.Doc{ID: "z", Title: "路灯"}); ok {
		t.Error("a document with no category nor topics is an example")
	}
	cc := c.WithCorrections(map[string][]string{"x": {"林草"}, "y": {}})
	d = corpus.Doc{ID: "x", Title: "造林", Body: "植树造林水库", Category: "水务"}
	cc.Tag(&d)
	if !slices.Equal(d.Topics, []string{"林草"}) || d.PrimaryTopic != "林草" || !d.TopicsCorrected ||
		!slices.Equal(d.AllTopics(), []string{"林草"}) {
		t.Errorf("corrected %+v", d)
	}
	if e, ok := cc.Example(&d); !ok || e.Topic != "林草" {
		t.Errorf("corrected example %+v %v", e, ok)
	}
	if e, ok := cc.Example(&other); !ok || e.Topic != "" {
		t.Errorf("corrected to none: example %+v %v, want the background", e, ok)
	}
}

func TestCategoriesErrors(t *testing.T) {
	for src, want := range map[string]string{
		"categories: [a]\ntopics:\n  - name: A\n    keywords: {a: 1}\n":      "t.yaml:1: categories must be a mapping",
		"categories: {x: B}\ntopics:\n  - name: A\n    keywords: {a: 1}\n":   `t.yaml:1: category x: "B" is not a topic`,
		"categories: {x: [A]}\ntopics:\n  - name: A\n    keywords: {a: 1}\n": "t.yaml:1:",
		"further_factor: 0.5\ntopics:\n  - name: A\n    keywords: {a: 1}\n":  "further_factor must be between 1 and 100",
	} {
		_, err := ParseTaxonomy("t.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", src, err, want)
		}
	}
}

func TestCorrectionSource(t *testing.T) {
	c := testClassifier(t, learnTaxonomy)
	store, err := OpenCorrections(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	live := c.WithCorrectionSource(store)
	d := corpus.Doc{ID: "x", Title: "造林", Body: "植树造林"}
	live.Tag(&d)
	if d.TopicsCorrected || !slices.Equal(d.Topics, []string{"林草"}) {
		t.Fatalf("before a correction: %+v", d)
	}
	if _, err := store.Set("x", d.Topics, []string{"水利"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	d = corpus.Doc{ID: "x", Title: "造林", Body: "植树造林"}
	live.Tag(&d)
	if !d.TopicsCorrected || !slices.Equal(d.Topics, []string{"水利"}) {
		t.Errorf("a correction made after the classifier was built: %+v", d)
	}
}

// TestLearnReadsOnlyExamples: learning reads only the records that can be
// examples (exampleFields), and learns what it learns from every record;
// with corrections, it reads every record.
func TestLearnReadsOnlyExamples(t *testing.T) {
	c := testClassifier(t, learnTaxonomy)
	var lines []string
	for i, e := range learnExamples() {
		cat := map[string]string{"林草": "林业", "水利": "水务"}[e.Topic]
		lines = append(lines, fmt.Sprintf(`{"id":%q,"title":%q,"body":%q,"category":%q}`, e.ID, e.Title, e.Body, cat))
		lines = append(lines, fmt.Sprintf(`{"id":"n%d","title":"新闻%d","body":"灌区渠道老化，护林员工资低。"}`, i, i))
	}
	lines = append(lines, `{"id":"t1","title":"关于水库除险的建议","body":"水库年久失修。","topics":["水利"]}`)
	src := filepath.Join(t.TempDir(), "s.jsonl")
	if err := os.WriteFile(src, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := c.exampleFields(); !slices.Equal(got, []string{"topics", "category"}) {
		t.Errorf("exampleFields %q", got)
	}
	var every []Example
	if _, err := corpus.Walk(context.Background(), []string{src}, corpus.Options{}, func(d corpus.Doc) error {
		if e, ok := c.Example(&d); ok {
			every = append(every, e)
		}
		return nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	learned, err := c.Learn(context.Background(), []string{src}, corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := c.Train(every).Hash(); want == "" || learned.ModelHash() != want {
		t.Errorf("learned model %q, from the examples of every record %q", learned.ModelHash(), want)
	}
	if got := c.WithCorrections(map[string][]string{"n1": {"林草"}}).exampleFields(); got != nil {
		t.Errorf("with a correction, exampleFields %q, want every record", got)
	}
	// the same through a data folder's store: none yet, then one
	store, err := OpenCorrections(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if got := c.WithCorrectionSource(store).exampleFields(); !slices.Equal(got, c.exampleFields()) || got == nil {
		t.Errorf("with an empty store, exampleFields %q, want %q", got, c.exampleFields())
	}
	if _, err := store.Set("n1", nil, []string{"林草"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := c.WithCorrectionSource(store).exampleFields(); got != nil {
		t.Errorf("with a stored correction, exampleFields %q, want every record", got)
	}
}

// TestModelTagsFurther: a topic the model knows is tagged from its
// threshold when it is the likeliest of the topics the model knows, and
// beside a likelier one only from further_factor times its threshold.
func TestModelTagsFurther(t *testing.T) {
	m := &Model{Classes: []string{"A", "B", "", "C"}, Thresholds: []float64{0.2, 0.1, 0.5, 0.3}}
	tl := &tally{m: m, class: []int{0, 1, -1, 3}}
	for _, tc := range []struct {
		model   []float64 // per topic of the taxonomy
		further float64
		want    []bool
	}{
		{[]float64{0.4, 0.25, 0, 0.1}, 3, []bool{true, false, false, false}},     // B over its threshold, under 3×
		{[]float64{0.4, 0.35, 0, 0.1}, 3, []bool{true, true, false, false}},      // B over 3× its threshold
		{[]float64{0.4, 0.25, 0, 0.1}, 1, []bool{true, true, false, false}},      // further_factor 1: every topic over its threshold
		{[]float64{0.15, 0.12, 0, 0.1}, 3, []bool{false, false, false, false}},   // A, the likeliest, under its threshold
		{[]float64{0.25, 0.25, 0, 0}, 3, []bool{true, false, false, false}},      // a tie goes to the first
		{[]float64{0.1, 0.05, 0.9, 0.05}, 3, []bool{false, false, false, false}}, // topic 2 is not the model's
	} {
		tl.model = tc.model
		for ti, want := range tc.want {
			if got := tl.modelTags(ti, tc.further); got != want {
				t.Errorf("probabilities %v, further_factor %g: topic %d tagged %v, want %v", tc.model, tc.further, ti, got, want)
			}
		}
	}
}
