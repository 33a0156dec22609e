package taxonomy

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"minsheng/corpus"
	"minsheng/indexer/analysis"
)

// The built-in taxonomy. Staff replace it with a file of their own
// (the taxonomy setting); both are read by ParseTaxonomy.
//
//go:embed default.yaml
var defaultTaxonomy []byte

// Defaults of a taxonomy file's settings, filled in one place (see
// Taxonomy.setDefaults).
const (
	defaultThreshold   = 4.0
	defaultMaxTopics   = 3
	defaultKeywordCap  = 3
	defaultTitleFactor = 2.0
	defaultMinRatio    = 0.5
)

// Taxonomy is the list of topics documents are tagged with, each with
// weighted keywords, and the settings of the classifier that scores them.
// The file format (YAML):
//
//	version_note: "what changed"   # optional, free text
//	threshold: 4.0                 # optional default of the topics' thresholds
//	max_topics: 3                  # optional: topics a document gets at most
//	keyword_cap: 3                 # optional: occurrences of one keyword that count
//	title_factor: 2                # optional: an occurrence in the title counts this many times
//	min_ratio: 0.5                 # optional: a second or third topic needs this share of the best score
//	further_factor: 1              # optional: ... and this multiple of its threshold
//	categories:                    # optional: source categories -> topics, for learning from labelled documents
//	  资源环境: 生态环保
//	topics:
//	  - name: 乡村振兴
//	    aliases: [脱贫攻坚, 三农]   # topics given by a source under these names become 乡村振兴
//	    threshold: 4.0             # optional
//	    keywords:
//	      乡村振兴: 3               # keyword or phrase: weight
//	      养老保险: 0               # 0: scores nothing, but hides the topic's shorter keywords inside it (养老)
//	      法治宣传教育: -2          # negative: pushes the topic down
//
// NewClassifier documents how the score is computed.
type Taxonomy struct {
	Note        string
	Threshold   float64 // default threshold of topics that set none
	MaxTopics   int
	KeywordCap  int
	TitleFactor float64
	MinRatio    float64
	// FurtherFactor is what a second or third topic must reach, as a
	// multiple of its threshold: being worth a topic of its own is not
	// enough to be substantially about it beside the primary topic.
	FurtherFactor float64
	Topics        []TopicDef
	// Categories maps a source's own classification (a document's
	// category) to a topic: such documents are given that topic, and a
	// build learns from them (see Classifier.Train).
	Categories map[string]string

	version string
}

// TopicDef is one topic of a taxonomy.
type TopicDef struct {
	Name      string
	Aliases   []string
	Threshold float64
	Keywords  []Weighted // in file order
	Line      int        // where the topic starts in its file
}

// Weighted is a keyword of a topic and its weight.
type Weighted struct {
	Word   string
	Weight float64
}

// Version identifies the taxonomy: the first 12 hex digits of the SHA-256
// of its file. Index generations are stamped with it.
func (t *Taxonomy) Version() string { return t.version }

// Topic returns the topic called name, or nil.
func (t *Taxonomy) Topic(name string) *TopicDef {
	for i := range t.Topics {
		if t.Topics[i].Name == name {
			return &t.Topics[i]
		}
	}
	return nil
}

// DefaultTaxonomy returns the taxonomy built into the binary.
func DefaultTaxonomy() (*Taxonomy, error) {
	return ParseTaxonomy("taxonomy/default.yaml", defaultTaxonomy)
}

// LoadTaxonomy reads a taxonomy file; an empty path means the built-in one.
func LoadTaxonomy(path string) (*Taxonomy, error) {
	if path == "" {
		return DefaultTaxonomy()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("taxonomy: %w", err)
	}
	return ParseTaxonomy(filepath.Base(path), b)
}

// taxonomyProblems collects what is wrong with a file, each at its line.
type taxonomyProblems struct {
	name string
	errs []error
}

func (p *taxonomyProblems) add(line int, format string, args ...any) {
	const most = 20 // a file that is wrong everywhere need not be listed in full
	if len(p.errs) < most {
		p.errs = append(p.errs, fmt.Errorf("%s:%d: %s", p.name, line, fmt.Sprintf(format, args...)))
	}
}

func (p *taxonomyProblems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return fmt.Errorf("taxonomy: %w", errors.Join(p.errs...))
}

// ParseTaxonomy reads and validates a taxonomy file; name is used in error
// messages, which give the line of every problem found.
func ParseTaxonomy(name string, b []byte) (*Taxonomy, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("taxonomy %s: %w", name, err) // yaml's message carries the line
	}
	sum := sha256.Sum256(b)
	t := &Taxonomy{version: hex.EncodeToString(sum[:])[:12]}
	p := &taxonomyProblems{name: name}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		p.add(max(root.Line, 1), "want a mapping with a topics list")
		return nil, p.err()
	}
	top := root.Content[0]
	var topics, categories *yaml.Node
	eachPair(top, p, func(k, v *yaml.Node) {
		switch k.Value {
		case "version_note":
			decodeInto(v, &t.Note, p)
		case "threshold":
			decodeInto(v, &t.Threshold, p)
		case "max_topics":
			decodeInt(v, &t.MaxTopics, p)
		case "keyword_cap":
			decodeInt(v, &t.KeywordCap, p)
		case "title_factor":
			decodeInto(v, &t.TitleFactor, p)
		case "min_ratio":
			decodeInto(v, &t.MinRatio, p)
		case "further_factor":
			decodeInto(v, &t.FurtherFactor, p)
		case "topics":
			topics = v
		case "categories":
			categories = v
		default:
			p.add(k.Line, "unknown setting %q (want version_note, threshold, max_topics, keyword_cap, title_factor, min_ratio, further_factor, categories or topics)", k.Value)
		}
	})
	t.setDefaults()
	switch {
	case t.Threshold <= 0 || isBad(t.Threshold):
		p.add(top.Line, "threshold must be above 0, not %g", t.Threshold)
	case t.MaxTopics < 1 || t.MaxTopics > 10:
		p.add(top.Line, "max_topics must be between 1 and 10, not %d", t.MaxTopics)
	case t.KeywordCap < 1:
		p.add(top.Line, "keyword_cap must be 1 or more, not %d", t.KeywordCap)
	case t.TitleFactor < 1 || isBad(t.TitleFactor):
		p.add(top.Line, "title_factor must be 1 or more, not %g", t.TitleFactor)
	case t.MinRatio < 0 || t.MinRatio > 1 || isBad(t.MinRatio):
		p.add(top.Line, "min_ratio must be between 0 and 1, not %g", t.MinRatio)
	case t.FurtherFactor < 1 || t.FurtherFactor > 100 || isBad(t.FurtherFactor):
		p.add(top.Line, "further_factor must be between 1 and 100, not %g", t.FurtherFactor)
	}
	if topics == nil || topics.Kind != yaml.SequenceNode || len(topics.Content) == 0 {
		line := top.Line
		if topics != nil {
			line = topics.Line
		}
		p.add(line, "topics must be a list of at least one topic")
		return nil, p.err()
	}
	for _, n := range topics.Content {
		if td, ok := parseTopic(n, t.Threshold, p); ok {
			t.Topics = append(t.Topics, td)
		}
	}
	checkNames(t.Topics, p)
	t.Categories = parseCategories(categories, t, p)
	if err := p.err(); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Taxonomy) setDefaults() {
	if t.Threshold == 0 {
		t.Threshold = defaultThreshold
	}
	if t.MaxTopics == 0 {
		t.MaxTopics = defaultMaxTopics
	}
	if t.KeywordCap == 0 {
		t.KeywordCap = defaultKeywordCap
	}
	if t.TitleFactor == 0 {
		t.TitleFactor = defaultTitleFactor
	}
	if t.MinRatio == 0 {
		t.MinRatio = defaultMinRatio
	}
	if t.FurtherFactor == 0 {
		t.FurtherFactor = 1
	}
}

func isBad(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }

// eachPair calls f with each key and value of a mapping node, after
// checking that keys are plain strings and not repeated.
func eachPair(m *yaml.Node, p *taxonomyProblems, f func(k, v *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.add(k.Line, "a key must be plain text")
			continue
		}
		if l, ok := seen[k.Value]; ok {
			p.add(k.Line, "%q is repeated (first at line %d)", k.Value, l)
			continue
		}
		seen[k.Value] = k.Line
		f(k, v)
	}
}

// decodeInto decodes a node into v; yaml's type errors carry the line.
func decodeInto(n *yaml.Node, v any, p *taxonomyProblems) bool {
	if err := n.Decode(v); err != nil {
		p.add(n.Line, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
		return false
	}
	return true
}

// decodeInt decodes a whole number; yaml would quietly truncate 2.5 to 0.
func decodeInt(n *yaml.Node, v *int, p *taxonomyProblems) {
	var f float64
	if !decodeInto(n, &f, p) {
		return
	}
	if f != math.Trunc(f) || math.Abs(f) > 1e6 {
		p.add(n.Line, "%s is not a whole number", n.Value)
		return
	}
	*v = int(f)
}

func parseTopic(n *yaml.Node, threshold float64, p *taxonomyProblems) (TopicDef, bool) {
	td := TopicDef{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, "a topic must be a mapping with name and keywords")
		return td, false
	}
	var kws *yaml.Node
	ok := true
	eachPair(n, p, func(k, v *yaml.Node) {
		switch k.Value {
		case "name":
			ok = decodeInto(v, &td.Name, p) && ok
		case "aliases":
			ok = decodeInto(v, &td.Aliases, p) && ok
		case "threshold":
			ok = decodeInto(v, &td.Threshold, p) && ok
		case "keywords":
			kws = v
		default:
			p.add(k.Line, "unknown topic setting %q (want name, aliases, threshold or keywords)", k.Value)
			ok = false
		}
	})
	td.Name = strings.TrimSpace(td.Name)
	label := td.Name
	if td.Name == "" {
		p.add(n.Line, "a topic has no name")
		label = fmt.Sprintf("at line %d", n.Line)
		ok = false
	}
	switch {
	case td.Threshold == 0:
		td.Threshold = threshold
	case td.Threshold < 0 || isBad(td.Threshold):
		p.add(n.Line, "topic %s: threshold must be above 0, not %g", label, td.Threshold)
		ok = false
	}
	for i, a := range td.Aliases {
		td.Aliases[i] = strings.TrimSpace(a)
		if td.Aliases[i] == "" {
			p.add(n.Line, "topic %s: an alias is empty", label)
			ok = false
		}
	}
	if kws == nil || kws.Kind != yaml.MappingNode || len(kws.Content) == 0 {
		line := n.Line
		if kws != nil {
			line = kws.Line
		}
		p.add(line, "topic %s: keywords must be a mapping of keyword: weight with at least one keyword", label)
		return td, false
	}
	positive := false
	eachPair(kws, p, func(k, v *yaml.Node) {
		w := strings.TrimSpace(k.Value)
		var weight float64
		if !decodeInto(v, &weight, p) {
			ok = false
			return
		}
		switch {
		case w == "":
			p.add(k.Line, "topic %s: a keyword is empty", label)
		case analysis.Clean(w) != w: // control characters or invalid UTF-8
			p.add(k.Line, "topic %s: keyword %q has control characters or invalid UTF-8", label, w)
		case isBad(weight) || math.Abs(weight) > 100:
			p.add(k.Line, "topic %s: keyword %q: weight must be a number between -100 and 100, not %s", label, w, v.Value)
		default:
			td.Keywords = append(td.Keywords, Weighted{Word: w, Weight: weight})
			positive = positive || weight > 0
			return
		}
		ok = false
	})
	if !positive && ok {
		p.add(kws.Line, "topic %s: no keyword has a positive weight, so the topic can never be assigned", label)
		ok = false
	}
	return td, ok
}

// checkNames rejects topics and aliases that are repeated or ambiguous.
func checkNames(topics []TopicDef, p *taxonomyProblems) {
	owner := map[string]string{} // name or alias -> topic
	for _, td := range topics {
		for i, n := range append([]string{td.Name}, td.Aliases...) {
			if o, ok := owner[n]; ok {
				what := "alias"
				if i == 0 {
					what = "topic name"
				}
				if o == td.Name {
					p.add(td.Line, "topic %s: %s %q is repeated", td.Name, what, n)
				} else {
					p.add(td.Line, "topic %s: %s %q is already used by topic %s", td.Name, what, n, o)
				}
				continue
			}
			owner[n] = td.Name
		}
	}
}

// Strongest returns the topic's keywords of positive weight, strongest
// first (equal weights in file order), at most n of them (all when n <= 0).
func (td *TopicDef) Strongest(n int) []Weighted {
	out := make([]Weighted, 0, len(td.Keywords))
	for _, k := range td.Keywords {
		if k.Weight > 0 {
			out = append(out, k)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Weight > out[j].Weight })
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

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
	f, err := analysis.NewFolder()
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
	Hits      []KeywordHit // the topic's keywords found, by Points, highest first
	// With a model: whether it knows the topic, and what it says, the
	// log-likelihood ratio of the text under the topic against the
	// background (see Classifier.assigned); Combined adds the keyword
	// prior, and the best Combined of a known topic above 0 wins.
	Known           bool
	Model, Combined float64
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
		known := c.model != nil && c.class[ti] >= 0
		if len(hits) == 0 && !known {
			continue
		}
		ts := TopicScore{Name: td.Name, Score: tl.score[ti], Raw: tl.raw[ti],
			Threshold: td.Threshold, Assigned: assigned[ti], Hits: hits, Known: known}
		if tl.model != nil {
			ts.Model, ts.Combined = tl.model[ti], tl.model[ti]+keywordPrior*tl.score[ti]
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
	base        float64   // the model's background ratio
}

func (c *Classifier) tally(title, body string) *tally {
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
	c.modelScores(tl, title, body)
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
