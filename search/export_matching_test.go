package search

import "github.com/blevesearch/bleve/v2"

// NewExhaustive returns a Searcher over idx whose partial queries take
// none of matching's fast paths: what they must agree with.
func NewExhaustive(idx bleve.Index, l Limits) *Searcher {
	s := New(idx, Options{Limits: l})
	s.exhaustive = true
	return s
}
