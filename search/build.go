package search

import (
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"minsheng/corpus"
)

// Boosts of the word fields: a word in the title counts more than one in
// the body. The literal clause that finds words jieba hid inside longer
// words scores lower than a word match, so it adds recall without
// reordering ordinary results.
const (
	boostTitle   = 2.5
	boostBody    = 1.0
	boostReply   = 0.6
	boostMeta    = 1.5
	boostLiteral = 0.3
)

var wordFields = []struct {
	name  string
	boost float64
}{
	{corpus.FieldTitle, boostTitle}, {corpus.FieldBody, boostBody},
	{corpus.FieldReply, boostReply}, {corpus.FieldMeta, boostMeta},
}

// slot is one word of a query as jieba cuts it: the terms that cover the
// same characters (a word and its numeric form, 十四 and 14) and the text
// they came from.
type slot struct {
	terms []string
	text  string     // the original characters
	cover [][]string // for words with a number (十四届): the parts, each with its alternatives (十四|14, 届)
}

// slots cuts a word of the query into the longest tokens the word analyzer
// gives: tokens inside a longer token are dropped (the longer one, or its
// literal phrase, finds them), tokens with the same span are alternatives.
func (a *analyzers) slots(text string) []slot {
	ts := a.words.Analyze([]byte(text))
	var out []slot
	type span struct{ s, e int }
	var spans []span
	for _, t := range ts {
		inside := false
		for _, u := range ts {
			if u != t && u.Start <= t.Start && t.End <= u.End && (u.End-u.Start) > (t.End-t.Start) {
				inside = true
				break
			}
		}
		if inside {
			continue
		}
		found := false
		for i, sp := range spans {
			if sp.s == t.Start && sp.e == t.End {
				out[i].terms = appendUnique(out[i].terms, string(t.Term))
				found = true
				break
			}
		}
		if !found {
			spans = append(spans, span{t.Start, t.End})
			out = append(out, slot{terms: []string{string(t.Term)}, text: text[t.Start:t.End], cover: numericCover(ts, t)})
		}
	}
	return out
}

// numericCover covers the characters of token w with the longest shorter
// tokens inside it, left to right, when one of them is a number; else nil.
func numericCover(ts analysis.TokenStream, w *analysis.Token) [][]string {
	var cover [][]string
	numeric := false
	for at := w.Start; at < w.End; {
		end := -1
		for _, t := range ts {
			if t.Start == at && t.End <= w.End && t.End-t.Start < w.End-w.Start && t.End > end {
				end = t.End
			}
		}
		if end < 0 {
			return nil
		}
		var alts []string
		for _, t := range ts {
			if t.Start == at && t.End == end {
				alts = appendUnique(alts, string(t.Term))
				numeric = numeric || t.Type == analysis.Numeric
			}
		}
		cover = append(cover, alts)
		at = end
	}
	if !numeric {
		return nil
	}
	return cover
}

func appendUnique(l []string, s string) []string {
	for _, x := range l {
		if x == s {
			return l
		}
	}
	return append(l, s)
}

// wordSlots counts the word slots of the positive groups.
func (q *Query) wordSlots(a *analyzers) int {
	n := 0
	for _, g := range q.Groups {
		for _, t := range g {
			if t.Field == "" && !t.Phrase {
				n += len(a.slots(t.Text))
			}
		}
	}
	return n
}

// build turns a parsed query into a bleve query. Strict: every group must
// match. Relaxed (the fallback for questions): fields and phrases must
// match, words are ranked by how many and how rare.
func (a *analyzers) build(q *Query, relaxed bool) query.Query {
	b := bleve.NewBooleanQuery()
	var should []query.Query
	for _, g := range q.Groups {
		var alts []query.Query
		for _, t := range g {
			if relaxed && len(g) == 1 && t.Field == "" && !t.Phrase {
				for _, s := range a.slots(t.Text) {
					should = append(should, a.slotQuery(s, false))
				}
				continue
			}
			if tq := a.term(t); tq != nil {
				alts = append(alts, tq)
			}
		}
		switch len(alts) {
		case 0:
		case 1:
			b.AddMust(alts[0])
		default:
			b.AddMust(bleve.NewDisjunctionQuery(alts...))
		}
	}
	if len(should) > 0 {
		b.AddShould(should...)
		b.Should.(*query.DisjunctionQuery).SetMin(1)
	}
	for _, t := range q.Not {
		if tq := a.term(t); tq != nil {
			b.AddMustNot(tq)
		}
	}
	if b.Must == nil && b.Should == nil {
		if b.MustNot == nil {
			return bleve.NewMatchAllQuery()
		}
		b.AddMust(bleve.NewMatchAllQuery())
	}
	return b
}

// term is the query of one term, or nil when it has nothing to search.
func (a *analyzers) term(t Term) query.Query {
	switch {
	case t.Field != "":
		return termQ(t.Field, strings.TrimSpace(t.Text), 0)
	case t.Phrase:
		return a.literal(t.Text, 1)
	}
	ss := a.slots(t.Text)
	if len(ss) == 0 { // punctuation or symbols only: search them literally
		return a.literal(t.Text, 1)
	}
	if len(ss) == 1 {
		return a.slotQuery(ss[0], true)
	}
	conj := make([]query.Query, len(ss))
	for i, s := range ss {
		conj[i] = a.slotQuery(s, true)
	}
	return bleve.NewConjunctionQuery(conj...)
}

// slotQuery matches one word in any word field; with literal, also any
// document whose text contains its characters, however jieba cut them.
func (a *analyzers) slotQuery(s slot, literal bool) query.Query {
	var alts []query.Query
	for _, f := range wordFields {
		for _, t := range s.terms {
			alts = append(alts, termQ(f.name, t, f.boost))
		}
	}
	if s.cover != nil {
		conj := make([]query.Query, len(s.cover))
		for i, part := range s.cover {
			conj[i] = a.slotQuery(slot{terms: part}, false)
		}
		alts = append(alts, bleve.NewConjunctionQuery(conj...))
	}
	if literal {
		if lq := a.literal(s.text, boostLiteral); lq != nil {
			alts = append(alts, lq)
		}
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// literal matches text character for character (after folding) in any
// literal field: a substring match, exact both ways.
func (a *analyzers) literal(text string, boost float64) query.Query {
	chars := a.fold(text)
	if len(chars) == 0 {
		return nil
	}
	var alts []query.Query
	for _, f := range wordFields {
		field := corpus.LiteralOf(f.name)
		var q query.Query
		if len(chars) == 1 {
			q = termQ(field, chars[0], f.boost*boost)
		} else {
			pq := bleve.NewPhraseQuery(chars, field)
			pq.SetBoost(f.boost * boost)
			q = pq
		}
		alts = append(alts, q)
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// fold returns the folded characters of text, as the literal analyzer
// indexes them.
func (a *analyzers) fold(text string) []string {
	ts := a.chars.Analyze([]byte(text))
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t.Term)
	}
	return out
}

// needles are the folded character sequences a hit's text is marked at:
// each word slot's characters and each phrase.
func (a *analyzers) needles(q *Query) [][]string {
	var out [][]string
	for _, g := range q.Groups {
		for _, t := range g {
			switch {
			case t.Field != "":
			case t.Phrase:
				out = append(out, a.fold(t.Text))
			default:
				for _, s := range a.slots(t.Text) {
					out = append(out, a.fold(s.text))
				}
			}
		}
	}
	return out
}

// tokensOf analyses text with the literal analyzer: one folded token per
// character, with byte offsets.
func (a *analyzers) tokensOf(text string) analysis.TokenStream {
	return a.chars.Analyze([]byte(text))
}
