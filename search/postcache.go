package search

import (
	"container/list"
	"context"
	"fmt"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"minsheng/indexer/literal"
)

// Ranking reads every posting of a query's words with its frequency and
// norm, decoded from zap's chunks of varints: on the news load, the ranking
// clauses' term readers took a quarter of a search's CPU, and the same few
// hundred frequent words come back in search after search. The postings
// cache keeps the postings of frequent terms decoded, per segment (a
// segment never changes, so the entries outlive the snapshots that live
// changes make; deleted documents are left out as they are read), within
// a budget of memory (Limits.PostingsCacheMB; none by default), the least
// recently used dropped first.

// cacheMinPostings: a term with fewer postings in a segment is read from
// the segment; it costs little either way.
const cacheMinPostings = 2048

// postingsKey is a term of a field in one segment.
type postingsKey struct {
	seg         segment.Segment
	field, term string
}

// decodedPostings are a term's postings in a segment: its documents in
// order, by their number in the segment, and each one's frequency and
// norm.
type decodedPostings struct {
	docs  []uint32
	freqs []uint32
	norms []float32
}

func (p *decodedPostings) bytes() int64 { return int64(len(p.docs)) * 12 }

// postingsCache is the cache of a Searcher; safe for concurrent use.
type postingsCache struct {
	mu    sync.Mutex
	m     map[postingsKey]*list.Element // of *cacheEntry
	lru   list.List                     // most recently used first
	bytes int64
	max   int64  // bytes the cache holds at most: 12 a posting
	min   uint64 // 0: cacheMinPostings
}

type cacheEntry struct {
	key postingsKey
	p   *decodedPostings
}

// get returns the decoded postings of term in field of seg, decoding them
// with decode if they are not cached, or nil if the term has too few
// postings there to be worth it.
func (c *postingsCache) get(key postingsKey, count uint64, decode func() (*decodedPostings, error)) (*decodedPostings, error) {
	least := c.min
	if least == 0 {
		least = cacheMinPostings
	}
	if count < least || int64(count)*12 > c.max/4 {
		return nil, nil
	}
	c.mu.Lock()
	if e, ok := c.m[key]; ok {
		c.lru.MoveToFront(e)
		p := e.Value.(*cacheEntry).p
		c.mu.Unlock()
		return p, nil
	}
	c.mu.Unlock()
	p, err := decode() // outside the lock: two searches may both decode it
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		return e.Value.(*cacheEntry).p, nil
	}
	if c.m == nil {
		c.m = map[postingsKey]*list.Element{}
	}
	c.m[key] = c.lru.PushFront(&cacheEntry{key, p})
	c.bytes += p.bytes()
	for c.bytes > c.max {
		e := c.lru.Back()
		ce := e.Value.(*cacheEntry)
		c.lru.Remove(e)
		delete(c.m, ce.key)
		c.bytes -= ce.p.bytes()
	}
	return p, nil
}

// postingsCacheKey is the context key of the cache a search reads
// through.
type postingsCacheKey struct{}

// withPostingsCache returns ctx with c, for the term readers of ranking.
func withPostingsCache(ctx context.Context, c *postingsCache) context.Context {
	return context.WithValue(ctx, postingsCacheKey{}, c)
}

// cachedTermReader returns a reader of term in field of r, with
// frequencies and norms, through the cache of ctx when there is one and r
// is a scorch snapshot; else r's own. A literal field of a scorch snapshot
// is always read so, each segment's postings from its bigram index when it
// has one (literalpost.go).
func cachedTermReader(ctx context.Context, r index.IndexReader, term, field string) (index.TermFieldReader, error) {
	c, _ := ctx.Value(postingsCacheKey{}).(*postingsCache)
	is, ok := r.(*scorch.IndexSnapshot)
	lit := ok && isLiteral(field)
	if c == nil && !lit || !ok {
		return r.TermFieldReader(ctx, []byte(term), field, true, true, false)
	}
	tr := &cacheReader{}
	var offset uint64
	for _, ss := range is.Segments() {
		seg := ss.Segment()
		part := cachePart{offset: offset, deleted: ss.Deleted()}
		offset += seg.Count()
		if lit {
			x, err := literal.For(seg)
			if err != nil {
				return nil, err
			}
			if x != nil {
				if err := part.fromLiteral(tr, c, seg, x, field, term); err != nil {
					return nil, err
				}
				continue
			}
		}
		dict, err := seg.Dictionary(field)
		if err != nil {
			return nil, err
		}
		if err := part.fromList(tr, c, seg, dict, field, term); err != nil {
			return nil, err
		}
	}
	return tr, nil
}

// fromList reads term's postings in field of seg, whose dictionary of the
// field is dict, into the part, decoded through the cache c (when not nil),
// and adds the part to tr if the term is in seg.
func (part cachePart) fromList(tr *cacheReader, c *postingsCache, seg segment.Segment, dict segment.TermDictionary, field, term string) error {
	pl, err := dict.PostingsList([]byte(term), nil, nil)
	if err != nil {
		return err
	}
	n := pl.Count()
	if n == 0 {
		return nil
	}
	part.list = pl
	if c != nil {
		part.p, err = c.get(postingsKey{seg, field, term}, n, func() (*decodedPostings, error) {
			return decodePostings(pl)
		})
		if err != nil {
			return err
		}
	}
	tr.parts = append(tr.parts, part)
	tr.count += n
	if part.deleted != nil {
		// scorch counts a term's postings less the deleted documents
		// it is in: its reader has the deleted documents as exceptions
		ex, err := dict.PostingsList([]byte(term), part.deleted, nil)
		if err != nil {
			return err
		}
		tr.count -= n - ex.Count()
	}
	return nil
}

// decodePostings reads all of a postings list.
func decodePostings(pl segment.PostingsList) (*decodedPostings, error) {
	n := pl.Count()
	p := &decodedPostings{docs: make([]uint32, 0, n), freqs: make([]uint32, 0, n), norms: make([]float32, 0, n)}
	it := pl.Iterator(true, true, false, nil)
	for {
		next, err := it.Next()
		if err != nil {
			return nil, err
		}
		if next == nil {
			return p, nil
		}
		if next.Number() > 1<<32-1 || next.Frequency() > 1<<32-1 {
			return nil, fmt.Errorf("search: posting %d of frequency %d is out of range", next.Number(), next.Frequency())
		}
		p.docs = append(p.docs, uint32(next.Number()))
		p.freqs = append(p.freqs, uint32(next.Frequency()))
		p.norms = append(p.norms, float32(next.Norm()))
	}
}

// cachePart is a term's postings in one segment of a snapshot: decoded
// (p), or else read from the segment's list.
type cachePart struct {
	offset  uint64          // the segment's first document number in the snapshot
	deleted *roaring.Bitmap // the segment's deleted documents, or nil
	list    segment.PostingsList
	p       *decodedPostings
	owned   bool                     // p is the reader's own, from decodedPool
	it      segment.PostingsIterator // of list, once read
	at      int                      // p's next posting
}

// cacheReader is an index.TermFieldReader over a snapshot's segments, each
// read from the cache or its postings list: the postings with their
// frequencies and norms, no term vectors.
type cacheReader struct {
	parts []cachePart
	cur   int // the part being read
	count uint64
	last  uint64 // the document of the last posting returned
	read  bool   // one was
}

// Next implements index.TermFieldReader.
func (r *cacheReader) Next(pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	return r.advance(0, pre)
}

// Advance implements index.TermFieldReader: the first posting at or
// after id. Unlike scorch's, it goes forward only.
func (r *cacheReader) Advance(id index.IndexInternalID, pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	n, err := docNum(id)
	if err != nil {
		return nil, err
	}
	return r.advance(n, pre)
}

// advance returns the next posting at or after document target (global),
// or with target 0 the next posting.
func (r *cacheReader) advance(target uint64, pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	if r.read && target > 0 && target <= r.last {
		// backwards, or to the current posting: from the start again, as
		// scorch's reader does
		for i := range r.parts {
			r.parts[i].at, r.parts[i].it = 0, nil
		}
		r.cur, r.read = 0, false
	}
	for ; r.cur < len(r.parts); r.cur++ {
		pt := &r.parts[r.cur]
		if next := r.cur + 1; next < len(r.parts) && r.parts[next].offset <= target {
			continue // the target is past this segment
		}
		local := uint64(0)
		if target > pt.offset {
			local = target - pt.offset
		}
		doc, freq, norm, found, err := pt.next(local)
		if err != nil {
			return nil, err
		}
		if !found {
			continue
		}
		if pre == nil {
			pre = &index.TermFieldDoc{}
		}
		pre.ID = index.NewIndexInternalID(pre.ID, pt.offset+doc)
		pre.Freq, pre.Norm = freq, norm
		r.last, r.read = pt.offset+doc, true
		return pre, nil
	}
	return nil, nil
}

// next returns the part's first live posting at or after local, if any.
func (pt *cachePart) next(local uint64) (doc, freq uint64, norm float64, found bool, err error) {
	if pt.p != nil {
		docs := pt.p.docs
		if pt.at < len(docs) && uint64(docs[pt.at]) < local {
			// galloping then binary search: most advances are short
			lo, step := pt.at, 1
			for lo+step < len(docs) && uint64(docs[lo+step]) < local {
				lo, step = lo+step, step*2
			}
			hi := min(lo+step, len(docs))
			for lo < hi {
				mid := int(uint(lo+hi) >> 1)
				if uint64(docs[mid]) < local {
					lo = mid + 1
				} else {
					hi = mid
				}
			}
			pt.at = lo
		}
		for ; pt.at < len(docs); pt.at++ {
			d := docs[pt.at]
			if pt.deleted != nil && pt.deleted.Contains(d) {
				continue
			}
			i := pt.at
			pt.at++
			return uint64(d), uint64(pt.p.freqs[i]), float64(pt.p.norms[i]), true, nil
		}
		return 0, 0, 0, false, nil
	}
	if pt.it == nil {
		pt.it = pt.list.Iterator(true, true, false, nil)
	}
	for {
		var next segment.Posting
		if local > 0 {
			next, err = pt.it.Advance(local)
			local = 0
		} else {
			next, err = pt.it.Next()
		}
		if err != nil || next == nil {
			return 0, 0, 0, false, err
		}
		if pt.deleted != nil && pt.deleted.Contains(uint32(next.Number())) {
			continue
		}
		return next.Number(), next.Frequency(), next.Norm(), true, nil
	}
}

// Count implements index.TermFieldReader: the documents that have the
// term, as scorch's reader counts them.
func (r *cacheReader) Count() uint64 { return r.count }

// Close implements index.TermFieldReader, and gives back the postings it
// decoded for itself.
func (r *cacheReader) Close() error {
	for i := range r.parts {
		if pt := &r.parts[i]; pt.owned {
			decodedPool.Put(pt.p)
			pt.p, pt.owned = nil, false
		}
	}
	return nil
}

// Size implements index.TermFieldReader: the reader, not the cache.
func (r *cacheReader) Size() int { return 64 + len(r.parts)*96 }
