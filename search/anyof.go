package search

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// anyOf matches the documents that match any of its clauses, and scores
// them exactly as bleve scores a disjunction of the same clauses: the sum
// of the clauses' scores (bleve's own searchers compute them, BM25 and
// query norm included), times the share of the clauses matched.
//
// bleve merges a disjunction's clauses a document at a time through a
// heap. A question is a disjunction of 40 to 90 terms, which match 20,000
// to 30,000 documents of ../shared/corpora between them, and the merge was
// half of its search. anyOf reads its clauses one after the other, each to
// its end, and adds their scores into arrays by document number; it then
// hands the documents on in increasing number, as a searcher must.
type anyOf struct {
	clauses []query.Query
}

// newAnyOf returns the disjunction of clauses.
func newAnyOf(clauses ...query.Query) *anyOf { return &anyOf{clauses: clauses} }

// Searcher implements query.Query.
func (q *anyOf) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o bsearch.SearcherOptions) (bsearch.Searcher, error) {
	if _, scorch := r.(*scorch.IndexSnapshot); !scorch || o.Explain || o.IncludeTermVectors || len(q.clauses) < 2 {
		// anyOf reads documents numbers as scorch writes them, and keeps
		// no explanations or term locations: bleve's disjunction does
		return bleve.NewDisjunctionQuery(q.clauses...).Searcher(ctx, r, m, o)
	}
	s := &anySearcher{ctx: ctx, clauses: make([]bsearch.Searcher, 0, len(q.clauses))}
	for _, c := range q.clauses {
		cs, err := c.Searcher(ctx, r, m, o)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.clauses = append(s.clauses, cs)
	}
	s.SetQueryNorm(1 / math.Sqrt(s.Weight())) // as bleve's disjunction does
	return s, nil
}

// anySearcher is the searcher of an anyOf.
type anySearcher struct {
	ctx     context.Context // of the search: reading all clauses is long
	clauses []bsearch.Searcher
	read    bool // the clauses have been read into acc
	acc     *accumulator
	next    uint64 // the document number to look at next
}

// accumulator holds the scores of one anySearcher by document number.
type accumulator struct {
	sums   []float64
	counts []uint32 // clauses matched; 0: no match
}

var accumulators = sync.Pool{New: func() any { return new(accumulator) }}

func (a *accumulator) add(doc uint64, score float64) {
	if doc >= uint64(len(a.sums)) {
		n := max(doc+1, 2*uint64(len(a.sums)), 1024)
		a.sums = append(a.sums, make([]float64, n-uint64(len(a.sums)))...)
		a.counts = append(a.counts, make([]uint32, n-uint64(len(a.counts)))...)
	}
	a.sums[doc] += score
	a.counts[doc]++
}

// readAll reads every clause to its end into the accumulator.
func (s *anySearcher) readAll(sc *bsearch.SearchContext) error {
	s.read = true
	s.acc = accumulators.Get().(*accumulator)
	for _, c := range s.clauses {
		for i := 0; ; i++ {
			if i%4096 == 0 {
				if err := s.ctx.Err(); err != nil {
					return err
				}
			}
			dm, err := c.Next(sc)
			if err != nil {
				return err
			}
			if dm == nil {
				break
			}
			n, ok := docNumber(dm.IndexInternalID)
			if !ok {
				return fmt.Errorf("search: internal id of %d bytes", len(dm.IndexInternalID))
			}
			s.acc.add(n, dm.Score)
			sc.DocumentMatchPool.Put(dm)
		}
	}
	return nil
}

// Next implements bsearch.Searcher.
func (s *anySearcher) Next(sc *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	if !s.read {
		if err := s.readAll(sc); err != nil {
			return nil, err
		}
	}
	counts := s.acc.counts
	for ; s.next < uint64(len(counts)); s.next++ {
		c := counts[s.next]
		if c == 0 {
			continue
		}
		dm := sc.DocumentMatchPool.Get()
		dm.IndexInternalID = index.NewIndexInternalID(dm.IndexInternalID, s.next)
		// bleve's DisjunctionQueryScorer: the sum times coord, in that order
		coord := float64(c) / float64(len(s.clauses))
		dm.Score = s.acc.sums[s.next] * coord
		s.next++
		return dm, nil
	}
	return nil, nil
}

// Advance implements bsearch.Searcher.
func (s *anySearcher) Advance(sc *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	n, ok := docNumber(id)
	if !ok {
		return nil, fmt.Errorf("search: internal id of %d bytes", len(id))
	}
	s.next = max(s.next, n)
	return s.Next(sc)
}

// Close implements bsearch.Searcher, and gives the accumulator back.
func (s *anySearcher) Close() error {
	var first error
	for _, c := range s.clauses {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	if a := s.acc; a != nil {
		s.acc = nil
		clear(a.sums)
		clear(a.counts)
		accumulators.Put(a)
	}
	return first
}

// Weight implements bsearch.Searcher: the sum of the clauses' weights.
func (s *anySearcher) Weight() float64 {
	var w float64
	for _, c := range s.clauses {
		w += c.Weight()
	}
	return w
}

// SetQueryNorm implements bsearch.Searcher.
func (s *anySearcher) SetQueryNorm(qnorm float64) {
	for _, c := range s.clauses {
		c.SetQueryNorm(qnorm)
	}
}

// Count implements bsearch.Searcher: at most the clauses' matches.
func (s *anySearcher) Count() uint64 {
	var n uint64
	for _, c := range s.clauses {
		n += c.Count()
	}
	return n
}

// Min implements bsearch.Searcher: as a boolean's should clause, one
// clause must match.
func (s *anySearcher) Min() int { return 1 }

// Size implements bsearch.Searcher.
func (s *anySearcher) Size() int {
	n := 64
	for _, c := range s.clauses {
		n += c.Size()
	}
	if s.acc != nil {
		n += 12 * len(s.acc.counts)
	}
	return n
}

// DocumentMatchPoolSize implements bsearch.Searcher: one of each clause's
// at a time, and the one handed on.
func (s *anySearcher) DocumentMatchPoolSize() int {
	n := 1
	for _, c := range s.clauses {
		n += c.DocumentMatchPoolSize()
	}
	return n
}
