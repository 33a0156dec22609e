package analysis

import (
	"reflect"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"
)

// wordsTokenizer is the words tokenizer (TokenizerWords) of an Analysis.
type wordsTokenizer struct{ a *Analysis }

// Tokenize is Analysis.Tokenize.
func (w wordsTokenizer) Tokenize(text []byte) analysis.TokenStream { return w.a.Tokenize(text) }

// CountedField returns f, when it is an indexed text field analysed by
// the words tokenizer alone and without term vectors, as a field whose
// Analyze counts its words (Analysis.Count) instead of making tokens for
// bleve to count: the same term frequencies and length, which is all an
// index keeps of them. Any other field is returned as it is. A build maps
// its documents through it (indexer's walkBatches). Count copies what it
// keeps, so a stored value is never aliased.
func CountedField(f document.Field) document.Field {
	tf, ok := f.(*document.TextField)
	if !ok || !tf.Options().IsIndexed() || tf.Options().IncludeTermVectors() || tf.Options().SkipFreqNorm() || len(tf.ArrayPositions()) > 0 {
		return f
	}
	da, ok := tf.Analyzer().(*analysis.DefaultAnalyzer)
	if !ok || len(da.CharFilters) > 0 || len(da.TokenFilters) > 0 {
		return f
	}
	w, ok := da.Tokenizer.(wordsTokenizer)
	if !ok {
		return f
	}
	return &countedField{TextField: tf, a: w.a}
}

// countedField is a words field that counts its words when analysed.
type countedField struct {
	*document.TextField
	a      *Analysis
	freqs  index.TokenFrequencies
	length int
}

func (f *countedField) Analyze() { f.freqs, f.length = f.a.Count(f.Value()) }

func (f *countedField) AnalyzedLength() int { return f.length }

func (f *countedField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }

// Size is the field's size in memory, as TextField's counts its
// frequencies.
func (f *countedField) Size() int {
	n := f.TextField.Size() + reflectSizeCounted
	if f.freqs != nil {
		n += f.freqs.Size()
	}
	return n
}

var reflectSizeCounted = int(reflect.TypeFor[countedField]().Size())
