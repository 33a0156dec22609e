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
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

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

// DefaultYAML is the file of the built-in taxonomy, for staff to start
// their own from (`minsheng topics list --yaml`).
func DefaultYAML() []byte { return slices.Clone(defaultTaxonomy) }

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
