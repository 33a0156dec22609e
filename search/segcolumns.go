package search

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"minsheng/corpus"
)

// A live write (a document of the API, a topic correction) makes a new
// snapshot: a small segment beside the generation's, whose replaced
// documents it marks deleted. Built whole, the columns of that snapshot
// read every field's postings again, and the first search after every
// write paid for it: a search of news-2023 right after a write took
// 280-360 ms. A segment never changes, so its columns are built once
// (segmentColumns) and a snapshot's are composed from those of its
// segments, deleted documents left out (composeColumns): 9.8 ms against
// 173.8 ms read whole on news-2023 (BenchmarkColumnsAfterWrite).

// columnField is a field read into columns: a facet (the overdue facet
// is counted from the deadline columns), or the date, deadline, open due
// date and id the sorts and the overdue facet read.
type columnField struct {
	name string
	keep func(string) bool // the terms kept; nil: all
}

// columnFields lists the fields of a columnSet: facetFields but the
// overdue facet, then the date, the deadline, the open due date and the
// id, in the order buildColumns and composeColumns hand them to finish.
var columnFields = func() []columnField {
	var out []columnField
	for _, f := range facetFields {
		if f != corpus.FieldOverdue {
			out = append(out, columnField{name: f})
		}
	}
	return append(out, columnField{corpus.FieldDate, fullDate}, columnField{corpus.FieldDeadline, nil},
		columnField{corpus.FieldOpenDue, fullDate}, columnField{"_id", nil})
}()

// segmentColumns holds the columns of the segments of the snapshots
// searched lately, by segment, each built once.
type segmentColumns struct {
	mu sync.Mutex
	m  map[segment.Segment]*segmentEntry
}

type segmentEntry struct {
	once sync.Once
	cols []*column // columnFields, in order
	err  error
}

// get returns the columns of seg, building them the first time.
func (c *segmentColumns) get(ctx context.Context, seg segment.Segment) ([]*column, error) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[segment.Segment]*segmentEntry{}
	}
	e, ok := c.m[seg]
	if !ok {
		e = &segmentEntry{}
		c.m[seg] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.cols, e.err = segmentColumnsOf(ctx, seg) })
	return e.cols, e.err
}

// keep drops the columns of every segment but those of segs: the
// snapshot served now. An older snapshot searched again builds its own.
func (c *segmentColumns) keep(segs []*scorch.SegmentSnapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for seg := range c.m {
		if !slices.ContainsFunc(segs, func(ss *scorch.SegmentSnapshot) bool { return ss.Segment() == seg }) {
			delete(c.m, seg)
		}
	}
}

// segmentColumnsOf reads the columns of one segment, by its own document
// numbers, deleted documents included.
func segmentColumnsOf(ctx context.Context, seg segment.Segment) ([]*column, error) {
	out := make([]*column, len(columnFields))
	for i, f := range columnFields {
		dict, err := seg.Dictionary(f.name)
		if err != nil {
			return nil, fmt.Errorf("columns: %s: %w", f.name, err)
		}
		var (
			terms []string
			pairs []docOrd
			pl    segment.PostingsList
			itr   segment.PostingsIterator
		)
		it := dict.AutomatonIterator(nil, nil, nil)
		for {
			e, err := it.Next()
			if err != nil {
				return nil, fmt.Errorf("columns: %s: %w", f.name, err)
			}
			if e == nil {
				break
			}
			if f.keep != nil && !f.keep(e.Term) {
				continue
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			ord := uint32(len(terms))
			terms = append(terms, e.Term)
			if pl, err = dict.PostingsList([]byte(e.Term), nil, pl); err != nil {
				return nil, fmt.Errorf("columns: %s: %w", f.name, err)
			}
			itr = pl.Iterator(false, false, false, itr)
			for {
				p, err := itr.Next()
				if err != nil {
					return nil, fmt.Errorf("columns: %s: %w", f.name, err)
				}
				if p == nil {
					break
				}
				pairs = append(pairs, docOrd{p.Number(), ord})
			}
		}
		out[i] = columnOf(terms, pairs)
	}
	return out, nil
}

// composeColumns is the columnSet of a snapshot of segs from their
// columns (cols, by segment), each segment's documents numbered after
// those of the segments before it, as scorch numbers them, and its
// deleted documents without values. The terms of each column are those
// of every segment, in order (the snapshot's term dictionary's).
func composeColumns(segs []*scorch.SegmentSnapshot, cols [][]*column) *columnSet {
	if len(segs) == 1 && (segs[0].Deleted() == nil || segs[0].Deleted().IsEmpty()) {
		return finish(cols[0]) // the segment's own, shared
	}
	counts := make([]uint64, len(segs))
	gone := make([][]uint64, len(segs)) // each segment's deleted documents, a bit each
	for s, ss := range segs {
		counts[s] = ss.Segment().Count()
		if del := ss.Deleted(); del != nil && !del.IsEmpty() {
			gone[s] = make([]uint64, (counts[s]+63)/64)
			it := del.Iterator()
			for it.HasNext() {
				d := it.Next()
				gone[s][d/64] |= 1 << (d % 64)
			}
		}
	}
	return compose(counts, gone, cols)
}

// compose is the columnSet of segments of counts documents, whose deleted
// ones are the bits of gone (nil: none), from their columns.
func compose(counts []uint64, gone [][]uint64, cols [][]*column) *columnSet {
	var n uint64
	for _, c := range counts {
		n += c
	}
	out := make([]*column, len(columnFields))
	for f := range columnFields {
		lists := make([][]string, len(cols))
		for s := range cols {
			lists[s] = cols[s][f].terms
		}
		terms, remaps := mergeTerms(lists)
		c := &column{terms: terms, start: make([]uint32, n+1)}
		var off uint64
		for s, count := range counts {
			sc, remap, g := cols[s][f], remaps[s], gone[s]
			for d := range count {
				if g == nil || g[d/64]&(1<<(d%64)) == 0 {
					for _, o := range sc.of(d) {
						c.ords = append(c.ords, remap[o])
					}
				}
				c.start[off+d+1] = uint32(len(c.ords))
			}
			off += count
		}
		c.single = singleOf(c.start, c.ords)
		out[f] = c
	}
	return finish(out)
}

// mergeTerms merges sorted lists of distinct terms into one, and returns
// with it, for each list, the place of each of its terms in it.
func mergeTerms(lists [][]string) ([]string, [][]uint32) {
	remaps := make([][]uint32, len(lists))
	total := 0
	for i, l := range lists {
		remaps[i] = make([]uint32, len(l))
		total += len(l)
	}
	out := make([]string, 0, total)
	at := make([]int, len(lists))
	for {
		least := -1
		for i, l := range lists {
			if at[i] < len(l) && (least < 0 || l[at[i]] < lists[least][at[least]]) {
				least = i
			}
		}
		if least < 0 {
			return out, remaps
		}
		t := lists[least][at[least]]
		for i, l := range lists {
			if at[i] < len(l) && l[at[i]] == t {
				remaps[i][at[i]] = uint32(len(out))
				at[i]++
			}
		}
		out = append(out, t)
	}
}
