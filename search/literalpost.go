package search

import (
	"context"
	"slices"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"minsheng/indexer/literal"
)

// A build leaves the literal fields out of its segments and writes each
// segment's bigram index beside it (indexer/literal); documents written to
// a served generation have theirs in their segments, as bleve writes
// them. The literal fields are therefore read only through the queries
// and readers of this file, which take a segment's postings from its
// bigram index when it has one and from the segment otherwise, with the
// frequencies and lengths bleve would have written: the scores are
// bleve's.

// isLiteral reports whether field is a literal field.
func isLiteral(field string) bool { return slices.Contains(literal.Fields, field) }

// literalPostings decodes p, a term's postings in field of x, with the
// norms zap's postings give, into into's slices (reused: their contents are
// replaced).
func literalPostings(x *literal.Index, field string, p literal.Postings, into *decodedPostings) (*decodedPostings, error) {
	docs, freqs, err := p.Decode(into.docs[:0], into.freqs[:0])
	if err != nil {
		return nil, err
	}
	of := x.Norms(field)
	norms := slices.Grow(into.norms[:0], len(docs))[:len(docs)]
	for i, d := range docs {
		if int(d) >= len(of) {
			return nil, literal.ErrFormat
		}
		norms[i] = of[d]
	}
	into.docs, into.freqs, into.norms = docs, freqs, norms
	return into, nil
}

// decodedPool holds the postings a search decoded for itself (not
// through the postings cache), given back when its reader closes: a
// question's bigrams decoded tens of thousands of postings a search, which
// the garbage collector then had to reclaim (BenchmarkSearchLoad on
// news-2023 allocated a fifth less with the pool).
var decodedPool = sync.Pool{New: func() any { return new(decodedPostings) }}

// fromLiteral reads term's postings in field of x, a segment's bigram
// index, into the part, decoded through the cache c (when not nil), and
// adds the part to tr if the term is in the segment: as fromList reads a
// segment's own postings.
func (part cachePart) fromLiteral(tr *cacheReader, c *postingsCache, seg segment.Segment, x *literal.Index, field, term string) error {
	lp, err := x.Lookup(field, []byte(term))
	if err != nil || lp.N == 0 {
		return err
	}
	if c != nil {
		part.p, err = c.get(postingsKey{seg, field, term}, lp.N, func() (*decodedPostings, error) {
			return literalPostings(x, field, lp, new(decodedPostings))
		})
	}
	if err == nil && part.p == nil {
		own := decodedPool.Get().(*decodedPostings)
		if part.p, err = literalPostings(x, field, lp, own); err != nil {
			decodedPool.Put(own)
		}
		part.owned = part.p != nil
	}
	if err != nil {
		return err
	}
	tr.count += lp.N
	if part.deleted != nil {
		// as scorch counts: less the deleted documents
		gone, err := lp.CountIn(part.deleted)
		if err != nil {
			return err
		}
		tr.count -= gone
	}
	tr.parts = append(tr.parts, part)
	return nil
}

// bareTermReader reads term's postings in field of r without frequencies
// or norms, a literal field through cachedTermReader.
func bareTermReader(ctx context.Context, r index.IndexReader, term, field string) (index.TermFieldReader, error) {
	if _, ok := r.(*scorch.IndexSnapshot); ok && isLiteral(field) {
		return cachedTermReader(ctx, r, term, field)
	}
	return r.TermFieldReader(ctx, []byte(term), field, false, false, false)
}

// literalCardinality is the number of distinct terms of a literal field
// in r's segments, as bleve's FieldCardinality counts them: the sum of
// each segment's, from its bigram index when it has one.
func literalCardinality(is *scorch.IndexSnapshot, field string) (int, error) {
	n := 0
	for _, ss := range is.Segments() {
		x, err := literal.For(ss.Segment())
		if err != nil {
			return 0, err
		}
		if x != nil {
			n += x.Cardinality(field)
			continue
		}
		d, err := ss.Segment().Dictionary(field)
		if err != nil {
			return 0, err
		}
		n += d.Cardinality()
	}
	return n, nil
}

// litTerm is a term of a literal field: bleve's term query, read through
// cachedTermReader.
type litTerm struct {
	query.TermQuery
}

// litQ returns the query of term in the literal field, its boost boost
// (none when 0).
func litQ(field, term string, boost float64) *litTerm {
	return &litTerm{*termQ(field, term, boost)}
}

// termOf returns the term query q is, a word field's or a literal
// field's (litTerm), and false for any other query.
func termOf(q query.Query) (*query.TermQuery, bool) {
	switch q := q.(type) {
	case *query.TermQuery:
		return q, true
	case *litTerm:
		return &q.TermQuery, true
	}
	return nil, false
}

// Searcher implements query.Query.
func (q *litTerm) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o bsearch.SearcherOptions) (bsearch.Searcher, error) {
	return newTermSearcher(ctx, r, q.Term, q.FieldVal, q.BoostVal.Value(), o)
}

// termSearcher is bleve's term searcher over cachedTermReader's postings.
type termSearcher struct {
	reader index.TermFieldReader
	scorer *scorer.TermQueryScorer
	tfd    index.TermFieldDoc
}

func newTermSearcher(ctx context.Context, r index.IndexReader, term, field string, boost float64, o bsearch.SearcherOptions) (*termSearcher, error) {
	reader, err := cachedTermReader(ctx, r, term, field)
	if err != nil {
		return nil, err
	}
	sc, err := termScorer(ctx, r, term, field, boost, o, reader.Count())
	if err != nil {
		reader.Close()
		return nil, err
	}
	return &termSearcher{reader: reader, scorer: sc}, nil
}

// Next, Advance and the rest implement bsearch.Searcher as bleve's
// TermSearcher does.
func (s *termSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	tm, err := s.reader.Next(s.tfd.Reset())
	if err != nil || tm == nil {
		return nil, err
	}
	return s.scorer.Score(ctx, tm), nil
}

func (s *termSearcher) Advance(ctx *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	tm, err := s.reader.Advance(id, s.tfd.Reset())
	if err != nil || tm == nil {
		return nil, err
	}
	return s.scorer.Score(ctx, tm), nil
}

func (s *termSearcher) Weight() float64            { return s.scorer.Weight() }
func (s *termSearcher) SetQueryNorm(n float64)     { s.scorer.SetQueryNorm(n) }
func (s *termSearcher) Size() int                  { return 64 + s.reader.Size() + s.scorer.Size() }
func (s *termSearcher) Count() uint64              { return s.reader.Count() }
func (s *termSearcher) Min() int                   { return 0 }
func (s *termSearcher) DocumentMatchPoolSize() int { return 1 }
func (s *termSearcher) Close() error               { return s.reader.Close() }

// litPrefix is every term of a literal field that starts with prefix, as
// bleve's prefix query searches them: a disjunction of their term
// searchers, the terms in order.
type litPrefix struct {
	field, prefix string
	boost         float64
}

// Searcher implements query.Query.
func (q *litPrefix) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o bsearch.SearcherOptions) (bsearch.Searcher, error) {
	terms, err := literalTerms(r, q.field, q.prefix)
	if err != nil {
		return nil, err
	}
	if len(terms) == 0 || len(terms) == 1 && terms[0] == q.prefix {
		return newTermSearcher(ctx, r, q.prefix, q.field, q.boost, o)
	}
	ss := make([]bsearch.Searcher, 0, len(terms))
	for _, t := range terms {
		s, err := newTermSearcher(ctx, r, t, q.field, q.boost, o)
		if err != nil {
			for _, s := range ss {
				s.Close()
			}
			return nil, err
		}
		ss = append(ss, s)
	}
	return searcher.NewDisjunctionSearcher(ctx, r, ss, 0, o)
}

// literalTerms are the distinct terms of a literal field of r that start
// with prefix, in order.
func literalTerms(r index.IndexReader, field, prefix string) ([]string, error) {
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		d, err := r.FieldDictPrefix(field, []byte(prefix))
		if err != nil {
			return nil, err
		}
		defer d.Close()
		var out []string
		for e, err := d.Next(); e != nil || err != nil; e, err = d.Next() {
			if err != nil {
				return nil, err
			}
			out = append(out, e.Term)
		}
		return out, nil
	}
	seen := map[string]bool{}
	for _, ss := range is.Segments() {
		seg := ss.Segment()
		x, err := literal.For(seg)
		if err != nil {
			return nil, err
		}
		var terms []string
		if x != nil {
			if terms, err = x.Terms(field, []byte(prefix)); err != nil {
				return nil, err
			}
		} else {
			d, err := seg.Dictionary(field)
			if err != nil {
				return nil, err
			}
			it := d.AutomatonIterator(nil, []byte(prefix), literal.PrefixEnd([]byte(prefix)))
			for e, err := it.Next(); e != nil || err != nil; e, err = it.Next() {
				if err != nil {
					return nil, err
				}
				terms = append(terms, e.Term)
			}
		}
		for _, t := range terms {
			seen[t] = true
		}
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	sort.Strings(out)
	return out, nil
}
