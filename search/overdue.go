package search

import (
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/numeric"
	"github.com/blevesearch/bleve/v2/search/query"

	"minsheng/corpus"
)

// Whether a suggestion is overdue depends on the day it is asked: it was
// replied after its due day (deadline "late", known at index time), or it
// is unreplied and its due day has passed (open_due before today). So the
// overdue filter and facet are computed at query time from those two
// indexed fields, with today in the service's time zone.

// today is the calendar day of now in the searcher's time zone.
func (s *Searcher) today() string {
	return corpus.Today(s.Now(), s.Zone)
}

// cutoff is the instant a due date (midnight of the due day in China
// Standard Time, as dates are read) must be before for its day to have
// passed on the day today.
func cutoff(today string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, today, corpus.CST())
	if err != nil {
		return time.Now()
	}
	return t
}

// overdueQuery matches the suggestions overdue (v "true") or not overdue
// ("false") on the day today; those without a due date match neither.
func overdueQuery(v, today string) query.Query {
	c := cutoff(today)
	state, due := corpus.DeadlineLate, bleve.NewDateRangeQuery(query.MinRFC3339CompatibleTime, c)
	if v != "true" {
		state, due = corpus.DeadlineOnTime, bleve.NewDateRangeQuery(c, query.MaxRFC3339CompatibleTime)
	}
	due.SetField(corpus.FieldOpenDue)
	return bleve.NewDisjunctionQuery(termQ(corpus.FieldDeadline, state, 0), due)
}

// valueQuery matches a value of a keyword or computed field of the
// schema, normalized as the field reads values.
func valueQuery(f corpus.Field, v, today string) query.Query {
	if f.Normalize != nil {
		v = f.Normalize(v)
	}
	switch f.Name {
	case corpus.FieldOverdue:
		return overdueQuery(v, today)
	case corpus.FieldNumber:
		if vs := numberValues(v); len(vs) > 1 {
			alts := make([]query.Query, len(vs))
			for i, v := range vs {
				alts[i] = termQ(f.Name, v, 0)
			}
			return bleve.NewDisjunctionQuery(alts...)
		}
	}
	return termQ(f.Name, v, 0)
}

// overdueColumns are what the columns need to tell overdue documents: the
// deadline state and the due date of unreplied ones.
type overdueColumns struct {
	late, onTime []bool  // by document number
	openDue      []int64 // Unix nanoseconds; 0: none
	any          bool    // some document has a deadline state or a due date
}

// buildOverdue reads the overdue columns of a snapshot.
func buildOverdue(cs *columnSet, deadline, openDue *column) {
	n := len(cs.ids)
	o := &overdueColumns{late: make([]bool, n), onTime: make([]bool, n), openDue: make([]int64, n)}
	for d := range n {
		for _, ord := range deadline.of(uint64(d)) {
			switch deadline.terms[ord] {
			case corpus.DeadlineLate:
				o.late[d] = true
			case corpus.DeadlineOnTime:
				o.onTime[d] = true
			}
		}
		for _, ord := range openDue.of(uint64(d)) {
			if valid, shift := numeric.ValidPrefixCodedTerm(openDue.terms[ord]); valid && shift == 0 {
				o.openDue[d], _ = numeric.PrefixCoded(openDue.terms[ord]).Int64()
			}
		}
		o.any = o.any || o.late[d] || o.onTime[d] || o.openDue[d] != 0
	}
	cs.overdue = o
}

// overdueOrd is the ordinal in overdueTerms of whether document d is
// overdue before the cutoff (Unix nanoseconds), or -1 when it has no due
// date.
func (o *overdueColumns) ord(d uint64, cutoff int64) int {
	switch {
	case d >= uint64(len(o.late)):
		return -1
	case o.late[d]:
		return 1
	case o.onTime[d]:
		return 0
	case o.openDue[d] != 0 && o.openDue[d] < cutoff:
		return 1
	case o.openDue[d] != 0:
		return 0
	}
	return -1
}

// overdueTerms are the values of the overdue facet, by ordinal.
var overdueTerms = []string{"false", "true"}

// Without the columns (Searcher.reference), bleve counts the overdue facet
// from two facets of its own: the deadline states, and the due dates of
// unreplied suggestions before and from the cutoff.
const (
	refDeadline = "overdue.deadline"
	refOpenDue  = "overdue.open_due"
)

func addReferenceOverdue(sr *bleve.SearchRequest, cutoffNanos int64) {
	sr.AddFacet(refDeadline, bleve.NewFacetRequest(corpus.FieldDeadline, 10))
	c := time.Unix(0, cutoffNanos)
	due := bleve.NewFacetRequest(corpus.FieldOpenDue, 2)
	due.AddDateTimeRange("true", query.MinRFC3339CompatibleTime, c)
	due.AddDateTimeRange("false", c, query.MaxRFC3339CompatibleTime)
	sr.AddFacet(refOpenDue, due)
}

// referenceOverdue turns the two facets of addReferenceOverdue into the
// overdue facet, ordered as the columns order a facet.
func referenceOverdue(out map[string][]Count, res *bleve.SearchResult) {
	dl, ok := res.Facets[refDeadline]
	if !ok {
		return
	}
	delete(out, refDeadline)
	delete(out, refOpenDue)
	n := map[string]int{}
	for _, t := range dl.Terms.Terms() {
		switch t.Term {
		case corpus.DeadlineLate:
			n["true"] += t.Count
		case corpus.DeadlineOnTime:
			n["false"] += t.Count
		}
	}
	if due := res.Facets[refOpenDue]; due != nil {
		for _, r := range due.DateRanges {
			n[r.Name] += r.Count
		}
	}
	counts := []Count{}
	for _, v := range overdueTerms {
		if n[v] > 0 {
			counts = append(counts, Count{Value: v, Count: n[v]})
		}
	}
	if len(counts) == 2 && counts[1].Count > counts[0].Count {
		counts[0], counts[1] = counts[1], counts[0]
	}
	out[corpus.FieldOverdue] = counts
}
