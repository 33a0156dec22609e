package indexer

import (
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"

	"minsheng/internal/mapped"
)

// unmapEvery is how often a build gives back the pages of its segment
// files it has mapped (see unmapSegments).
const unmapEvery = 200 * time.Millisecond

// unmapSegments keeps the segment files of idx, an index being built, out
// of the build's resident memory until stop is called, which waits for
// the last round: every unmapEvery it unmaps the pages of each segment
// file the index maps (mapped.File.Unmap). The pages stay in the page
// cache, and a read of one maps it again.
//
// With drop, the first time it sees a file it also drops the file's
// pages from the page cache and advises the mapping random
// (mapped.DropCached, mapped.File.AdviseRandom). fill drops: the kernel
// caches a file just written in the large pieces it was written in (up to
// 2 MB), and maps such a piece whole when one page of it is read, so
// that scorch's reading the footer of each segment it writes mapped most
// of every segment. compact does not: it reads every page of every
// segment once, and the drop made it read them from the disk page by
// page (the merge of news-2023 took 34 s against 15 s).
//
// All of news-2023 (`minsheng index`, /usr/bin/time, alternated runs):
// peak RSS 1,397 and 1,377 MB before, 841 and 840 MB with both, for 5%
// more CPU; the anonymous memory alone peaks at about 785 MB. Unmapping
// alone (no drop in fill) peaked at 1,103 MB: what fill maps it maps
// faster than every 200 ms.
func unmapSegments(idx bleve.Index, drop bool) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		seen := map[string]bool{}
		t := time.NewTicker(unmapEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				unmapOnce(idx, drop, seen)
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// unmapOnce unmaps the pages of the segment files of idx's current
// snapshot, which it holds open meanwhile, so that no file is unmapped
// (and its addresses given to another mapping) under it. With drop, a
// file not in seen is dropped from the page cache and advised random, and
// added to seen.
func unmapOnce(idx bleve.Index, drop bool, seen map[string]bool) {
	r, err := snapshot(idx)
	if err != nil {
		return
	}
	defer r.Close()
	for _, f := range mapped.Files(r) {
		f.Unmap()
		if drop && !seen[f.Path] {
			seen[f.Path] = true
			f.AdviseRandom()
			mapped.DropCached(f.Path)
		}
	}
}
