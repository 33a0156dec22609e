package search

import (
	"context"
	"math"
	"math/bits"
	"sync"

	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// Matching modes of a request (Request.Mode).
const (
	// ModePartial, the default: documents with every word of the query
	// first, then documents that lack some of its least informative words,
	// down to MatchFloor.
	ModePartial = "partial"
	// ModeAll: every word is required.
	ModeAll = "all"
)

// MatchFloor is the least share of a query's weight a partial match must
// hold: a word's weight is its inverse document frequency in the index
// (BM25's idf), so a document that lacks 时间 of 2022春运开始时间 holds
// most of it and one that has only 时间 holds little. A partial match is
// scored by its score times the share it holds. Quoted phrases,
// -exclusions and field:values are never partial: they always apply.
//
// Measured with complete matches first up to 5 words, before answer
// words were weak, on eval/rgb-dev and eval/ncp together
// (nDCG@10 / Recall@100): floor 0.5 cut rgb-dev's recall to 0.903; 0.25
// gave 0.975 there but cut ncp's to 0.990 and its nDCG@10 to 0.897; 0.1
// and 0 gave the same figures on both sets (rgb-dev 0.742 / 0.978, ncp
// 0.901 / 0.999), and 0.1 keeps documents that share only a common word
// out of the results.
const MatchFloor = 0.1

// tierUnits is the most units a query may have for its complete matches
// to rank above every partial one (exactBonus). A whole question of more
// words ranks every match by score times share alone: a document with
// all of its words is rarely the one that answers it. Measured on
// eval/ncp (1,262 whole questions) and eval/rgb-dev (164 short ones)
// together, nDCG@10 with complete matches first up to 4, 5, 6 and any
// number of words: ncp 0.902, 0.900, 0.898, 0.887; rgb-dev 0.744, 0.747,
// 0.747, 0.748. 4 keeps both above their targets (0.90, 0.74) with the
// widest margin.
const tierUnits = 4

// exactBonus is added to the score of a document that has every word of
// a query of at most tierUnits units, so that it ranks above every
// partial match: BM25 sums stay far below it.
const exactBonus = 1e6

// unit is one word of a query that a partial match may lack: the words of
// every plain group of one term, as jieba cuts them (a synonym rule's word
// is one unit). It matches when any of its alternatives does.
type unit struct {
	text  string // as typed
	alts  []alt  // the word itself first, then its synonyms
	words int    // jieba's words in text (a synonym rule's word may be several)
	word  wordUnit
}

// alt is one way of matching a unit.
type alt struct {
	text string
	q    query.Query // as mode all finds it
}

// matching ranks the documents that match enough of its units: those that
// match all first (exactBonus), then the others by score times the share
// of the query's weight they hold. score gives the ranking of both.
type matching struct {
	units []unit
	score query.Query
	// synonyms score the documents that have a unit by a synonym alone,
	// times synonymWeight; nil: no synonyms
	synonyms query.Query
	sink     *matchSink
	all      bool // every unit is required (ModeAll)
	// exhaustive: the units are read through bleve's searchers, apart
	// from the score, and every match is scored (Searcher.exhaustive)
	exhaustive bool
}

// matchSink receives what a matching searcher learns of every document:
// which units it matched, as soon as it has read them, before it hands
// on its first match. One search fills one sink, in the goroutine that
// collects its matches: countExact and Search read it there.
type matchSink struct {
	masks *maskSet
	units []uint64 // the bits of each unit's alternatives
	// window is how many of the best matches the search keeps (the pages
	// up to the one asked for), 0 when it does not rank by score alone
	// from the first; collected counts the complete matches the collector
	// has been handed so far (countExact), nil: not counted. Once a
	// tiered query's collector holds window complete matches, no partial
	// match can reach the page: it is counted, not scored.
	window    uint64
	collected *uint64
	// skips says that the query's searcher hands on the partial matches
	// it finds once the page is full unscored (matchSearcher.Next)
	skips bool
	// tally, when not nil, counts those matches instead, without handing
	// them on: the matching is the whole query, so nothing after the
	// searcher decides whether they match, and the collector would count
	// them (the total, the facets) and drop them (hooks.tally)
	tally *hooks
}

// pageFull reports whether no partial match handed on now can reach the
// page: the query is tiered (every complete match ranks above a partial
// one) and the collector already holds as many complete matches as it
// keeps. Such a match's score is never shown, nor does it decide anything.
func (s *matchSink) pageFull() bool {
	return s.skips && s.window > 0 && s.collected != nil && *s.collected >= s.window
}

// maskSet holds the units matched by each document, by document number.
// A pooled set's slice keeps the length of its largest use: hi bounds the
// documents this use has set, which are all that is read and cleared
// (scanning and clearing the whole slice took a tenth of the news load's
// searches, most of whose words match few documents).
type maskSet struct {
	m  []uint64
	hi uint64 // one past the largest document set
	// unit and added count, as set sets bits, the documents that had no
	// bit of unit before: the documents of a unit (of its alternatives'
	// bits), counted as its alternatives are read, where counting them
	// after every unit was read went through every document again
	unit  uint64
	added int
}

var maskSets = sync.Pool{New: func() any { return new(maskSet) }}

// set adds bit to the mask of doc, and counts doc in added if it had no
// bit of unit.
func (ms *maskSet) set(doc uint64, bit uint) {
	if doc >= uint64(len(ms.m)) {
		ms.grow(doc)
	}
	old := ms.m[doc]
	if old&ms.unit == 0 {
		ms.added++
	}
	ms.m[doc] = old | 1<<bit
	ms.hi = max(ms.hi, doc+1)
}

// grow makes room for the mask of doc.
func (ms *maskSet) grow(doc uint64) {
	n := max(doc+1, 2*uint64(len(ms.m)), 1024)
	ms.m = append(ms.m, make([]uint64, n-uint64(len(ms.m)))...)
}

// setBits adds bits to the mask of doc.
func (ms *maskSet) setBits(doc uint64, bits uint64) {
	if doc >= uint64(len(ms.m)) {
		ms.grow(doc)
	}
	ms.m[doc] |= bits
	ms.hi = max(ms.hi, doc+1)
}

// used returns the masks of the documents up to the last one set.
func (ms *maskSet) used() []uint64 { return ms.m[:ms.hi] }

// reset clears the masks set, for the set's next use.
func (ms *maskSet) reset() {
	clear(ms.m[:ms.hi])
	ms.hi, ms.unit, ms.added = 0, 0, 0
}

func (ms *maskSet) of(doc uint64) uint64 {
	if doc < uint64(len(ms.m)) {
		return ms.m[doc]
	}
	return 0
}

// mask returns the units matched by the document of internal id.
func (s *matchSink) mask(id index.IndexInternalID) uint64 {
	n, ok := docNumber(id)
	if !ok || s.masks == nil {
		return 0
	}
	return s.masks.of(n)
}

// exact reports whether the document of internal id has every unit.
func (s *matchSink) exact(id index.IndexInternalID) bool {
	return s.masks != nil && complete(s.mask(id), s.units)
}

// complete reports whether mask has an alternative of every unit.
func complete(mask uint64, units []uint64) bool {
	for _, u := range units {
		if mask&u == 0 {
			return false
		}
	}
	return true
}

// unitBits returns the bits of each unit's alternatives: the alternatives
// of all units are numbered in order.
func unitBits(units []unit) []uint64 {
	out := make([]uint64, len(units))
	bit := uint(0)
	for i, u := range units {
		for range u.alts {
			out[i] |= 1 << bit
			bit++
		}
	}
	return out
}

// release gives the masks back to their pool.
func (s *matchSink) release() {
	if s.masks != nil {
		s.masks.reset()
		maskSets.Put(s.masks)
		s.masks = nil
	}
}

// maxUnits is the most alternatives of units a query is matched by: the
// bits of a mask. Further words of a longer question still rank it.
const maxUnits = 64

// Searcher implements query.Query.
func (q *matching) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o bsearch.SearcherOptions) (bsearch.Searcher, error) {
	words := 0
	for _, u := range q.units {
		words += u.words
	}
	s := &matchSearcher{ended: ctx.Err, sink: q.sink, every: q.all, tiered: words <= tierUnits, weights: make([]float64, len(q.units)), bits: unitBits(q.units)}
	total, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	s.docs = float64(total)
	ss, err := q.score.Searcher(ctx, r, m, o)
	if err != nil {
		return nil, err
	}
	s.score = &follower{s: ss}
	var shared func(field, term string, bit uint) bool
	if as, ok := ss.(*anySearcher); ok && !q.exhaustive {
		if s.tiered || s.every {
			// few documents are scored: the complete matches and the
			// partial ones before the page is full of those
			as.lazy, q.sink.skips = true, s.tiered && !s.every
		} else {
			// every match is scored: the score's clauses are read
			// whole before the units, and a unit's term that is one of
			// them is marked in the masks as it is read
			s.first, shared = as, as.mark
		}
	}
	uo := o
	uo.Score = "none" // units only say whether a document has a word
	bit := uint(0)
	s.every1 = ^uint64(0) >> (64 - len(q.units))
	for i, u := range q.units {
		s.own |= 1 << bit
		for _, a := range u.alts {
			s.unitOf[bit] = uint8(i)
			as, err := newAltReader(ctx, r, m, uo, a.q, shared, bit, !q.exhaustive)
			if err != nil {
				s.Close()
				return nil, err
			}
			s.alts = append(s.alts, as)
			bit++
		}
	}
	s.oneAlt = len(s.alts) == len(q.units)
	if q.synonyms != nil {
		ys, err := q.synonyms.Searcher(ctx, r, m, o)
		if err != nil {
			s.Close()
			return nil, err
		}
		if as, ok := ys.(*anySearcher); ok && !q.exhaustive {
			// asked only about the documents that have a word by a
			// synonym alone (bySynonym): a few
			as.lazy = true
		}
		s.synonym = &follower{s: ys}
	}
	return s, nil
}

// matchSearcher is the searcher of a matching query. It reads every unit
// to its end into a mask by document (what the document matched), then
// hands on the documents whose units hold at least MatchFloor of the
// weight, in increasing number, scored by the score searcher.
type matchSearcher struct {
	// ended is the search's ctx.Err. bleve hands a context to Searcher
	// only; Next and Advance get a *search.SearchContext, which has none,
	// and reading every unit there is long: the searcher keeps the one
	// question it asks of the context, not the context (as anySearcher).
	ended   func() error
	sink    *matchSink
	alts    []*altReader // of every unit, in order: bit i is alts[i]
	bits    []uint64     // each unit's bits
	score   *follower
	first   *anySearcher // the score's searcher, read before the units; nil: none
	docs    float64      // in the index, for idf
	weights []float64    // each unit's idf
	all     float64      // the sum of weights
	masks   *maskSet
	shared  bool            // masks belong to the sink now
	every   bool            // every unit is required
	tiered  bool            // complete matches rank first: the query has at most tierUnits words
	unitOf  [maxUnits]uint8 // the unit of each alternative's bit
	oneAlt  bool            // every unit has one alternative: its bit is the unit's
	every1  uint64          // a bit for every unit: the units of a complete match
	read    bool
	next    uint64
	own     uint64    // the bits of the units' own words
	synonym *follower // the synonyms' score searcher; nil: none
	// shares is the share of every set of units (one bit a unit), when
	// there are at most maxShareTable units: looked up, not summed, for
	// every document
	shares []float64
	// completes says that the masks hold at least the page's window of
	// complete matches and the matching is the whole query (a tally):
	// every one of them reaches the collector, so no partial match can
	// reach the page, from the first document on (see readAll)
	completes bool
}

// maxShareTable is the most units whose shares a matchSearcher tabulates
// (2 KB).
const maxShareTable = 8

// readAll reads every unit into the masks and weighs the units.
func (s *matchSearcher) readAll() error {
	s.read = true
	s.masks = maskSets.Get().(*maskSet)
	if s.first != nil {
		s.first.masks = s.masks
		if err := s.first.readAll(); err != nil {
			return err
		}
	}
	// each unit's BM25 idf, as bleve's term scorer has it, from the
	// documents that have any of its alternatives: counted as they are
	// read, unless the score's clauses marked some first
	counts := make([]float64, len(s.bits))
	for i, ar := range s.alts {
		u := s.unitOf[i]
		s.masks.unit, s.masks.added = s.bits[u], 0
		if err := ar.readInto(s.ended, s.masks, uint(i)); err != nil {
			return err
		}
		counts[u] += float64(s.masks.added)
	}
	s.masks.unit = 0
	if s.first != nil {
		clear(counts)
		for _, mask := range s.masks.used() {
			for u := s.unitsOf(mask); u != 0; u &= u - 1 {
				counts[bits.TrailingZeros64(u)]++
			}
		}
	}
	for i, n := range counts {
		s.weights[i] = math.Log(1 + (s.docs-n+0.5)/(n+0.5))
		s.all += s.weights[i]
	}
	if len(s.bits) <= maxShareTable {
		s.shares = make([]float64, 1<<len(s.bits))
		for units := range s.shares {
			s.shares[units] = s.share(uint64(units))
		}
	}
	if s.sink.masks == nil { // one snapshot is searched: the first tells
		s.sink.masks, s.sink.units = s.masks, s.bits
		s.shared = true
	}
	s.completes = s.countCompletes()
	return nil
}

// countCompletes reports whether the masks hold at least the window of
// complete matches of a tiered query whose matching is the whole query.
// Those all reach the collector, and rank above every partial match
// (exactBonus), so the page holds none of the partial ones: pageFull
// would say so once the collector had seen window complete matches, but
// the partial matches of lower numbers would have been scored first. A
// query whose complete matches are few in many partial ones (江苏 新能源
// 有限公司: 14 in 7,631) scored most of those. Where the complete matches
// are fewer than the window, every partial match above MatchFloor is
// scored: a bound on their scores (each clause's BM25 limit, idf times
// k1 times its weight, summed over the clauses a document's units allow,
// times coord) was measured and tallied none of the 113,680 partial
// matches of the news load's 200 queries, being 10 to 20 times the
// scores the page's partial matches reached.
func (s *matchSearcher) countCompletes() bool {
	k := s.sink
	if !k.skips || k.window == 0 || k.tally == nil {
		return false
	}
	n := uint64(0)
	for _, mask := range s.masks.used() {
		if mask != 0 && s.unitsOf(mask) == s.every1 {
			if n++; n >= k.window {
				return true
			}
		}
	}
	return false
}

// share is the part of the query's weight the units of units (one bit a
// unit, unitsOf) hold: their weights summed in the units' order.
func (s *matchSearcher) share(units uint64) float64 {
	if s.all == 0 {
		return 1
	}
	var w float64
	for u := units; u != 0; u &= u - 1 {
		w += s.weights[bits.TrailingZeros64(u)]
	}
	return w / s.all
}

// unitsOf returns the units a mask of alternatives has, one bit a unit:
// a document has a few of a question's words, so going through the bits
// it has is cheaper than going through every unit, for every document.
func (s *matchSearcher) unitsOf(mask uint64) uint64 {
	if s.oneAlt {
		return mask
	}
	var u uint64
	for m := mask; m != 0; m &= m - 1 {
		u |= 1 << s.unitOf[bits.TrailingZeros64(m)]
	}
	return u
}

// Next implements bsearch.Searcher.
func (s *matchSearcher) Next(sc *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	if !s.read {
		if err := s.readAll(); err != nil {
			return nil, err
		}
	}
	m := s.masks.used()
	for ; s.next < uint64(len(m)); s.next++ {
		mask := m[s.next]
		if mask == 0 {
			continue
		}
		units := s.unitsOf(mask)
		var share float64
		if s.shares != nil {
			share = s.shares[units]
		} else {
			share = s.share(units)
		}
		full := units == s.every1
		if !full && (s.every || share < MatchFloor) {
			continue
		}
		if !full && (s.completes || s.sink.pageFull()) {
			if t := s.sink.tally; t != nil {
				if t.tallied%4096 == 0 {
					if err := s.ended(); err != nil {
						return nil, err
					}
				}
				t.tally(s.next)
				continue
			}
			dm := sc.DocumentMatchPool.Get()
			dm.IndexInternalID = index.NewIndexInternalID(dm.IndexInternalID, s.next)
			dm.Score = 0 // below every complete match, which fill the page
			s.next++
			return dm, nil
		}
		dm := sc.DocumentMatchPool.Get()
		dm.IndexInternalID = index.NewIndexInternalID(dm.IndexInternalID, s.next)
		score, err := s.score.scoreOf(sc, dm.IndexInternalID)
		if err != nil {
			return nil, err
		}
		if s.synonym != nil && s.bySynonym(mask) {
			syn, err := s.synonym.scoreOf(sc, dm.IndexInternalID)
			if err != nil {
				return nil, err
			}
			score += synonymWeight * syn
		}
		if full && s.tiered {
			dm.Score = exactBonus + score
		} else {
			dm.Score = score * share
		}
		s.next++
		return dm, nil
	}
	return nil, nil
}

// follower reads a searcher's matches in the increasing order of the
// documents asked about.
type follower struct {
	s     bsearch.Searcher
	cur   *bsearch.DocumentMatch // its current match
	ended bool                   // it has no more
}

// scoreOf is the searcher's score of document id, 0 when it does not
// match it (a word found only inside another, by its literal).
func (f *follower) scoreOf(sc *bsearch.SearchContext, id index.IndexInternalID) (float64, error) {
	if f.cur != nil && f.cur.IndexInternalID.Compare(id) < 0 {
		sc.DocumentMatchPool.Put(f.cur)
		f.cur = nil
	}
	if f.cur == nil && !f.ended {
		dm, err := f.s.Advance(sc, id)
		if err != nil {
			return 0, err
		}
		f.cur, f.ended = dm, dm == nil
	}
	if f.cur != nil && f.cur.IndexInternalID.Equals(id) {
		return f.cur.Score, nil
	}
	return 0, nil
}

// Advance implements bsearch.Searcher.
func (s *matchSearcher) Advance(sc *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	n, err := docNum(id)
	if err != nil {
		return nil, err
	}
	s.next = max(s.next, n)
	return s.Next(sc)
}

// Close implements bsearch.Searcher, and hands the masks to the sink.
func (s *matchSearcher) Close() error {
	first := closeEach(nil, s.alts...)
	for _, f := range []*follower{s.score, s.synonym} {
		if f != nil {
			if err := f.s.Close(); err != nil && first == nil {
				first = err
			}
		}
	}
	if s.masks != nil && !s.shared {
		s.masks.reset()
		maskSets.Put(s.masks)
	}
	s.masks = nil
	return first
}

// Weight implements bsearch.Searcher: the score searcher's (the
// synonyms' score is scaled as the words').
func (s *matchSearcher) Weight() float64 { return s.score.s.Weight() }

// SetQueryNorm implements bsearch.Searcher.
func (s *matchSearcher) SetQueryNorm(qnorm float64) {
	s.score.s.SetQueryNorm(qnorm)
	if s.synonym != nil {
		s.synonym.s.SetQueryNorm(qnorm)
	}
}

// bySynonym reports whether a document of mask has some unit by a
// synonym alone: only then do the synonyms' clauses add to its score, so
// that a document with the words ranks as it would without synonyms.
func (s *matchSearcher) bySynonym(mask uint64) bool {
	for _, b := range s.bits {
		if mask&b&s.own == 0 && mask&b != 0 {
			return true
		}
	}
	return false
}

// Count implements bsearch.Searcher: at most the units' matches.
func (s *matchSearcher) Count() uint64 {
	var n uint64
	for _, ar := range s.alts {
		n += ar.count()
	}
	return n
}

// Min implements bsearch.Searcher.
func (s *matchSearcher) Min() int { return 1 }

// Size implements bsearch.Searcher.
func (s *matchSearcher) Size() int {
	n := 64 + s.score.s.Size()
	for _, ar := range s.alts {
		n += ar.size()
	}
	if s.masks != nil {
		n += 8 * len(s.masks.m)
	}
	return n
}

// DocumentMatchPoolSize implements bsearch.Searcher: the one handed on
// and the score searcher's.
func (s *matchSearcher) DocumentMatchPoolSize() int {
	n := 1 + s.score.s.DocumentMatchPoolSize()
	if s.synonym != nil {
		n += s.synonym.s.DocumentMatchPoolSize()
	}
	return n
}
