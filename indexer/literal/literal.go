// Package literal is the bigram index of a segment's literal fields, kept
// beside the segment instead of in it.
//
// A literal field (corpus.LiteralOf) holds one token per character of a
// text: the character and the next one, or the last character and
// corpus.LiteralEnd. bleve's segment building spent more than half of a
// build's CPU on these fields (BenchmarkIndexNews: 12,000 news articles,
// 32.5 CPU-s with them and 15.9 without), most of it on each segment's
// dictionary of a million distinct bigrams. A build therefore leaves them
// out of its documents and, once its segments are merged, writes them for
// each segment from the folded text it stores (corpus.FoldedOf), which is
// rune for rune the characters of the literal tokens. The postings are
// those bleve would have written: each document's frequency of the bigram
// and the field's length in tokens, so search scores them as before.
package literal

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/vellum"

	"minsheng/corpus"
)

// magic starts every file; its last byte is the format's version.
var magic = []byte("mslit\x00\x00\x03")

// end is the rune of corpus.LiteralEnd in a packed bigram.
var end, _ = utf8.DecodeRuneInString(corpus.LiteralEnd)

// Builder collects the bigram postings of documents given in increasing
// number.
//
// A field's bigrams are gathered for a chunk of chunkDocs documents at a
// time, each packed with its document's place in the chunk, sorted, and
// added to their terms' postings a run at a time: a term is looked up once
// a chunk, not once a document (looking each document's bigrams up in a
// dictionary of a million terms, a cache miss each, was 14 of a build's
// 92 CPU-s on news-2023).
type Builder struct {
	written bool // by Encode (WriteTo calls it), which sorts the terms: no more Add
	docs    uint32
	fields  []*fieldBuilder
	scratch []uint64 // sortChunk's, for every field's chunks
	// the parts of the folded texts of its documents, in order, when it
	// writes them (BuildMergedFolded)
	folds []*FoldedWriter
}

type fieldBuilder struct {
	name  string
	ids   map[uint64]uint32 // packed bigram -> term index
	terms []termBuilder
	lens  []uint32 // tokens of each document's value; 0: none
	next  uint32   // the least document Add takes
	// the chunk being gathered: its first document, and the bigrams of its
	// documents, each pack(a, b)<<chunkBits | the document's place in it
	chunk   uint32
	pending []uint64
	// encoded: the terms' postings are as written (encode), by Encode
	encoded bool
}

// chunkDocs = 1<<chunkBits documents are gathered at a time.
const (
	chunkBits = 12
	chunkDocs = 1 << chunkBits
)

type termBuilder struct {
	key  uint64 // the two runes, packed
	last uint32 // the last document added
	n    uint32 // documents
	post []byte // (document delta, frequency) as uvarints
}

// NewBuilder returns a builder of docs documents' postings in the literal
// fields named.
func NewBuilder(docs uint32, fields []string) *Builder {
	b := &Builder{docs: docs}
	for _, f := range fields {
		b.fields = append(b.fields, &fieldBuilder{name: f, ids: map[uint64]uint32{}, lens: make([]uint32, docs)})
	}
	return b
}

// Add adds the folded text of document doc's field i (the field's
// literal tokens are the pairs of its adjacent runes). Documents are
// added in increasing number, each field at most once.
func (b *Builder) Add(doc uint32, i int, folded []byte) error {
	f := b.fields[i]
	if doc >= b.docs {
		return fmt.Errorf("literal: document %d of %d", doc, b.docs)
	}
	if b.written {
		return errors.New("literal: document added to a written index")
	}
	if doc < f.next {
		return fmt.Errorf("literal: document %d added after %d", doc, f.next-1)
	}
	f.next = doc + 1
	if len(f.pending) > 0 && doc-f.chunk >= chunkDocs {
		f.flush(&b.scratch)
	}
	if len(f.pending) == 0 {
		f.chunk = doc
	}
	place := uint64(doc - f.chunk)
	n := uint32(0)
	prev := rune(-1)
	for len(folded) > 0 {
		r, size := utf8.DecodeRune(folded)
		folded = folded[size:]
		if prev >= 0 {
			f.pending = append(f.pending, pack(prev, r)<<chunkBits|place)
			n++
		}
		prev = r
	}
	if prev < 0 {
		return nil
	}
	f.pending = append(f.pending, pack(prev, end)<<chunkBits|place)
	f.lens[doc] = n + 1
	return nil
}

// flush adds the chunk gathered to the terms' postings, sorted with
// *scratch, grown as needed.
func (f *fieldBuilder) flush(scratch *[]uint64) {
	p := f.pending
	if cap(*scratch) < len(p) {
		*scratch = make([]uint64, len(p))
	}
	sortChunk(p, *scratch)
	var t *termBuilder
	key := ^uint64(0)
	for j := 0; j < len(p); {
		k := j + 1
		for k < len(p) && p[k] == p[j] {
			k++
		}
		if p[j]>>chunkBits != key {
			key = p[j] >> chunkBits
			id, ok := f.ids[key]
			if !ok {
				id = uint32(len(f.terms))
				f.ids[key] = id
				f.terms = append(f.terms, termBuilder{key: key})
			}
			t = &f.terms[id]
		}
		doc := f.chunk + uint32(p[j]&(chunkDocs-1))
		delta := doc
		if t.n > 0 {
			delta = doc - t.last
		}
		t.post = binary.AppendUvarint(t.post, uint64(delta))
		t.post = binary.AppendUvarint(t.post, uint64(k-j))
		t.last, t.n = doc, t.n+1
		j = k
	}
	f.pending = p[:0]
}

// flush adds every field's chunk gathered to its terms' postings.
func (b *Builder) flush() {
	for _, f := range b.fields {
		f.flush(&b.scratch)
	}
}

// append adds the postings of p, a builder of the same documents and
// fields whose documents all follow b's, to b.
func (b *Builder) append(p *Builder) {
	b.flush()
	p.flush()
	b.folds, p.folds = append(b.folds, p.folds...), nil
	for i, f := range b.fields {
		pf := p.fields[i]
		for d, n := range pf.lens {
			if n > 0 {
				f.lens[d] = n
			}
		}
		f.next = max(f.next, pf.next)
		for _, t := range pf.terms {
			id, ok := f.ids[t.key]
			if !ok {
				f.ids[t.key] = uint32(len(f.terms))
				f.terms = append(f.terms, t)
				continue
			}
			ft := &f.terms[id]
			// t's first document is its own number, the rest deltas
			first, k := binary.Uvarint(t.post)
			ft.post = binary.AppendUvarint(ft.post, first-uint64(ft.last))
			ft.post = append(ft.post, t.post[k:]...)
			ft.last, ft.n = t.last, ft.n+t.n
		}
	}
}

// pack packs two runes in 42 bits, in their order: runes are below 1<<21.
func pack(a, b rune) uint64 { return uint64(a)<<runeBits | uint64(b) }

const runeBits = 21

// appendTerm appends the term of a packed bigram: its runes' UTF-8, whose
// byte order is the packed keys' numeric order.
func appendTerm(dst []byte, key uint64) []byte {
	dst = utf8.AppendRune(dst, rune(key>>runeBits))
	return utf8.AppendRune(dst, rune(key&(1<<runeBits-1)))
}

// WriteTo writes the index: for each field its name, the documents'
// lengths, the postings of every term and the dictionary of the terms
// (a vellum FST, each term's value the offset of its postings). Nothing
// can be added after it; it may be written again.
func (b *Builder) WriteTo(w io.Writer) (int64, error) {
	if err := b.Encode(); err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := &countWriter{w: bw}
	cw.write(magic)
	cw.u32(uint32(len(b.fields)))
	cw.u32(b.docs)
	var fst bytes.Buffer
	var term []byte
	for _, f := range b.fields {
		cw.u32(uint32(len(f.name)))
		cw.write([]byte(f.name))
		for _, n := range f.lens {
			cw.u32(n)
		}
		var size uint64
		for _, t := range f.terms {
			size += uint64(uvarintLen(uint64(t.n)) + uvarintLen(uint64(len(t.post))) + len(t.post))
		}
		cw.u64(size)
		fst.Reset()
		fb, err := vellum.New(&fst, nil)
		if err != nil {
			return cw.n, err
		}
		var off uint64
		var hdr []byte
		for _, t := range f.terms {
			term = appendTerm(term[:0], t.key)
			if err := fb.Insert(term, off); err != nil {
				return cw.n, err
			}
			hdr = binary.AppendUvarint(hdr[:0], uint64(t.n))
			hdr = binary.AppendUvarint(hdr, uint64(len(t.post)))
			cw.write(hdr)
			cw.write(t.post)
			off += uint64(len(hdr) + len(t.post))
		}
		if err := fb.Close(); err != nil {
			return cw.n, err
		}
		cw.u64(uint64(fst.Len()))
		cw.write(fst.Bytes())
	}
	sum := cw.crc // the footer: the checksum of all before it
	cw.u32(sum)
	if cw.err != nil {
		return cw.n, cw.err
	}
	return cw.n, bw.Flush()
}

// Encode readies the index to be written, which WriteTo does first if it
// was not done: it sorts each field's terms and encodes their postings as
// they are written. Nothing can be added after it.
func (b *Builder) Encode() error {
	b.flush()
	b.written, b.scratch = true, nil
	for _, f := range b.fields {
		if f.encoded {
			continue
		}
		slices.SortFunc(f.terms, func(x, y termBuilder) int { return cmp.Compare(x.key, y.key) })
		if err := f.encode(); err != nil {
			return err
		}
	}
	return nil
}

// encodePart is the least number of terms a core encodes.
var encodePart = 10000

// encode encodes every term's postings as they are written (encode), a
// part of the terms on each core: on one, it was 1.0 of the 1.7 s a build
// of news-2023 spent writing its bigram index, with the other core idle.
func (f *fieldBuilder) encode() error {
	workers := max(1, min(runtime.GOMAXPROCS(0), len(f.terms)/encodePart))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := len(f.terms)*w/workers, len(f.terms)*(w+1)/workers
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				t := &f.terms[i]
				post, err := encode(t.n, t.post)
				if err != nil {
					errs[w] = err
					return
				}
				t.post = post
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	f.encoded = true
	return nil
}

// castagnoli is the CRC-32 of the files' footers.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// bitmapMin is the least number of documents whose postings are written
// as a roaring bitmap of the documents and their frequencies apart, read
// without decoding each document number (termBits reads the bitmap
// alone); fewer are (document delta, frequency) uvarints.
const bitmapMin = 32

// encode returns the postings of a term of n documents, given as (document
// delta, frequency) uvarints, as they are written: the same for fewer than
// bitmapMin documents, else the bitmap's size, the bitmap and the
// frequencies, uvarints.
func encode(n uint32, post []byte) ([]byte, error) {
	if n < bitmapMin {
		return post, nil
	}
	p := Postings{N: uint64(n), rec: post}
	docs, freqs, err := p.decodePairs(make([]uint32, 0, n), make([]uint32, 0, n))
	if err != nil {
		return nil, err
	}
	bm := roaring.New()
	bm.AddMany(docs)
	bm.RunOptimize()
	bits, err := bm.ToBytes()
	if err != nil {
		return nil, err
	}
	out := binary.AppendUvarint(make([]byte, 0, len(bits)+len(freqs)+8), uint64(len(bits)))
	out = append(out, bits...)
	for _, f := range freqs {
		out = binary.AppendUvarint(out, uint64(f))
	}
	return out, nil
}

func uvarintLen(v uint64) int {
	var buf [binary.MaxVarintLen64]byte
	return binary.PutUvarint(buf[:], v)
}

// countWriter writes, counting bytes and summing them (CRC-32C), and
// keeps the first error.
type countWriter struct {
	w   io.Writer
	n   int64
	crc uint32
	err error
	buf [8]byte
}

func (c *countWriter) write(p []byte) {
	if c.err != nil {
		return
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.crc = crc32.Update(c.crc, castagnoli, p[:n])
	c.err = err
}

func (c *countWriter) u32(v uint32) {
	binary.LittleEndian.PutUint32(c.buf[:4], v)
	c.write(c.buf[:4])
}

func (c *countWriter) u64(v uint64) {
	binary.LittleEndian.PutUint64(c.buf[:], v)
	c.write(c.buf[:])
}

// WriteFile writes the index to path, durably: a temporary file synced
// and renamed into place.
func (b *Builder) WriteFile(path string) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = b.WriteTo(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("literal: write %s: %w", path, err)
	}
	return nil
}

// Index is a written bigram index, its postings read from r as they are
// asked for; safe for concurrent use.
type Index struct {
	r      io.ReaderAt
	docs   uint32
	fields map[string]*field
}

type field struct {
	norms []float32 // each document's norm as zap's postings give it: 1/sqrt(length)
	post  int64     // offset of the postings in r
	size  int64     // their bytes
	terms *vellum.FST
}

// ErrFormat is an index file that is not one, or of another version.
var ErrFormat = errors.New("literal: not a bigram index of this version")

// Open reads the index in r, of size bytes: the dictionaries and lengths
// into memory, the postings left in r. The whole is checked against its
// checksum first (51-54 ms for news-2023's 100 MB, its pages cached): a
// damaged file is ErrFormat, never postings read wrong or a panic.
func Open(r io.ReaderAt, size int64) (*Index, error) {
	if size < int64(len(magic))+8+4 {
		return nil, ErrFormat
	}
	size -= 4 // the footer
	h := crc32.New(castagnoli)
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, size)); err != nil {
		return nil, err
	}
	var foot [4]byte
	if _, err := r.ReadAt(foot[:], size); err != nil {
		return nil, err
	}
	if h.Sum32() != binary.LittleEndian.Uint32(foot[:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrFormat)
	}
	sr := io.NewSectionReader(r, 0, size)
	br := bufio.NewReaderSize(sr, 1<<16)
	var pos int64
	read := func(n int64) ([]byte, error) {
		if n < 0 || pos+n > size {
			return nil, ErrFormat
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(br, b); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		pos += n
		return b, nil
	}
	skip := func(n int64) error {
		if n < 0 || pos+n > size {
			return ErrFormat
		}
		if _, err := br.Discard(int(n)); err != nil {
			return fmt.Errorf("%w: %v", ErrFormat, err)
		}
		pos += n
		return nil
	}
	head, err := read(int64(len(magic)) + 8)
	if err != nil {
		return nil, ErrFormat
	}
	if !bytes.Equal(head[:len(magic)], magic) {
		return nil, ErrFormat
	}
	nf := binary.LittleEndian.Uint32(head[len(magic):])
	x := &Index{r: r, docs: binary.LittleEndian.Uint32(head[len(magic)+4:]), fields: map[string]*field{}}
	for range nf {
		b, err := read(4)
		if err != nil {
			return nil, err
		}
		name, err := read(int64(binary.LittleEndian.Uint32(b)))
		if err != nil {
			return nil, err
		}
		lb, err := read(4 * int64(x.docs))
		if err != nil {
			return nil, err
		}
		f := &field{norms: make([]float32, x.docs)}
		for i := range f.norms {
			n := binary.LittleEndian.Uint32(lb[4*i:])
			if n > 0 {
				f.norms[i] = float32(1 / math.Sqrt(float64(n)))
			}
		}
		if b, err = read(8); err != nil {
			return nil, err
		}
		f.post, f.size = pos, int64(binary.LittleEndian.Uint64(b))
		if err := skip(f.size); err != nil {
			return nil, err
		}
		if b, err = read(8); err != nil {
			return nil, err
		}
		fb, err := read(int64(binary.LittleEndian.Uint64(b)))
		if err != nil {
			return nil, err
		}
		if f.terms, err = vellum.Load(fb); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		x.fields[string(name)] = f
	}
	return x, nil
}

// OpenFile opens the index written at path. The file stays open as long
// as the Index is reachable.
func OpenFile(path string) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	x, err := Open(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("literal: %s: %w", path, err)
	}
	return x, nil
}

// Bytes returns the index as Open reads it, for an index kept in memory.
func (b *Builder) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Cardinality is the number of distinct terms of the field, as a
// segment's dictionary counts them.
func (x *Index) Cardinality(name string) int {
	if f := x.fields[name]; f != nil {
		return f.terms.Len()
	}
	return 0
}

// Norms are the norms of the field's documents by number, as zap's
// postings give them: one over the square root of the field's length in
// tokens (0 for a document without the field). The slice is shared.
func (x *Index) Norms(name string) []float32 {
	if f := x.fields[name]; f != nil {
		return f.norms
	}
	return nil
}

// Postings are a term's postings as stored.
type Postings struct {
	N   uint64 // documents
	rec []byte // (document delta, frequency) uvarints
}

// Count returns the number of documents that have term in the field.
func (x *Index) Count(name string, term []byte) (uint64, error) {
	p, err := x.Lookup(name, term)
	return p.N, err
}

// Lookup reads term's postings in the field: none when it has no term.
func (x *Index) Lookup(name string, term []byte) (Postings, error) {
	f := x.fields[name]
	if f == nil {
		return Postings{}, nil
	}
	off, ok, err := f.terms.Get(term)
	if err != nil || !ok {
		return Postings{}, err
	}
	if int64(off) >= f.size {
		return Postings{}, ErrFormat
	}
	// one read for most terms: their postings are short
	buf := make([]byte, min(recordGuess, f.size-int64(off)))
	if _, err := x.r.ReadAt(buf, f.post+int64(off)); err != nil {
		return Postings{}, err
	}
	n, k1 := binary.Uvarint(buf)
	if k1 <= 0 {
		return Postings{}, ErrFormat
	}
	size, k2 := binary.Uvarint(buf[k1:])
	head := int64(k1 + k2)
	if k2 <= 0 || int64(off)+head+int64(size) > f.size {
		return Postings{}, ErrFormat
	}
	if head+int64(size) <= int64(len(buf)) {
		return Postings{N: n, rec: buf[head : head+int64(size)]}, nil
	}
	rec := make([]byte, size)
	have := copy(rec, buf[head:])
	if _, err := x.r.ReadAt(rec[have:], f.post+int64(off)+head+int64(have)); err != nil {
		return Postings{}, err
	}
	return Postings{N: n, rec: rec}, nil
}

// recordGuess is the bytes Lookup reads first.
const recordGuess = 256

// Decode appends the documents, in increasing number, and the term's
// frequency in each to docs and freqs.
func (p Postings) Decode(docs, freqs []uint32) ([]uint32, []uint32, error) {
	if p.N < bitmapMin {
		return p.decodePairs(docs, freqs)
	}
	bm, rest, err := p.bitmap()
	if err != nil {
		return docs, freqs, err
	}
	docs = slices.Grow(docs, int(p.N))
	buf := docs[len(docs) : len(docs)+int(p.N)]
	got := 0
	for it := bm.ManyIterator(); got < len(buf); {
		k := it.NextMany(buf[got:])
		if k == 0 {
			break
		}
		got += k
	}
	if got != len(buf) {
		return docs, freqs, ErrFormat
	}
	docs = docs[:len(docs)+got]
	for range p.N {
		f, k := binary.Uvarint(rest)
		if k <= 0 {
			return docs, freqs, ErrFormat
		}
		rest = rest[k:]
		freqs = append(freqs, uint32(f))
	}
	return docs, freqs, nil
}

// Bitmap returns the documents of the postings.
func (p Postings) Bitmap() (*roaring.Bitmap, error) {
	if p.N < bitmapMin {
		docs, _, err := p.decodePairs(make([]uint32, 0, p.N), make([]uint32, 0, p.N))
		if err != nil {
			return nil, err
		}
		return roaring.BitmapOf(docs...), nil
	}
	bm, _, err := p.bitmap()
	return bm, err
}

// CountIn returns how many of the postings' documents are in b.
func (p Postings) CountIn(b *roaring.Bitmap) (uint64, error) {
	if p.N < bitmapMin {
		docs, _, err := p.decodePairs(make([]uint32, 0, p.N), make([]uint32, 0, p.N))
		n := uint64(0)
		for _, d := range docs {
			if b.Contains(d) {
				n++
			}
		}
		return n, err
	}
	bm, _, err := p.bitmap()
	if err != nil {
		return 0, err
	}
	return bm.AndCardinality(b), nil
}

// bitmap reads the bitmap of postings of bitmapMin documents or more, and
// returns the frequencies after it.
func (p Postings) bitmap() (*roaring.Bitmap, []byte, error) {
	size, k := binary.Uvarint(p.rec)
	if k <= 0 || uint64(len(p.rec)-k) < size {
		return nil, nil, ErrFormat
	}
	bm := roaring.New()
	if err := bm.UnmarshalBinary(p.rec[k : k+int(size)]); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if bm.GetCardinality() != p.N {
		return nil, nil, ErrFormat
	}
	return bm, p.rec[k+int(size):], nil
}

// decodePairs decodes postings of (document delta, frequency) uvarints.
func (p Postings) decodePairs(docs, freqs []uint32) ([]uint32, []uint32, error) {
	rec := p.rec
	var doc uint32
	for i := uint64(0); i < p.N; i++ {
		d, k := binary.Uvarint(rec)
		if k <= 0 {
			return docs, freqs, ErrFormat
		}
		rec = rec[k:]
		fr, k := binary.Uvarint(rec)
		if k <= 0 {
			return docs, freqs, ErrFormat
		}
		rec = rec[k:]
		if i == 0 {
			doc = uint32(d)
		} else {
			doc += uint32(d)
		}
		docs, freqs = append(docs, doc), append(freqs, uint32(fr))
	}
	return docs, freqs, nil
}

// Postings returns the documents that have term in the field, in
// increasing number, and the term's frequency in each, appended to docs
// and freqs.
func (x *Index) Postings(name string, term []byte, docs, freqs []uint32) ([]uint32, []uint32, error) {
	p, err := x.Lookup(name, term)
	if err != nil {
		return docs, freqs, err
	}
	return p.Decode(docs, freqs)
}

// Terms returns the field's terms that start with prefix, in order.
func (x *Index) Terms(name string, prefix []byte) ([]string, error) {
	f := x.fields[name]
	if f == nil {
		return nil, nil
	}
	it, err := f.terms.Iterator(prefix, PrefixEnd(prefix))
	var out []string
	for err == nil {
		k, _ := it.Current()
		out = append(out, string(k))
		err = it.Next()
	}
	if err != vellum.ErrIteratorDone {
		return nil, err
	}
	return out, nil
}

// PrefixEnd is the first key after every key that starts with prefix, or
// nil for none: the end of a dictionary iteration over the prefix.
func PrefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
