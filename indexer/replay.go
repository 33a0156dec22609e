package indexer

import (
	"os"
	"sort"
	"strconv"
	"time"

	index "github.com/blevesearch/bleve_index_api"

	"minsheng/corpus"
	"minsheng/indexer/wal"
)

// replay lays the write-ahead log over the documents of a build's sources.
// A document changed through the API and also in a source file is taken
// from whichever changed later: the log's record time against the source
// file's modification time. Documents only the log has are added after
// the sources. A build without a log (st nil) replays nothing.
type replay struct {
	st      *wal.State
	mtime   time.Time       // of the source file being read
	seen    map[string]bool // ids of the log met in the sources
	dropped int             // source documents left out: deleted later through the API
}

func newReplay(st *wal.State) *replay {
	return &replay{st: st, seen: make(map[string]bool)}
}

// file notes the source file whose documents come next.
func (r *replay) file(path string) {
	r.mtime = time.Time{}
	if fi, err := os.Stat(path); err == nil {
		r.mtime = fi.ModTime()
	}
}

// source returns what to index for a document of the sources: itself, the
// log's later version, or nil when the log deleted it later.
func (r *replay) source(d *corpus.Doc) *corpus.Doc {
	if r.st == nil {
		return d
	}
	e, ok := r.st.Entries[d.ID]
	if !ok {
		return d
	}
	r.seen[d.ID] = true
	if !e.Time.After(r.mtime) {
		return d // the source file changed after the API did
	}
	if e.Deleted {
		r.dropped++
		return nil
	}
	return cloneDoc(e.Doc)
}

// rest returns the log's documents the sources did not have, by id.
func (r *replay) rest() []*corpus.Doc {
	if r.st == nil {
		return nil
	}
	var out []*corpus.Doc
	for id, e := range r.st.Entries {
		if !r.seen[id] && !e.Deleted {
			out = append(out, cloneDoc(e.Doc))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// mark stores the log's sequence number in a build's last batch.
func (r *replay) mark(b *index.Batch) {
	if r.st != nil {
		b.SetInternal([]byte(KeyLogSeq), []byte(strconv.FormatUint(r.st.Seq, 10)))
	}
}
