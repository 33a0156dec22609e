package search

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"minsheng/corpus"
	"minsheng/errs"
)

// Request is a search as staff ask it, independent of HTTP.
type Request struct {
	Query   string  `json:"q"`
	Filters Filters `json:"filters"`
	Sort    string  `json:"sort"` // "relevance" (default), "date", "-date"
	Page    int     `json:"page"` // from 1
	Size    int     `json:"size"` // 1..Limits.MaxSize
	// Mode is how many of the query's words a document needs: ModePartial
	// (the default: every word ranks first, then fewer) or ModeAll.
	Mode      string `json:"mode,omitempty"`
	FacetSize int    `json:"facet_size"`
	// NoFacets and NoHighlight skip work a caller does not need (exports).
	NoFacets    bool `json:"-"`
	NoHighlight bool `json:"-"`
	// NoCache has the search computed, not answered from the result
	// cache, nor kept there (measurements of the search itself).
	NoCache bool `json:"-"`
	// NoDocs: the hits need not hold their documents (Hit.Doc is nil),
	// as the API's and the staff UI's pages show a hit's own fields
	// alone. Each hit's stored document is decoded into one buffer that
	// every string of the document points into, so a hit kept with its
	// document, or with any string of it, keeps the whole document; a
	// page kept in the result cache holds a copy of what it shows
	// instead (Hit.detach).
	NoDocs bool `json:"-"`
	// After continues after the last hit of a previous page (its Sort
	// values), past the page depth that Page can reach.
	After []string `json:"after,omitempty"`
	// TopicScope is TopicsAll (or "") or TopicsPrimary: the topic facet
	// and filter then count and match each document's primary topic only.
	TopicScope string `json:"topic_scope,omitempty"`
	// noSuggest: the search of a suggestion looks for none itself
	noSuggest bool
}

// Filters narrow a search. Values of one field are alternatives (OR);
// different fields must all match (AND).
type Filters struct {
	Topic      []string  `json:"topic,omitempty"`
	Kind       []string  `json:"kind,omitempty"`
	Year       []string  `json:"year,omitempty"`
	Delegation []string  `json:"delegation,omitempty"`
	Unit       []string  `json:"unit,omitempty"`
	Status     []string  `json:"status,omitempty"`
	Source     []string  `json:"source,omitempty"`
	From       time.Time `json:"from,omitzero"` // inclusive
	To         time.Time `json:"to,omitzero"`   // inclusive: the whole day
	// Fields holds the values of the schema's other filters (corpus.Filters)
	// by name; Values and Set read and write every filter alike.
	Fields map[string][]string `json:"fields,omitempty"`
}

// named is the field of a filter that has one of its own: the schema's
// first filters, which callers set by name.
func (f *Filters) named(name string) *[]string {
	switch name {
	case corpus.FieldTopic:
		return &f.Topic
	case corpus.FieldKind:
		return &f.Kind
	case corpus.FieldYear:
		return &f.Year
	case corpus.FieldDelegation:
		return &f.Delegation
	case corpus.FieldUnit:
		return &f.Unit
	case corpus.FieldStatus:
		return &f.Status
	case corpus.FieldSource:
		return &f.Source
	}
	return nil
}

// Values returns the values of the filter of the schema named name.
func (f *Filters) Values(name string) []string {
	if p := f.named(name); p != nil {
		return *p
	}
	return f.Fields[name]
}

// Set sets the values of the filter named name; no values clears it.
func (f *Filters) Set(name string, vals []string) {
	if p := f.named(name); p != nil {
		*p = vals
		return
	}
	if len(vals) == 0 {
		delete(f.Fields, name)
		return
	}
	if f.Fields == nil {
		f.Fields = map[string][]string{}
	}
	f.Fields[name] = vals
}

// Sort orders.
const (
	SortRelevance = "relevance"
	SortDate      = "date"
	SortDateDesc  = "-date"
)

// normalize fills defaults and checks the request against the limits. Its
// errors wrap errs.Invalid.
func (r *Request) normalize(l Limits) error {
	if n := len([]rune(r.Query)); n > l.MaxQueryLen {
		return invalid("query is %d characters long; the limit is %d", n, l.MaxQueryLen)
	}
	// The query as Parse reads it: without invisible characters, so that a
	// suggestion and the result cache see the words searched, and empty
	// when nothing in it is searched (only punctuation, a lone quote), so
	// that it lists documents as the empty query does, from the same
	// cache entry.
	r.Query = visible(r.Query)
	q := Parse(r.Query)
	n := q.size()
	if n == 0 {
		r.Query = ""
	}
	if n > l.MaxTerms {
		return invalid("query has %d words, phrases and field:values; the limit is %d", n, l.MaxTerms)
	}
	if err := r.scopeTopics(); err != nil {
		return err
	}
	if r.Page == 0 {
		r.Page = 1
	}
	if r.Size == 0 {
		r.Size = 10
	}
	if r.FacetSize == 0 {
		r.FacetSize = 20
	}
	switch {
	case r.Page < 1:
		return invalid("page must be 1 or more, not %d", r.Page)
	case r.Size < 1 || r.Size > l.MaxSize:
		return invalid("size must be between 1 and %d, not %d", l.MaxSize, r.Size)
	case r.FacetSize < 1 || r.FacetSize > l.MaxFacetSize:
		return invalid("facet_size must be between 1 and %d, not %d", l.MaxFacetSize, r.FacetSize)
	case r.After == nil && (r.Page-1) > (l.MaxPageDepth-r.Size)/r.Size:
		return invalid("page %d with size %d is deeper than %d results; narrow the search or export it", r.Page, r.Size, l.MaxPageDepth)
	}
	switch r.Mode {
	case "":
		r.Mode = ModePartial
	case ModePartial, ModeAll:
	default:
		return invalid("mode must be partial or all, not %q", r.Mode)
	}
	switch r.Sort {
	case "":
		r.Sort = SortRelevance
	case SortRelevance, SortDate, SortDateDesc:
	default:
		return invalid("sort must be relevance, date or -date, not %q", r.Sort)
	}
	f := &r.Filters
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return invalid("the date range ends (%s) before it starts (%s)", f.To.Format(time.DateOnly), f.From.Format(time.DateOnly))
	}
	for _, y := range f.Year {
		if err := checkValue(corpus.FieldYear, y); err != nil {
			return err
		}
	}
	for name := range f.Fields {
		if fd, ok := corpus.FieldNamed(name); !ok || !fd.Filter {
			return invalid("there is no filter %q", name)
		}
	}
	for _, fd := range filterFields {
		for _, v := range f.Values(fd.Name) {
			if err := checkValue(fd.Name, v); err != nil {
				return err
			}
		}
	}
	// field:value in the query takes the values its filter does
	for _, g := range q.Groups {
		for _, t := range g {
			if err := checkValue(t.Field, t.Text); err != nil {
				return err
			}
		}
	}
	for _, t := range q.Not {
		if err := checkValue(t.Field, t.Text); err != nil {
			return err
		}
	}
	return nil
}

// checkValue says whether v is a value field may have, as a filter or as
// field:value in a query: a year of four digits, one of the values of a
// field that allows only some (after its normalisation). A field that is
// not the schema's ("" for a word) takes any.
func checkValue(field, v string) error {
	if field == corpus.FieldYear {
		if n, err := strconv.Atoi(v); err != nil || n < 1000 || n > 9999 {
			return invalid("year must be four digits, not %q", v)
		}
		return nil
	}
	fd, ok := corpus.FieldNamed(field)
	if !ok || fd.Allowed == nil {
		return nil
	}
	if fd.Normalize != nil {
		v = fd.Normalize(v)
	}
	if !slices.Contains(fd.Allowed, v) {
		return invalid("%s must be %s, not %q", fd.Name, strings.Join(fd.Allowed, " or "), v)
	}
	return nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errs.Invalid, fmt.Sprintf(format, args...))
}

// ParseDay reads a date of a filter: 2024-01-31, 2024/1/31 or 20240131.
func ParseDay(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "2006/1/2", "2006-1-2", "20060102", "2006年1月2日"} {
		if t, err := time.ParseInLocation(layout, s, corpus.CST()); err == nil {
			return t, nil
		}
	}
	return time.Time{}, invalid("date %q is not a date like 2024-01-31", s)
}
