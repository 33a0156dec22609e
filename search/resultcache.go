package search

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// A search's answer depends only on the index snapshot it reads, the
// request, the synonyms and the day (overdue), so the results of searches
// are kept for the snapshot being served and dropped as soon as another
// one is (a swap, or a live document written): staff page back and forth,
// open a hit and come back, click a facet and clear it, and the same
// request comes again and again. Listings (the empty query: the staff
// UI's first page, a click on a facet with no words typed) are the
// dearest requests there are, every document of the index or of a filter
// counted in every facet and sorted by date: on the index of all
// ../shared/corpora one cost 51 ms against 19 ms for 乡村振兴
// (BenchmarkResultCache).

// Bounds of the result cache: the largest page kept (a hit may hold its
// whole document), and what the memory of the entries is reckoned by.
const (
	resultCacheMaxSize = 20
	// DefaultResultCacheMB is the memory the results of one snapshot
	// may take by default (Options.ResultCacheMB). A page of ten news
	// articles the API asked for, with its highlights and facets, is
	// reckoned at about 25 KB, so some six hundred requests; the 200
	// queries of the news load (BenchmarkNewsLoad) are reckoned at 4.91
	// MB together, and took 5.2 MB of live heap. Before the API's pages
	// were kept without their hits' documents (Request.NoDocs), a page
	// was reckoned at 40 KB and held 1.25 times that: 8.14 MB and 10.2
	// MB for the same 200, 40.7 and 51.1 MB for 1,000 news queries
	// against 24.5 and 25.9 MB now. Then, on the news load, serve's RSS
	// was 372 MB with 16 MB (the cache holding its 8 MB of pages),
	// against 363 MB with 8 MB; with 1,000 queries, which filled it, 454
	// MB against 424 MB (anonymous 268 against 245 MB; the rest is the
	// index's pages, which more queries touch more of), for 1,042
	// requests/s against 881 (one run of each).
	DefaultResultCacheMB = 16
	resultOverhead       = 2048 // bytes reckoned for a result beyond its hits' text
	hitOverhead          = 512  // and for each hit beyond its text
)

// resultCache holds the results of searches of one snapshot, one of the
// less recently used dropped (evict) whenever they would take more than
// max bytes.
type resultCache struct {
	mu sync.Mutex // guards the fields below
	// snap is the snapshot the entries were computed on: only compared,
	// never read, and held so that its address is not reused by another.
	snap    index.IndexReader
	entries map[string]*cachedResult
	order   []string // keys, least recently used first
	bytes   int64    // the entries' size, as resultBytes reckons it
	max     int64    // bytes the entries may take; 0: no caching
	served  int      // results answered from the cache
	missed  int      // results asked of it and not found
	victims rand.PCG // chooses what is dropped (evict)
}

type cachedResult struct {
	res   *Result
	bytes int64
}

// Search runs a request.
func (s *Searcher) Search(ctx context.Context, r Request) (*Result, error) {
	start := time.Now()
	key, snap := s.resultKey(r)
	if snap == nil {
		return s.search(ctx, r)
	}
	if res := s.results.get(snap, key); res != nil {
		res.TookMS = float64(time.Since(start).Microseconds()) / 1000
		return res, nil
	}
	res, err := s.search(ctx, r)
	if err == nil {
		s.results.put(snap, key, res)
	}
	return res, err
}

// resultKey returns the cache key of a request and the snapshot being
// served, or a nil snapshot when the request is not cached: the cache is
// off, the request asks for no cache, or it is invalid or its page too
// large.
func (s *Searcher) resultKey(r Request) (string, index.IndexReader) {
	if s.reference || r.NoCache || !s.results.on() || r.normalize(s.Limits) != nil || r.Size > resultCacheMaxSize {
		return "", nil
	}
	snap := s.snapshot()
	if snap == nil {
		return "", nil
	}
	// every field, unexported and untagged ones too; maps print sorted;
	// the synonyms by identity (SetSynonyms replaces them whole)
	return fmt.Sprintf("%s|%p|%#v", s.today(), s.Synonyms(), r), snap
}

// snapshot returns the index snapshot searches read now, or nil if it
// cannot tell. Only its identity is used: its reference is given back.
func (s *Searcher) snapshot() index.IndexReader {
	ai, err := s.Index.Advanced()
	if err != nil {
		return nil
	}
	r, err := ai.Reader()
	if err != nil || r == nil {
		return nil
	}
	if sn, ok := r.(*scorch.IndexSnapshot); ok && sn == nil {
		return nil
	}
	r.Close()
	return r
}

// setMax sets the memory the cache may take, in bytes; 0 turns it off.
func (c *resultCache) setMax(max int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.max = max
	c.snap, c.entries, c.order, c.bytes = nil, nil, nil, 0
}

func (c *resultCache) on() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.max > 0
}

// get returns a copy of the result kept for key on snap, or nil.
func (c *resultCache) get(snap index.IndexReader, key string) *Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[key]
	if c.snap != snap || e == nil {
		c.missed++
		return nil
	}
	if i := slices.Index(c.order, key); i >= 0 { // now the most recently used
		c.order = append(slices.Delete(c.order, i, i+1), key)
	}
	c.served++
	return cloneResult(e.res)
}

// CacheStats are the figures of a Searcher's result cache since it was
// made: what a server's /metrics tells of it.
type CacheStats struct {
	Hits    int   // searches answered from the cache
	Misses  int   // searches that could have been and were computed
	Entries int   // results kept now
	Bytes   int64 // their size as reckoned (resultBytes)
	Max     int64 // the memory they may take; 0: the cache is off
}

// ResultCacheStats returns the figures of the result cache. Whether the
// searches that come again are answered from it, or pushed out by others
// before they come (see evict), is for hits and misses to say.
func (s *Searcher) ResultCacheStats() CacheStats {
	c := &s.results
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Hits: c.served, Misses: c.missed, Entries: len(c.entries), Bytes: c.bytes, Max: c.max}
}

// keep drops the entries unless they are of snap.
func (c *resultCache) keep(snap index.IndexReader) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap != snap {
		c.snap, c.entries, c.order, c.bytes = nil, nil, nil, 0
	}
}

// put keeps a copy of res for key on snap, dropping the entries of any
// other snapshot and, past the cache's memory, what evict chooses.
func (c *resultCache) put(snap index.IndexReader, key string, res *Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := resultBytes(res) + int64(len(key))
	if c.max <= 0 || n > c.max/4 {
		return
	}
	if c.snap != snap {
		c.snap, c.entries, c.order, c.bytes = snap, map[string]*cachedResult{}, nil, 0
	}
	if _, ok := c.entries[key]; ok {
		return
	}
	for len(c.order) > 0 && c.bytes+n > c.max {
		c.evict()
	}
	c.entries[key] = &cachedResult{res: cloneResult(res), bytes: n}
	c.order = append(c.order, key)
	c.bytes += n
}

// evict drops an entry: one of the three quarters least recently used,
// at random, never one of the latest quarter.
//
// Dropping the least recently used itself, as the cache did, answers
// nothing from it when the same requests come round again and again and
// take a little more than its memory: each is dropped just before it
// comes again. The load benchmarks are such rounds (200 queries), and so
// is any client that cycles through more searches than fit. The news
// load's 200 fitted in the 8 MB of then with 4% to spare; in 7 MB or 6
// MB, none of their second round was answered from the cache, and this
// way 150 and 105 of 200 were. A victim at random keeps some of a round
// in the cache whatever its length, and the latest quarter is what staff
// come back to (the page they left, a facet they clear). Over rounds of
// 1.05, 1.25, 1.5 and 2 times what fits, 87%, 53%, 31% and 13% of the
// requests were answered from the cache (TestResultCacheRounds).
func (c *resultCache) evict() {
	i := 0
	if n := len(c.order) * 3 / 4; n > 1 {
		i = int(c.victims.Uint64() % uint64(n))
	}
	key := c.order[i]
	c.bytes -= c.entries[key].bytes
	delete(c.entries, key)
	c.order = slices.Delete(c.order, i, i+1)
}

// resultBytes reckons the memory a result holds: the text of its hits'
// documents and highlights, beside fixed overheads. It is what grows with
// the documents; the rest is small and about the same for every result.
func resultBytes(r *Result) int64 {
	n := int64(resultOverhead)
	for _, h := range r.Hits {
		n += hitOverhead + int64(len(h.Title)+len(h.Snippet)+len(h.Reply))
		for _, hl := range h.Highlights {
			for _, s := range hl {
				n += int64(len(s))
			}
		}
		if d := h.Doc; d != nil {
			n += int64(len(d.Title) + len(d.Body) + len(d.Reply))
		}
	}
	for _, counts := range r.Facets {
		n += int64(len(counts)) * 48
	}
	return n
}

// cloneResult copies what a caller might change in a result: its hits,
// their highlights and lists, and the facets. Documents are shared.
func cloneResult(r *Result) *Result {
	out := *r
	out.Hits = slices.Clone(r.Hits)
	for i := range out.Hits {
		h := &out.Hits[i]
		h.Highlights = maps.Clone(h.Highlights)
		for _, l := range h.lists() {
			*l = slices.Clone(*l)
		}
	}
	if r.Facets != nil {
		out.Facets = make(map[string][]Count, len(r.Facets))
		for k, v := range r.Facets {
			out.Facets[k] = slices.Clone(v)
		}
	}
	out.Expanded = maps.Clone(r.Expanded)
	return &out
}
