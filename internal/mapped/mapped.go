// Package mapped reaches the segment files a scorch index snapshot maps
// into memory, for the advice the kernel takes about them (madvise,
// posix_fadvise): how a search reads them (search), and which of their
// pages a build keeps mapped (indexer).
package mapped

import (
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// File is a segment file a snapshot maps: its path and its mapped bytes,
// which begin on a page. They stay mapped while the snapshot is open.
type File struct {
	Path string
	Data []byte
}

// Files lists the segment files the snapshot r maps: none when r is not a
// scorch snapshot, and none for a segment still in memory (a batch not
// yet persisted).
func Files(r index.IndexReader) []File {
	sn, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil
	}
	var out []File
	for _, ss := range sn.Segments() {
		m, ok := ss.Segment().(interface {
			Data() []byte
			Path() string
		})
		if !ok {
			continue
		}
		if data := m.Data(); len(data) > 0 {
			out = append(out, File{Path: m.Path(), Data: data})
		}
	}
	return out
}
