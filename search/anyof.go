package search

import (
	"context"
	"math"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	index "github.com/blevesearch/bleve_index_api"
)

// anyOf matches the documents that match any of its clauses, and scores
// them exactly as bleve scores a disjunction of the same clauses: the sum
// of the clauses' scores as bleve's searchers give them (BM25 and query
// norm included), times the share of the clauses matched.
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
	terms, groups, ok := q.termsOf()
	if !ok || !ownSearchers(ctx, r, o) || len(terms) < 2 || o.Score == "none" {
		// anyOf reads and scores the postings of terms; bleve's
		// disjunction does all the rest
		d := bleve.NewDisjunctionQuery(q.clauses...)
		d.SetMin(1)
		return d.Searcher(ctx, r, m, o)
	}
	s := &anySearcher{ended: ctx.Err, groups: groups}
	for _, tq := range terms {
		t, err := newTermPostings(ctx, r, m, tq)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.terms = append(s.terms, t)
	}
	s.SetQueryNorm(1 / math.Sqrt(s.Weight())) // as bleve's disjunction does
	return s, nil
}

// termsOf returns the term queries of the clauses, in order, and where a
// clause is a disjunction of terms (a word's literal in each field, in a
// word's query: slotQuery), the groups of them; groups is nil when every
// clause is a term. ok is false when a clause is something else.
func (q *anyOf) termsOf() (terms []*query.TermQuery, groups []anyGroup, ok bool) {
	nested := false
	for _, c := range q.clauses {
		from := len(terms)
		if tq, ok := termOf(c); ok {
			terms = append(terms, tq)
			groups = append(groups, anyGroup{from: from, to: len(terms)})
			continue
		}
		d, ok := c.(*query.DisjunctionQuery)
		if !ok || d.Min > 1 || len(d.Disjuncts) == 0 {
			return nil, nil, false
		}
		for _, dc := range d.Disjuncts {
			tq, ok := termOf(dc)
			if !ok {
				return nil, nil, false
			}
			terms = append(terms, tq)
		}
		nested = true
		groups = append(groups, anyGroup{from: from, to: len(terms), inner: true})
	}
	if !nested {
		groups = nil
	}
	return terms, groups, true
}

// anyGroup is a clause of an anyOf that is a disjunction of terms, its
// terms[from:to] (inner), or a term alone. bleve scores the disjunction
// as a clause of its own: the sum of its terms' scores times its own
// coord, which the anyOf's sum then adds, and its coord counts it once.
type anyGroup struct {
	from, to int
	inner    bool
}

// termPostings is a term clause of an anyOf, read from its postings and
// scored as bleve's TermQueryScorer scores it, without a DocumentMatch for
// every posting (a sixth of a question's time went to making them).
type termPostings struct {
	field, term string
	reader      index.TermFieldReader
	idf         float64
	avg         float64 // average field length for BM25; 0 for TF-IDF
	boost       float64
	weight      float64 // boost, idf and the query norm
	tfd         index.TermFieldDoc
}

func newTermPostings(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, tq *query.TermQuery) (*termPostings, error) {
	field := tq.FieldVal
	if field == "" {
		field = m.DefaultSearchField()
	}
	if err := bsearch.RecordTermSearcher(ctx); err != nil {
		return nil, err
	}
	total, avg, err := termStats(ctx, r, field)
	if err != nil {
		return nil, err
	}
	reader, err := cachedTermReader(ctx, r, tq.Term, field)
	if err != nil {
		return nil, err
	}
	t := &termPostings{field: field, term: tq.Term, reader: reader, avg: avg, boost: tq.BoostVal.Value(), weight: 1}
	// TermQueryScorer.computeIDF
	if n := float64(reader.Count()); avg > 0 {
		t.idf = math.Log(1 + (float64(total)-n+0.5)/(n+0.5))
	} else {
		t.idf = 1.0 + math.Log(float64(total)/(n+1.0))
	}
	return t, nil
}

// score is TermQueryScorer's score of a posting, operation for operation.
func (t *termPostings) score(freq uint64, norm float64) float64 {
	var tf float64
	if freq < scorer.MaxSqrtCache {
		tf = scorer.SqrtCache[int(freq)]
	} else {
		tf = math.Sqrt(float64(freq))
	}
	var score float64
	if t.avg > 0 {
		fieldLength := 1 / (norm * norm)
		score = t.idf * (tf * bsearch.BM25_k1) /
			(tf + bsearch.BM25_k1*(1-bsearch.BM25_b+(bsearch.BM25_b*fieldLength/t.avg)))
	} else {
		score = tf * norm * t.idf
	}
	if t.weight != 1.0 {
		score = score * t.weight
	}
	return score
}

// anySearcher is the searcher of an anyOf.
type anySearcher struct {
	// ended is the search's ctx.Err. bleve hands a context to Searcher
	// only, not to Next, where the clauses are read (after the parents
	// have set the query norm), and reading them all is long: the searcher
	// keeps the one question it asks of the context, not the context.
	ended func() error
	terms []*termPostings
	// groups are the clauses, when one is a disjunction of terms (see
	// anyGroup); nil: each term is a clause
	groups []anyGroup
	inner  *accumulator // a group's scores, as readAll reads it
	// marks are the bits of a matching's masks each clause sets in the
	// documents it matches, as it is read (nil: none): a unit's term that
	// is also a clause is read once (units.go)
	marks []uint64
	masks *maskSet
	read  bool // the clauses have been read into acc
	// lazy: each document asked about is scored alone (anylazy.go)
	lazy bool
	at   []lazyClause
	id   index.IndexInternalID
	acc  *accumulator
	next uint64 // the document number to look at next
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

// mark has the clause of term in field, if there is one, set bit in
// the masks of the documents it matches as it is read, and reports
// whether there is.
func (s *anySearcher) mark(field, term string, bit uint) bool {
	for k, t := range s.terms {
		if t.field == field && t.term == term {
			if s.marks == nil {
				s.marks = make([]uint64, len(s.terms))
			}
			s.marks[k] |= 1 << bit
			return true
		}
	}
	return false
}

// readAll reads every clause to its end into the accumulator, and marks
// the masks.
func (s *anySearcher) readAll() error {
	s.read = true
	s.acc = accumulators.Get().(*accumulator)
	if s.groups == nil {
		for k := range s.terms {
			if err := s.readTerm(k, s.acc); err != nil {
				return err
			}
		}
		return nil
	}
	for _, g := range s.groups {
		if !g.inner {
			if err := s.readTerm(g.from, s.acc); err != nil {
				return err
			}
			continue
		}
		// the group's terms into an accumulator of its own, then each
		// document's sum times the group's coord into the clauses'
		if s.inner == nil {
			s.inner = accumulators.Get().(*accumulator)
		}
		in := s.inner
		for k := g.from; k < g.to; k++ {
			if err := s.readTerm(k, in); err != nil {
				return err
			}
		}
		size := float64(g.to - g.from)
		for doc, c := range in.counts {
			if c != 0 {
				s.acc.add(uint64(doc), in.sums[doc]*(float64(c)/size))
				in.sums[doc], in.counts[doc] = 0, 0
			}
		}
	}
	return nil
}

// readTerm reads the postings of term k to their end into acc, and marks
// the masks.
func (s *anySearcher) readTerm(k int, acc *accumulator) error {
	t := s.terms[k]
	var mark uint64
	if s.marks != nil {
		mark = s.marks[k]
	}
	for i := 0; ; i++ {
		if i%4096 == 0 {
			if err := s.ended(); err != nil {
				return err
			}
		}
		p, err := t.reader.Next(t.tfd.Reset())
		if err != nil {
			return err
		}
		if p == nil {
			return nil
		}
		n, err := docNum(p.ID)
		if err != nil {
			return err
		}
		acc.add(n, t.score(p.Freq, p.Norm))
		if mark != 0 {
			s.masks.setBits(n, mark)
		}
	}
}

// clauses is the number of the anyOf's clauses: coord's denominator.
func (s *anySearcher) clauses() int {
	if s.groups != nil {
		return len(s.groups)
	}
	return len(s.terms)
}

// Next implements bsearch.Searcher.
func (s *anySearcher) Next(sc *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	if s.lazy {
		return s.lazyNext(sc)
	}
	if !s.read {
		if err := s.readAll(); err != nil {
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
		coord := float64(c) / float64(s.clauses())
		dm.Score = s.acc.sums[s.next] * coord
		s.next++
		return dm, nil
	}
	return nil, nil
}

// Advance implements bsearch.Searcher.
func (s *anySearcher) Advance(sc *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	n, err := docNum(id)
	if err != nil {
		return nil, err
	}
	s.next = max(s.next, n)
	return s.Next(sc)
}

// Close implements bsearch.Searcher, and gives the accumulator back.
func (s *anySearcher) Close() error {
	var first error
	for _, t := range s.terms {
		if err := t.reader.Close(); err != nil && first == nil {
			first = err
		}
	}
	for _, a := range []*accumulator{s.acc, s.inner} {
		if a != nil {
			clear(a.sums)
			clear(a.counts)
			accumulators.Put(a)
		}
	}
	s.acc, s.inner = nil, nil
	return first
}

// Weight implements bsearch.Searcher: the sum of the clauses' weights.
func (s *anySearcher) Weight() float64 {
	var w float64
	for _, t := range s.terms {
		w += (t.boost * t.idf) * (t.boost * t.idf) // TermQueryScorer.Weight
	}
	return w
}

// SetQueryNorm implements bsearch.Searcher.
func (s *anySearcher) SetQueryNorm(qnorm float64) {
	for _, t := range s.terms {
		t.weight = t.boost * t.idf * qnorm // TermQueryScorer.SetQueryNorm
	}
}

// Count implements bsearch.Searcher: at most the clauses' matches.
func (s *anySearcher) Count() uint64 {
	var n uint64
	for _, t := range s.terms {
		n += t.reader.Count()
	}
	return n
}

// Min implements bsearch.Searcher: as a boolean's should clause, one
// clause must match.
func (s *anySearcher) Min() int { return 1 }

// Size implements bsearch.Searcher.
func (s *anySearcher) Size() int {
	n := 64
	for _, t := range s.terms {
		n += 64 + t.reader.Size()
	}
	if s.acc != nil {
		n += 12 * len(s.acc.counts)
	}
	return n
}

// DocumentMatchPoolSize implements bsearch.Searcher: the one handed on.
func (s *anySearcher) DocumentMatchPoolSize() int { return 1 }
