package search

import "github.com/blevesearch/bleve/v2"

// NewReference returns a Searcher over idx that has bleve count facets and
// sort as it does alone (doc values, stored ids): what the columns must
// agree with.
func NewReference(idx bleve.Index, l Limits) *Searcher {
	s := New(idx, Options{Limits: l})
	s.reference = true
	return s
}

// SetPostingsCacheMin has s's postings cache keep terms from n postings in
// a segment, so that tests of small indexes read through it.
func (s *Searcher) SetPostingsCacheMin(n uint64) { s.postings.min = n }
