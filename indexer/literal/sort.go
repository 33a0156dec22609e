package literal

// sortChunk sorts a chunk's packed bigrams (fieldBuilder.pending) by their
// bigram, with scratch, a buffer of the same length: a least significant
// digit radix sort of the bigram's 42 bits, in four passes of 11 bits.
// It is stable, and a chunk's entries come in the order of their
// documents' places, so it sorts them as slices.Sort would, a bigram's
// documents in order. On chunks of news-2023 it took a third of
// slices.Sort's time (BenchmarkSortChunk), and slices.Sort was more than
// half of the bigram index's CPU. No Go module of radix sorts could be
// fetched here.
func sortChunk(p, scratch []uint64) {
	const (
		digitBits = 11
		digits    = 4 // 44 bits: pack's 42 above the place's chunkBits
		mask      = 1<<digitBits - 1
	)
	var counts [digits][1 << digitBits]int
	for _, v := range p {
		v >>= chunkBits
		for d := range digits {
			counts[d][v>>(d*digitBits)&mask]++
		}
	}
	src, dst := p, scratch[:len(p)]
	for d := range digits {
		shift := chunkBits + d*digitBits
		c := &counts[d]
		if len(src) == 0 || c[src[0]>>shift&mask] == len(src) {
			continue // every entry has this digit: already in order by it
		}
		sum := 0
		for i, n := range c {
			c[i] = sum
			sum += n
		}
		for _, v := range src {
			k := v >> shift & mask
			dst[c[k]] = v
			c[k]++
		}
		src, dst = dst, src
	}
	if len(p) > 0 && &src[0] != &p[0] {
		copy(p, src)
	}
}
