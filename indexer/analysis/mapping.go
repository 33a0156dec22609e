package analysis

import (
	"errors"
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/custom" // the "custom" analyzer type
	_ "github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	index "github.com/blevesearch/bleve_index_api"

	"minsheng/corpus"
)

// Tokenizer type names in bleve's registry. An index records them in its
// mapping, so any binary that opens the index must have called Register.
const (
	TokenizerWords   = "minsheng_jieba"
	TokenizerLiteral = "minsheng_literal"
	TokenizerChars   = "minsheng_chars"
)

var registerOnce struct {
	sync.Once
	err error
}

// Register adds our tokenizer types to bleve's registry, once per process.
// NewMapping calls it; so must anything that opens an existing index.
func Register() error {
	registerOnce.Do(func() {
		registerOnce.err = errors.Join(
			registry.RegisterTokenizer(TokenizerWords, func(cfg map[string]any, _ *registry.Cache) (analysis.Tokenizer, error) {
				a, err := analysisFor(cfg)
				if err != nil {
					return nil, err
				}
				return wordsTokenizer{a}, nil
			}),
			registry.RegisterTokenizer(TokenizerLiteral, func(cfg map[string]any, _ *registry.Cache) (analysis.Tokenizer, error) {
				a, err := analysisFor(cfg)
				if err != nil {
					return nil, err
				}
				return tokenizerFunc(a.LiteralTokenize), nil
			}),
			registry.RegisterTokenizer(TokenizerChars, func(cfg map[string]any, _ *registry.Cache) (analysis.Tokenizer, error) {
				a, err := analysisFor(cfg)
				if err != nil {
					return nil, err
				}
				return charTokenizer{a}, nil
			}),
		)
	})
	return registerOnce.err
}

// tokenizerFunc adapts a function to bleve's analysis.Tokenizer, the way
// http.HandlerFunc adapts one to http.Handler.
type tokenizerFunc func([]byte) analysis.TokenStream

// Tokenize calls f(text).
func (f tokenizerFunc) Tokenize(text []byte) analysis.TokenStream { return f(text) }

// charTokenizer is the character tokenizer. Highlighting, which folds whole
// documents, reads its characters through FoldRunes without the tokens.
type charTokenizer struct{ a *Analysis }

// Tokenize is CharTokenize.
func (t charTokenizer) Tokenize(text []byte) analysis.TokenStream { return t.a.CharTokenize(text) }

// FoldRunes returns what Tokenize would as runes: each character's folded
// term and, for each, its byte offset in text, with len(text) appended.
func (t charTokenizer) FoldRunes(text []byte) (folded []rune, offs []int) { return t.a.charRunes(text) }

// FoldRune folds one character as FoldRunes and Tokenize do: the
// highlighter finds matches in long documents without folding them whole.
func (t charTokenizer) FoldRune(r rune) rune { return t.a.charRune(r) }

// FoldTable returns FoldRune's answers for the runes from lo on, as a
// table to read from (not to write to): those of the CJK ideograph
// blocks, most of a Chinese text, which the highlighter then folds
// without a call each.
func (t charTokenizer) FoldTable() (lo rune, table []rune) { return t.a.fold.CJKTable() }

// analysisFor builds the Analysis a tokenizer configuration names: the
// built-in dictionaries, with the user dictionary replaced when the
// configuration carries one. The user dictionary's text is kept in the index
// mapping itself, so an index always reopens with the dictionary it was built
// with, on any machine.
func analysisFor(cfg map[string]any) (*Analysis, error) {
	d, err := BuiltinDicts()
	if err != nil {
		return nil, err
	}
	if u, ok := cfg["user_dict"].(string); ok && u != "" {
		d.User = []byte(u)
	}
	return NewAnalysis(d)
}

// MappingOptions says how documents are analysed.
type MappingOptions struct {
	UserDict []byte // replaces the built-in domain dictionary when non-nil
}

// NewMapping returns the index mapping of a Minsheng generation: jieba word
// fields for BM25, literal character fields for exact phrases, keyword
// fields for facets, a date field, and the whole document stored as JSON.
func NewMapping(opt MappingOptions) (*mapping.IndexMappingImpl, error) {
	if err := Register(); err != nil {
		return nil, err
	}
	im := mapping.NewIndexMapping()
	im.ScoringModel = index.BM25Scoring
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	tokCfg := map[string]any{"type": TokenizerWords}
	litCfg := map[string]any{"type": TokenizerLiteral}
	uniCfg := map[string]any{"type": TokenizerChars}
	if opt.UserDict != nil {
		for _, c := range []map[string]any{tokCfg, litCfg, uniCfg} {
			c["user_dict"] = string(opt.UserDict)
		}
	}
	err := errors.Join(
		im.AddCustomTokenizer("zh_words", tokCfg),
		im.AddCustomTokenizer("zh_bigrams", litCfg),
		im.AddCustomTokenizer("zh_chars", uniCfg),
		im.AddCustomAnalyzer(corpus.AnalyzerWords, map[string]any{"type": "custom", "tokenizer": "zh_words"}),
		im.AddCustomAnalyzer(corpus.AnalyzerLiteral, map[string]any{"type": "custom", "tokenizer": "zh_bigrams"}),
		im.AddCustomAnalyzer(corpus.AnalyzerChars, map[string]any{"type": "custom", "tokenizer": "zh_chars"}),
	)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	im.DefaultAnalyzer = corpus.AnalyzerWords

	dm := mapping.NewDocumentStaticMapping()
	words := func() *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = corpus.AnalyzerWords
		f.Store, f.IncludeTermVectors, f.DocValues, f.IncludeInAll = false, false, false, false
		return f
	}
	literal := func() *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = corpus.AnalyzerLiteral
		f.DocValues, f.IncludeInAll = false, false
		// no positions: a phrase's candidates come from its bigrams'
		// postings and are verified against the folded text, stored
		// (search's literaltext.go); positions cost a third of this
		// field's share of a build and half the index on disk
		f.Store, f.IncludeTermVectors = false, false
		return f
	}
	folded := func() *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Index, f.Store, f.IncludeTermVectors, f.DocValues, f.IncludeInAll = false, true, false, false, false
		return f
	}
	for _, name := range []string{corpus.FieldTitle, corpus.FieldBody, corpus.FieldReply, corpus.FieldMeta} {
		dm.AddFieldMappingsAt(name, words())
		dm.AddFieldMappingsAt(corpus.LiteralOf(name), literal())
		dm.AddFieldMappingsAt(corpus.FoldedOf(name), folded())
	}
	for _, kf := range corpus.Keywords() {
		f := mapping.NewKeywordFieldMapping()
		f.Store, f.IncludeInAll, f.IncludeTermVectors = false, false, false
		f.DocValues = true
		dm.AddFieldMappingsAt(kf.Name, f)
	}
	apart := mapping.NewKeywordFieldMapping()
	apart.Store, apart.IncludeInAll, apart.IncludeTermVectors, apart.DocValues = false, false, false, false
	dm.AddFieldMappingsAt(corpus.FieldLiteralApart, apart)
	key := mapping.NewBooleanFieldMapping()
	key.Store, key.IncludeInAll = false, false
	dm.AddFieldMappingsAt(corpus.FieldKey, key)
	for _, df := range corpus.Dates() { // date, and the handling's dates
		date := mapping.NewDateTimeFieldMapping()
		date.Store, date.IncludeInAll, date.DocValues = false, false, true
		dm.AddFieldMappingsAt(df.Name, date)
	}
	stored := mapping.NewTextFieldMapping()
	stored.Index, stored.Store, stored.IncludeTermVectors, stored.DocValues, stored.IncludeInAll = false, true, false, false, false
	dm.AddFieldMappingsAt(corpus.FieldStored, stored)
	im.DefaultMapping = dm
	return im, nil
}
