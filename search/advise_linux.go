package search

import (
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	"golang.org/x/sys/unix"
)

// adviseRandom tells the kernel that the segment files a snapshot maps
// are read at random (madvise MADV_RANDOM), as Lucene does for its
// mapped index files: a search reads a posting list here, a stored
// document there, and without the advice each page it touches first
// brings in the read-ahead around it (8 MB on the disk of our test
// machine) and the process maps what it finds in the page cache around
// the page, so that within a few hundred searches the serving process
// maps nearly the whole index. Segments not mapped from a file (a batch
// not yet persisted) are left alone; an error only loses the advice.
func adviseRandom(r index.IndexReader) {
	sn, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return
	}
	for _, ss := range sn.Segments() {
		if m, ok := ss.Segment().(interface{ Data() []byte }); ok {
			if data := m.Data(); len(data) > 0 {
				_ = unix.Madvise(data, unix.MADV_RANDOM)
			}
		}
	}
}
