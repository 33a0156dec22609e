package taxonomy

import (
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"sync"
	"unicode/utf8"

	"minsheng/indexer/analysis"
)

// The features a Model reads from a text: the jieba words of its title
// and body, weighted tf-idf, and the taxonomy's keyword score of every
// topic.
//
// Words, as jieba cuts the folded text in search mode (the index's cut, of
// the dictionaries built into the binary), its one-character words
// included, and not the character pairs (bigrams) the model read before:
// on the labelled proposals they gave a macro-F1 of 0.753 against 0.747
// (mean of the five splits of make eval; split 0, the issue's, 0.763
// against 0.749), 0.754 against 0.746 on five other splits the settings
// were never chosen on, and 0.738 against 0.728 with the examples in
// three other orders (the stochastic gradient descent of fit is not
// indifferent to their order: a single order's figure moves by about
// 0.01 with the order alone, so a change is kept only where it holds
// over orders too). Words of two or more characters alone (0.750, but
// 0.746 on the other splits), words beside the bigrams (0.742-0.744), bigrams
// and trigrams (0.746-0.751) and all the bigrams of the body, decaying
// past 800 characters (0.731-0.735), did not do better; nor did, later,
// jieba's own idf (idf.utf8, of a large general corpus) for the
// examples' (mean of the five splits 0.749 against 0.764), leaving out
// jieba's stop words (0.760), or keeping only the nouns and verbs of its
// dictionaries' tags, the words it does not know kept (0.756; with
// adjectives, idioms and abbreviations, 0.752); nor, later (against
// 0.764, split 0 0.770), pairs of adjacent words of jieba's cut beside
// the words, 0.760 (0.764), or the title's words as features of their
// own ("t:" and the word): beside the words the title repeats, 0.761
// (0.776, but 0.740 on split 2); instead of the repetition, the title's
// words once as words and once as title words, 0.764 (0.770); as title
// words alone, 0.761 (0.767). A word is a
// feature by the FNV-1a hash of its text; the model then depends on the
// built-in dictionaries, and records their hash (Model.Dict), so that a
// model is read back only by a binary that cuts as the one that trained
// it did.
//
// An occurrence in the title counts titleFactor times, as it does for the
// keywords; a term's weight is (1 + log tf) × idf, the idf of the
// training examples, and the word part of a text's vector has length 1,
// so that a long text and a short one weigh alike.
//
// The words are those of the title and of the first bodyChars characters
// of the body: a proposal mostly says what it is about first (the problem
// it saw) and goes on to what should be done, in words of every
// department and field alike. With bigrams, the first 800 characters
// ranked each topic's documents better than the whole body (mean average
// precision 0.800 against 0.789 over five splits of 5 folds), and a long
// body costs training less; with words, 600 and 1,200 characters gave
// 0.740 and 0.740 against 0.753. The keyword scores still read the whole
// text.

// term is a word (the FNV-1a hash of its folded text) and its count in a
// text, an occurrence in the title counting titleFactor times.
type term struct {
	key uint64
	n   int
}

// bodyChars is how many characters of a body the words are read from
// (the proposals' median body is 1,600 characters).
const bodyChars = 800

// wordCutter is the jieba of the built-in dictionaries that cuts texts
// into words, and the hash of those dictionaries (Model.Dict).
type wordCutter struct {
	an   *analysis.Analysis
	dict string
}

// segmenter is the topic model's wordCutter, loaded when a model is first
// trained or read (0.45 s, and shared with the index's analysis of the
// same dictionaries: see analysis.NewAnalysis).
var segmenter = sync.OnceValues(func() (*wordCutter, error) {
	d, err := analysis.BuiltinDicts()
	if err != nil {
		return nil, err
	}
	a, err := analysis.NewAnalysis(d)
	if err != nil {
		return nil, err
	}
	return &wordCutter{an: a, dict: d.Hash()}, nil
})

// LoadSegmenter loads the segmenter the topic model cuts texts with,
// where an error can be returned (Learn, LoadModel, and a command before
// it has Evaluate train models), so that mustSegmenter never meets one.
func LoadSegmenter() error {
	if _, err := segmenter(); err != nil {
		return fmt.Errorf("topic model: the word segmenter: %w", err)
	}
	return nil
}

// mustSegmenter returns the segmenter. The built-in dictionaries are
// embedded in the binary, so they load unless the cache folder they are
// written to cannot be: LoadSegmenter reports that, and Learn, LoadModel
// and `minsheng topics eval` call it before a model is trained or read
// (Train alone, in a test, panics here then).
func mustSegmenter() *wordCutter {
	seg, err := segmenter()
	if err != nil {
		panic(fmt.Sprintf("taxonomy: the topic model's word segmenter: %v", err))
	}
	return seg
}

// terms counts the words of folded text (the title, and the body's first
// bodyChars characters) that start with a Han character, sorted by key, so
// that whatever sums them sums in one order.
func (c *Classifier) terms(title, body string) []term {
	seg := mustSegmenter().an
	counts := map[uint64]int{}
	add := func(rs []rune, n int) {
		for _, w := range seg.Segment(string(rs)) {
			if r, _ := utf8.DecodeRuneInString(w.Str); !isHan(r) {
				continue
			}
			h := fnv.New64a()
			h.Write([]byte(w.Str))
			counts[h.Sum64()] += n
		}
	}
	add(c.runes(title), int(math.Max(1, math.Round(c.tax.TitleFactor))))
	br := c.runes(body)
	add(br[:min(len(br), bodyChars)], 1)
	out := make([]term, 0, len(counts))
	for k, n := range counts {
		out = append(out, term{k, n})
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
// what the strongest words of a text give). The score of a topic the
// model has a class for is evidence for that class alone (see fit).
// On the labelled proposals (mean macro-F1 of make eval's five splits,
// against 0.764), 0.1, 0.3 and 0.5 gave 0.754, 0.755 and 0.740.
const keywordScale = 0.2

// features is a text as a Model reads it: indexes into the model's
// weights (sorted) and their values; the last is the bias, 1.
type features struct {
	idx []int32
	val []float64
}

// text is what a Model needs of a text: its words and the keyword score
// of each topic of the taxonomy.
type text struct {
	terms    []term
	keywords []float64
}

func (c *Classifier) text(title, body string) text {
	return text{terms: c.terms(title, body), keywords: c.keywordTally(title, body).score}
}

// vector is t's features under model m's vocabulary.
func (m *Model) vector(t text) features {
	var f features
	norm := 0.0
	for _, b := range t.terms {
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
