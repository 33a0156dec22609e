package literal

import (
	"path/filepath"
	"strings"
	"sync"

	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// cache holds each segment's bigram index, or that it has none, for as
// long as the segment's index is open (Forget) and the segment is among
// the last maxCached asked about. An index dropped from it closes its
// file once the last reader in flight is done with it (os.File's
// finalizer): nothing reads a closed file.
var cache = &segmentCache{m: map[segment.Segment]*cached{}}

const maxCached = 64

type segmentCache struct {
	mu   sync.Mutex
	m    map[segment.Segment]*cached
	tick uint64
}

type cached struct {
	once sync.Once
	x    *Index
	err  error
	used uint64
	// the folded texts written beside the segment (FoldedFor)
	foldOnce sync.Once
	fold     *Folded
	foldErr  error
}

// For returns seg's bigram index, or nil when seg has its literal fields
// itself, as Ensure does, once per segment.
func For(seg segment.Segment) (*Index, error) {
	e := cache.entry(seg)
	e.once.Do(func() { e.x, e.err = Ensure(seg) })
	if e.err != nil {
		cache.retry(seg, e)
	}
	return e.x, e.err
}

// FoldedFor returns the folded texts written beside seg, or nil when
// there are none (see openFolded), once per segment.
func FoldedFor(seg segment.Segment) (*Folded, error) {
	e := cache.entry(seg)
	e.foldOnce.Do(func() { e.fold, e.foldErr = openFolded(seg) })
	if e.foldErr != nil {
		cache.retry(seg, e)
	}
	return e.fold, e.foldErr
}

// entry is seg's entry, made if it has none, the least recently used
// dropped if the cache is full.
func (c *segmentCache) entry(seg segment.Segment) *cached {
	c.mu.Lock()
	c.tick++
	e, ok := c.m[seg]
	if !ok {
		if len(c.m) >= maxCached {
			var oldest segment.Segment
			for s, o := range c.m {
				if oldest == nil || o.used < c.m[oldest].used {
					oldest = s
				}
			}
			delete(c.m, oldest)
		}
		e = &cached{}
		c.m[seg] = e
	}
	e.used = c.tick
	c.mu.Unlock()
	return e
}

// retry drops e, seg's entry, after an error: asked again, tried again.
func (c *segmentCache) retry(seg segment.Segment, e *cached) {
	c.mu.Lock()
	if c.m[seg] == e {
		delete(c.m, seg)
	}
	c.mu.Unlock()
}

// Forget drops the bigram indexes and folded texts of the segments of the
// index at path, once it is closed: their files are closed when no search
// reads them.
func Forget(path string) {
	store := filepath.Join(path, "store") + string(filepath.Separator)
	c := cache
	c.mu.Lock()
	defer c.mu.Unlock()
	for s := range c.m {
		if p := PathOf(s); p != "" && strings.HasPrefix(p, store) {
			delete(c.m, s)
		}
	}
}
