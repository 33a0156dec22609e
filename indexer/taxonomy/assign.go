package taxonomy

import (
	"math"
	"sort"
	"strings"

	"minsheng/corpus"
)

// learned is what a classifier knows beyond its taxonomy: a model trained
// on labelled documents and the topics staff set on documents.
type learned struct {
	model       *Model
	class       []int            // per topic: its class in model, -1 when the model has none
	background  int              // the model's background class, -1 when it has none
	corrections CorrectionSource // the topics staff set, by document id; nil: none
}

// keywordPrior is how much one point of keyword score counts beside the
// model's log-likelihood ratio: a topic's keywords scoring 20 (five times
// the usual threshold) weigh as much as the text being e (2.7) times as
// likely, bigram for bigram, under the topic's model as in general. The
// keywords stay the prior, and what explains a topic to staff.
const keywordPrior = 0.05

// WithModel returns a classifier that combines the taxonomy's keywords with
// model m (nil: keywords alone). The classifier c is not changed.
func (c *Classifier) WithModel(m *Model) *Classifier {
	cc := *c
	cc.model, cc.background = m, -1
	cc.class = nil
	if m == nil {
		return &cc
	}
	cc.class = make([]int, len(c.tax.Topics))
	for ti, td := range c.tax.Topics {
		cc.class[ti] = -1
		for ci, name := range m.Classes {
			if name == td.Name {
				cc.class[ti] = ci
			}
		}
	}
	for ci, name := range m.Classes {
		if name == "" {
			cc.background = ci
		}
	}
	return &cc
}

// WithCorrections returns a classifier that tags the documents of the map
// (id -> topics) with the topics staff set, whatever their text says.
func (c *Classifier) WithCorrections(m map[string][]string) *Classifier {
	cc := *c
	cc.corrections = nil
	if m != nil {
		cc.corrections = correctionMap(m)
	}
	return &cc
}

// CorrectionSource gives the topics staff set on a document, if they did:
// a map (WithCorrections) or the live store (Corrections).
type CorrectionSource interface {
	Get(id string) ([]string, bool)
}

type correctionMap map[string][]string

func (m correctionMap) Get(id string) ([]string, bool) {
	t, ok := m[id]
	return t, ok
}

// WithCorrectionSource returns a classifier that asks src, each time it
// tags a document, whether staff set its topics: a server tagging live
// documents passes its store, so that a correction made since it started
// is applied. The classifier c is not changed.
func (c *Classifier) WithCorrectionSource(src CorrectionSource) *Classifier {
	cc := *c
	cc.corrections = src
	return &cc
}

func (c *Classifier) corrected(id string) ([]string, bool) {
	if c.corrections == nil {
		return nil, false
	}
	return c.corrections.Get(id)
}

// Model is the model the classifier combines with its keywords, or nil.
func (c *Classifier) Model() *Model { return c.model }

// ModelHash is the hash of the classifier's model, "" without one; index
// generations are stamped with it beside the taxonomy's version.
func (c *Classifier) ModelHash() string { return c.model.Hash() }

// modelScores fills tl.model and tl.base from the model: for each topic
// the model knows, its log-likelihood ratio plus its keyword prior; the
// baseline of the other topics is the background's ratio (0, the
// collection, when there is no background).
func (c *Classifier) modelScores(tl *tally, title, body string) {
	if c.model == nil {
		return
	}
	ms := c.model.score(c.bigrams(title, body))
	tl.model = make([]float64, len(c.tax.Topics))
	if c.background >= 0 {
		tl.base = ms[c.background]
	}
	for ti := range tl.model {
		if ci := c.class[ti]; ci >= 0 {
			tl.model[ti] = ms[ci] - tl.base
		}
	}
}

// combined is the score a topic's candidacy is decided on with a model:
// what the model says above the baseline, plus the keyword prior.
func (tl *tally) combined(ti int) float64 {
	return tl.model[ti] + keywordPrior*tl.score[ti]
}

// assigned picks the topics a text gets, its primary topic first.
//
// With keywords alone the primary topic is the best scoring of those that
// reach their threshold. With a model, the topics the model knows are
// decided by it: a topic is a candidate if the text is likelier under its
// model (with the keyword prior) than under the background's, and the
// topics it does not know by their keywords, as without a model, ranked
// on the same scale (the background's ratio plus their keyword prior). The
// best candidate is the primary topic.
//
// A further topic must be substantial: a topic the model knows, by being
// a candidate (the model's evidence is what it learned substantial
// documents of the topic to be); another, by reaching further_factor
// times its threshold and min_ratio of the primary topic's keyword score;
// at most max_topics in all.
func (tl *tally) assigned(c *Classifier) []int {
	var order []int
	if tl.model == nil {
		for ti, td := range c.tax.Topics {
			if tl.score[ti] >= td.Threshold {
				order = append(order, ti)
			}
		}
		sort.SliceStable(order, func(i, j int) bool { return tl.score[order[i]] > tl.score[order[j]] })
	} else {
		z := make([]float64, len(c.tax.Topics))
		for ti, td := range c.tax.Topics {
			z[ti] = tl.combined(ti)
			known := c.class[ti] >= 0
			if known && z[ti] > 0 || !known && tl.score[ti] >= td.Threshold {
				order = append(order, ti)
			}
		}
		sort.SliceStable(order, func(i, j int) bool { return z[order[i]] > z[order[j]] })
	}
	if len(order) == 0 {
		return nil
	}
	out := order[:1]
	best := max(tl.score[order[0]], c.tax.Topics[order[0]].Threshold)
	for _, ti := range order[1:] {
		if len(out) == c.tax.MaxTopics {
			break
		}
		if tl.model != nil && c.class[ti] >= 0 || tl.score[ti] >= c.tax.FurtherFactor*c.tax.Topics[ti].Threshold && tl.score[ti] >= c.tax.MinRatio*best {
			out = append(out, ti)
		}
	}
	return out
}

// Given is a document's given topics mapped onto the taxonomy's names
// (an alias or a traditional-character spelling of a topic becomes the
// topic's name; unknown topics are kept as given), followed by the topic
// its category maps to, if any.
func (c *Classifier) Given(d *corpus.Doc) []string {
	given := c.canonical(d.Topics)
	if t, ok := c.tax.Categories[strings.TrimSpace(d.Category)]; ok && !containsString(given, t) {
		given = append(given, t)
	}
	return given
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// Tag sets the document's topics. GivenTopics are those its source gave
// (Topics as a reader filled it, and its category's topic: see Given);
// Inferred those the classifier assigned; Topics all of them, the given
// first, unless staff corrected them, when Topics is what staff set and
// TopicsCorrected is true. PrimaryTopic is the first of Topics.
func (c *Classifier) Tag(d *corpus.Doc) {
	d.GivenTopics = c.Given(d)
	d.Inferred = c.Classify(d.Title, d.Body)
	d.Topics, d.TopicsCorrected = nil, false
	if ts, ok := c.corrected(d.ID); ok {
		d.Topics, d.TopicsCorrected = append([]string(nil), ts...), true
	} else {
		d.Topics = append(d.Topics, d.GivenTopics...)
		for _, t := range d.Inferred {
			if !containsString(d.Topics, t.Name) {
				d.Topics = append(d.Topics, t.Name)
			}
		}
	}
	d.PrimaryTopic = ""
	if len(d.Topics) > 0 {
		d.PrimaryTopic = d.Topics[0]
	}
}

// Example is the labelled example a document makes, if it is one: its
// first given topic (or its category's) when that is a topic of the
// taxonomy, the background when its category is known but maps to none
// (only when the taxonomy maps categories at all), and staff's correction
// above both (the background when staff removed every topic).
func (c *Classifier) Example(d *corpus.Doc) (Example, bool) {
	e := Example{ID: d.ID, Title: d.Title, Body: d.Body}
	if ts, ok := c.corrected(d.ID); ok {
		if len(ts) > 0 {
			e.Topic = ts[0]
		}
		return e, len(ts) == 0 || c.tax.Topic(ts[0]) != nil
	}
	for _, g := range c.Given(d) {
		if c.tax.Topic(g) != nil {
			e.Topic = g
			return e, true
		}
	}
	if len(c.tax.Categories) > 0 && strings.TrimSpace(d.Category) != "" {
		return e, true
	}
	return e, false
}

// round2 rounds a score for display and storage.
func round2(f float64) float64 { return math.Round(f*100) / 100 }
