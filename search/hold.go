package search

import (
	"context"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"

	"minsheng/corpus"
)

// A page's hits are read from the snapshot the search read, and of each
// only its stored document (corpus.FieldStored): bleve's own loading of
// a hit's fields (SearchRequest.Fields) looks its id up again and copies
// every stored field of it, the folded texts of the literal phrases
// too, about a quarter of what a search allocated on the news load.
// bleve closes its snapshot as the search returns, so the search's query
// holds a reference to it (snapshotHold) until the hits are read.

type snapshotHoldKey struct{}

// snapshotHold keeps the one snapshot a search read, from the moment its
// query is searched until release.
type snapshotHold struct {
	mu      sync.Mutex
	snap    *scorch.IndexSnapshot
	readers int // snapshots the search read: more than one (an alias of several indexes), none held
}

// withSnapshotHold returns ctx with h, which the search's query fills.
func withSnapshotHold(ctx context.Context, h *snapshotHold) context.Context {
	return context.WithValue(ctx, snapshotHoldKey{}, h)
}

// holdSnapshot has the hold of ctx, if any, keep r.
func holdSnapshot(ctx context.Context, r index.IndexReader) {
	if h, ok := ctx.Value(snapshotHoldKey{}).(*snapshotHold); ok {
		h.add(r)
	}
}

func (h *snapshotHold) add(r index.IndexReader) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.readers++
	if h.readers > 1 {
		h.drop()
		return
	}
	if sn, ok := r.(*scorch.IndexSnapshot); ok && sn != nil {
		sn.AddRef()
		h.snap = sn
	}
}

func (h *snapshotHold) drop() {
	if h.snap != nil {
		_ = h.snap.DecRef()
		h.snap = nil
	}
}

// release gives the snapshot back; the hold is empty again.
func (h *snapshotHold) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop()
	h.readers = 0
}

// stored returns the stored documents of hits, by the snapshot held;
// ok is false when none is held, and the caller reads them otherwise.
func (h *snapshotHold) stored(ids []index.IndexInternalID) (docs []string, ok bool, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.snap == nil {
		return nil, false, nil
	}
	st, err := newStoredText(h.snap, corpus.FieldStored)
	if err != nil {
		return nil, false, err
	}
	docs = make([]string, len(ids))
	for i, id := range ids {
		n, err := docNum(id)
		if err != nil {
			return nil, false, err
		}
		v, err := st.value(n)
		if err != nil {
			return nil, false, err
		}
		docs[i] = v
	}
	return docs, true, nil
}
