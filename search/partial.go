package search

import (
	"context"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	"github.com/blevesearch/bleve/v2/search/query"
)

// partial builds the query of q in ModePartial: its plain words become
// units a document may lack (matching), its phrases, OR groups and
// field:values stay required, its exclusions exclude. It returns nil when
// q has fewer than two units: nothing can be partial, and mode all's
// query is the same search.
func (a *analyzers) partial(q *Query, sink *matchSink) (query.Query, []unit) {
	a.prefixes = 0
	var units, stops []unit
	var slots, stopSlots []slot
	var plain []string
	for _, g := range q.Groups {
		if len(g) != 1 || g[0].Field != "" || g[0].Phrase {
			continue
		}
		plain = append(plain, g[0].Text)
		for _, s := range a.slots(g[0].Text) {
			u := unit{text: s.text}
			if isStop(s.text) {
				stops, stopSlots = append(stops, u), append(stopSlots, s)
			} else {
				units, slots = append(units, u), append(slots, s)
			}
		}
	}
	if len(units) == 0 { // only question words: they are the query
		units, slots = stops, stopSlots
	}
	if len(units) < 2 {
		return nil, nil
	}
	units = units[:min(len(units), maxUnits)]
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
		switch len(alts) {
		case 0:
		case 1:
			b.AddMust(alts[0])
		default:
			b.AddMust(bleve.NewDisjunctionQuery(alts...))
		}
	}
	for i := range units {
		units[i].q = a.slotQuery(slots[i], true) // as mode all finds it
	}
	var should []query.Query
	words, grams := 0, 0
	for _, text := range plain {
		should = a.rankClauses(should, text, &words, &grams)
	}
	var score query.Query = newAnyOf(should...)
	if len(should) == 0 {
		score = bleve.NewMatchAllQuery()
	}
	b.AddMust(&matching{units: units, score: score, sink: sink})
	for _, t := range q.Not {
		if tq := a.term(t); tq != nil {
			b.AddMustNot(tq)
		}
	}
	return b, units
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
	for i, u := range units {
		if mask&(1<<uint(i)) != 0 {
			matched = append(matched, u.text)
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
