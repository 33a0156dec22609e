package taxonomy

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"minsheng/corpus"
	"minsheng/indexer/analysis"
)

// Classifier tags documents with the topics of a taxonomy. It is read-only
// after NewClassifier and safe for concurrent use.
//
// The score of a topic for a document is computed in five steps:
//
//  1. Title and body are folded as the index folds them (full-width to
//     half-width, letter case, traditional to simplified characters), and
//     so were the keywords when the classifier was built: 醫療 in a text
//     matches the keyword 医疗.
//  2. Keywords are found leftmost-longest within each topic: where two
//     keywords of one topic overlap (黄河流域生态保护 and 生态保护), only the
//     longer counts, so one phrase is not scored two or three times.
//     Keywords of different topics are found independently of each other.
//  3. Each keyword counts n = title_factor × (occurrences in the title) +
//     (occurrences in the body), at most keyword_cap: a word repeated all
//     through a text does not decide a topic alone, while several different
//     words of the topic do.
//  4. raw = Σ weight × n over the topic's keywords.
//  5. score = raw / log2(2 + L/500), L being the characters of title and
//     body. A longer text touches more keywords by chance, so its raw score
//     is discounted, but only logarithmically: the divisor is 1 for an empty
//     text, 1.3 at 500 characters, 2 at 1,000, 3.6 at 5,000 and 6.9 at
//     60,000 (a government work report), so that a long document about a
//     topic still beats a short one that mentions it once.
//
// The topics scoring at least their threshold are assigned, best first, at
// most max_topics of them; after the first, only those scoring at least
// min_ratio × the best score, so that a document about one thing is not
// also tagged with everything it touches in passing.
type Classifier struct {
	tax   *Taxonomy
	fold  *analysis.Folder
	bmp   []rune // the folded form of every rune of the Basic Multilingual Plane
	kws   []classKeyword
	root  []int32           // the trie's root: the child node of each BMP rune, 0 for none
	edges [][]edge          // the children of each other node of the trie
	ends  [][]int32         // for each trie node, the keywords (indexes into kws) ending there
	names map[string]string // folded topic name or alias -> topic name

	learned // a model and staff corrections, when a build has them (learned.go)
}

// edge leads from a trie node to its child for one rune. Nodes below the
// root have few children, so a short slice scanned in order is faster
// than a map.
type edge struct {
	r     rune
	child int32
}

// classKeyword is one keyword of one topic.
type classKeyword struct {
	topic  int32
	word   string // as the taxonomy writes it
	weight float64
}

// maxWords is how many deciding words a document's topic keeps.
const maxWords = 8

// NewClassifier compiles a taxonomy. It fails when two keywords of one
// topic are the same once folded (医疗 and 醫療).
func NewClassifier(t *Taxonomy) (*Classifier, error) {
	f, err := analysis.SharedFolder()
	if err != nil {
		return nil, fmt.Errorf("classifier: %w", err)
	}
	c := &Classifier{tax: t, fold: f, bmp: make([]rune, 0x10000), root: make([]int32, 0x10000),
		edges: [][]edge{nil}, ends: [][]int32{nil}, names: map[string]string{}}
	for r := range c.bmp {
		c.bmp[r] = f.Rune(rune(r))
	}
	for ti, td := range t.Topics {
		seen := map[string]string{}
		for _, n := range append([]string{td.Name}, td.Aliases...) {
			c.names[f.String(n)] = td.Name
		}
		for _, k := range td.Keywords {
			fw := f.String(k.Word)
			if prev, ok := seen[fw]; ok {
				return nil, fmt.Errorf("taxonomy: topic %s (line %d): keywords %q and %q are the same once folded", td.Name, td.Line, prev, k.Word)
			}
			seen[fw] = k.Word
			c.kws = append(c.kws, classKeyword{topic: int32(ti), word: k.Word, weight: k.Weight})
			node := int32(0)
			for _, r := range fw {
				child := c.child(node, r)
				if child == 0 {
					child = int32(len(c.ends))
					c.ends = append(c.ends, nil)
					c.edges = append(c.edges, nil)
					if node == 0 && r < rune(len(c.root)) {
						c.root[r] = child
					} else {
						c.edges[node] = append(c.edges[node], edge{r, child})
					}
				}
				node = child
			}
			c.ends[node] = append(c.ends[node], int32(len(c.kws)-1))
		}
	}
	return c, nil
}

// child is the trie node under node for rune r, or 0 (the root is never
// a child).
func (c *Classifier) child(node int32, r rune) int32 {
	if node == 0 && r >= 0 && r < rune(len(c.root)) {
		return c.root[r]
	}
	for _, e := range c.edges[node] {
		if e.r == r {
			return e.child
		}
	}
	return 0
}

// runes folds text into runes as the index folds it.
func (c *Classifier) runes(text string) []rune {
	out := make([]rune, 0, len(text)/2)
	for _, r := range text {
		if r >= 0 && r < rune(len(c.bmp)) {
			r = c.bmp[r]
		} else {
			r = c.fold.Rune(r)
		}
		out = append(out, r)
	}
	return out
}

// Taxonomy is the taxonomy the classifier was built from.
func (c *Classifier) Taxonomy() *Taxonomy { return c.tax }

// Version is the taxonomy's version; index generations are stamped with it.
func (c *Classifier) Version() string { return c.tax.version }

// canonical maps given topics to topic names, without repeats or blanks.
func (c *Classifier) canonical(given []string) []string {
	if len(given) == 0 {
		return given
	}
	out := given[:0:0]
	seen := make(map[string]bool, len(given))
	for _, g := range given {
		g = strings.TrimSpace(g)
		if name, ok := c.names[c.fold.String(g)]; ok {
			g = name
		}
		if g != "" && !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// Classify returns the topics of a text, best first, each with its score
// and the keywords that contributed most, strongest first; nil when no
// topic reaches its threshold.
func (c *Classifier) Classify(title, body string) []corpus.Topic {
	tl := c.tally(title, body)
	best := tl.assigned(c)
	if len(best) == 0 {
		return nil
	}
	out := make([]corpus.Topic, len(best))
	for i, ti := range best {
		hits := tl.hits(c, ti)
		words := make([]string, 0, min(len(hits), maxWords))
		for _, h := range hits {
			if h.Points <= 0 || len(words) == maxWords {
				break
			}
			words = append(words, h.Word)
		}
		out[i] = corpus.Topic{Name: c.tax.Topics[ti].Name, Score: round2(tl.score[ti]), Words: words}
		if tl.model != nil {
			out[i].Model = round2(tl.model[ti])
		}
	}
	return out
}

// TopicScore is how one topic scored for a text: see Classifier.
type TopicScore struct {
	Name      string
	Score     float64 // raw score normalised by length
	Raw       float64
	Threshold float64
	Assigned  bool
	// Nearest: assigned as the primary topic of a text no topic reaches,
	// its keywords the nearest to their threshold (see PrimaryFloor)
	Nearest bool
	Hits    []KeywordHit // the topic's keywords found, by Points, highest first
	// With a model: whether it knows the topic, and what it says, the
	// probability of the topic, and the threshold it must reach (see
	// Classifier.assigned).
	Known                 bool
	Model, ModelThreshold float64
}

// KeywordHit is a keyword found in a text and what it contributed.
type KeywordHit struct {
	Word        string // as the taxonomy writes it
	Weight      float64
	Title, Body int     // occurrences
	Points      float64 // weight × capped count
}

// Explain scores every topic that has a keyword in the text, best first,
// whether assigned or not: what `minsheng topics explain` prints.
func (c *Classifier) Explain(title, body string) []TopicScore {
	tl := c.tally(title, body)
	assigned := map[int]bool{}
	for _, ti := range tl.assigned(c) {
		assigned[ti] = true
	}
	var out []TopicScore
	for ti, td := range c.tax.Topics {
		hits := tl.hits(c, ti)
		known := tl.knows(ti)
		if len(hits) == 0 && !known {
			continue
		}
		ts := TopicScore{Name: td.Name, Score: tl.score[ti], Raw: tl.raw[ti],
			Threshold: td.Threshold, Assigned: assigned[ti], Nearest: assigned[ti] && !known && tl.score[ti] < td.Threshold, Hits: hits, Known: known}
		if known {
			ts.Model, ts.ModelThreshold = tl.model[ti], tl.m.Thresholds[tl.class[ti]]
		}
		out = append(out, ts)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

// tally is what one text scored: occurrences of each keyword and the
// scores of each topic.
type tally struct {
	title, body []int32   // per keyword
	raw, score  []float64 // per topic
	model       []float64 // per topic, with a model: see Classifier.modelScores
	m           *Model    // the model, or nil
	class       []int     // per topic, with a model: its class in m, -1 for none
	background  bool      // the model finds a background class likeliest
}

func (c *Classifier) tally(title, body string) *tally {
	tl := c.keywordTally(title, body)
	c.modelScores(tl, c.currentModel(), title, body)
	return tl
}

// keywordTally is what the taxonomy's keywords alone make of a text.
func (c *Classifier) keywordTally(title, body string) *tally {
	tr, br := c.runes(title), c.runes(body)
	tl := &tally{
		title: make([]int32, len(c.kws)), body: make([]int32, len(c.kws)),
		raw: make([]float64, len(c.tax.Topics)), score: make([]float64, len(c.tax.Topics)),
	}
	covered := make([]int, len(c.tax.Topics))
	c.scan(tr, tl.title, covered)
	clear(covered)
	c.scan(br, tl.body, covered)
	capN := float64(c.tax.KeywordCap)
	for k, kw := range c.kws {
		if tl.title[k] == 0 && tl.body[k] == 0 {
			continue
		}
		tl.raw[kw.topic] += kw.weight * min(capN, c.tax.TitleFactor*float64(tl.title[k])+float64(tl.body[k]))
	}
	norm := math.Log2(2 + float64(len(tr)+len(br))/500)
	for ti := range tl.raw {
		tl.score[ti] = tl.raw[ti] / norm
	}
	return tl
}

// scan counts the keywords found in text into counts, leftmost-longest
// within each topic. covered[t] is where topic t's last match ended.
func (c *Classifier) scan(text []rune, counts []int32, covered []int) {
	type cand struct {
		kw  int32
		end int
	}
	var buf [8]cand
	for i := range text {
		cands := buf[:0]
		node := int32(0)
		for j := i; j < len(text); j++ {
			if node = c.child(node, text[j]); node == 0 {
				break
			}
			for _, k := range c.ends[node] {
				t := c.kws[k].topic
				replaced := false
				for x := range cands { // a longer keyword of the same topic wins
					if c.kws[cands[x].kw].topic == t {
						cands[x] = cand{k, j + 1}
						replaced = true
						break
					}
				}
				if !replaced {
					cands = append(cands, cand{k, j + 1})
				}
			}
		}
		for _, cd := range cands {
			t := c.kws[cd.kw].topic
			if i >= covered[t] {
				counts[cd.kw]++
				covered[t] = cd.end
			}
		}
	}
}

// hits lists topic ti's keywords found in the text, by points, highest first.
func (tl *tally) hits(c *Classifier, ti int) []KeywordHit {
	var out []KeywordHit
	capN := float64(c.tax.KeywordCap)
	for k, kw := range c.kws {
		if int(kw.topic) != ti || tl.title[k] == 0 && tl.body[k] == 0 {
			continue
		}
		n := min(capN, c.tax.TitleFactor*float64(tl.title[k])+float64(tl.body[k]))
		out = append(out, KeywordHit{Word: kw.word, Weight: kw.weight, Title: int(tl.title[k]), Body: int(tl.body[k]), Points: kw.weight * n})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Points > out[j].Points })
	return out
}
