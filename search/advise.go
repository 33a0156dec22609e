package search

import (
	"errors"
	"io/fs"
	"os"
	"sync"

	index "github.com/blevesearch/bleve_index_api"

	"minsheng/internal/mapped"
)

// adviseRandom tells the kernel that the segment files a snapshot maps
// are read at random (madvise MADV_RANDOM), as Lucene does for its
// mapped index files: a search reads a posting list here, a stored
// document there, and without the advice each page it touches first
// brings in the read-ahead around it (8 MB on the disk of our test
// machine) and the process maps what it finds in the page cache around
// the page, so that within a few hundred searches the serving process
// maps nearly the whole index.
//
// The pages of a segment file the process has not read yet are dropped
// from the page cache too (mapped.DropCached), once a file: a file just
// written (a build's, a merge's) is cached in the large pieces it was
// written in, and a search that touches one page of such a piece maps
// all of it. On the news load, an index a reindex job had just written
// was mapped to 360 MB of the server's RSS after 200 searches, and to
// 161 MB once its cached pages were dropped. The price: the first searches of a new
// segment read its pages from the disk, one by one (200 searches one
// after another took 2.7 s after the drop, 1.6 s once cached).
// Segments not mapped from a file (a batch not yet persisted) are left
// alone; an error only loses the advice.
func adviseRandom(r index.IndexReader) {
	for _, f := range mapped.Files(r) {
		f.AdviseRandom()
		if dropped.first(f.Path) {
			mapped.DropCached(f.Path)
		}
	}
}

// dropped holds the segment files whose cached pages were dropped, by
// path: a segment file is written once, under a name of its own.
var dropped droppedFiles

// droppedFiles is a set of paths that forgets the files that are gone:
// merges and reindexes write new segment files all the life of a server
// and remove the old ones, which the set would otherwise keep for ever.
type droppedFiles struct {
	mu    sync.Mutex
	paths map[string]bool
	kept  int // paths after the last sweep
}

// first adds path and reports whether it was not in the set. When the set
// has doubled since its last sweep, the paths of files that no longer
// exist leave it.
func (d *droppedFiles) first(path string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.paths[path] {
		return false
	}
	if d.paths == nil {
		d.paths = map[string]bool{}
	}
	d.paths[path] = true
	if len(d.paths) > 2*d.kept+64 {
		for p := range d.paths {
			if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
				delete(d.paths, p)
			}
		}
		d.kept = len(d.paths)
	}
	return true
}
