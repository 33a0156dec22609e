package literal_test

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"minsheng/corpus"
	"minsheng/indexer/analysis"
	"minsheng/indexer/literal"
)

// TestBigramsAreTheLiteralAnalyzers: a document's postings in the index
// built from its folded text are the literal analyzer's tokens of the
// text, each term with its frequency, and its norm zap's of their number; on
// texts of Chinese, traditional characters, full-width and mixed script,
// in several of the chunks the builder gathers, some documents without it.
func TestBigramsAreTheLiteralAnalyzers(t *testing.T) {
	a, err := analysis.NewBuiltinAnalysis()
	if err != nil {
		t.Fatal(err)
	}
	pieces := []string{"乡村振兴", "鄉村", "Ａ２", "ab", " ", "\n", "，", "教育", "医疗卫生", "x", "乡", "村"}
	rnd := rand.New(rand.NewPCG(1, 2))
	var texts []string
	for i := range 9000 { // chunks of 4,096 documents and part of one
		var b strings.Builder
		for range rnd.IntN(12) * (i % 2) { // every other one empty
			b.WriteString(pieces[rnd.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	b := literal.NewBuilder(uint32(len(texts)), []string{corpus.FieldBodyLit})
	want := map[string]map[uint32]uint64{} // term -> doc -> frequency
	for i, text := range texts {
		if err := b.Add(uint32(i), 0, []byte(analysis.FoldLiteral(text))); err != nil {
			t.Fatal(err)
		}
		for _, tok := range a.LiteralTokenize([]byte(text)) {
			if want[string(tok.Term)] == nil {
				want[string(tok.Term)] = map[uint32]uint64{}
			}
			want[string(tok.Term)][uint32(i)]++
		}
	}
	path := filepath.Join(t.TempDir(), "x.zap"+literal.Ext)
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	x, err := literal.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := x.Cardinality(corpus.FieldBodyLit); got != len(want) {
		t.Errorf("cardinality %d, want %d", got, len(want))
	}
	all, err := x.Terms(corpus.FieldBodyLit, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(all) || len(all) != len(want) {
		t.Errorf("%d terms (sorted %v), want %d", len(all), slices.IsSorted(all), len(want))
	}
	for term, docs := range want {
		got, freqs, err := x.Postings(corpus.FieldBodyLit, []byte(term), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := x.Count(corpus.FieldBodyLit, []byte(term)); n != uint64(len(docs)) || len(got) != len(docs) {
			t.Errorf("%q: count %d, %d postings, want %d", term, n, len(got), len(docs))
		}
		if !slices.IsSorted(got) {
			t.Errorf("%q: documents out of order: %v", term, got)
		}
		p, err := x.Lookup(corpus.FieldBodyLit, []byte(term))
		if err != nil {
			t.Fatal(err)
		}
		in, want := roaring.New(), uint64(0)
		in.AddRange(0, uint64(len(texts)/3)) // a third of the documents
		for d := range docs {
			if d < uint32(len(texts)/3) {
				want++
			}
		}
		if n, err := p.CountIn(in); n != want || err != nil {
			t.Errorf("%q: %d documents in the first third (%v), want %d", term, n, err, want)
		}
		for i, d := range got {
			if docs[d] != uint64(freqs[i]) {
				t.Errorf("%q in document %d: frequency %d, want %d", term, d, freqs[i], docs[d])
			}
		}
	}
	for i, text := range texts {
		want := float32(0) // zap's norm: 1/sqrt(the field's length in tokens)
		if n := len(a.LiteralTokenize([]byte(text))); n > 0 {
			want = float32(1 / math.Sqrt(float64(n)))
		}
		if got := x.Norms(corpus.FieldBodyLit)[i]; got != want {
			t.Errorf("document %d: norm %g, want %g", i, got, want)
		}
	}
	// every bigram that a character starts, the last one's end included
	got, err := x.Terms(corpus.FieldBodyLit, []byte("乡"))
	if err != nil {
		t.Fatal(err)
	}
	for _, term := range got {
		if !strings.HasPrefix(term, "乡") {
			t.Errorf("prefix 乡: %q", term)
		}
	}
	if !slices.Contains(got, "乡村") || !slices.Contains(got, "乡"+corpus.LiteralEnd) {
		t.Errorf("prefix 乡: %q lacks 乡村 or 乡 at the end of a text", got)
	}
	if n, err := x.Count(corpus.FieldTitleLit, []byte("乡村")); n != 0 || err != nil {
		t.Errorf("a field the index lacks: %d, %v", n, err)
	}
}

// TestOpenRefusesDamage: a truncated or foreign file is an error, never a
// panic or an index.
func TestOpenRefusesDamage(t *testing.T) {
	b := literal.NewBuilder(2, literal.Fields)
	for _, d := range []struct {
		doc  uint32
		text string
	}{{0, "乡村振兴战略"}, {1, "振兴乡村"}} {
		if err := b.Add(d.doc, 1, []byte(d.text)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Add(0, 1, []byte("乡村")); err == nil {
		t.Error("a document added after a later one: no error")
	}
	data, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := literal.Open(bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(data); n += max(1, len(data)/97) {
		if _, err := literal.Open(bytes.NewReader(data[:n]), int64(n)); err == nil {
			t.Errorf("truncated to %d of %d bytes: no error", n, len(data))
		}
	}
	flipped := bytes.Clone(data)
	flipped[len(data)/2] ^= 0x10
	if _, err := literal.Open(bytes.NewReader(flipped), int64(len(flipped))); !errors.Is(err, literal.ErrFormat) {
		t.Errorf("a byte changed: %v, want ErrFormat", err)
	}
	other := bytes.Clone(data)
	other[len("mslit")+2] = 9 // another version
	if _, err := literal.Open(bytes.NewReader(other), int64(len(other))); !errors.Is(err, literal.ErrFormat) {
		t.Errorf("another version: %v, want ErrFormat", err)
	}
}

// FuzzOpen: any bytes are an index or an error, never a panic, and every
// term of an index that opens reads as postings or an error.
func FuzzOpen(f *testing.F) {
	b := literal.NewBuilder(40, literal.Fields)
	for d := range uint32(40) {
		text := strings.Repeat("乡村振兴", int(d%3)+1) + "教育"
		if err := b.Add(d, int(d%4), []byte(text)); err != nil {
			f.Fatal(err)
		}
	}
	data, err := b.Bytes()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := literal.Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		for _, field := range literal.Fields {
			terms, err := x.Terms(field, nil)
			if err != nil {
				continue
			}
			for _, term := range terms {
				p, err := x.Lookup(field, []byte(term))
				if err != nil {
					continue
				}
				p.Decode(nil, nil)
				p.Bitmap()
			}
			x.Norms(field)
		}
	})
}
