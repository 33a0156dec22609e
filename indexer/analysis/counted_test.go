package analysis

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"

	"minsheng/corpus"
)

// checkCount holds Count(text) to what bleve makes of Tokenize(text) in a
// field without term vectors (analysis.TokenFrequency): the same terms,
// each with its bytes and frequency, and the same number of tokens.
func checkCount(t *testing.T, a *Analysis, text []byte) {
	t.Helper()
	ts := a.Tokenize(text)
	want := analysis.TokenFrequency(ts, nil, index.IndexField)
	got, n := a.Count(text)
	if n != len(ts) {
		t.Fatalf("%.60q: Count says %d tokens, Tokenize made %d", text, n, len(ts))
	}
	if f := freqs(got); f != freqs(want) {
		t.Fatalf("%.60q: Count gave\n%.300s\nTokenFrequency\n%.300s", text, f, freqs(want))
	}
}

// freqs prints term frequencies in the order of their terms.
func freqs(tfs index.TokenFrequencies) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(tfs)) {
		tf := tfs[k]
		fmt.Fprintf(&b, "%q=%q×%d/%d ", k, tf.Term, tf.Frequency(), len(tf.Locations))
	}
	return b.String()
}

func TestCount(t *testing.T) {
	a := testAnalysis(t)
	for _, s := range append(spanTexts, "", "，。", "乡村振兴乡村振兴 乡村", "十四届十四届14届", "PD1728型号0123 0123") {
		checkCount(t, a, []byte(s))
	}
}

// TestCountedField holds the fields a build maps its documents to: the
// word fields counted (CountedField), every other field as bleve made it,
// and a counted field analysed to the frequencies and length bleve's
// own field gives.
func TestCountedField(t *testing.T) {
	m, err := NewMapping(MappingOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]any{
		corpus.FieldTitle: "关于加快农村寄递物流体系建设助力乡村振兴的建议", corpus.LiteralOf(corpus.FieldTitle): "乡村振兴",
		corpus.FieldBody: spanTexts[6], corpus.FoldedOf(corpus.FieldBody): "乡村振兴",
		corpus.FieldKey: true,
	}
	for _, kf := range corpus.Keywords() {
		fields[kf.Name] = []string{"教育", "乡村振兴"}
	}
	doc := document.NewDocument("1")
	if err := m.MapDocument(doc, fields); err != nil {
		t.Fatal(err)
	}
	counted := 0
	for _, f := range doc.Fields {
		c := CountedField(f)
		_, isCounted := c.(*countedField)
		if word := f.Name() == corpus.FieldTitle || f.Name() == corpus.FieldBody; word != isCounted {
			t.Errorf("field %s: counted %v", f.Name(), isCounted)
		}
		if !isCounted {
			if c != f {
				t.Errorf("field %s: not counted but changed", f.Name())
			}
			continue
		}
		counted++
		c.Analyze()
		f.Analyze()
		if c.AnalyzedLength() != f.AnalyzedLength() || freqs(c.AnalyzedTokenFrequencies()) != freqs(f.AnalyzedTokenFrequencies()) {
			t.Errorf("field %s: counted %d tokens %.200s, bleve %d tokens %.200s", f.Name(),
				c.AnalyzedLength(), freqs(c.AnalyzedTokenFrequencies()), f.AnalyzedLength(), freqs(f.AnalyzedTokenFrequencies()))
		}
		if c.Name() != f.Name() || string(c.Value()) != string(f.Value()) || c.Options() != f.Options() || c.Size() < f.Size() {
			t.Errorf("field %s: counted field differs from bleve's in name, value, options or size", f.Name())
		}
	}
	if counted != 2 {
		t.Errorf("%d fields counted, want title and body", counted)
	}
}
