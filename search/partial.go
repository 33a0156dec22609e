package search

import (
	"context"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	"github.com/blevesearch/bleve/v2/search/query"
)

// partial builds the query of q in ModePartial: its plain words become
// units a document may lack (matching), each with its synonyms; its
// phrases, OR groups and field:values stay required, its exclusions
// exclude. With all (ModeAll) every unit is required, and the query is
// built only when a word has synonyms, to say which one matched. It
// returns nil when nothing can be partial (fewer than two units) and no
// word has synonyms: build's query is the same search.
func (a *analyzers) partial(q *Query, sink *matchSink, all bool) (query.Query, []unit) {
	a.prefixes = 0
	var units, stops []unit
	var words []wordUnit
	var plain []string
	synonyms := false
	for _, g := range q.Groups {
		if len(g) != 1 || g[0].Field != "" || g[0].Phrase {
			continue
		}
		plain = append(plain, g[0].Text)
		for _, w := range a.wordUnits(g[0].Text, a.ex) {
			words = append(words, w)
			u := unit{text: w.text, alts: []alt{{text: w.text}}, words: len(w.slots), word: w}
			for _, syn := range w.syns {
				u.alts = append(u.alts, alt{text: syn})
			}
			synonyms = synonyms || len(u.alts) > 1
			if weak(w.text) && len(u.alts) == 1 {
				stops = append(stops, u)
			} else {
				units = append(units, u)
			}
		}
	}
	if len(units) == 0 { // only weak words: they are the query
		units, stops = stops, nil
	}
	// one word alone, without weak words or synonyms, is mode all's query
	if len(units) == 0 || all && !synonyms || len(units) < 2 && len(stops) == 0 && !synonyms {
		return nil, nil
	}
	if all { // every word, question words included
		units = append(units, stops...)
	}
	units = capAlts(units, maxUnits)
	a.unitQueries(units, all)
	b := bleve.NewBooleanQuery()
	for _, g := range q.Groups {
		if len(g) == 1 && g[0].Field == "" && !g[0].Phrase {
			continue
		}
		var alts []query.Query
		for _, t := range g {
			if tq := a.term(t); tq != nil {
				alts = append(alts, tq)
			}
		}
		mustOneOf(b, alts)
	}
	var should []query.Query
	n, grams := 0, 0
	for _, text := range plain {
		should = a.rankClauses(should, text, &n, &grams)
	}
	var score query.Query = newAnyOf(should...)
	if len(should) == 0 {
		score = bleve.NewMatchAllQuery()
	}
	mq := &matching{units: units, score: score, sink: sink, all: all, exhaustive: a.exhaustive}
	if syn := a.synonymClauses(nil, words); len(syn) > 0 {
		mq.synonyms = newAnyOf(syn...)
	}
	b.AddMust(mq)
	for _, t := range q.Not {
		if tq := a.term(t); tq != nil {
			b.AddMustNot(tq)
		}
	}
	return alone(b), units
}

// capAlts keeps the units whose alternatives fit in n, in order, and of
// the one that does not fit, what does.
func capAlts(units []unit, n int) []unit {
	for i, u := range units {
		if len(u.alts) > n {
			if n == 0 {
				return units[:i]
			}
			units[i].alts = u.alts[:n]
			return units[:i+1]
		}
		n -= len(u.alts)
	}
	return units
}

// matchedOf returns the words of the query a hit has and those it lacks.
// A partial query knows them from its units' masks; any other query that
// matched holds every word, and a relaxed question some: its words are
// not told apart.
func matchedOf(dm *bsearch.DocumentMatch, sink *matchSink, units []unit, q *Query, a *analyzers, relaxed bool) (matched, missing []string) {
	matched, missing = []string{}, []string{}
	if units == nil {
		if relaxed {
			return matched, missing
		}
		for _, g := range q.Groups {
			for _, t := range g {
				if len(g) == 1 && t.Field == "" && !t.Phrase {
					for _, s := range a.slots(t.Text) {
						matched = append(matched, s.text)
					}
				}
			}
		}
		return matched, missing
	}
	mask := sink.mask(dm.IndexInternalID)
	bit := uint(0)
	for _, u := range units {
		found := ""
		for _, alt := range u.alts { // the word itself before its synonyms
			if found == "" && mask&(1<<bit) != 0 {
				found = alt.text
			}
			bit++
		}
		if found != "" {
			matched = append(matched, found)
		} else {
			missing = append(missing, u.text)
		}
	}
	return matched, missing
}

// countExact returns ctx set up so that the top-N collector of a search
// counts in n the matches that have every word, as sink knows them,
// beside the handler ctx already has (the facets' hooks).
func countExact(ctx context.Context, sink *matchSink, n *uint64) context.Context {
	inner, _ := ctx.Value(bsearch.MakeDocumentMatchHandlerKey).(bsearch.MakeDocumentMatchHandler)
	maker := bsearch.MakeDocumentMatchHandler(func(sc *bsearch.SearchContext) (bsearch.DocumentMatchHandler, bool, error) {
		var next bsearch.DocumentMatchHandler
		var loadID bool
		var err error
		if inner != nil {
			next, loadID, err = inner(sc)
		} else {
			next, loadID, err = collector.MakeTopNDocumentMatchHandler(sc)
		}
		if err != nil {
			return nil, false, err
		}
		*n = 0
		return func(d *bsearch.DocumentMatch) error {
			if d != nil && sink.exact(d.IndexInternalID) {
				*n++
			}
			return next(d)
		}, loadID, nil
	})
	return context.WithValue(ctx, bsearch.MakeDocumentMatchHandlerKey, maker)
}

// answerWords name the kind of answer a question asks for, not what it is
// about: the passage that says when the 2022 春运 began gives a date and
// rarely says 时间. They rank a document but a document never lacks them.
// On eval/rgb-dev they took nDCG@10 from 0.740 to 0.747, eval/ncp
// stayed at 0.900 (complete matches first up to 5 words, as then).
var answerWords = wordSet(`时间 日期 时候 何时 地点 地方 哪里 名字 名称 人数 数量 多少 几 哪个 哪家 谁 是谁`)

// weak reports whether a word of the query is too weak to be lacking: a
// question word or a word naming the kind of answer. They still rank the
// documents that have them. (Single characters were weak too for a
// while: 年 of 2022年; eval/rgb-dev 0.744 with them weak, 0.740 without,
// eval/ncp 0.900 both; but then 2024年 finds 〔2024〕12号 as a complete
// match.)
func weak(w string) bool {
	return isStop(w) || answerWords[w]
}

// unitQueries builds the query of each alternative of units. In a
// question too long for its complete matches to rank first (tierUnits),
// a unit of one character matches it as a word, not inside any other
// (the costly prefix of every bigram it starts: 难 of 上学难 made the
// question of BenchmarkQueryMix twenty times slower); the prefix budget
// is left to its phrases.
func (a *analyzers) unitQueries(units []unit, all bool) {
	words := 0
	for _, u := range units {
		words += u.words
	}
	if words > tierUnits && !all {
		saved := a.prefixes
		a.prefixes = a.maxPrefixes
		defer func() { a.prefixes = saved }()
	}
	for i := range units {
		u := &units[i]
		u.alts[0].q = a.ownQuery(u.word)
		for j := 1; j < len(u.alts); j++ {
			if u.alts[j].q = a.synonymQuery(u.alts[j].text); u.alts[j].q == nil {
				u.alts[j].q = bleve.NewMatchNoneQuery() // punctuation alone
			}
		}
	}
}
