package taxonomy

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Example is a labelled document a Model learns from: a document whose
// source category or given topics map to a topic of the taxonomy, or whose
// topics staff corrected. Topic "" is the background: a document the
// source classified under something that is none of the taxonomy's topics
// (a proposal of 社会事业 when only 教育事业 is mapped), which teaches the
// model what the mapped topics are not.
type Example struct {
	ID          string
	Title, Body string
	Topic       string
}

// Model is a multinomial naive Bayes text classifier over the folded
// character pairs (bigrams) of title and body, learned from Examples. Each
// class's distribution of bigrams is smoothed toward the distribution of
// all examples (Dirichlet smoothing with modelMu pseudo-bigrams), so that
// a class learned from 24 documents is not undone by the bigrams it never
// saw, and a document is scored by the mean log-likelihood ratio of its
// bigrams, class against collection: how much more likely its text is
// under the class than in general. It is read-only once trained and safe
// for concurrent use.
//
// Bigrams, not jieba words, because they need no dictionary (the model
// does not change when the dictionary does), cost nothing to extract, and
// are what Chinese text classification has long used with success.
type Model struct {
	Classes []string // topic names, in taxonomy order; "" is the background
	Docs    []int    // examples of each class
	// lr[f*len(Classes)+c] is log(θ_cf / P_f) for a bigram f seen in
	// training: θ_cf its smoothed probability in class c, P_f in all.
	lr     []float32
	index  map[uint64]int32 // bigram -> f
	unseen []float64        // per class: log(μ/(tot_c+μ)), the ratio of a bigram class c never saw
	hash   string
}

// modelMu is the Dirichlet prior's weight, in bigram occurrences: a class
// is trusted over the collection for the bigrams it has seen more than
// about this many times in all.
const modelMu = 100

// Hash identifies what the model learned: the first 12 hex digits of the
// SHA-256 of its classes and counts. The same examples give the same hash,
// whatever order they come in.
func (m *Model) Hash() string {
	if m == nil {
		return ""
	}
	return m.hash
}

// bigrams counts the pairs of adjacent Han characters of folded text, an
// occurrence in the title counting titleFactor times and each bigram at
// most featureCap times (as keywords are capped): integers, so that the
// sums of training do not depend on the order of the examples.
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
	add(c.runes(body), 1)
	out := make([]bigram, 0, len(counts))
	for k, n := range counts {
		out = append(out, bigram{k, min(n, featureCap)})
	}
	// sorted, so that scores are summed in one order and come out the same
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// bigram is a pair of characters (the first in the high 32 bits) and its
// capped count in a text.
type bigram struct {
	key uint64
	n   int
}

// featureCap is how many occurrences of one bigram count.
const featureCap = 3

func isHan(r rune) bool {
	return r >= 0x3400 && r <= 0x9FFF || r >= 0xF900 && r <= 0xFAFF || r >= 0x20000 && r <= 0x2FFFF
}

// Train learns a model from examples whose topics are topics of the
// taxonomy (or "" for the background); it returns nil when the examples
// name fewer than one topic, as then there is nothing to learn.
func (c *Classifier) Train(examples []Example) *Model {
	classOf := map[string]int{}
	var classes []string
	for _, td := range c.tax.Topics {
		for _, e := range examples {
			if e.Topic == td.Name {
				classOf[td.Name] = len(classes)
				classes = append(classes, td.Name)
				break
			}
		}
	}
	if len(classes) == 0 {
		return nil
	}
	if slices.ContainsFunc(examples, func(e Example) bool { return e.Topic == "" }) {
		classOf[""] = len(classes)
		classes = append(classes, "")
	}
	counts := map[uint64][]int{}
	tot := make([]int, len(classes))
	docs := make([]int, len(classes))
	all := 0
	for _, e := range examples {
		ci, ok := classOf[e.Topic]
		if !ok {
			continue
		}
		docs[ci]++
		for _, b := range c.bigrams(e.Title, e.Body) {
			row := counts[b.key]
			if row == nil {
				row = make([]int, len(classes))
				counts[b.key] = row
			}
			row[ci] += b.n
			tot[ci] += b.n
			all += b.n
		}
	}
	keys := make([]uint64, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	m := &Model{Classes: classes, Docs: docs, index: make(map[uint64]int32, len(keys)),
		lr: make([]float32, len(keys)*len(classes)), unseen: make([]float64, len(classes))}
	h := sha256.New()
	var buf [8]byte
	put := func(v uint64) {
		binary.LittleEndian.PutUint64(buf[:], v)
		h.Write(buf[:])
	}
	for ci, name := range classes {
		h.Write([]byte(name))
		h.Write([]byte{0})
		put(uint64(docs[ci]))
		m.unseen[ci] = math.Log(modelMu / (float64(tot[ci]) + modelMu))
	}
	// P_f is smoothed by half an occurrence over the vocabulary, so that
	// it is never 0.
	v := float64(len(keys) + 1)
	for f, k := range keys {
		m.index[k] = int32(f)
		row := counts[k]
		sum := 0
		put(k)
		for _, n := range row {
			sum += n
			put(uint64(n))
		}
		pf := (float64(sum) + 0.5) / (float64(all) + 0.5*v)
		for ci, n := range row {
			theta := (float64(n) + modelMu*pf) / (float64(tot[ci]) + modelMu)
			m.lr[f*len(classes)+ci] = float32(math.Log(theta / pf))
		}
	}
	m.hash = hex.EncodeToString(h.Sum(nil))[:12]
	return m
}

// score is the mean log-likelihood ratio of a text's bigrams under each
// class of m, against the collection.
func (m *Model) score(bgs []bigram) []float64 {
	out := make([]float64, len(m.Classes))
	nc := len(m.Classes)
	total := 0
	for _, b := range bgs {
		n := b.n
		total += n
		f, ok := m.index[b.key]
		if !ok {
			// a bigram no example had: every class gives it the same
			// share of its smoothing, relative to the collection's
			for ci := range out {
				out[ci] += float64(n) * m.unseen[ci]
			}
			continue
		}
		for ci := range out {
			out[ci] += float64(n) * float64(m.lr[int(f)*nc+ci])
		}
	}
	if total > 0 {
		for ci := range out {
			out[ci] /= float64(total)
		}
	}
	return out
}

// parseCategories reads the categories mapping of a taxonomy file:
// category: topic, each topic one of the file's.
func parseCategories(n *yaml.Node, t *Taxonomy, p *taxonomyProblems) map[string]string {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, "categories must be a mapping of source category: topic")
		return nil
	}
	out := map[string]string{}
	eachPair(n, p, func(k, v *yaml.Node) {
		var topic string
		if !decodeInto(v, &topic, p) {
			return
		}
		cat, topic := strings.TrimSpace(k.Value), strings.TrimSpace(topic)
		switch {
		case cat == "":
			p.add(k.Line, "a category is empty")
		case t.Topic(topic) == nil:
			p.add(v.Line, "category %s: %q is not a topic of this taxonomy", cat, topic)
		default:
			out[cat] = topic
		}
	})
	return out
}
