// Package analysis turns Chinese text into index terms: the jieba word
// tokenizer, the literal (character and bigram) tokenizer and the
// character tokenizer that bleve indexes and searches with, the folding
// they share (full-width, case, traditional to simplified), Chinese
// numbers, and the dictionaries embedded in the binary.
//
// An Analysis is one loaded segmenter: get it with NewAnalysis from a set
// of Dicts (BuiltinDicts, with the user dictionary replaced if staff have
// their own). bleve meets it through its process-wide registry, which is
// only its door: Register adds our tokenizer types once, and NewMapping
// returns the index mapping of a generation that names them (with its
// user dictionary), so any binary that opens an index calls Register
// first. The tokenizers bleve builds for an index hold their Analysis;
// indexes of one set share it, and it is freed when the last of them is
// closed and dropped (NewAnalysis says how).
//
//	d, err := analysis.BuiltinDicts()
//	...
//	m, err := analysis.NewMapping(analysis.MappingOptions{UserDict: d.User})
//	idx, err := bleve.New(path, m)
//
// Package indexer builds generations with it; package taxonomy folds its
// keywords with Folder. It imports corpus and nothing else of ours.
package analysis
