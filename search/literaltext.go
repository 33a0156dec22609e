package search

import (
	"bytes"
	"fmt"
	"sort"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// The literal fields keep no positions (the index's layout since
// the mapping of indexer/analysis says so): a literal phrase's candidates
// are the documents that have every one of its bigrams, found from the
// postings, and a candidate is then verified, the way zoekt verifies its
// trigram candidates, against the field's own text, stored in the index
// and folded as the literal analyzer folds it. Positions were two thirds
// of the literal fields' cost in building an index and half of its size
// on disk, and most candidates need no verifying at all: a document whose
// word field has the phrase as one of jieba's words holds it (a Chinese
// word is a piece of the folded text), so only the rest are read.

// storesLiteral reports whether field, a literal field of the index's
// mapping, stores its text: an index built before positions were dropped
// does not, and keeps them instead, and its phrases are verified by
// their positions.
func storesLiteral(m mapping.IndexMapping, field string) bool {
	if m == nil {
		return false
	}
	fm := m.FieldMappingForPath(field)
	return fm.Store && !fm.IncludeTermVectors
}

// storedText reads one stored text field of a snapshot's documents by
// their numbers in the snapshot, and looks for a folded needle in it.
type storedText struct {
	segs    []*scorch.SegmentSnapshot
	offsets []uint64 // each segment's first document number
	field   string
	fold    func(rune) rune
	buf     []byte // the current document's field, folded
}

// newStoredText reads field of the documents of r, a scorch snapshot.
func newStoredText(r index.IndexReader, field string, fold func(rune) rune) (*storedText, error) {
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("search: stored text of a %T", r)
	}
	st := &storedText{segs: is.Segments(), field: field, fold: fold}
	var n uint64
	for _, s := range st.segs {
		st.offsets = append(st.offsets, n)
		n += s.Segment().Count() // deleted documents keep their numbers
	}
	return st, nil
}

// contains reports whether document doc's field, folded, holds needle.
func (st *storedText) contains(doc uint64, needle []byte) (bool, error) {
	i := sort.Search(len(st.offsets), func(i int) bool { return st.offsets[i] > doc }) - 1
	if i < 0 {
		return false, fmt.Errorf("search: document %d is in no segment", doc)
	}
	st.buf = st.buf[:0]
	found := false
	err := st.segs[i].VisitDocument(doc-st.offsets[i], func(field string, _ byte, value []byte, _ []uint64) bool {
		if field != st.field {
			return true
		}
		st.buf = foldInto(st.buf, value, st.fold)
		found = true
		return false
	})
	return found && bytes.Contains(st.buf, needle), err
}

// foldInto appends text to buf with every rune folded, decoded as the
// analyzers decode it (an invalid byte is one U+FFFD).
func foldInto(buf, text []byte, fold func(rune) rune) []byte {
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		buf = utf8.AppendRune(buf, fold(r))
		i += size
	}
	return buf
}
