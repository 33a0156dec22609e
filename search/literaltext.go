package search

import (
	"bytes"
	"fmt"
	"slices"
	"sort"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"minsheng/indexer/literal"
)

// The literal fields keep no positions: a literal phrase's candidates are
// the documents that have every one of its bigrams, found from the
// postings, and a candidate is then verified, the way zoekt verifies its
// trigram candidates, against the field's text as the literal analyzer
// folds it, which the build stores beside it (corpus.FoldedOf). Positions
// were a third of the literal fields' cost in building an index and half
// of the index on disk. Most candidates need no reading at all: a document
// whose word field has the phrase as one of jieba's words holds it (a
// Chinese word is a piece of the folded text), so only the rest are read.
// An index built before has positions and no folded text, and its
// phrases are checked by their positions.

// storesFolded reports whether the index's mapping stores field, the
// folded text of a word field.
func storesFolded(m mapping.IndexMapping, field string) bool {
	return m != nil && m.FieldMappingForPath(field).Store
}

// storedText reads one stored field of a snapshot's documents by their
// numbers in the snapshot: a folded field from the folded texts a build
// writes beside a segment (literal.Folded), which hold that field alone,
// or else from the document's stored fields, which zap decodes whole.
type storedText struct {
	segs    []*scorch.SegmentSnapshot
	folded  []*literal.Folded // per segment, nil: none
	offsets []uint64          // each segment's first document number
	field   string
}

// newStoredText reads field of the documents of r, a scorch snapshot.
func newStoredText(r index.IndexReader, field string) (*storedText, error) {
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("search: stored text of a %T", r)
	}
	st := &storedText{segs: is.Segments(), field: field}
	st.folded = make([]*literal.Folded, len(st.segs))
	folded := slices.Contains(literal.FoldedFields, field)
	var n uint64
	for i, s := range st.segs {
		st.offsets = append(st.offsets, n)
		n += s.Segment().Count() // deleted documents keep their numbers
		if folded {
			x, err := literal.FoldedFor(s.Segment())
			if err != nil {
				return nil, err
			}
			st.folded[i] = x
		}
	}
	return st, nil
}

// contains reports whether document doc's field holds needle.
func (st *storedText) contains(doc uint64, needle []byte) (bool, error) {
	holds := false
	err := st.visit(doc, func(value []byte) { holds = bytes.Contains(value, needle) })
	return holds, err
}

// value returns document doc's field, "" if it has none.
func (st *storedText) value(doc uint64) (string, error) {
	var out string
	err := st.visit(doc, func(value []byte) { out = string(value) })
	return out, err
}

// visit calls f with document doc's field, if it has one; the value is
// valid only during the call.
func (st *storedText) visit(doc uint64, f func(value []byte)) error {
	i := sort.Search(len(st.offsets), func(i int) bool { return st.offsets[i] > doc }) - 1
	if i < 0 {
		return fmt.Errorf("search: document %d is in no segment", doc)
	}
	if x := st.folded[i]; x != nil {
		return x.Visit(st.field, doc-st.offsets[i], f)
	}
	return st.segs[i].VisitDocument(doc-st.offsets[i], func(field string, _ byte, value []byte, _ []uint64) bool {
		if field != st.field {
			return true
		}
		f(value)
		return false
	})
}
