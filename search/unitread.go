package search

import (
	"context"
	"math"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"minsheng/indexer/literal"
)

// altReader tells which documents match one alternative of a unit: its
// query is a union (a disjunction of a word's term in each word field,
// its literal in each literal field, a numeric cover), and a union
// matches a document when any of its parts does. The term parts are read
// straight from their postings, without frequencies or norms, into the
// masks; the rest (a literal phrase, a conjunction) through bleve's
// searchers. bleve's disjunction merged the parts a document at a time
// and made a DocumentMatch of each: on the load's questions, reading the
// units that way cost a third of their search (BenchmarkQueryMix).
type altReader struct {
	terms   []index.TermFieldReader
	bits    *roaring.Bitmap // the documents of the term parts read as bitmaps (termBits), or nil
	phrases []*phraseMask
	others  []bsearch.Searcher
}

// newAltReader opens the parts of q with the options o, which score
// nothing, but the terms shared reads (may be nil): it marks them in
// the masks as bit as it reads them for the score. Without split, q is
// read whole, through bleve's searcher.
func newAltReader(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o bsearch.SearcherOptions, q query.Query,
	shared func(field, term string, bit uint) bool, bit uint, split bool) (*altReader, error) {
	a := &altReader{}
	var terms []*query.TermQuery
	others := []query.Query{q}
	if split && ownSearchers(ctx, r, o) {
		others = others[:0]
		splitUnion(q, &terms, &others)
	}
	for _, tq := range terms {
		field := tq.FieldVal
		if field == "" {
			field = m.DefaultSearchField()
		}
		if shared != nil && shared(field, tq.Term, bit) {
			continue
		}
		if err := bsearch.RecordTermSearcher(ctx); err != nil {
			a.Close()
			return nil, err
		}
		if is, ok := r.(*scorch.IndexSnapshot); ok {
			b, err := termBits(is, field, tq.Term)
			if err != nil {
				a.Close()
				return nil, err
			}
			if b != nil {
				if a.bits == nil {
					a.bits = b
				} else {
					a.bits.Or(b)
				}
				continue
			}
		}
		tr, err := bareTermReader(ctx, r, tq.Term, field)
		if err != nil {
			a.Close()
			return nil, err
		}
		a.terms = append(a.terms, tr)
	}
	for _, oq := range others {
		if pq, ok := oq.(*phraseOf); ok && len(pq.terms) > 1 {
			pm, err := newPhraseMask(ctx, r, m, o, pq)
			if err != nil {
				a.Close()
				return nil, err
			}
			a.phrases = append(a.phrases, pm)
			continue
		}
		s, err := oq.Searcher(ctx, r, m, o)
		if err != nil {
			a.Close()
			return nil, err
		}
		a.others = append(a.others, s)
	}
	return a, nil
}

// splitUnion puts the term queries q is a union of in terms and its other
// parts in others.
func splitUnion(q query.Query, terms *[]*query.TermQuery, others *[]query.Query) {
	if tq, ok := termOf(q); ok {
		*terms = append(*terms, tq)
		return
	}
	if d, ok := q.(*query.DisjunctionQuery); ok && d.Min <= 1 { // one clause is enough: a union
		for _, c := range d.Disjuncts {
			splitUnion(c, terms, others)
		}
		return
	}
	*others = append(*others, q)
}

// termBits returns the documents of snapshot is (by their numbers in it)
// whose field has term, deleted ones left out, as a bitmap: zap keeps a
// term's documents as a roaring bitmap beside its frequencies, and the
// bitmap is a copy and an iteration away, where reading the postings one
// by one was a tenth of the news load's CPU (BenchmarkSearchLoad). nil
// when a segment cannot give its bitmap: then the postings are read.
func termBits(is *scorch.IndexSnapshot, field, term string) (*roaring.Bitmap, error) {
	out := roaring.New()
	var offset uint64
	for _, ss := range is.Segments() {
		seg := ss.Segment()
		if offset > math.MaxUint32 || seg.Count() > math.MaxUint32-offset {
			return nil, nil
		}
		b, err := segmentBits(seg, field, term)
		if b == nil || err != nil {
			return nil, err
		}
		if del := ss.Deleted(); del != nil {
			b.AndNot(del)
		}
		if offset > 0 {
			b = roaring.AddOffset(b, uint32(offset))
		}
		out.Or(b)
		offset += seg.Count()
	}
	return out, nil
}

// segmentBits returns the documents of seg whose field has term: from
// seg's bigram index for a literal field when it has one (literal.For),
// else from seg's postings list of term, which is then the only one looked
// up. nil when that list cannot give them as a bitmap.
func segmentBits(seg segment.Segment, field, term string) (*roaring.Bitmap, error) {
	if isLiteral(field) {
		x, err := literal.For(seg)
		if err != nil {
			return nil, err
		}
		if x != nil {
			lp, err := x.Lookup(field, []byte(term))
			if err != nil {
				return nil, err
			}
			return lp.Bitmap()
		}
	}
	dict, err := seg.Dictionary(field)
	if err != nil {
		return nil, err
	}
	pl, err := dict.PostingsList([]byte(term), nil, nil)
	if err != nil {
		return nil, err
	}
	or, ok := pl.(interface{ OrInto(*roaring.Bitmap) })
	if !ok {
		return nil, nil
	}
	b := roaring.New()
	or.OrInto(b)
	return b, nil
}

// manyBufs are the buffers of readInto's bitmap iterations: 16 KB a
// unit's alternative, a tenth of what a search allocated on the news load.
var manyBufs = sync.Pool{New: func() any { return new([4096]uint32) }}

// readInto sets bit in the masks of every document that matches. ended is
// the search's ctx.Err.
func (a *altReader) readInto(ended func() error, masks *maskSet, bit uint) error {
	if a.bits != nil {
		it := a.bits.ManyIterator()
		bp := manyBufs.Get().(*[4096]uint32)
		defer manyBufs.Put(bp)
		buf := bp[:]
		for {
			if err := ended(); err != nil {
				return err
			}
			n := it.NextMany(buf)
			if n == 0 {
				break
			}
			for _, d := range buf[:n] {
				masks.set(uint64(d), bit)
			}
		}
	}
	var tfd index.TermFieldDoc
	for _, tr := range a.terms {
		for n := 0; ; n++ {
			if n%4096 == 0 {
				if err := ended(); err != nil {
					return err
				}
			}
			p, err := tr.Next(tfd.Reset())
			if err != nil {
				return err
			}
			if p == nil {
				break
			}
			d, err := docNum(p.ID)
			if err != nil {
				return err
			}
			masks.set(d, bit)
		}
	}
	for _, pm := range a.phrases {
		if err := pm.readInto(ended, masks, bit); err != nil {
			return err
		}
	}
	for _, s := range a.others {
		sc := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0)}
		for n := 0; ; n++ {
			if n%4096 == 0 {
				if err := ended(); err != nil {
					return err
				}
			}
			dm, err := s.Next(sc)
			if err != nil {
				return err
			}
			if dm == nil {
				break
			}
			d, err := docNum(dm.IndexInternalID)
			if err != nil {
				return err
			}
			masks.set(d, bit)
			sc.DocumentMatchPool.Put(dm)
		}
	}
	return nil
}

// Close closes every part, and returns the first error.
func (a *altReader) Close() error {
	first := closeEach(nil, a.terms...)
	first = closeEach(first, a.phrases...)
	return closeEach(first, a.others...)
}

// closeEach closes every c and returns first, or else the first error a
// Close returned: the readers and searchers of a query are all closed,
// whatever one of them says.
func closeEach[C interface{ Close() error }](first error, cs ...C) error {
	for _, c := range cs {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// count is at most the documents that match: the parts' matches.
func (a *altReader) count() uint64 {
	var n uint64
	if a.bits != nil {
		n += a.bits.GetCardinality()
	}
	for _, tr := range a.terms {
		n += tr.Count()
	}
	for _, pm := range a.phrases {
		n += pm.count()
	}
	for _, s := range a.others {
		n += s.Count()
	}
	return n
}

// size is the memory the parts hold, roughly.
func (a *altReader) size() int {
	n := 32
	if a.bits != nil {
		n += int(a.bits.GetSizeInBytes())
	}
	for _, tr := range a.terms {
		n += tr.Size()
	}
	for _, pm := range a.phrases {
		n += pm.size()
	}
	for _, s := range a.others {
		n += s.Size()
	}
	return n
}

// phraseMask finds the documents that hold a literal phrase (a word's
// characters, as bigrams at consecutive positions) for a unit's mask. A
// document that has the unit already, by the word's terms, needs no
// looking at: the documents that have every bigram are found from the
// bigrams' postings alone (no positions: skipped through, not decoded),
// and only those that lack the unit are verified, by the phrase's
// searcher. Reading every candidate's positions was a quarter of the
// search of 生态环境保护 (BenchmarkQueryMix long-word).
//
// On an index whose literal fields keep no positions (literaltext.go),
// the candidates are the intersection of the bigrams' bitmaps (termBits)
// and each is verified against its folded text: the candidates lacking
// the unit lack the word in every word field, so the phrase searcher's
// shortcut would not spare any.
type phraseMask struct {
	terms  []index.TermFieldReader // each bigram's postings, bare
	verify bsearch.Searcher        // the phrase, positions checked

	cand   *roaring.Bitmap // the documents with every bigram; nil: terms and verify are read
	stored *storedText     // their folded text
	text   []byte          // the phrase, folded
}

func newPhraseMask(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o bsearch.SearcherOptions, q *phraseOf) (*phraseMask, error) {
	if is, ok := r.(*scorch.IndexSnapshot); ok && q.text != "" && storesFolded(m, q.folded) {
		if pm, err := newBitsPhraseMask(ctx, is, q); pm != nil || err != nil {
			return pm, err
		}
	}
	pm := &phraseMask{}
	for _, t := range q.terms {
		if err := bsearch.RecordTermSearcher(ctx); err != nil {
			pm.Close()
			return nil, err
		}
		tr, err := bareTermReader(ctx, r, t, q.field)
		if err != nil {
			pm.Close()
			return nil, err
		}
		pm.terms = append(pm.terms, tr)
	}
	v, err := q.Searcher(ctx, r, m, o)
	if err != nil {
		pm.Close()
		return nil, err
	}
	pm.verify = v
	return pm, nil
}

// newBitsPhraseMask is the phrase mask of literal phrase q from the
// bitmaps of its bigrams, or nil if a segment cannot give them.
func newBitsPhraseMask(ctx context.Context, is *scorch.IndexSnapshot, q *phraseOf) (*phraseMask, error) {
	var cand *roaring.Bitmap
	for _, t := range q.terms {
		if err := bsearch.RecordTermSearcher(ctx); err != nil {
			return nil, err
		}
		b, err := termBits(is, q.field, t)
		if err != nil || b == nil {
			return nil, err
		}
		if cand == nil {
			cand = b
		} else {
			cand.And(b)
		}
	}
	st, err := newStoredText(is, q.folded)
	if err != nil {
		return nil, err
	}
	return &phraseMask{cand: cand, stored: st, text: []byte(q.text)}, nil
}

// readInto sets bit in the masks of the documents that hold the phrase
// and do not have it already.
func (pm *phraseMask) readInto(ended func() error, masks *maskSet, bit uint) error {
	if pm.cand != nil {
		return pm.readBits(ended, masks, bit)
	}
	at := make([]uint64, len(pm.terms)) // each reader's current document
	started := make([]bool, len(pm.terms))
	// a posting each: scorch keeps the id of a reader's current posting
	// in the posting it returns, and compares the next Advance with it
	tfds := make([]index.TermFieldDoc, len(pm.terms))
	var (
		id      index.IndexInternalID
		found   uint64 // the last document the phrase searcher found
		has     bool   // it found one
		sc      = &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(pm.verify.DocumentMatchPoolSize(), 0)}
		checked int
	)
	target := uint64(0)
	for {
		// leapfrog: every reader to the furthest document any is on
		agreed := true
		for i, tr := range pm.terms {
			if started[i] && at[i] >= target {
				if at[i] > target {
					target, agreed = at[i], false
					break
				}
				continue
			}
			id = index.NewIndexInternalID(id, target)
			p, err := tr.Advance(id, tfds[i].Reset())
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
			at[i], started[i] = n, true
			if n > target {
				target, agreed = n, false
				break
			}
		}
		if !agreed {
			continue
		}
		doc := target
		target++
		if masks.of(doc)&(1<<bit) != 0 || has && found > doc {
			continue // has the unit already; or the phrase is not in it
		}
		if checked++; checked%1024 == 0 {
			if err := ended(); err != nil {
				return err
			}
		}
		if !has || found < doc {
			id = index.NewIndexInternalID(id, doc)
			dm, err := pm.verify.Advance(sc, id)
			if err != nil {
				return err
			}
			if dm == nil {
				return nil // the phrase is in no further document
			}
			n, err := docNum(dm.IndexInternalID)
			if err != nil {
				return err
			}
			sc.DocumentMatchPool.Put(dm)
			found, has = n, true
			masks.set(n, bit) // it holds the phrase, whichever it is
		}
	}
}

// readBits is readInto from the candidates' bitmap.
func (pm *phraseMask) readBits(ended func() error, masks *maskSet, bit uint) error {
	it := pm.cand.Iterator()
	for checked := 0; it.HasNext(); {
		doc := uint64(it.Next())
		if masks.of(doc)&(1<<bit) != 0 {
			continue // has the unit already
		}
		if checked++; checked%1024 == 0 {
			if err := ended(); err != nil {
				return err
			}
		}
		holds, err := pm.stored.contains(doc, pm.text)
		if err != nil {
			return err
		}
		if holds {
			masks.set(doc, bit)
		}
	}
	return nil
}

// count is at most the documents that hold the phrase.
func (pm *phraseMask) count() uint64 {
	if pm.cand != nil {
		return pm.cand.GetCardinality()
	}
	return pm.verify.Count()
}

// size is the memory the mask's readers hold, roughly.
func (pm *phraseMask) size() int {
	if pm.cand != nil {
		return int(pm.cand.GetSizeInBytes())
	}
	n := pm.verify.Size()
	for _, tr := range pm.terms {
		n += tr.Size()
	}
	return n
}

// Close closes the readers and the searcher.
func (pm *phraseMask) Close() error {
	first := closeEach(nil, pm.terms...)
	if pm.verify != nil {
		first = closeEach(first, pm.verify)
	}
	return first
}
