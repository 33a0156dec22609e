package search

import (
	bsearch "github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// An anySearcher reads its clauses whole (readAll) when most of the
// documents they match are scored. A short query's partial matching
// scores far fewer: the documents with every word and the partial
// matches that can still reach the page (matchSink.pageFull). For
// it, the anySearcher is lazy: it scores the documents asked about one
// at a time, each clause advanced to the document, and reads nothing of
// the postings in between but the skip. The score of a document is the
// same sum, clause by clause in the same order, as readAll's.

// lazyClause is the place of one clause in a lazy anySearcher.
type lazyClause struct {
	n     uint64 // the document number of its current posting
	cur   *index.TermFieldDoc
	ended bool // no more postings
}

// advanceTo brings each clause to its first posting at or after doc, and
// returns the least document number they are on; ok is false when every
// clause has ended.
func (s *anySearcher) advanceTo(doc uint64) (least uint64, ok bool, err error) {
	if s.at == nil {
		s.at = make([]lazyClause, len(s.terms))
	}
	for k, t := range s.terms {
		c := &s.at[k]
		if !c.ended && (c.cur == nil || c.n < doc) {
			s.id = index.NewIndexInternalID(s.id, doc)
			p, err := t.reader.Advance(s.id, t.tfd.Reset())
			if err != nil {
				return 0, false, err
			}
			if p == nil {
				c.ended, c.cur = true, nil
			} else {
				n, err := docNum(p.ID)
				if err != nil {
					return 0, false, err
				}
				c.cur, c.n = p, n
			}
		}
		if !c.ended && (!ok || c.n < least) {
			least, ok = c.n, true
		}
	}
	return least, ok, nil
}

// lazyNext is Next of a lazy anySearcher: the first document at or after
// s.next that a clause matches, scored as readAll and Next score it.
func (s *anySearcher) lazyNext(sc *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	doc, ok, err := s.advanceTo(s.next)
	if err != nil || !ok {
		return nil, err
	}
	var sum float64
	var count int
	if s.groups == nil {
		sum, count = s.sumAt(doc, 0, len(s.terms))
	} else {
		for _, g := range s.groups {
			gs, gc := s.sumAt(doc, g.from, g.to)
			switch {
			case gc == 0:
			case g.inner: // its own sum times its own coord
				sum += gs * (float64(gc) / float64(g.to-g.from))
				count++
			default:
				sum += gs
				count++
			}
		}
	}
	dm := sc.DocumentMatchPool.Get()
	dm.IndexInternalID = index.NewIndexInternalID(dm.IndexInternalID, doc)
	// bleve's DisjunctionQueryScorer: the sum times coord, in that order
	dm.Score = sum * (float64(count) / float64(s.clauses()))
	s.next = doc + 1
	return dm, nil
}

// sumAt is the sum of the scores of terms[from:to] that match doc, where
// the clauses stand, and how many do.
func (s *anySearcher) sumAt(doc uint64, from, to int) (sum float64, count int) {
	for k := from; k < to; k++ {
		if c := &s.at[k]; !c.ended && c.n == doc {
			sum += s.terms[k].score(c.cur.Freq, c.cur.Norm)
			count++
		}
	}
	return sum, count
}
