package literal

import (
	"bytes"
	"runtime"
	"testing"
)

// TestAppendIsOneBuilder: documents added to two builders, the second
// appended to the first, make the same index, byte for byte, as the same
// documents added to one: wherever the documents are split, terms in one
// part or in both.
func TestAppendIsOneBuilder(t *testing.T) {
	texts := []string{"乡村振兴", "", "振兴乡村乡村", "乡", "教育强国", "乡村教育", "", "国强民富", "乡村振兴乡村振兴", "a"}
	fields := []string{"title_lit", "body_lit"}
	build := func(b *Builder, lo, hi int) {
		for d := lo; d < hi; d++ {
			if err := b.Add(uint32(d), d%2, []byte(texts[d])); err != nil {
				t.Fatal(err)
			}
			if err := b.Add(uint32(d), 1-d%2, []byte(texts[len(texts)-1-d])); err != nil {
				t.Fatal(err)
			}
		}
	}
	one := NewBuilder(uint32(len(texts)), fields)
	build(one, 0, len(texts))
	want, err := one.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for split := 0; split <= len(texts); split++ {
		a, b := NewBuilder(uint32(len(texts)), fields), NewBuilder(uint32(len(texts)), fields)
		build(a, 0, split)
		build(b, split, len(texts))
		a.append(b)
		got, err := a.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("split at %d: the index differs from one builder's", split)
		}
	}
}

// TestEncodeInPartsIsOne: the postings of a field's terms encoded a part
// on each core make the same index, byte for byte, as encoded on one, with
// terms of few documents and of enough (bitmapMin) in every part.
func TestEncodeInPartsIsOne(t *testing.T) {
	build := func() *Builder {
		b := NewBuilder(3000, []string{"body_lit"})
		for d := range 3000 {
			var text []rune
			for i := range 40 { // pairs of 60 characters: most of many documents
				text = append(text, rune(0x4e00+(d*7+i*13)%60), rune(0x4e00+(d+i)%60))
			}
			if d%10 == 0 {
				text = append(text, rune(0x6000+d)) // and a pair or two of few documents
			}
			if err := b.Add(uint32(d), 0, []byte(string(text))); err != nil {
				t.Fatal(err)
			}
		}
		return b
	}
	defer func(n int) { encodePart = n }(encodePart)
	encodePart = 1 << 30 // on one core
	want, err := build().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	encodePart = 400 // in parts, four of them
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	b := build()
	b.flush()
	f := b.fields[0]
	if len(f.terms) < 4*encodePart {
		t.Fatalf("%d terms: too few for parts", len(f.terms))
	}
	few, many := 0, 0
	for _, tm := range f.terms {
		if tm.n < bitmapMin {
			few++
		} else {
			many++
		}
	}
	if few == 0 || many == 0 {
		t.Fatalf("terms of few documents %d, of many %d: want both", few, many)
	}
	got, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the index encoded in parts differs from the one encoded on one core")
	}
}
