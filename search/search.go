package search

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/numeric"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	gojson "github.com/goccy/go-json"

	"minsheng/corpus"
	"minsheng/errs"
)

// Searcher answers requests over one index, normally an IndexAlias whose
// generation the indexer swaps. It is safe for concurrent use.
type Searcher struct {
	Index bleve.Index
	// Limits, Keywords, Zone and Now are those of the Options given to
	// New (see Options), with their defaults set; they are read, never
	// set after New.
	Limits   Limits
	Keywords KeywordFunc
	Zone     *time.Location
	Now      func() time.Time

	synonyms atomic.Pointer[Synonyms] // applied to every query; nil: none
	results  resultCache              // results of the snapshot searched last (resultcache.go)

	columns    snapshotCache[*columnSet]         // facet columns of the snapshots searched lately
	segColumns segmentColumns                    // those of their segments, which they are composed from
	spellings  snapshotCache[*suggestDict]       // their words, for did-you-mean
	stats      snapshotCache[*bsearch.BM25Stats] // their BM25 statistics
	postings   postingsCache                     // decoded postings of frequent terms, by segment (postcache.go)
	// reference has bleve count facets from doc values and sort by them
	// and by stored ids, as it does alone: the slow way, which tests
	// compare the columns with.
	reference bool
	// exhaustive has a partial query read its units through bleve's
	// searchers, apart from its score, and score every match: the plain
	// way, which tests compare the fast paths of matching with.
	exhaustive bool
}

// SetSynonyms makes the searches that start from now on use syn (nil:
// none). It is safe to call while searches run (a reload on SIGHUP).
func (s *Searcher) SetSynonyms(syn *Synonyms) { s.synonyms.Store(syn) }

// Synonyms returns the synonyms searches use, nil if none.
func (s *Searcher) Synonyms() *Synonyms { return s.synonyms.Load() }

// New returns a Searcher over idx, configured by o (its zero value: the
// defaults).
func New(idx bleve.Index, o Options) *Searcher {
	o.SetDefaults()
	s := &Searcher{Index: idx, Limits: o.Limits, Keywords: o.Keywords, Zone: o.Zone, Now: o.Now}
	s.postings.max = int64(max(0, o.PostingsCacheMB)) << 20
	s.results.setMax(int64(max(0, o.ResultCacheMB)) << 20)
	return s
}

// Result of a search.
type Result struct {
	Total uint64 `json:"total"`
	// TotalExact counts the documents with every word of the query;
	// Total counts them and the partial matches.
	TotalExact uint64  `json:"total_exact"`
	Mode       string  `json:"mode"` // ModePartial or ModeAll
	TookMS     float64 `json:"took_ms"`
	Page       int     `json:"page"`
	Size       int     `json:"size"`
	Relaxed    bool    `json:"relaxed"` // not every word matched: ranked fallback
	// Expanded are the synonyms searched with words of the query, by word.
	Expanded map[string][]string `json:"expanded,omitempty"`
	// Notice says what the search left out of the query, and why (the
	// synonyms past Limits.MaxTerms).
	Notice string `json:"notice,omitempty"`
	// Suggestion is a query that sounds like this one (pinyin typing
	// errors: 乡村振新 for 乡村振兴) and finds more; "" when none.
	Suggestion string             `json:"suggestion,omitempty"`
	Hits       []Hit              `json:"hits"`
	Facets     map[string][]Count `json:"facets"`
}

// Hit is one matching document.
type Hit struct {
	ID            string              `json:"id"`
	Kind          string              `json:"kind"`
	Title         string              `json:"title"`
	Date          string              `json:"date,omitempty"`
	Topics        []string            `json:"topics"`
	Score         float64             `json:"score"`
	Highlights    map[string][]string `json:"highlights"`
	Snippet       string              `json:"snippet,omitempty"`
	Number        string              `json:"number,omitempty"`
	Session       string              `json:"session,omitempty"`
	Author        string              `json:"author,omitempty"`
	Delegation    string              `json:"delegation,omitempty"`
	Units         []string            `json:"units,omitempty"`
	Status        string              `json:"status,omitempty"`
	KeySupervised bool                `json:"key_supervised,omitempty"`
	Source        string              `json:"source,omitempty"`
	URL           string              `json:"url,omitempty"`
	Reply         string              `json:"reply,omitempty"`
	ReplyClass    string              `json:"reply_class,omitempty"`
	Satisfaction  string              `json:"satisfaction,omitempty"`
	LeadUnit      string              `json:"lead_unit,omitempty"`
	Due           string              `json:"due,omitempty"`
	Replied       string              `json:"replied,omitempty"`
	// Matched and Missing are the words of the query the document has
	// and those it lacks (a partial match).
	Matched []string    `json:"matched"`
	Missing []string    `json:"missing"`
	Shared  []string    `json:"shared,omitempty"` // similar documents: keywords in common
	Sort    []string    `json:"sort,omitempty"`   // pass as After for the next page
	Doc     *corpus.Doc `json:"-"`
}

// Count is one value of a facet and how many results have it.
type Count struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// facetFields are the facets every search returns, by name: the schema's
// (corpus.Facets). A facet's name is its index field's. Read only.
var facetFields = corpus.Facets()

// filterFields are the schema's filters, read by every search (corpus.Filters
// copies the schema each call: 15 KB a search); never changed.
var filterFields = corpus.Filters()

// FacetFields returns the facets every search returns, by name, in the
// order of the schema: a copy, which the caller may change.
func FacetFields() []string { return slices.Clone(facetFields) }

// ErrUnavailable means the index cannot answer now (none loaded, or the
// search ran past its budget): of kind errs.Unavailable, which the HTTP
// layer answers 503. A document that does not exist is errs.NotFound.
var ErrUnavailable = errs.New(errs.Unavailable, "search unavailable")

// search runs a request; Search answers a listing from its cache first.
func (s *Searcher) search(ctx context.Context, r Request) (*Result, error) {
	start := time.Now()
	if err := r.normalize(s.Limits); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.Limits.Timeout)
	defer cancel()
	if !s.exhaustive && s.postings.max > 0 { // not the plain way, which tests compare the fast paths with
		ctx = withPostingsCache(ctx, &s.postings)
	}
	an, err := s.analyzers()
	if err != nil {
		return nil, err
	}
	q := Parse(r.Query).scoped(r.TopicScope)
	if syn := s.Synonyms(); syn != nil {
		an.ex = newExpansion(syn, q, s.Limits)
	}
	sink := &matchSink{}
	defer sink.release()
	var bq query.Query
	var units []unit
	bq, units = an.partial(q, sink, r.Mode == ModeAll)
	relaxed := false
	if bq == nil {
		relaxed = r.Mode != ModeAll && q.isQuestion(an)
		bq = an.build(q, relaxed)
	}
	var exact uint64
	sr, h, err := s.request(r, bq)
	if err != nil {
		return nil, err
	}
	hold := &snapshotHold{}
	defer hold.release()
	ctx = withSnapshotHold(ctx, hold)
	s.ownLoad(sr)
	counter := &exact
	if units == nil {
		counter = nil
	}
	sink.collected = counter
	if r.Sort == SortRelevance && r.After == nil {
		sink.window = uint64(r.Page * r.Size)
	}
	if l, ok := sr.Query.(lone); ok && h != nil {
		if _, ok := l.q.(*matching); ok { // no filter, group or exclusion after it
			sink.tally = h
		}
	}
	full := scoreFirst(sr, h)
	res, err := s.runCounting(ctx, sr, h, sink, counter)
	if err != nil {
		return nil, err
	}
	if full != nil && !pageByScore(res, full) {
		// matches tie in score at the page's edge: the full order decides
		// which of them the page holds
		sink.release()
		hold.release()
		if res, err = s.runCounting(ctx, full, h, sink, counter); err != nil {
			return nil, err
		}
	}
	if units == nil && !relaxed && r.Mode != ModeAll && res.Total == 0 && q.wordSlots(an) > 1 {
		// a question: not every word is in any document; rank by any
		if sr, h, err = s.request(r, an.build(q, true)); err != nil {
			return nil, err
		}
		hold.release()
		s.ownLoad(sr)
		if res, err = s.run(ctx, sr, h); err != nil {
			return nil, err
		}
		relaxed = true
	}
	stored, err := s.storedOf(hold, res.Hits)
	if err != nil {
		return nil, err
	}
	hold.release() // before any other search (suggestion) could add to it
	out := &Result{Total: res.Total, TotalExact: res.Total, Page: r.Page, Size: r.Size, Mode: r.Mode, Relaxed: relaxed, Hits: []Hit{}, Facets: h.result(res)}
	switch {
	case units != nil:
		out.TotalExact = exact
	case relaxed:
		out.TotalExact = 0
	}
	out.Relaxed = relaxed || out.TotalExact == 0 && out.Total > 0
	out.Expanded, out.Notice = an.ex.result(), an.ex.notice(s.Limits)
	if !r.noSuggest && !r.NoHighlight && out.TotalExact < suggestMinHits && r.Query != "" {
		if out.Suggestion, err = s.suggestion(ctx, r, out.TotalExact); err != nil {
			return nil, err
		}
	}
	r.scopeFacets(out.Facets)
	needles := an.synonymNeedles(an.needles(q), out.Expanded)
	for i, dm := range res.Hits {
		h, err := hitWith(dm, stored[i])
		if err != nil {
			return nil, err
		}
		if !r.NoHighlight {
			an.highlight(&h, needles)
		}
		h.Matched, h.Missing = matchedOf(dm, sink, units, q, an, relaxed)
		if h.Score >= exactBonus { // shown as scored; Sort keeps the rank
			h.Score -= exactBonus
		}
		if r.NoDocs {
			h.detach()
		}
		out.Hits = append(out.Hits, h)
	}
	out.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return out, nil
}

// ownLoad has a request's hits' stored documents read by storedOf, not
// by bleve (hold.go); the reference searcher has bleve read them.
func (s *Searcher) ownLoad(sr *bleve.SearchRequest) {
	if !s.reference {
		sr.Fields = nil
	}
}

// storedOf returns the stored documents of hits: as bleve loaded them
// for the reference searcher (what tests compare with), else from the
// snapshot the search held, else by id from the index (a search of
// several snapshots at once).
func (s *Searcher) storedOf(hold *snapshotHold, hits bsearch.DocumentMatchCollection) ([]string, error) {
	if !s.reference {
		ids := make([]index.IndexInternalID, len(hits))
		for i, dm := range hits {
			ids[i] = dm.IndexInternalID
		}
		docs, ok, err := hold.stored(ids)
		if ok || err != nil {
			return docs, err
		}
	}
	docs := make([]string, len(hits))
	for i, dm := range hits {
		if raw, ok := dm.Fields[corpus.FieldStored].(string); ok {
			docs[i] = raw
			continue
		}
		d, err := s.Index.Document(dm.ID)
		if err != nil {
			return nil, err
		}
		if d != nil {
			d.VisitFields(func(f index.Field) {
				if f.Name() == corpus.FieldStored {
					docs[i] = string(f.Value())
				}
			})
		}
	}
	return docs, nil
}

// run executes a bleve request within the context's budget, with the hooks
// of its request if it has them.
func (s *Searcher) run(ctx context.Context, sr *bleve.SearchRequest, h *hooks) (*bleve.SearchResult, error) {
	return s.runCounting(ctx, sr, h, nil, nil)
}

// runCounting is run that also counts in exact, when not nil, the matches
// that have every word of a partial query, as sink knows them.
func (s *Searcher) runCounting(ctx context.Context, sr *bleve.SearchRequest, h *hooks, sink *matchSink, exact *uint64) (*bleve.SearchResult, error) {
	sctx := ctx
	if h != nil {
		sctx = h.context(ctx)
	}
	if exact != nil {
		sctx = countExact(sctx, sink, exact)
	}
	req := *sr
	req.Query = &withStats{q: sr.Query, cache: &s.stats}
	res, err := s.Index.SearchInContext(sctx, &req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: the search took longer than %s", ErrUnavailable, s.Limits.Timeout)
		}
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if h != nil {
		res.Total += h.tallied // the matches counted without the collector
	}
	return res, nil
}

// request turns a normalized request and its query into a bleve request,
// and the hooks that count its facets and sort it.
func (s *Searcher) request(r Request, q query.Query) (*bleve.SearchRequest, *hooks, error) {
	h := s.hooks(r)
	q = withFiltersOn(q, r.Filters, s.today())
	sr := bleve.NewSearchRequestOptions(q, r.Size, (r.Page-1)*r.Size, false)
	if r.After != nil {
		sr.From = 0
	}
	sr.Fields = []string{corpus.FieldStored}
	var byDate, byID bsearch.SearchSort
	desc := r.Sort != SortDate
	if s.reference {
		byDate = &bsearch.SortField{Field: corpus.FieldDate, Type: bsearch.SortFieldAsDate, Desc: desc, Missing: bsearch.SortFieldMissingLast}
		byID = &bsearch.SortDocID{}
		if h.facetSize > 0 {
			for _, name := range facetFields {
				if name == corpus.FieldOverdue {
					addReferenceOverdue(sr, h.cutoff)
					continue
				}
				sr.AddFacet(name, bleve.NewFacetRequest(name, h.facetSize))
			}
		}
		h = nil
	} else {
		byDate, byID = &dateSort{h: h, desc: desc}, &idSort{h: h}
	}
	switch {
	case r.Sort == SortDate, r.Sort == SortDateDesc, isMatchAll(q):
		sr.SortByCustom(bsearch.SortOrder{byDate, byID})
	default:
		sr.SortByCustom(bsearch.SortOrder{&bsearch.SortScore{Desc: true}, byDate, byID})
	}
	if r.After != nil {
		if len(r.After) != len(sr.Sort) {
			return nil, nil, invalid("after must have %d values, has %d", len(sr.Sort), len(r.After))
		}
		sr.SearchAfter = r.After
		if s.reference {
			sr.SearchAfter = bleveAfter(sr.Sort, r.After)
		}
	}
	return sr, h, nil
}

// bleveAfter rewrites the date values of after as bleve's SortField wants
// them: it gives a hit's date as its prefix-coded term but parses After's as
// RFC 3339 (and reads a raw value as the year 1754, so that every page past
// the first was empty). Our date sort takes its own values back.
func bleveAfter(order bsearch.SortOrder, after []string) []string {
	out := append([]string(nil), after...)
	for i, so := range order {
		if sf, ok := so.(*bsearch.SortField); ok && sf.Type == bsearch.SortFieldAsDate {
			if n, err := numeric.PrefixCoded(after[i]).Int64(); err == nil {
				out[i] = time.Unix(0, n).UTC().Format(time.RFC3339Nano)
			}
		}
	}
	return out
}

func isMatchAll(q query.Query) bool {
	switch q := q.(type) {
	case *query.MatchAllQuery, *listing:
		return true
	case *query.BooleanQuery:
		c, ok := q.Must.(*query.ConjunctionQuery)
		return ok && q.Should == nil && len(c.Conjuncts) == 1 && isMatchAll(c.Conjuncts[0])
	case *query.ConjunctionQuery:
		return len(q.Conjuncts) == 1 && isMatchAll(q.Conjuncts[0])
	}
	return false
}

// onlyAll reports whether q matches every document and excludes none.
func onlyAll(q query.Query) bool {
	b, ok := q.(*query.BooleanQuery)
	return isMatchAll(q) && (!ok || b.MustNot == nil && b.Filter == nil)
}

// listing is every document that passes a filter, each scored 1 as
// match-all scores it. bleve runs a boolean of match-all and a filter
// through every document of the index; a listing reads only the filter's
// matches (BenchmarkQueryMix list-kind, 544 of 64,356 documents: 5.1 ms
// before).
type listing struct{ filter query.Query }

// Searcher implements query.Query.
func (q *listing) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o bsearch.SearcherOptions) (bsearch.Searcher, error) {
	o.Score = "none"
	s, err := q.filter.Searcher(ctx, r, m, o)
	if err != nil {
		return nil, err
	}
	return scoredOne{s}, nil
}

// scoredOne gives every match of its searcher the score 1.
type scoredOne struct{ bsearch.Searcher }

func (s scoredOne) Next(sc *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	return one(s.Searcher.Next(sc))
}

func (s scoredOne) Advance(sc *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	return one(s.Searcher.Advance(sc, id))
}

func (s scoredOne) Weight() float64      { return 1 }
func (s scoredOne) SetQueryNorm(float64) {}

func one(dm *bsearch.DocumentMatch, err error) (*bsearch.DocumentMatch, error) {
	if dm != nil {
		dm.Score = 1
	}
	return dm, err
}

// withFilters narrows q by the filters, which select without scoring, on
// the day it is in China Standard Time.
func withFilters(q query.Query, f Filters) query.Query {
	return withFiltersOn(q, f, corpus.Today(time.Now(), nil))
}

// withFiltersOn is withFilters on the day today, which tells what is
// overdue.
func withFiltersOn(q query.Query, f Filters, today string) query.Query {
	var conj []query.Query
	for _, fd := range filterFields {
		values := f.Values(fd.Name)
		if len(values) == 0 {
			continue
		}
		var alts []query.Query
		for _, v := range values {
			alts = append(alts, valueQuery(fd, v, today))
		}
		conj = append(conj, bleve.NewDisjunctionQuery(alts...))
	}
	if !f.From.IsZero() || !f.To.IsZero() {
		from, to := f.From, f.To
		if !to.IsZero() {
			to = to.AddDate(0, 0, 1) // the whole last day
		}
		// bleve keeps dates as int64 nanoseconds (1677 to 2262) and fails
		// a range beyond them: clamp to what it can hold
		for _, t := range []*time.Time{&from, &to} {
			switch {
			case t.IsZero():
			case t.Before(query.MinRFC3339CompatibleTime):
				*t = query.MinRFC3339CompatibleTime
			case t.After(query.MaxRFC3339CompatibleTime):
				*t = query.MaxRFC3339CompatibleTime
			}
		}
		dq := bleve.NewDateRangeQuery(from, to)
		dq.SetField(corpus.FieldDate)
		conj = append(conj, dq)
	}
	if len(conj) == 0 {
		return q
	}
	if onlyAll(q) {
		return &listing{filter: bleve.NewConjunctionQuery(conj...)}
	}
	b, ok := q.(*query.BooleanQuery)
	if !ok {
		b = bleve.NewBooleanQuery()
		b.AddMust(q)
	}
	b.AddFilter(bleve.NewConjunctionQuery(conj...))
	return b
}

func termQ(field, term string, boost float64) *query.TermQuery {
	t := bleve.NewTermQuery(term)
	t.SetField(field)
	if boost > 0 {
		t.SetBoost(boost)
	}
	return t
}

// hitOf decodes a bleve hit's stored document.
func hitOf(dm *bsearch.DocumentMatch) (Hit, error) {
	raw, _ := dm.Fields[corpus.FieldStored].(string)
	return hitWith(dm, raw)
}

// hitWith is hitOf with the hit's stored document given: raw.
func hitWith(dm *bsearch.DocumentMatch, raw string) (Hit, error) {
	d, err := decodeStored(raw)
	if err != nil {
		return Hit{}, fmt.Errorf("document %s: stored fields: %w", dm.ID, err)
	}
	h := hitFromDoc(d)
	h.Score = dm.Score
	if math.IsNaN(h.Score) {
		h.Score = 0
	}
	// bleve gives the score's sort value as the placeholder "_score", and
	// reads After's as the score itself: without it, every page after the
	// first by relevance was empty
	h.Sort = append([]string(nil), dm.Sort...)
	for i, v := range h.Sort {
		if v == "_score" {
			h.Sort[i] = strconv.FormatFloat(dm.Score, 'g', -1, 64)
		}
	}
	return h, nil
}

// decodeStored decodes a document's stored JSON. goccy/go-json decodes it
// in about half the time encoding/json takes, and the ten hits of a page
// can be 300 KB of reports: BenchmarkQueryMix, by date, 12.1/12.4 ms with
// encoding/json, 10.0/9.7 ms with it, interleaved.
func decodeStored(raw string) (*corpus.Doc, error) {
	var d corpus.Doc
	if err := gojson.Unmarshal([]byte(raw), &d); err != nil {
		return nil, err
	}
	return &d, nil
}

func hitFromDoc(d *corpus.Doc) Hit {
	h := Hit{
		ID: d.ID, Kind: d.Kind, Title: d.Title, Topics: d.AllTopics(), Number: d.Number,
		Session: d.Session, Author: d.Author, Delegation: d.Delegation, Units: d.Units,
		Status: d.Status, KeySupervised: d.KeySupervised, Source: d.Source, URL: d.URL,
		Reply: d.Reply, Doc: d, Highlights: map[string][]string{"title": {}, "body": {}},
		ReplyClass: d.ReplyClass, Satisfaction: d.Satisfaction, LeadUnit: d.Lead(),
		Due: corpus.Day(d.Due), Replied: corpus.Day(d.Replied),
	}
	if h.Topics == nil {
		h.Topics = []string{}
	}
	if h.Title == "" { // news sources often have none: show the first line
		h.Title = corpus.DeriveTitle(d.Body)
	}
	if !d.Date.IsZero() {
		h.Date = corpus.Day(d.Date)
	}
	return h
}

// detach drops the hit's document and copies every string it holds that
// may point into the document's decoded buffer (goccy/go-json's strings
// do), so that keeping the hit keeps what it shows and not the whole
// document: the API's pages of the news load's 200 queries took 10.2 MB
// of heap in the result cache with them and 5.2 MB without
// (Request.NoDocs).
func (h *Hit) detach() {
	h.Doc = nil
	for _, l := range h.Highlights {
		for i := range l {
			l[i] = strings.Clone(l[i])
		}
	}
	if body := h.Highlights["body"]; len(body) > 0 && body[0] == h.Snippet {
		h.Snippet = body[0] // the first fragment, as highlight made it
	} else {
		h.Snippet = strings.Clone(h.Snippet)
	}
	for _, s := range []*string{&h.ID, &h.Kind, &h.Title, &h.Date, &h.Number, &h.Session,
		&h.Author, &h.Delegation, &h.Status, &h.Source, &h.URL, &h.Reply, &h.ReplyClass,
		&h.Satisfaction, &h.LeadUnit, &h.Due, &h.Replied} {
		*s = strings.Clone(*s)
	}
	for _, l := range h.lists() {
		for i := range *l {
			(*l)[i] = strings.Clone((*l)[i])
		}
	}
}

// lists are the hit's lists of strings, which a copy of it that callers
// may change must copy (cloneResult) and detach copies the strings of.
func (h *Hit) lists() []*[]string {
	return []*[]string{&h.Topics, &h.Units, &h.Matched, &h.Missing, &h.Shared, &h.Sort}
}

// Document returns one stored document, or ok false when there is none.
func (s *Searcher) Document(ctx context.Context, id string) (*corpus.Doc, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.Limits.Timeout)
	defer cancel()
	sr := bleve.NewSearchRequestOptions(bleve.NewDocIDQuery([]string{id}), 1, 0, false)
	sr.Fields = []string{corpus.FieldStored}
	res, err := s.run(ctx, sr, nil)
	if err != nil {
		return nil, false, err
	}
	if len(res.Hits) == 0 {
		return nil, false, nil
	}
	h, err := hitOf(res.Hits[0])
	if err != nil {
		return nil, false, err
	}
	return h.Doc, true, nil
}

// analyzers are the index's two analyzers, read from its mapping so that
// queries are analysed exactly as the documents were.
type analyzers struct {
	words, chars analysis.Analyzer
	// maxPrefixes is how many single characters one query may search as
	// bigram prefixes (Limits.MaxPrefixChars); prefixes counts those of
	// the query being built.
	maxPrefixes, prefixes int
	today                 string // the day overdue is computed for
	// ex expands the query being built by synonyms; nil: none
	ex *expansion
	// exhaustive is the Searcher's: matching takes no fast path
	exhaustive bool
}

func (s *Searcher) analyzers() (*analyzers, error) {
	m := s.Index.Mapping()
	if m == nil {
		return nil, fmt.Errorf("%w: no index is loaded", ErrUnavailable)
	}
	a := &analyzers{words: m.AnalyzerNamed(corpus.AnalyzerWords), chars: m.AnalyzerNamed(corpus.AnalyzerChars),
		maxPrefixes: s.Limits.MaxPrefixChars, today: s.today(), exhaustive: s.exhaustive}
	if a.words == nil || a.chars == nil {
		return nil, fmt.Errorf("%w: the index has no %s/%s analyzers", ErrUnavailable, corpus.AnalyzerWords, corpus.AnalyzerChars)
	}
	return a, nil
}

// Total counts the documents in the index.
func (s *Searcher) Total() (uint64, error) { return s.Index.DocCount() }
