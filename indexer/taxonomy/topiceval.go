package taxonomy

import (
	"hash/fnv"
	"sort"
	"strings"

	"minsheng/corpus"
)

// EvalRow is how one topic's tagging compares with a labelled set.
type EvalRow struct {
	Topic      string
	Categories []string // the source categories that mean the topic
	Gold       int      // documents the source puts in those categories
	Tagged     int      // documents the classifier tagged with the topic (any of their topics)
	Right      int      // both
}

// Precision is Right/Tagged, 0 when nothing was tagged.
func (r EvalRow) Precision() float64 { return share(r.Right, r.Tagged) }

// Recall is Right/Gold, 0 when the source has none.
func (r EvalRow) Recall() float64 { return share(r.Right, r.Gold) }

// F1 is the harmonic mean of precision and recall.
func (r EvalRow) F1() float64 {
	p, q := r.Precision(), r.Recall()
	if p+q == 0 {
		return 0
	}
	return 2 * p * q / (p + q)
}

func share(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// EvalReport is the tagging of a labelled set measured against its
// categories: what `minsheng topics eval` prints.
type EvalReport struct {
	Method    string // "keywords" or "trained, k-fold cross-validated"
	Folds     int    // 0 for keywords
	Docs      int
	WithTopic int            // documents that got at least one topic
	Counts    map[string]int // documents per topic (any of their topics)
	Rows      []EvalRow
}

// MacroF1 is the mean F1 of the rows.
func (r *EvalReport) MacroF1() float64 {
	if len(r.Rows) == 0 {
		return 0
	}
	s := 0.0
	for _, row := range r.Rows {
		s += row.F1()
	}
	return s / float64(len(r.Rows))
}

// Top is the topic on most documents and its share of them.
func (r *EvalReport) Top() (string, float64) {
	var names []string
	for n := range r.Counts {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := r.Counts[names[i]], r.Counts[names[j]]
		return a > b || a == b && names[i] < names[j]
	})
	if len(names) == 0 {
		return "", 0
	}
	return names[0], share(r.Counts[names[0]], r.Docs)
}

// Evaluate tags docs by their title and body alone (their category and
// given topics withheld) and compares the topics with what their
// categories map to through cats (category -> topic). With keywords alone
// when folds < 2; otherwise by k-fold cross-validation: each document goes to
// the fold its id hashes to (FNV-1a; the same whatever order the file
// lists them in, and blind to any order it has), and each fold is tagged
// by a model trained on the other folds' labels (a mapped category is its topic, any other
// category the background), so that no document is scored by a model that
// saw its label. Staff corrections of the classifier play no part.
func (c *Classifier) Evaluate(docs []corpus.Doc, cats map[string]string, folds int) *EvalReport {
	return c.EvaluateSplit(docs, cats, folds, "")
}

// EvaluateSplit is Evaluate with the documents dealt to the folds by
// another hash: split is hashed before each id ("" is Evaluate's split).
// With a few labelled documents a topic, one split's figures move by a
// few hundredths with the split alone; the mean over several splits says
// more (repeated cross-validation).
func (c *Classifier) EvaluateSplit(docs []corpus.Doc, cats map[string]string, folds int, split string) *EvalReport {
	rep := &EvalReport{Method: "keywords", Docs: len(docs), Counts: map[string]int{}}
	byTopic := map[string]int{}
	for cat, t := range cats {
		i, ok := byTopic[t]
		if !ok {
			i = len(rep.Rows)
			byTopic[t] = i
			rep.Rows = append(rep.Rows, EvalRow{Topic: t})
		}
		rep.Rows[i].Categories = append(rep.Rows[i].Categories, cat)
	}
	sort.Slice(rep.Rows, func(i, j int) bool { return c.order(rep.Rows[i].Topic) < c.order(rep.Rows[j].Topic) })
	for i := range rep.Rows {
		sort.Strings(rep.Rows[i].Categories)
		byTopic[rep.Rows[i].Topic] = i
	}
	tagged := make([][]corpus.Topic, len(docs))
	plain := c.WithModel(nil).WithCorrections(nil)
	if folds < 2 {
		for i, d := range docs {
			tagged[i] = plain.Classify(d.Title, d.Body)
		}
	} else {
		rep.Method, rep.Folds = "trained, cross-validated", folds
		fold := make([]int, len(docs))
		for i, d := range docs {
			h := fnv.New32a()
			h.Write([]byte(split + d.ID))
			fold[i] = int(h.Sum32() % uint32(folds))
		}
		for f := 0; f < folds; f++ {
			var ex []Example
			for i, d := range docs {
				if fold[i] == f {
					continue
				}
				cat := strings.TrimSpace(d.Category)
				if cat == "" {
					continue
				}
				ex = append(ex, Example{ID: d.ID, Title: d.Title, Body: d.Body, Topic: cats[cat], Category: cat})
			}
			m := plain.WithModel(plain.Train(ex))
			for i, d := range docs {
				if fold[i] == f {
					tagged[i] = m.Classify(d.Title, d.Body)
				}
			}
		}
	}
	for i, d := range docs {
		gold, isGold := cats[strings.TrimSpace(d.Category)]
		if isGold {
			rep.Rows[byTopic[gold]].Gold++
		}
		if len(tagged[i]) > 0 {
			rep.WithTopic++
		}
		for _, t := range tagged[i] {
			rep.Counts[t.Name]++
			if ri, ok := byTopic[t.Name]; ok {
				rep.Rows[ri].Tagged++
				if isGold && gold == t.Name {
					rep.Rows[ri].Right++
				}
			}
		}
	}
	return rep
}

// order is a topic's place in the taxonomy (unknown topics last).
func (c *Classifier) order(name string) int {
	for i := range c.tax.Topics {
		if c.tax.Topics[i].Name == name {
			return i
		}
	}
	return len(c.tax.Topics)
}
