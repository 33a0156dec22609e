package search

import (
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"minsheng/corpus"
	"minsheng/indexer"
	zhanalysis "minsheng/indexer/analysis"
)

// TestLiteralPhrasesWithoutPositions: a quoted phrase finds exactly the
// documents that hold it, on an index of today's layout (literal fields
// without positions, the folded text stored: it is checked where the
// phrase is not one of the document's words) and on one built before it
// (literal fields with positions, no folded text: the positions are
// checked), among documents that have every bigram of the phrase without
// holding it; and so when the search asks for explanations.
func TestLiteralPhrasesWithoutPositions(t *testing.T) {
	bodies := map[string]string{
		"a": "全面推进乡村振兴",    // both phrases
		"b": "乡村的路，村振兴起",   // every bigram of 乡村振兴, and 村振兴 alone
		"c": "乡村和村振，振兴",    // every bigram of both, neither phrase
		"d": "全面推進鄉村振興",    // both, in traditional characters
		"e": "城市更新与老旧小区改造", // none
	}
	want := map[string][]string{
		`"乡村振兴"`: {"a", "d"},
		`"村振兴"`:  {"a", "b", "d"},
		`"村振兴起"`: {"b"},
		`"振兴"`:   {"a", "b", "c", "d"},
	}
	for _, layout := range []string{"stored", "positions"} {
		m, err := zhanalysis.NewMapping(zhanalysis.MappingOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if layout == "positions" {
			for _, f := range wordFields {
				m.DefaultMapping.Properties[corpus.LiteralOf(f.name)].Fields[0].IncludeTermVectors = true
				delete(m.DefaultMapping.Properties, corpus.FoldedOf(f.name))
			}
		}
		idx, err := bleve.NewUsing(t.TempDir(), m, scorch.Name, scorch.Name, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer idx.Close()
		for id, body := range bodies {
			if err := idx.Index(id, indexer.IndexFields(&corpus.Doc{ID: id, Kind: "news", Title: "标题", Body: body})); err != nil {
				t.Fatal(err)
			}
		}
		if got := storesFolded(idx.Mapping(), corpus.FoldedOf(corpus.FieldBody)); got != (layout == "stored") {
			t.Errorf("%s: storesFolded %v", layout, got)
		}
		an, err := New(idx, Options{}).analyzers()
		if err != nil {
			t.Fatal(err)
		}
		for text, ids := range want {
			for _, explain := range []bool{false, true} { // explained, bleve's searchers serve what they can
				res, err := idx.Search(bleve.NewSearchRequestOptions(an.build(Parse(text), false), 100, 0, explain))
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, h := range res.Hits {
					got = append(got, h.ID)
				}
				slices.Sort(got)
				if !slices.Equal(got, ids) {
					t.Errorf("%s layout, %s, explain %v: %v, want %v", layout, text, explain, got, ids)
				}
			}
		}
	}
}
