package analysis

import (
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	index "github.com/blevesearch/bleve_index_api"
)

// BenchmarkTokenize is the analyzer alone on a 1,000-character suggestion.
func BenchmarkTokenize(b *testing.B) {
	a := testAnalysis(b)
	text := []byte(strings.Repeat("关于加快农村寄递物流体系建设助力乡村振兴的建议，建议省邮政管理局会同省商务厅推动快递进村。", 20))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		a.Tokenize(text)
	}
}

// BenchmarkTokenizeCounted is a word field's analysis in a build: bleve
// counting the tokens of Tokenize (analysis.TokenFrequency), as before
// CountedField, against Count.
func BenchmarkTokenizeCounted(b *testing.B) {
	a := testAnalysis(b)
	text := []byte(strings.Repeat("关于加快农村寄递物流体系建设助力乡村振兴的建议，建议省邮政管理局会同省商务厅推动快递进村。", 20))
	b.Run("tokens", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			analysis.TokenFrequency(a.Tokenize(text), nil, index.IndexField)
		}
	})
	b.Run("counted", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			a.Count(text)
		}
	})
}

// BenchmarkLiteralTokenize is the literal (character and bigram) analyzer.
func BenchmarkLiteralTokenize(b *testing.B) {
	a := testAnalysis(b)
	text := []byte(strings.Repeat("关于加快农村寄递物流体系建设助力乡村振兴的建议，建议省邮政管理局会同省商务厅推动快递进村。", 20))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		a.LiteralTokenize(text)
	}
}

// BenchmarkFoldRunes is the highlighter's folding of a document's text.
func BenchmarkFoldRunes(b *testing.B) {
	a := testAnalysis(b)
	text := []byte(strings.Repeat("关于加快农村寄递物流体系建设助力乡村振兴的建议，建议省邮政管理局会同省商务厅推动快递进村。\n", 20))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		a.charRunes(text)
	}
}
