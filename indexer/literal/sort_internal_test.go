package literal

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// chunkOf returns n packed bigrams as Add gathers them: documents' places
// in increasing order, each with bigrams of runes drawn from alphabet
// runes starting at base.
func chunkOf(rng *rand.Rand, n int, base, alphabet int32) []uint64 {
	p := make([]uint64, 0, n)
	place := uint64(0)
	for len(p) < n {
		if rng.IntN(600) == 0 && place < chunkDocs-1 {
			place++
		}
		a, b := base+rng.Int32N(alphabet), base+rng.Int32N(alphabet)
		if rng.IntN(50) == 0 {
			b = end
		}
		p = append(p, pack(a, b)<<chunkBits|place)
	}
	return p
}

// TestSortChunk: sortChunk sorts as slices.Sort does: by bigram, and a
// bigram's documents in order.
func TestSortChunk(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := [][]uint64{nil, {7}, chunkOf(rng, 1000, 'a', 3)}
	for _, alphabet := range []int32{1, 2, 40, 3000, 20000} {
		cases = append(cases, chunkOf(rng, 50000, 0x4e00, alphabet))
	}
	cases = append(cases, chunkOf(rng, 50000, 0, 1<<21-1)) // every rune's bits
	for i, p := range cases {
		want := slices.Clone(p)
		slices.Sort(want)
		got := slices.Clone(p)
		sortChunk(got, make([]uint64, len(got)))
		if !slices.Equal(got, want) {
			t.Errorf("case %d (%d entries): not sorted as slices.Sort sorts", i, len(p))
		}
	}
}

// BenchmarkSortChunk compares sortChunk with slices.Sort on a chunk of the
// size a news-2023 chunk has (4,096 documents of about 630 characters),
// of common Han characters.
func BenchmarkSortChunk(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	src := chunkOf(rng, chunkDocs*630, 0x4e00, 4000)
	p, scratch := make([]uint64, len(src)), make([]uint64, len(src))
	b.Run("radix", func(b *testing.B) {
		for b.Loop() {
			copy(p, src)
			sortChunk(p, scratch)
		}
	})
	b.Run("slices.Sort", func(b *testing.B) {
		for b.Loop() {
			copy(p, src)
			slices.Sort(p)
		}
	})
}
