package literal

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	segment "github.com/blevesearch/scorch_segment_api/v2"

	"minsheng/internal/mapped"
)

// A literal phrase's candidates are verified against the folded text of
// their fields (search's literaltext.go). zap keeps a document's stored
// fields in one compressed block, its whole JSON and the folded text of
// every field together, so that verifying one field decoded them all: of
// the 25 CPU-ms of the phrase "高质量发展" on all of ../shared/corpora
// (3,213 hits, BenchmarkQueryMix), 80% went to decoding stored documents.
// A build therefore also writes each segment's folded texts, plain, beside
// it (NAME.zap.fold), and a verification reads the one field it needs.
// An index without the file (built before, or a live segment) is verified
// against what it stores, as before.
//
// The file: foldMagic; each document's folded fields in FoldedFields'
// order, one after another; the index: the number of fields (uint32), each
// field's name (uint16 length, then its bytes), the number of documents
// (uint64) and each document's length of each field (uint32, document
// after document); the offset of the index (uint64) and foldMagic again.
// Integers are little-endian.

// FoldedExt is the extension of a segment's folded texts, written beside
// the segment's file (NAME.zap.fold).
const FoldedExt = ".fold"

// foldMagic starts and ends the file; its last byte is the format's version.
var foldMagic = []byte("msfold\x00\x01")

// FoldedPathOf is the file of seg's folded texts, or "" when seg is not on
// disk.
func FoldedPathOf(seg segment.Segment) string {
	if p := PathOf(seg); p != "" {
		return p[:len(p)-len(Ext)] + FoldedExt
	}
	return ""
}

// FoldedWriter writes the folded texts of a segment's documents lo to hi
// (excluded) to a temporary file, document after document; the parts of
// one segment are joined into its file (Close, joinFolded).
type FoldedWriter struct {
	f    *os.File
	w    *bufio.Writer
	path string // the file the writer is closed to (NewFoldedWriter)
	lo   uint64
	lens []uint32 // per document, per field
	next uint64   // the least index into lens Add takes
	off  uint64   // bytes of text written
	err  error
}

// NewFoldedWriter starts the folded texts of docs documents, written to
// path when Close is called (through a temporary file in its folder).
func NewFoldedWriter(path string, docs uint64) (*FoldedWriter, error) {
	w, err := newFoldedPart(filepath.Dir(path), 0, docs)
	if err != nil {
		return nil, err
	}
	w.path = path
	return w, nil
}

// newFoldedPart starts the folded texts of documents lo to hi (excluded)
// in a temporary file in dir; the part of document 0 starts with the
// file's magic.
func newFoldedPart(dir string, lo, hi uint64) (*FoldedWriter, error) {
	f, err := os.CreateTemp(dir, "fold-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("literal: %w", err)
	}
	w := &FoldedWriter{f: f, w: bufio.NewWriterSize(f, 1<<20), lo: lo,
		lens: make([]uint32, (hi-lo)*uint64(len(FoldedFields)))}
	if lo == 0 {
		_, w.err = w.w.Write(foldMagic)
	}
	return w, nil
}

// Add writes the text of field (an index into FoldedFields) of document
// doc. Documents come in increasing number, and the fields of one in
// FoldedFields' order, each once; a field not added is empty.
func (w *FoldedWriter) Add(doc uint64, field int, text []byte) error {
	if w.err != nil {
		return w.err
	}
	i := (doc-w.lo)*uint64(len(FoldedFields)) + uint64(field)
	switch {
	case doc < w.lo || field < 0 || field >= len(FoldedFields) || i >= uint64(len(w.lens)):
		w.err = fmt.Errorf("literal: folded text of document %d, field %d, in a part of %d documents from %d",
			doc, field, len(w.lens)/len(FoldedFields), w.lo)
	case i < w.next:
		w.err = fmt.Errorf("literal: folded text of document %d, field %d, out of order", doc, field)
	case len(text) > 1<<31:
		w.err = fmt.Errorf("literal: folded text of document %d is %d bytes", doc, len(text))
	default:
		w.next = i + 1
		w.lens[i] = uint32(len(text))
		w.off += uint64(len(text))
		_, w.err = w.w.Write(text)
	}
	return w.err
}

// Close writes the file to its path (NewFoldedWriter).
func (w *FoldedWriter) Close() error { return joinFolded(w.path, []*FoldedWriter{w}) }

// Abort removes what was written.
func (w *FoldedWriter) Abort() {
	w.f.Close()
	os.Remove(w.f.Name())
}

// joinFolded writes the parts of a segment's folded texts, in the order
// of their documents, to path: the others are copied after the first,
// then the index is written, the file synced and renamed to path. Every
// part is removed after an error, and the others in any case.
func joinFolded(path string, parts []*FoldedWriter) error {
	var err error
	defer func() {
		for i, p := range parts {
			if i > 0 || err != nil {
				p.Abort()
			}
		}
	}()
	if len(parts) == 0 || parts[0].lo != 0 {
		err = fmt.Errorf("literal: folded texts of %s: no first part", path)
		return err
	}
	first := parts[0]
	var lens []uint32
	var off uint64
	for i, p := range parts {
		if err = p.err; err == nil {
			err = p.w.Flush()
		}
		if err == nil && i > 0 {
			if _, err = p.f.Seek(0, io.SeekStart); err == nil {
				_, err = io.Copy(first.f, p.f)
			}
		}
		if err != nil {
			return fmt.Errorf("literal: write %s: %w", path, err)
		}
		lens = append(lens, p.lens...)
		off += p.off
	}
	var buf []byte
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(FoldedFields)))
	for _, name := range FoldedFields {
		buf = binary.LittleEndian.AppendUint16(buf, uint16(len(name)))
		buf = append(buf, name...)
	}
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(lens)/len(FoldedFields)))
	for _, n := range lens {
		buf = binary.LittleEndian.AppendUint32(buf, n)
	}
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(foldMagic))+off)
	buf = append(buf, foldMagic...)
	if _, err = first.f.Write(buf); err == nil {
		err = first.f.Sync()
	}
	if cerr := first.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(first.f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("literal: write %s: %w", path, err)
	}
	return nil
}

// WriteFolded writes the folded texts of the builder's documents to path,
// when it has them (BuildMergedFolded); it is an error when it has none.
func (b *Builder) WriteFolded(path string) error {
	parts := b.folds
	b.folds = nil
	if parts == nil {
		return fmt.Errorf("literal: no folded texts to write to %s", path)
	}
	return joinFolded(path, parts)
}

// DiscardFolded removes the folded texts the builder was writing, if any.
func (b *Builder) DiscardFolded() {
	for _, p := range b.folds {
		p.Abort()
	}
	b.folds = nil
}

// Folded reads the folded texts written beside a segment, mapped into
// memory (where it cannot be, through the file); safe for concurrent use.
type Folded struct {
	f      *os.File
	data   []byte // the file, mapped; nil: read through f
	fields int
	starts []uint64 // where each document's texts start; one more at the end
	lens   []uint32 // per document, per field
}

// ErrFoldedFormat is a file of folded texts that is not one, or of another
// version.
var ErrFoldedFormat = errors.New("literal: not a file of folded texts of this version")

// OpenFolded opens the folded texts written at path.
func OpenFolded(path string) (*Folded, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	x, err := readFolded(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("literal: %s: %w", path, err)
	}
	x.f = f
	// A verification reads a few KB at random: through the file, the
	// system call was half of a phrase's time (BenchmarkQueryMix/phrase,
	// 3,255 reads: 14.9 CPU-ms, 3.5 of 7.5 s of its profile in pread).
	// The pages just written are dropped from the page cache first, as a
	// segment's are (search's adviseRandom), so that the mapping maps
	// what is read and no more.
	mapped.DropCached(path)
	if data, err := mapped.Map(f, int64(x.starts[len(x.starts)-1])); err == nil {
		x.data = data
		runtime.AddCleanup(x, func(b []byte) { mapped.Unmap(b) }, data)
	}
	return x, nil
}

// readFolded reads the index of the file f.
func readFolded(f *os.File) (*Folded, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	m := int64(len(foldMagic))
	if size < 2*m+8 {
		return nil, ErrFoldedFormat
	}
	head := make([]byte, m)
	tail := make([]byte, 8+m)
	if _, err := f.ReadAt(head, 0); err != nil {
		return nil, err
	}
	if _, err := f.ReadAt(tail, size-8-m); err != nil {
		return nil, err
	}
	at := binary.LittleEndian.Uint64(tail)
	if !bytes.Equal(head, foldMagic) || !bytes.Equal(tail[8:], foldMagic) || at < uint64(m) || at > uint64(size-8-m) {
		return nil, ErrFoldedFormat
	}
	idx := make([]byte, uint64(size-8-m)-at)
	if _, err := f.ReadAt(idx, int64(at)); err != nil {
		return nil, err
	}
	bad := func() (*Folded, error) { return nil, ErrFoldedFormat }
	if len(idx) < 4 {
		return bad()
	}
	x := &Folded{fields: int(binary.LittleEndian.Uint32(idx))}
	idx = idx[4:]
	var names []string
	for range min(x.fields, 64) {
		if len(idx) < 2 || len(idx) < 2+int(binary.LittleEndian.Uint16(idx)) {
			return bad()
		}
		n := int(binary.LittleEndian.Uint16(idx))
		names, idx = append(names, string(idx[2:2+n])), idx[2+n:]
	}
	if !slices.Equal(names, FoldedFields) || len(idx) < 8 {
		return bad()
	}
	docs := binary.LittleEndian.Uint64(idx)
	idx = idx[8:]
	if uint64(len(idx)) != docs*uint64(x.fields)*4 {
		return bad()
	}
	x.lens = make([]uint32, docs*uint64(x.fields))
	x.starts = make([]uint64, docs+1)
	off := uint64(m)
	for d := range docs {
		x.starts[d] = off
		for k := range x.fields {
			n := binary.LittleEndian.Uint32(idx[4*(int(d)*x.fields+k):])
			x.lens[int(d)*x.fields+k] = n
			off += uint64(n)
		}
	}
	x.starts[docs] = off
	if off != at {
		return bad()
	}
	return x, nil
}

// Close closes the file; its mapping goes when x is unreachable.
func (x *Folded) Close() error { return x.f.Close() }

// Docs is the number of documents the file holds.
func (x *Folded) Docs() uint64 { return uint64(len(x.starts) - 1) }

// foldBufs are the buffers texts are read into.
var foldBufs = sync.Pool{New: func() any { return new([]byte) }}

// Visit calls f with the folded text of field of document doc ("" when
// it has none); the text is valid only during the call.
func (x *Folded) Visit(field string, doc uint64, f func(text []byte)) error {
	k := slices.Index(FoldedFields, field)
	if k < 0 || doc >= x.Docs() {
		return fmt.Errorf("literal: folded text of field %q of document %d, of %d", field, doc, x.Docs())
	}
	at := x.starts[doc]
	for j := range k {
		at += uint64(x.lens[int(doc)*x.fields+j])
	}
	n := int(x.lens[int(doc)*x.fields+k])
	if x.data != nil {
		f(x.data[at : at+uint64(n)])
		runtime.KeepAlive(x) // its cleanup unmaps data: not while f reads it
		return nil
	}
	bp := foldBufs.Get().(*[]byte)
	defer foldBufs.Put(bp)
	if cap(*bp) < n {
		*bp = make([]byte, n)
	}
	b := (*bp)[:n]
	if n > 0 {
		if _, err := x.f.ReadAt(b, int64(at)); err != nil {
			return fmt.Errorf("literal: folded text of document %d: %w", doc, err)
		}
	}
	f(b)
	return nil
}

// openFolded opens the folded texts beside seg: nil when there are none,
// or none that can be read as this version writes them for seg (its
// stored fields are read instead).
func openFolded(seg segment.Segment) (*Folded, error) {
	path := FoldedPathOf(seg)
	if path == "" {
		return nil, nil
	}
	x, err := OpenFolded(path)
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, ErrFoldedFormat):
		return nil, nil
	case err != nil:
		return nil, err
	case x.Docs() != seg.Count():
		x.Close()
		return nil, nil
	}
	return x, nil
}
