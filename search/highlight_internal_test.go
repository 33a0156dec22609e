package search

import (
	"reflect"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"

	"minsheng/corpus"
	"minsheng/indexer"
)

// TestCharsOfMatchesTokens checks the highlighter's shortcut to the folded
// characters against the character analyzer's tokens.
func TestCharsOfMatchesTokens(t *testing.T) {
	m, err := indexer.NewMapping(indexer.MappingOptions{})
	if err != nil {
		t.Fatal(err)
	}
	an := &analyzers{chars: m.AnalyzerNamed(corpus.AnalyzerChars)}
	da, ok := an.chars.(*analysis.DefaultAnalyzer)
	if !ok {
		t.Fatalf("the character analyzer is a %T", an.chars)
	}
	if _, ok := da.Tokenizer.(runeFolder); !ok {
		t.Fatalf("the character tokenizer (%T) has no FoldRunes: highlighting takes the slow way", da.Tokenizer)
	}
	for _, text := range []string{
		"", "乡村振兴", "國務院關於加強ＡＢＣ１２３", "a\tb\nc\u3000d  e", "bad \xff\xfe utf8 \x00", "<b>&amp;</b>",
		"甘政发〔2024〕12号", strings.Repeat("中华人民共和国", 200),
	} {
		if got, want := an.charsOf(text), an.charsOfTokens(text); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: runes %q offsets %v, tokens give %q %v", text, string(got.folded), got.offs, string(want.folded), want.offs)
		}
	}
}
