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

// SetPostingsCache gives s a postings cache of 16 MB that keeps terms from
// least postings in a segment, so that tests of small indexes read
// through it; least 0 takes the cache away.
func (s *Searcher) SetPostingsCache(least uint64) {
	s.postings.min, s.postings.max = least, 0
	if least > 0 {
		s.postings.max = 16 << 20
	}
}
