package literal

import (
	"bytes"
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
