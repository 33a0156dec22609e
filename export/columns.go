package export

import (
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"minsheng/corpus"
	"minsheng/search"
)

// resultFields are the fields of the columns of 结果 and of a CSV export:
// the schema's export columns (corpus.Columns), in order. The export shows
// a date as a date, the body as its start (摘要) and the id as a link to
// the document (链接).
var resultFields = corpus.Columns()

// resultCols are the columns of 结果.
var resultCols = func() []column {
	out := make([]column, len(resultFields))
	for i, f := range resultFields {
		out[i] = column{title: f.Column.Title, width: f.Column.Width}
	}
	return out
}()

// linkCol is the column of 链接.
var linkCol = func() string {
	name, _ := excelize.ColumnNumberToName(1 + slices.IndexFunc(resultFields, func(f corpus.Field) bool { return f.Name == corpus.FieldID }))
	return name
}()

// docOf is the document a hit shows: its stored document, with what the
// hit says in place of the document's own (a hit may come without one).
func docOf(h *search.Hit) *corpus.Doc {
	d := corpus.Doc{}
	if h.Doc != nil {
		d = *h.Doc
	}
	d.ID, d.Kind, d.Title, d.Number, d.Session = h.ID, h.Kind, h.Title, h.Number, h.Session
	d.Author, d.Delegation, d.Units, d.Status = h.Author, h.Delegation, h.Units, h.Status
	d.KeySupervised, d.Source, d.URL = h.KeySupervised, h.Source, h.URL
	d.Topics, d.Inferred = h.Topics, nil
	return &d
}

// cellTexts returns the text of each column of a hit, the link column the
// hit's address (its id when there is none), a computed column as of the
// day today, and the date columns empty: callers write dates as they
// write them (dayIn).
func cellTexts(h *search.Hit, link func(id string) string, today string, out []string) []string {
	d := docOf(h)
	out = out[:0]
	for _, f := range resultFields {
		v := ""
		switch {
		case f.Type == corpus.TypeDate:
		case f.Name == corpus.FieldBody:
			v = snippet(d.Body)
		case f.Name == corpus.FieldID:
			if v = link(h.ID); v == "" {
				v = h.ID
			}
		case f.TextOn != nil:
			v = f.TextOn(d, today)
		default:
			v = f.Text(d)
		}
		out = append(out, v)
	}
	return out
}

// facetLabels name the facets of search.FacetFields() in Chinese.
var facetLabels = func() map[string]string {
	m := map[string]string{}
	for _, name := range search.FacetFields() {
		m[name] = corpus.Label(name)
	}
	return m
}()

// kindLabel names a kind of document in Chinese.
func kindLabel(k string) string { return corpus.KindLabel(k) }

// joinLabels is the values of one filter as they read, joined.
func joinLabels(field string, vals []string) string {
	l := make([]string, len(vals))
	for i, v := range vals {
		l[i] = corpus.ValueLabel(field, v)
	}
	return strings.Join(l, "、")
}

// dayIn is the day of a date column of a hit (dayOf for its date, the
// document's for the others), as dayOf gives it.
func dayIn(f corpus.Field, h *search.Hit) (time.Time, bool) {
	if f.Name == corpus.FieldDate {
		return dayOf(h)
	}
	if f.Time == nil || h.Doc == nil {
		return time.Time{}, false
	}
	t := f.Time(h.Doc)
	if t.IsZero() {
		return time.Time{}, false
	}
	return calendarDay(t.In(corpus.CST()))
}
