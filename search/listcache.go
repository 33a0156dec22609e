package search

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// The empty query lists documents (the staff UI's first page, a click on
// a facet with no words typed) and is the dearest request there is: every
// document of the index, or of a filter, is counted in every facet and
// sorted by date. On the index of all ../shared/corpora it cost 51 ms
// against 19 ms for 乡村振兴 (BenchmarkListCache). Its answer depends only
// on the index snapshot, the request and the day (overdue), so the
// results of listings are kept for the snapshot being served and dropped
// as soon as another one is (a swap, or a live document written).

// Bounds of the listing cache: entries, and the largest page kept (a hit
// holds its whole document).
const (
	listCacheSize    = 64
	listCacheMaxSize = 20
)

// listCache holds the results of listings of one snapshot.
type listCache struct {
	mu sync.Mutex // guards the fields below
	// snap is the snapshot the entries were computed on: only compared,
	// never read, and held so that its address is not reused by another.
	snap    index.IndexReader
	entries map[string]*Result
	order   []string // keys, oldest first
	served  int      // results answered from the cache (tests)
	off     bool     // no caching (benchmarks compare)
}

// Search runs a request.
func (s *Searcher) Search(ctx context.Context, r Request) (*Result, error) {
	start := time.Now()
	key, snap := s.listKey(r)
	if snap == nil {
		return s.search(ctx, r)
	}
	if res := s.lists.get(snap, key); res != nil {
		res.TookMS = float64(time.Since(start).Microseconds()) / 1000
		return res, nil
	}
	res, err := s.search(ctx, r)
	if err == nil {
		s.lists.put(snap, key, res)
	}
	return res, err
}

// listKey returns the cache key of a listing request and the snapshot
// being served, or a nil snapshot when the request is not cached: it has
// words, is invalid, pages past the first ones or is too large.
func (s *Searcher) listKey(r Request) (string, index.IndexReader) {
	if s.reference || strings.TrimSpace(r.Query) != "" || r.normalize(s.Limits) != nil || r.Size > listCacheMaxSize {
		return "", nil
	}
	snap := s.snapshot()
	if snap == nil {
		return "", nil
	}
	// every field, unexported and untagged ones too; maps print sorted
	return fmt.Sprintf("%s|%#v", s.today(), r), snap
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

// get returns a copy of the result kept for key on snap, or nil.
func (c *listCache) get(snap index.IndexReader, key string) *Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.off || c.snap != snap {
		return nil
	}
	res := c.entries[key]
	if res == nil {
		return nil
	}
	c.served++
	return cloneResult(res)
}

// put keeps a copy of res for key on snap, dropping the entries of any
// other snapshot and, past listCacheSize, the oldest.
func (c *listCache) put(snap index.IndexReader, key string, res *Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.off {
		return
	}
	if c.snap != snap {
		c.snap, c.entries, c.order = snap, map[string]*Result{}, nil
	}
	if _, ok := c.entries[key]; ok {
		return
	}
	if len(c.order) >= listCacheSize {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	c.entries[key] = cloneResult(res)
	c.order = append(c.order, key)
}

// cloneResult copies what a caller might change in a result: its hits,
// their highlights and lists, and the facets. Documents are shared.
func cloneResult(r *Result) *Result {
	out := *r
	out.Hits = slices.Clone(r.Hits)
	for i := range out.Hits {
		h := &out.Hits[i]
		h.Highlights = maps.Clone(h.Highlights)
		h.Topics, h.Units, h.Sort = slices.Clone(h.Topics), slices.Clone(h.Units), slices.Clone(h.Sort)
		h.Matched, h.Missing, h.Shared = slices.Clone(h.Matched), slices.Clone(h.Missing), slices.Clone(h.Shared)
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
