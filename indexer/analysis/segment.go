package analysis

import "github.com/yanyiwu/gojieba"

// Segment cuts text in jieba's search mode and nothing more: no folding,
// no positions, no literal tokens. BenchmarkIndexNews of package indexer
// compares indexing with it, to show what indexing costs beyond segmenting.
func (a *Analysis) Segment(text string) []gojieba.Word {
	return a.cut(text)
}
