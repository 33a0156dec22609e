package search

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	index "github.com/blevesearch/bleve_index_api"

	"minsheng/corpus"
)

// Facets are counted, and hits sorted by date and id, from columns held in
// memory rather than by bleve, which reads every match's doc values of
// every facet and sort field (decompressing their chunks) and its stored
// id: on the index of all ../shared/corpora that was two thirds of the CPU
// of a search, most of it for questions matching 20,000 to 30,000
// documents. A column lists, for each document number of one index
// snapshot, the ordinals of its values; the columns are built once per
// segment from the fields' postings (about 0.2-0.3 s for 64,000
// documents), and composed for each snapshot from those of its segments
// (segcolumns.go); counting a match is a few array reads.

// column is one keyword field by document number.
type column struct {
	terms []string // ordinal -> value
	start []uint32 // values of document d: ords[start[d]:start[d+1]]
	ords  []uint32
	// single is, when no document has more than one value (kind, year,
	// source, status …), each document's ordinal plus one (0: none):
	// counting a match is then one read instead of two and a loop
	single []uint32
}

func (c *column) of(doc uint64) []uint32 {
	if doc+1 >= uint64(len(c.start)) {
		return nil
	}
	return c.ords[c.start[doc]:c.start[doc+1]]
}

// columnSet is the columns of one snapshot: its facet fields, and the
// sort values of its dates and ids.
type columnSet struct {
	cols    []*column // facetFields, in order; the overdue facet's has its terms only
	dates   []string  // the date's sort value as bleve encodes it; "" if none
	ids     []string  // external ids
	overdue *overdueColumns
}

func (cs *columnSet) date(doc uint64) string {
	if doc < uint64(len(cs.dates)) {
		return cs.dates[doc]
	}
	return ""
}

// unixNano returns the date of a document in Unix nanoseconds, if it has one.
func (cs *columnSet) unixNano(doc uint64) (int64, bool) {
	v := cs.date(doc)
	if v == "" {
		return 0, false
	}
	n, err := numeric.PrefixCoded(v).Int64()
	return n, err == nil
}

func (cs *columnSet) id(doc uint64) string {
	if doc < uint64(len(cs.ids)) {
		return cs.ids[doc]
	}
	return ""
}

// docNumber is the document number scorch encodes in an internal id.
func docNumber(id index.IndexInternalID) (uint64, bool) {
	if len(id) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(id), true
}

// docNum is docNumber where an id that is not a document number is an
// error.
func docNum(id index.IndexInternalID) (uint64, error) {
	if len(id) != 8 {
		return 0, badID(id) // apart, so that docNum is inlined in the loops over postings
	}
	return binary.BigEndian.Uint64(id), nil
}

// badID is docNum's error.
func badID(id index.IndexInternalID) error {
	return fmt.Errorf("search: internal id of %d bytes", len(id))
}

// buildColumns reads the facet fields, the dates and the ids of a snapshot
// through their term dictionaries and postings. A scorch snapshot's are
// composed from those of its segments instead (segcolumns.go), each built
// once: buildColumns is for other readers, and the reference the composed
// columns are tested against.
func buildColumns(ctx context.Context, r index.IndexReader) (*columnSet, error) {
	raw := make([]*column, len(columnFields))
	for i, f := range columnFields {
		c, err := buildColumn(ctx, r, f.name, f.keep)
		if err != nil {
			return nil, err
		}
		raw[i] = c
	}
	return finish(raw), nil
}

// columnsOf returns the columns of snapshot r: composed from those of its
// segments (a scorch snapshot, the index's), or read whole.
func (s *Searcher) columnsOf(ctx context.Context, r index.IndexReader) (*columnSet, error) {
	adviseRandom(r) // once a snapshot, before anything is read
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return buildColumns(ctx, r)
	}
	segs := is.Segments()
	cols := make([][]*column, len(segs))
	for i, ss := range segs {
		c, err := s.segColumns.get(ctx, ss.Segment())
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	s.segColumns.keep(segs)
	return composeColumns(segs, cols), nil
}

// fullDate keeps, of the terms of a date, the full one: a date is indexed
// as terms of several precisions, and bleve sorts by the full one (shift
// 0).
func fullDate(term string) bool {
	valid, shift := numeric.ValidPrefixCodedTerm(term)
	return valid && shift == 0
}

// finish makes the columnSet of the columns of columnFields, in order.
func finish(raw []*column) *columnSet {
	cs := &columnSet{}
	nf := len(columnFields) - 4 // the facets; then date, deadline, open due, id
	next := 0
	for _, field := range facetFields {
		if field == corpus.FieldOverdue { // counted from the overdue columns
			cs.cols = append(cs.cols, &column{terms: overdueTerms})
			continue
		}
		cs.cols = append(cs.cols, raw[next])
		next++
	}
	dates, deadline, openDue, ids := raw[nf], raw[nf+1], raw[nf+2], raw[nf+3]
	cs.dates = make([]string, len(dates.start)-1)
	for d := range cs.dates {
		if o := dates.of(uint64(d)); len(o) > 0 {
			cs.dates[d] = dates.terms[o[0]]
		}
	}
	// the ids from the id field's terms and postings, not from each
	// document's stored id: that would read (and map) every stored
	// document, most of the index, for the first search of a generation
	cs.ids = make([]string, len(ids.start)-1)
	for d := range cs.ids {
		if o := ids.of(uint64(d)); len(o) > 0 {
			cs.ids[d] = ids.terms[o[0]]
		}
	}
	buildOverdue(cs, deadline, openDue)
	return cs
}

// docOrd is a document and the ordinal of one of its values.
type docOrd struct {
	doc uint64
	ord uint32
}

// buildColumn reads one field, the terms keep accepts (all if nil).
func buildColumn(ctx context.Context, r index.IndexReader, field string, keep func(string) bool) (*column, error) {
	dict, err := r.FieldDict(field)
	if err != nil {
		return nil, err
	}
	defer dict.Close()
	var (
		terms []string
		pairs []docOrd
		tfd   index.TermFieldDoc
	)
	for {
		e, err := dict.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			break
		}
		if keep != nil && !keep(e.Term) {
			continue
		}
		ord := uint32(len(terms))
		terms = append(terms, e.Term)
		tfr, err := r.TermFieldReader(ctx, []byte(e.Term), field, false, false, false)
		if err != nil {
			return nil, err
		}
		for {
			d, err := tfr.Next(&tfd)
			if err != nil {
				tfr.Close()
				return nil, err
			}
			if d == nil {
				break
			}
			n, ok := docNumber(d.ID)
			if !ok {
				tfr.Close()
				return nil, fmt.Errorf("columns: internal id of %d bytes", len(d.ID))
			}
			pairs = append(pairs, docOrd{n, ord})
			tfd.Reset()
		}
		tfr.Close()
	}
	return columnOf(terms, pairs), nil
}

// columnOf is the column of terms whose documents and ordinals are pairs.
func columnOf(terms []string, pairs []docOrd) *column {
	var last uint64
	for _, p := range pairs {
		last = max(last, p.doc)
	}
	// counting sort by document number
	c := &column{terms: terms, start: make([]uint32, last+2)}
	for _, p := range pairs {
		c.start[p.doc+1]++
	}
	for i := 1; i < len(c.start); i++ {
		c.start[i] += c.start[i-1]
	}
	c.ords = make([]uint32, len(pairs))
	next := append([]uint32(nil), c.start...)
	for _, p := range pairs {
		c.ords[next[p.doc]] = p.ord
		next[p.doc]++
	}
	c.single = singleOf(c.start, c.ords)
	return c
}

// singleOf is the single form of a column of start and ords (column), or
// nil when some document has more than one value or none has any.
func singleOf(start, ords []uint32) []uint32 {
	if len(ords) == 0 {
		return nil
	}
	for d := 0; d+1 < len(start); d++ {
		if start[d+1]-start[d] > 1 {
			return nil
		}
	}
	single := make([]uint32, len(start)-1)
	for d := range single {
		if start[d+1] > start[d] {
			single[d] = ords[start[d]] + 1
		}
	}
	return single
}

// snapshotCache keeps a value built once for each index snapshot searched
// lately (the current generation and, across a swap, the one before): the
// columns, the BM25 statistics. It holds a snapshot's reader as its key, so
// that a key is never reused by another snapshot while cached; the
// suggestions' dictionary is kept by another key (spellingKey).
type snapshotCache[T any] struct {
	mu      sync.Mutex
	entries []*snapshotEntry[T] // most recent first
}

type snapshotEntry[T any] struct {
	key  any // compared only
	once sync.Once
	v    T
	err  error
}

const snapshotCacheSize = 2

// get returns the value of key (a snapshot's reader), built by build the
// first time.
func (c *snapshotCache[T]) get(key any, build func() (T, error)) (T, error) {
	c.mu.Lock()
	var e *snapshotEntry[T]
	for i, x := range c.entries {
		if x.key == key {
			e = x
			copy(c.entries[1:i+1], c.entries[:i])
			c.entries[0] = e
			break
		}
	}
	if e == nil {
		e = &snapshotEntry[T]{key: key}
		c.entries = append([]*snapshotEntry[T]{e}, c.entries...)
		if len(c.entries) > snapshotCacheSize {
			c.entries = c.entries[:snapshotCacheSize]
		}
	}
	c.mu.Unlock()
	e.once.Do(func() { e.v, e.err = build() })
	return e.v, e.err
}

// keep drops the entries of every key but key.
func (c *snapshotCache[T]) keep(key any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = slices.DeleteFunc(c.entries, func(e *snapshotEntry[T]) bool { return e.key != key })
}

// Forget drops what the Searcher keeps of every snapshot but the one
// served now: its columns, words, statistics and results. A server calls
// it when it has swapped generations, before Warm: what it keeps of the
// generation swapped out (29 MB for news-2023) would otherwise stay until
// two more snapshots were searched, beside the new one's, and raise the
// server's peak memory at every reindex. A search still reading an older
// snapshot builds what it needs again.
func (s *Searcher) Forget() {
	r := s.snapshot()
	s.columns.keep(r)
	if is, ok := r.(*scorch.IndexSnapshot); ok {
		s.segColumns.keep(is.Segments())
	}
	s.spellings.keep(spellingKey(r))
	s.stats.keep(r)
	s.results.keep(r)
}

// Warm builds the columns of the generation being served, which the first
// search of a generation would otherwise pay for (about 0.3 s for 64,000
// documents). The server calls it when it starts and after each swap.
func (s *Searcher) Warm(ctx context.Context) error {
	if _, err := s.Search(ctx, Request{Size: 1, NoHighlight: true}); err != nil {
		return err
	}
	_, err := s.suggestDict(ctx) // and the words of did-you-mean
	return err
}

// hooks connect one bleve search to the columns of the snapshot it reads:
// they count its facets and give its sorts their values. They serve one
// collection at a time: the index searched is one generation (an alias
// over several would collect from each at once).
type hooks struct {
	cache     *snapshotCache[*columnSet]
	build     func(context.Context, index.IndexReader) (*columnSet, error) // the columns of a snapshot
	facetSize int                                                          // values per facet; 0: no facets
	collect   bool                                                         // keep the document number of every match in docs
	overdueAt int                                                          // index of the overdue facet in facetFields, -1 if none
	cutoff    int64                                                        // Unix nanoseconds a due date must be before to have passed
	cs        *columnSet
	counts    [][]int
	docs      []uint64
	fc        *facetCounter // of the collection under way; nil: no facets
	// tallied counts the matches handed to tally, not to the collector
	tallied uint64
}

// tally counts document n as a match that the collector is not handed
// (matchSink.tally): in the facets, the documents kept and tallied, as
// the collector's handler counts a match and its total.
func (h *hooks) tally(n uint64) {
	h.tallied++
	if h.collect {
		h.docs = append(h.docs, n)
	}
	if h.fc != nil {
		h.fc.add(n)
	}
}

// hooks returns the hooks of one request.
func (s *Searcher) hooks(r Request) *hooks {
	h := &hooks{cache: &s.columns, build: s.columnsOf, overdueAt: slices.Index(facetFields, corpus.FieldOverdue),
		cutoff: cutoff(s.today()).UnixNano()}
	if !r.NoFacets {
		h.facetSize = r.FacetSize
	}
	return h
}

// context returns ctx set up so that bleve's top-N collector, as it
// starts, binds the hooks to the snapshot it reads, and hands them every
// match before ranking it.
func (h *hooks) context(ctx context.Context) context.Context {
	maker := bsearch.MakeDocumentMatchHandler(func(sc *bsearch.SearchContext) (bsearch.DocumentMatchHandler, bool, error) {
		next, loadID, err := collector.MakeTopNDocumentMatchHandler(sc)
		if err != nil {
			return nil, false, err
		}
		cs, err := h.cache.get(sc.IndexReader, func() (*columnSet, error) {
			// not cancelled with the request: the columns outlive it
			return h.build(context.WithoutCancel(ctx), sc.IndexReader)
		})
		if err != nil {
			return nil, false, err
		}
		h.cs, h.docs, h.fc, h.tallied = cs, h.docs[:0], nil, 0
		if h.facetSize == 0 && !h.collect {
			return next, loadID, nil
		}
		h.counts = nil
		var fc *facetCounter
		if h.facetSize > 0 {
			fc = newFacetCounter(cs, h.overdueAt, h.cutoff)
			h.counts, h.fc = fc.counts, fc
		}
		return func(d *bsearch.DocumentMatch) error {
			if d != nil {
				n, ok := docNumber(d.IndexInternalID)
				if !ok {
					return fmt.Errorf("facets: internal id of %d bytes", len(d.IndexInternalID))
				}
				if h.collect {
					h.docs = append(h.docs, n)
				}
				if fc != nil {
					fc.add(n)
				}
			}
			return next(d)
		}, loadID, nil
	})
	return context.WithValue(ctx, bsearch.MakeDocumentMatchHandlerKey, maker)
}

// result returns, by facet name, the most frequent values of each facet
// (equal counts in the order of their values, as bleve orders its term
// facets); years newest first. Without hooks (Searcher.reference), they
// are bleve's facets of res.
func (h *hooks) result(res *bleve.SearchResult) map[string][]Count {
	out := map[string][]Count{}
	if h == nil {
		for name, fr := range res.Facets {
			counts := []Count{}
			if fr.Terms != nil {
				for _, t := range fr.Terms.Terms() {
					counts = append(counts, Count{Value: t.Term, Count: t.Count})
				}
			}
			out[name] = sortYears(name, counts)
		}
		referenceOverdue(out, res)
		return out
	}
	if h.facetSize == 0 {
		return out
	}
	for i, name := range facetFields {
		counts := []Count{}
		if h.counts != nil {
			for o, n := range h.counts[i] {
				if n > 0 {
					counts = append(counts, Count{Value: h.cs.cols[i].terms[o], Count: n})
				}
			}
		}
		sort.Slice(counts, func(a, b int) bool {
			if counts[a].Count != counts[b].Count {
				return counts[a].Count > counts[b].Count
			}
			return counts[a].Value < counts[b].Value
		})
		if len(counts) > h.facetSize {
			counts = counts[:h.facetSize]
		}
		out[name] = sortYears(name, counts)
	}
	return out
}

// sortYears puts the counts of the year facet in order, newest first: so
// years read best.
func sortYears(name string, counts []Count) []Count {
	if name == "year" {
		sort.Slice(counts, func(a, b int) bool { return counts[a].Value > counts[b].Value })
	}
	return counts
}

// dateSort orders by date as bleve's SortField on the date field does
// (missing dates last), from the date column.
type dateSort struct {
	h    *hooks
	desc bool
}

func (s *dateSort) Value(d *bsearch.DocumentMatch) string {
	n, _ := docNumber(d.IndexInternalID)
	if v := s.h.cs.date(n); v != "" {
		return v
	}
	if s.desc {
		return bsearch.LowTerm
	}
	return bsearch.HighTerm
}

// DecodeValue leaves the value as it is: bleve calls it for every match
// only to fill DocumentMatch.DecodedSort, which nothing here reads.
func (s *dateSort) DecodeValue(v string) string { return v }

func (s *dateSort) UpdateVisitor(string, []byte) {}
func (s *dateSort) Descending() bool             { return s.desc }
func (s *dateSort) RequiresDocID() bool          { return false }
func (s *dateSort) RequiresScoring() bool        { return false }
func (s *dateSort) RequiresFields() []string     { return nil }
func (s *dateSort) Reverse()                     { s.desc = !s.desc }
func (s *dateSort) Copy() bsearch.SearchSort     { c := *s; return &c }

// idSort orders by id as bleve's SortDocID does, from the id column
// rather than by reading every match's stored id.
type idSort struct{ h *hooks }

func (s *idSort) Value(d *bsearch.DocumentMatch) string {
	n, _ := docNumber(d.IndexInternalID)
	return s.h.cs.id(n)
}

func (s *idSort) DecodeValue(v string) string  { return v }
func (s *idSort) UpdateVisitor(string, []byte) {}
func (s *idSort) Descending() bool             { return false }
func (s *idSort) RequiresDocID() bool          { return false }
func (s *idSort) RequiresScoring() bool        { return false }
func (s *idSort) RequiresFields() []string     { return nil }
func (s *idSort) Reverse()                     {}
func (s *idSort) Copy() bsearch.SearchSort     { c := *s; return &c }

// scoreFirst has sr, a request ranked by score, then date, then id (the
// default), collect its matches by score alone, one more than the pages
// up to the one asked for, and returns the request as it was; nil, and
// sr unchanged, for any other request. bleve asks every match for the
// values of every sort before it compares it with the page: a broad
// query's thousands of matches, of which the date and id decide nothing
// unless two scores are equal. Ranked by score alone, bleve keeps them
// as they come (the fastest of its orders); pageByScore then orders the
// page by the full order, which is the same page unless the last match
// kept ties with the one before it.
func scoreFirst(sr *bleve.SearchRequest, h *hooks) *bleve.SearchRequest {
	if h == nil || sr.SearchAfter != nil || len(sr.Sort) != 3 {
		return nil
	}
	if _, ok := sr.Sort[0].(*bsearch.SortScore); !ok {
		return nil
	}
	full := *sr
	sr.Sort = bsearch.SortOrder{sr.Sort[0]}
	sr.From, sr.Size = 0, full.From+full.Size+1
	return &full
}

// pageByScore turns res, the best matches of full's query by score alone
// (scoreFirst), into the page full asks for, and reports whether it
// could. It cannot when the last match kept ties in score with the one
// before it: other matches of that score may not have been kept, and the
// full order could put one of them on the page. Otherwise the matches of
// the pages up to full's are exactly those kept (every match of their
// least score among them), ordered by the full order.
func pageByScore(res *bleve.SearchResult, full *bleve.SearchRequest) bool {
	hits := res.Hits
	window := full.From + full.Size
	if len(hits) > window {
		if hits[window].Score == hits[window-1].Score {
			return false
		}
		hits = hits[:window]
	}
	for _, dm := range hits {
		// the score sort's value is bleve's shared slice: not appended to
		dm.Sort, dm.DecodedSort = nil, nil
		full.Sort.Value(dm)
	}
	scoring, desc := full.Sort.CacheIsScore(), full.Sort.CacheDescending()
	sort.SliceStable(hits, func(i, j int) bool { return full.Sort.Compare(scoring, desc, hits[i], hits[j]) < 0 })
	res.Hits = hits[min(full.From, len(hits)):]
	return true
}
