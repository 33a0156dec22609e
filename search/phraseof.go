package search

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/scorer"
	index "github.com/blevesearch/bleve_index_api"
)

// phraseOf matches the documents whose field holds its terms at
// consecutive positions, and scores them exactly as bleve's phrase query
// does: the sum of its terms' scores, by bleve's term scorer.
//
// A literal phrase (text set) is the bigrams of a folded text in a literal
// field, which keeps no positions: a document that has every bigram holds
// the phrase when its word field has the text as a word, or else when the
// field's folded text, stored, contains it (literaltext.go). An index
// built with positions in the literal fields has them checked instead.
//
// Every word searched is also searched as a literal, a phrase of character
// bigrams, so phrases are in most searches. bleve's phrase searcher turns
// the positions of every document that has all the terms into maps of
// locations and walks them: three quarters of a quoted phrase's search on
// the index of ../shared/corpora. phraseOf reads the positions from the
// postings into slices it reuses, and scores only the documents that hold
// the phrase, from the postings it has read.
type phraseOf struct {
	field string
	terms []string
	boost float64

	text   string // a literal phrase: the folded text whose bigrams terms are; "" for terms at positions
	folded string // the stored field of the folded text that holds text
	words  string // the word field where text, one word, shows a document holds it; "" for none
}

// Searcher implements query.Query.
func (q *phraseOf) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o bsearch.SearcherOptions) (bsearch.Searcher, error) {
	// bleve's phrase query where ours cannot serve (explanations, term
	// vectors, synonyms, another reader), but for a literal phrase of a
	// scorch index without positions, which only ours finds: then ours,
	// without explanations
	literal := q.text != "" && storesFolded(m, q.folded)
	if _, isScorch := r.(*scorch.IndexSnapshot); len(q.terms) < 2 || !ownSearchers(ctx, r, o) && !(literal && isScorch) {
		pq := bleve.NewPhraseQuery(q.terms, q.field)
		pq.SetBoost(q.boost)
		return pq.Searcher(ctx, r, m, o)
	}
	s := &phraseSearcher{}
	if literal {
		st, err := newStoredText(r, q.folded)
		if err != nil {
			return nil, err
		}
		s.stored, s.text = st, []byte(q.text)
		if q.words != "" {
			if s.word, err = r.TermFieldReader(ctx, []byte(q.text), q.words, false, false, false); err != nil {
				return nil, err
			}
		}
	}
	for _, t := range q.terms {
		var tfr index.TermFieldReader
		var err error
		if literal {
			tfr, err = cachedTermReader(ctx, r, t, q.field)
		} else {
			tfr, err = r.TermFieldReader(ctx, []byte(t), q.field, true, true, true)
		}
		if err != nil {
			s.Close()
			return nil, err
		}
		s.readers = append(s.readers, tfr)
		ts, err := termScorer(ctx, r, t, q.field, q.boost, o, tfr.Count())
		if err != nil {
			s.Close()
			return nil, err
		}
		s.scorers = append(s.scorers, ts)
	}
	s.at = make([]*index.TermFieldDoc, len(s.readers))
	s.pos = make([][]uint64, len(s.readers))
	s.idx = make([]int, len(s.readers))
	s.SetQueryNorm(1 / math.Sqrt(s.Weight())) // as bleve's phrase does
	return s, nil
}

// ownSearchers reports whether anyOf and phraseOf may search themselves
// rather than leave it to bleve's searchers: they read document numbers as
// scorch writes them, and know no synonyms, explanations or term locations.
func ownSearchers(ctx context.Context, r index.IndexReader, o bsearch.SearcherOptions) bool {
	_, scorch := r.(*scorch.IndexSnapshot)
	_, synonyms := ctx.Value(bsearch.FieldTermSynonymMapKey).(bsearch.FieldTermSynonymMap)
	return scorch && !synonyms && !o.Explain && !o.IncludeTermVectors
}

// phraseSearcher is the searcher of a phraseOf.
type phraseSearcher struct {
	readers []index.TermFieldReader   // each term's postings, with positions
	scorers []*scorer.TermQueryScorer // each term's score, as its term searcher gives it
	at      []*index.TermFieldDoc     // each reader's current posting; nil: not read yet
	ended   bool                      // a reader has no more postings
	next    uint64                    // the document number to look at next
	pos     [][]uint64                // positions of each term in the current document
	idx     []int                     // holds' place in each pos
	tfd     index.TermFieldDoc        // a posting without its positions, for a scorer
	id      index.IndexInternalID

	// a literal phrase, verified without positions
	stored   *storedText           // the field's folded text; nil: positions are checked
	text     []byte                // the phrase, folded
	word     index.TermFieldReader // the phrase as a word in the word field, or nil
	wordTFD  index.TermFieldDoc    // its current posting: scorch keeps it to compare the next Advance with
	wordAt   uint64                // its current document
	wordRead bool                  // it has one
	wordEnd  bool                  // it has no more
}

// move brings reader i to its first posting at or after document target.
func (s *phraseSearcher) move(i int, target uint64) (uint64, error) {
	for {
		cur := s.at[i]
		if cur != nil {
			if n, _ := docNumber(cur.ID); n >= target {
				return n, nil
			}
		}
		var (
			tfd *index.TermFieldDoc
			err error
		)
		if cur == nil {
			tfd, err = s.readers[i].Next(&index.TermFieldDoc{})
		} else {
			// forward only: scorch restarts a reader advanced backwards
			s.id = index.NewIndexInternalID(s.id, target)
			tfd, err = s.readers[i].Advance(s.id, cur.Reset())
		}
		if err != nil {
			return 0, err
		}
		if tfd == nil {
			s.ended = true
			return 0, nil
		}
		if _, err := docNum(tfd.ID); err != nil {
			return 0, err
		}
		s.at[i] = tfd
	}
}

// holdsLiteral reports whether document doc, which has every bigram of a
// literal phrase, holds the phrase: it has the phrase as a word, or its
// stored text has it.
func (s *phraseSearcher) holdsLiteral(doc uint64) (bool, error) {
	if s.word != nil && !s.wordEnd && (!s.wordRead || s.wordAt < doc) {
		s.id = index.NewIndexInternalID(s.id, doc)
		tfd, err := s.word.Advance(s.id, s.wordTFD.Reset())
		if err != nil {
			return false, err
		}
		if tfd == nil {
			s.wordEnd = true
		} else if s.wordAt, err = docNum(tfd.ID); err != nil {
			return false, err
		} else {
			s.wordRead = true
		}
	}
	if s.wordRead && s.wordAt == doc {
		return true, nil
	}
	return s.stored.contains(doc, s.text)
}

// holds reports whether the current document, which has every term, has
// them at consecutive positions of one value of the field.
func (s *phraseSearcher) holds() bool {
	for i, tfd := range s.at {
		s.pos[i] = s.pos[i][:0]
		for _, v := range tfd.Vectors {
			if len(v.ArrayPositions) > 0 {
				return s.holdsSlowly()
			}
			s.pos[i] = append(s.pos[i], v.Pos)
		}
		slices.Sort(s.pos[i])
		s.idx[i] = 0
	}
	for _, p := range s.pos[0] {
		ok := true
		for i := 1; i < len(s.pos) && ok; i++ {
			ps, want := s.pos[i], p+uint64(i)
			for s.idx[i] < len(ps) && ps[s.idx[i]] < want {
				s.idx[i]++
			}
			ok = s.idx[i] < len(ps) && ps[s.idx[i]] == want
		}
		if ok {
			return true
		}
	}
	return false
}

// holdsSlowly is holds for a field with several values (array
// positions), which the index has none of today: a phrase lies within one
// value.
func (s *phraseSearcher) holdsSlowly() bool {
	for _, first := range s.at[0].Vectors {
		ok := true
		for i := 1; i < len(s.at) && ok; i++ {
			ok = slices.ContainsFunc(s.at[i].Vectors, func(v *index.TermFieldVector) bool {
				return v.Pos == first.Pos+uint64(i) && slices.Equal(v.ArrayPositions, first.ArrayPositions)
			})
		}
		if ok {
			return true
		}
	}
	return false
}

// Next implements bsearch.Searcher.
func (s *phraseSearcher) Next(sc *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	target := s.next
	for !s.ended {
		// leapfrog: every reader to the furthest document any is on
		agreed := true
		for i := range s.readers {
			n, err := s.move(i, target)
			if err != nil {
				return nil, err
			}
			if s.ended {
				return nil, nil
			}
			if n > target {
				target, agreed = n, false
				break
			}
		}
		if !agreed {
			continue
		}
		s.next = target + 1
		ok := false
		if s.stored != nil {
			var err error
			if ok, err = s.holdsLiteral(target); err != nil {
				return nil, err
			}
		} else {
			ok = s.holds()
		}
		if !ok {
			target++
			continue
		}
		return s.score(sc, target)
	}
	return nil, nil
}

// score is the match of the current document doc, scored as bleve's
// conjunction of the term searchers scores it: their scores summed, in
// order. The scores come from the postings already read, without their
// positions.
func (s *phraseSearcher) score(sc *bsearch.SearchContext, doc uint64) (*bsearch.DocumentMatch, error) {
	var sum float64
	for i, ts := range s.scorers {
		at := s.at[i]
		s.tfd = index.TermFieldDoc{ID: at.ID, Freq: at.Freq, Norm: at.Norm}
		dm := ts.Score(sc, &s.tfd)
		sum += dm.Score
		sc.DocumentMatchPool.Put(dm)
	}
	dm := sc.DocumentMatchPool.Get()
	dm.IndexInternalID = index.NewIndexInternalID(dm.IndexInternalID, doc)
	dm.Score = sum
	return dm, nil
}

// termScorer is the scorer bleve's term searcher would score term with,
// count the documents that have it.
func termScorer(ctx context.Context, r index.IndexReader, term, field string, boost float64, o bsearch.SearcherOptions, count uint64) (*scorer.TermQueryScorer, error) {
	if err := bsearch.RecordTermSearcher(ctx); err != nil {
		return nil, err
	}
	total, avg, err := termStats(ctx, r, field)
	if err != nil {
		return nil, err
	}
	return scorer.NewTermQueryScorer([]byte(term), field, boost, total, count, avg, o), nil
}

// termStats are the statistics bleve's term searcher scores a term of field
// with, taken as its newTermSearcherFromReader takes them: the documents in
// all and, for BM25, the average field length (0 for TF-IDF).
func termStats(ctx context.Context, r index.IndexReader, field string) (total uint64, avg float64, err error) {
	model := ""
	if cb, ok := ctx.Value(bsearch.GetScoringModelCallbackKey).(bsearch.GetScoringModelCallbackFn); ok {
		model = cb()
	}
	if total, err = r.DocCount(); err != nil {
		return 0, 0, err
	}
	if model != index.BM25Scoring {
		return total, 0, nil
	}
	cardinality := 0
	if st, ok := ctx.Value(bsearch.BM25StatsKey).(*bsearch.BM25Stats); ok {
		total = uint64(st.DocCount)
		if cardinality, ok = st.FieldCardinality[field]; !ok {
			return 0, 0, fmt.Errorf("field stat for bm25 not present %s", field)
		}
	} else if is, ok := r.(*scorch.IndexSnapshot); ok && isLiteral(field) {
		if cardinality, err = literalCardinality(is, field); err != nil {
			return 0, 0, err
		}
	} else if br, ok := r.(index.BM25Reader); ok {
		if cardinality, err = br.FieldCardinality(field); err != nil {
			return 0, 0, err
		}
	}
	if total == 0 && cardinality == 0 {
		return 0, 0, nil
	}
	return total, math.Ceil(float64(cardinality) / float64(total)), nil
}

// Advance implements bsearch.Searcher.
func (s *phraseSearcher) Advance(sc *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	n, err := docNum(id)
	if err != nil {
		return nil, err
	}
	s.next = max(s.next, n)
	return s.Next(sc)
}

// Close implements bsearch.Searcher.
func (s *phraseSearcher) Close() error {
	first := closeEach(nil, s.readers...)
	if s.word != nil {
		first = closeEach(first, s.word)
	}
	return first
}

// Weight implements bsearch.Searcher: the sum of the terms' weights.
func (s *phraseSearcher) Weight() float64 {
	var w float64
	for _, ts := range s.scorers {
		w += ts.Weight()
	}
	return w
}

// SetQueryNorm implements bsearch.Searcher.
func (s *phraseSearcher) SetQueryNorm(qnorm float64) {
	for _, ts := range s.scorers {
		ts.SetQueryNorm(qnorm)
	}
}

// Count implements bsearch.Searcher: at most the rarest term's documents.
func (s *phraseSearcher) Count() uint64 {
	var n uint64
	for i, r := range s.readers {
		if c := r.Count(); i == 0 || c < n {
			n = c
		}
	}
	return n
}

// Min implements bsearch.Searcher.
func (s *phraseSearcher) Min() int { return 0 }

// Size implements bsearch.Searcher.
func (s *phraseSearcher) Size() int {
	n := 64
	for i, r := range s.readers {
		n += r.Size() + s.scorers[i].Size()
	}
	return n
}

// DocumentMatchPoolSize implements bsearch.Searcher: one from a scorer at
// a time, and the one handed on.
func (s *phraseSearcher) DocumentMatchPoolSize() int { return 2 }
