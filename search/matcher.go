package search

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// matcher builds the query of an analytics request, afresh each time it
// is called: withFilters changes a boolean query in place, so a built
// query is never shared between two bleve requests.
type matcher struct {
	an      *analyzers
	q       *Query
	f       Filters
	all     bool      // ModeAll
	relaxed bool      // a question: any of its words, ranked (Search's isQuestion)
	syn     *Synonyms // as Search expands the query; nil: none
	limits  Limits
}

func (s *Searcher) matcher(r Request) (*matcher, error) {
	r.Size, r.Page, r.After = 1, 1, nil // paging does not apply; the rest is checked as Search checks it
	if err := r.normalize(s.Limits); err != nil {
		return nil, err
	}
	an, err := s.analyzers()
	if err != nil {
		return nil, err
	}
	m := &matcher{an: an, q: Parse(r.Query).scoped(r.TopicScope), f: r.Filters, all: r.Mode == ModeAll, syn: s.Synonyms(), limits: s.Limits}
	m.relaxed = !m.all && m.q.isQuestion(an)
	return m, nil
}

// base is the query Search counts the total of: its partial matching (or
// in ModeAll every word, with synonyms) as Search builds it, else its
// plain query.
func (m *matcher) base() query.Query {
	m.an.ex = nil
	if m.syn != nil { // afresh: building a query spends its budget
		m.an.ex = newExpansion(m.syn, m.q, m.limits)
	}
	if q, _ := m.an.partial(m.q, &matchSink{}, m.all); q != nil {
		return q
	}
	return m.an.build(m.q, m.relaxed)
}

// query matches the request's documents, and those of each extra query.
func (m *matcher) query(and ...query.Query) query.Query {
	q := withFiltersOn(m.base(), m.f, m.an.today)
	if len(and) == 0 {
		return q
	}
	return bleve.NewConjunctionQuery(append([]query.Query{q}, and...)...)
}
