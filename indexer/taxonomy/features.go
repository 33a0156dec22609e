package taxonomy

import (
	"math"
	"sort"
)

// The features a Model reads from a text: the folded character pairs
// (bigrams) of its title and body, weighted tf-idf, and the taxonomy's
// keyword score of every topic.
//
// Bigrams, not jieba words, because they need no dictionary (the model
// does not change when the dictionary does), cost nothing to extract, and
// are what Chinese text classification has long used with success. An
// occurrence in the title counts titleFactor times, as it does for the
// keywords; a term's weight is (1 + log tf) × idf, the idf of the
// training examples, and the bigram part of a text's vector has length 1,
// so that a long text and a short one weigh alike.
//
// The bigrams are those of the title and of the first bodyChars
// characters of the body: a proposal mostly says what it is about first
// (the problem it saw) and goes on to what should be done, in words of
// every department and field alike. On the labelled proposals the first
// 800 characters ranked each topic's documents better than the whole body
// (mean average precision 0.800 against 0.789 over five splits of 5
// folds), and a long body costs training less. The keyword scores still
// read the whole text.

// bigram is a pair of Han characters (the first in the high 32 bits) and
// its count in a text, an occurrence in the title counting titleFactor
// times.
type bigram struct {
	key uint64
	n   int
}

// bodyChars is how many characters of a body the bigrams are read from:
// on the labelled proposals (median body 1,600 characters) 600 to 1,000
// ranked alike, and better than the whole body.
const bodyChars = 800

// bigrams counts the pairs of adjacent Han characters of folded text (the
// title, and the body's first bodyChars characters), sorted by key, so
// that whatever sums them sums in one order.
func (c *Classifier) bigrams(title, body string) []bigram {
	counts := map[uint64]int{}
	add := func(rs []rune, n int) {
		for i := 0; i+1 < len(rs); i++ {
			if isHan(rs[i]) && isHan(rs[i+1]) {
				counts[uint64(rs[i])<<32|uint64(rs[i+1])] += n
			}
		}
	}
	add(c.runes(title), int(math.Max(1, math.Round(c.tax.TitleFactor))))
	br := c.runes(body)
	add(br[:min(len(br), bodyChars)], 1)
	out := make([]bigram, 0, len(counts))
	for k, n := range counts {
		out = append(out, bigram{k, n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

func isHan(r rune) bool {
	return r >= 0x3400 && r <= 0x9FFF || r >= 0xF900 && r <= 0xFAFF || r >= 0x20000 && r <= 0x2FFFF
}

// keywordFeature is how a topic's keyword score enters the model:
// log(1 + score) × keywordScale, so that the model can weigh the
// taxonomy's evidence (its prior) beside the text's, and learns how much
// (a score of 4, the usual threshold, gives 0.32; 20 gives 0.61, about
// what the strongest bigrams of a text give). The score of a topic the
// model has a class for is evidence for that class alone (see fit).
const keywordScale = 0.2

// features is a text as a Model reads it: indexes into the model's
// weights (sorted) and their values; the last is the bias, 1.
type features struct {
	idx []int32
	val []float64
}

// text is what a Model needs of a text: its bigrams and the keyword score
// of each topic of the taxonomy.
type text struct {
	bigrams  []bigram
	keywords []float64
}

func (c *Classifier) text(title, body string) text {
	return text{bigrams: c.bigrams(title, body), keywords: c.keywordTally(title, body).score}
}

// vector is t's features under model m's vocabulary.
func (m *Model) vector(t text) features {
	var f features
	norm := 0.0
	for _, b := range t.bigrams {
		i, ok := m.vocab[b.key]
		if !ok {
			continue
		}
		v := (1 + math.Log(float64(b.n))) * m.idf[i]
		f.idx = append(f.idx, i)
		f.val = append(f.val, v)
		norm += v * v
	}
	if norm > 0 {
		norm = math.Sqrt(norm)
		for i := range f.val {
			f.val[i] /= norm
		}
	}
	nv := int32(len(m.idf))
	for ti := 0; ti < m.Topics; ti++ {
		s := 0.0
		if ti < len(t.keywords) {
			s = t.keywords[ti]
		}
		f.idx = append(f.idx, nv+int32(ti))
		f.val = append(f.val, keywordScale*math.Log1p(math.Max(s, 0)))
	}
	f.idx = append(f.idx, nv+int32(m.Topics))
	f.val = append(f.val, 1)
	return f
}
