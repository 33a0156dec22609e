package search

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"minsheng/corpus"
)

// Analytics count what a request matches: every method takes a Request
// for its query, mode and filters (its paging, sort and facet settings
// are ignored) and counts the documents Search counts in its total for
// the same request: in the default mode (ModePartial) the complete and
// the partial matches, with synonyms; in ModeAll those with every word.
// (The one search that differs: a query without two words a document may
// lack, which no document matches whole and which Search then ranks by
// any of its words, counts nothing here.)

// Intervals of a trend.
const (
	IntervalYear  = "year"
	IntervalMonth = "month"
)

// Limits of the analytics.
const (
	maxPeriods     = 240  // periods of a trend; past this only the latest are counted
	maxTrendTopics = 50   // topics of a trend, most documents first
	maxFacetValues = 1000 // topics of the topic list, units of the unit figures
	keywordSample  = 200  // top hits whose text the keywords of a result set are drawn from
	keywordsPerDoc = 20   // keywords taken from each of them
	maxKeywords    = 100
)

// Statuses of a suggestion whose handling is complete: 已办结 (concluded)
// and 已答复 (answered). This is the one place that says so.
const (
	StatusConcluded = "已办结"
	StatusAnswered  = "已答复"
)

// CompletedStatuses returns the statuses that count as completed handling.
func CompletedStatuses() []string { return []string{StatusConcluded, StatusAnswered} }

// Completed reports whether a suggestion with this status has been handled.
func Completed(status string) bool { return status == StatusConcluded || status == StatusAnswered }

// facets runs q for its facets and total only.
func (s *Searcher) facets(ctx context.Context, q query.Query, facets map[string]*bleve.FacetRequest) (*bleve.SearchResult, error) {
	sr := bleve.NewSearchRequestOptions(q, 0, 0, false)
	for name, f := range facets {
		sr.AddFacet(name, f)
	}
	return s.run(ctx, sr, nil)
}

func termCounts(fr *bsearch.FacetResult) []Count {
	out := []Count{}
	if fr != nil && fr.Terms != nil {
		for _, t := range fr.Terms.Terms() {
			out = append(out, Count{Value: t.Term, Count: t.Count})
		}
	}
	return out
}

// Trends counts the documents of each topic in each period (year or
// month, in China Standard Time) from the first to the last date among
// the matching documents.
type Trends struct {
	Interval string        `json:"interval"`
	Periods  []string      `json:"periods"` // "2024" or "2024-03", oldest first
	Total    []int         `json:"total"`   // matching documents per period, whatever their topics
	Topics   []TopicSeries `json:"topics"`  // by documents over all periods, most first
	// TopicScope is the request's scope of topics, TopicsAll or
	// TopicsPrimary: a document counts under each of its topics, or under
	// its primary topic alone.
	TopicScope string  `json:"topic_scope"`
	Matched    uint64  `json:"matched"` // matching documents, dated or not
	Undated    int     `json:"undated"` // matching documents without a date, in no period
	Truncated  bool    `json:"truncated"`
	TookMS     float64 `json:"took_ms"`
}

// TopicSeries is one topic's documents per period of a trend.
type TopicSeries struct {
	Topic  string `json:"topic"`
	Counts []int  `json:"counts"`
	Total  int    `json:"total"` // over the periods shown
}

// Trends counts the matching documents by topic and period, interval
// being "year" (the default) or "month". A document counts once under each
// of its topics, given or inferred, or with r.TopicScope TopicsPrimary
// under its primary topic alone, as the search's topic facet counts. At
// most 240 periods are counted, the latest (Truncated says so), and the 50
// topics with most documents.
//
// It costs one bleve search, which collects the matches' document
// numbers; their dates and topics are read from the snapshot's columns.
func (s *Searcher) Trends(ctx context.Context, r Request, interval string) (*Trends, error) {
	start := time.Now()
	switch interval {
	case "":
		interval = IntervalYear
	case IntervalYear, IntervalMonth:
	default:
		return nil, invalid("interval must be year or month, not %q", interval)
	}
	m, err := s.matcher(r)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.Limits.Timeout)
	defer cancel()
	out := &Trends{Interval: interval, TopicScope: scopeOf(r.TopicScope), Periods: []string{}, Total: []int{}, Topics: []TopicSeries{}}

	// One pass over the matches collects their document numbers; their
	// dates and topics come from the columns (the facet and sort columns
	// of the snapshot). It used to be a bleve search for each topic with
	// a date-range facet: 0.55 s for all 64,356 documents.
	sr := bleve.NewSearchRequestOptions(m.query(), 0, 0, false)
	h := &hooks{cache: &s.columns, build: s.columnsOf, collect: true}
	res, err := s.run(ctx, sr, h)
	if err != nil {
		return nil, err
	}
	out.Matched = res.Total
	if h.cs == nil || len(h.docs) == 0 {
		out.TookMS = msSince(start)
		return out, nil
	}
	topicCol := h.cs.cols[slices.Index(facetFields, topicField(r))]
	sc := scanTrends(h.cs, topicCol, h.docs)
	out.Undated = sc.undated
	if !sc.dated { // nothing with a date
		out.TookMS = msSince(start)
		return out, nil
	}
	periods := periodsOf(interval, time.Unix(0, sc.first), time.Unix(0, sc.last))
	if len(periods) > maxPeriods {
		periods = periods[len(periods)-maxPeriods:]
		out.Truncated = true
	}
	for _, p := range periods {
		out.Periods = append(out.Periods, p.name)
	}
	out.countTopics(periods, rankTopics(sc.perTopic, topicCol.terms), topicCol, h.docs, sc.dates)
	out.TookMS = msSince(start)
	return out, nil
}

// trendScan is what one pass over the matches of a trend finds.
type trendScan struct {
	perTopic    []int   // matching documents by topic ordinal, dated or not
	dates       []int64 // of each match in Unix nanoseconds, math.MinInt64 if it has none
	undated     int     // matches without a date
	dated       bool    // whether any match has a date; first and last are set if so
	first, last int64   // the earliest and latest date, in Unix nanoseconds
}

// scanTrends reads the topics and the date of every match (docs) from the
// columns cs, topicCol being the topic column.
func scanTrends(cs *columnSet, topicCol *column, docs []uint64) trendScan {
	sc := trendScan{perTopic: make([]int, len(topicCol.terms)), dates: make([]int64, len(docs))}
	for i, n := range docs {
		for _, o := range topicCol.of(n) {
			sc.perTopic[o]++
		}
		d, ok := cs.unixNano(n)
		if !ok {
			sc.undated++
			sc.dates[i] = math.MinInt64
			continue
		}
		sc.dates[i] = d
		if !sc.dated || d < sc.first {
			sc.first = d
		}
		if !sc.dated || d > sc.last {
			sc.last = d
		}
		sc.dated = true
	}
	return sc
}

// rankTopics is the ordinals of the topics with most matching documents
// (perTopic), at most maxTrendTopics, ranked as a facet ranks them: most
// first, then by value (terms).
func rankTopics(perTopic []int, terms []string) []int {
	var topics []int
	for o, n := range perTopic {
		if n > 0 {
			topics = append(topics, o)
		}
	}
	sort.Slice(topics, func(i, j int) bool {
		a, b := topics[i], topics[j]
		if perTopic[a] != perTopic[b] {
			return perTopic[a] > perTopic[b]
		}
		return terms[a] < terms[b]
	})
	return topics[:min(len(topics), maxTrendTopics)]
}

// countTopics sets t.Total and t.Topics: the matches (docs, dated by
// dates) in each of the periods, in all and for each of the topics shown
// (by ordinal of topicCol), those with most documents first.
func (t *Trends) countTopics(periods []period, topics []int, topicCol *column, docs []uint64, dates []int64) {
	series := make([][]int, len(topicCol.terms)) // by ordinal, for the topics shown
	for _, o := range topics {
		series[o] = make([]int, len(periods))
	}
	t.Total = make([]int, len(periods))
	for i, n := range docs {
		p := periodOf(periods, dates[i])
		if p < 0 {
			continue
		}
		t.Total[p]++
		for _, o := range topicCol.of(n) {
			if c := series[o]; c != nil {
				c[p]++
			}
		}
	}
	for _, o := range topics {
		ts := TopicSeries{Topic: topicCol.terms[o], Counts: series[o]}
		for _, c := range ts.Counts {
			ts.Total += c
		}
		t.Topics = append(t.Topics, ts)
	}
	sort.SliceStable(t.Topics, func(i, j int) bool { return t.Topics[i].Total > t.Topics[j].Total })
}

// periodOf returns the index of the period holding the time d (Unix
// nanoseconds), or -1.
func periodOf(periods []period, d int64) int {
	i := sort.Search(len(periods), func(i int) bool { return periods[i].end.UnixNano() > d })
	if i == len(periods) || d < periods[i].start.UnixNano() {
		return -1
	}
	return i
}

// period is one bucket of a trend: [start, end).
type period struct {
	name       string
	start, end time.Time
}

// periodsOf lists the periods from the one holding first to the one
// holding last, in China Standard Time.
func periodsOf(interval string, first, last time.Time) []period {
	first, last = first.In(corpus.CST()), last.In(corpus.CST())
	var cur time.Time
	step, layout := 0, ""
	if interval == IntervalMonth {
		cur, step, layout = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, corpus.CST()), 1, "2006-01"
	} else {
		cur, step, layout = time.Date(first.Year(), 1, 1, 0, 0, 0, 0, corpus.CST()), 12, "2006"
	}
	var out []period
	for !cur.After(last) {
		next := cur.AddDate(0, step, 0)
		out = append(out, period{name: cur.Format(layout), start: cur, end: next})
		cur = next
	}
	return out
}

// KeywordStats are the keywords that characterise a result set.
type KeywordStats struct {
	Matched  uint64        `json:"matched"` // documents matching the request
	Sampled  int           `json:"sampled"` // the top hits the keywords were drawn from
	Keywords []KeywordStat `json:"keywords"`
	TookMS   float64       `json:"took_ms"`
}

// KeywordStat is one keyword of a result set. Docs and Corpus count the
// documents whose text (title, body, reply or metadata) contains the word.
type KeywordStat struct {
	Word   string  `json:"word"`
	Weight float64 `json:"weight"`
	Docs   int     `json:"docs"`   // of the matching documents
	Corpus int     `json:"corpus"` // of the whole index
}

// TopKeywords returns the size (default 20, at most 100) words that best
// characterise the documents matching r, by TF-IDF against the corpus:
//
//  1. the top 200 hits of the request (in its sort order; newest first
//     when it has no query) are each run through the keyword extractor
//     (jieba's TF-IDF, whose IDF comes from a general Chinese corpus and
//     so drops function words), 20 keywords each, their weights
//     normalised to sum to 1 in each document, so a long document counts
//     no more than a short one;
//  2. tf(w) is a word's mean normalised weight over those hits, how much
//     of what the result set says is w;
//  3. the 3×size words with the highest tf are looked up in the index:
//     idf(w) = ln((N+1)/(df(w)+1)), N the documents of the index and
//     df(w) those containing w, so words found all over this corpus
//     (建议, 代表, 工作) fall away even though jieba's IDF rates them;
//  4. weight = tf × idf, highest first.
//
// It needs the Keywords function main wires in.
func (s *Searcher) TopKeywords(ctx context.Context, r Request, size int) (*KeywordStats, error) {
	start := time.Now()
	if s.Keywords == nil {
		return nil, fmt.Errorf("%w: no keyword extractor", ErrUnavailable)
	}
	if size == 0 {
		size = 20
	}
	if size < 1 || size > maxKeywords {
		return nil, invalid("size must be between 1 and %d, not %d", maxKeywords, size)
	}
	m, err := s.matcher(r)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.Limits.Timeout)
	defer cancel()
	sr, h, err := s.request(Request{Size: keywordSample, Page: 1, Sort: sortOr(r.Sort), NoFacets: true}, m.query())
	if err != nil {
		return nil, err
	}
	res, err := s.run(ctx, sr, h)
	if err != nil {
		return nil, err
	}
	out := &KeywordStats{Matched: res.Total, Sampled: len(res.Hits), Keywords: []KeywordStat{}}
	tf := map[string]float64{}
	for _, dm := range res.Hits {
		h, err := hitOf(dm)
		if err != nil {
			return nil, err
		}
		kws := s.Keywords(h.Doc.Title+"\n"+h.Doc.Body, keywordsPerDoc)
		sum := 0.0
		for _, k := range kws {
			sum += k.Weight
		}
		for _, k := range kws {
			if sum > 0 && k.Weight > 0 {
				tf[k.Word] += k.Weight / sum / float64(len(res.Hits))
			}
		}
	}
	words := make([]string, 0, len(tf))
	for w := range tf {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool {
		if tf[words[i]] != tf[words[j]] {
			return tf[words[i]] > tf[words[j]]
		}
		return words[i] < words[j]
	})
	words = words[:min(len(words), 3*size)]
	n, err := s.Index.DocCount()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	for _, w := range words {
		has := m.an.literal(w, 1)
		if has == nil {
			continue
		}
		all, err := s.facets(ctx, has, nil)
		if err != nil {
			return nil, err
		}
		in, err := s.facets(ctx, m.query(m.an.literal(w, 1)), nil)
		if err != nil {
			return nil, err
		}
		idf := math.Log(float64(n+1) / float64(all.Total+1))
		out.Keywords = append(out.Keywords, KeywordStat{Word: w, Weight: tf[w] * idf, Docs: int(in.Total), Corpus: int(all.Total)})
	}
	sort.SliceStable(out.Keywords, func(i, j int) bool { return out.Keywords[i].Weight > out.Keywords[j].Weight })
	out.Keywords = out.Keywords[:min(len(out.Keywords), size)]
	out.TookMS = msSince(start)
	return out, nil
}

func sortOr(s string) string {
	if s == "" {
		return SortRelevance
	}
	return s
}

// UnitStats are the handling figures of the matching suggestions.
type UnitStats struct {
	Suggestions       uint64     `json:"suggestions"` // matching suggestions
	Completed         int        `json:"completed"`   // of them, with a completed status
	Share             float64    `json:"share_completed"`
	KeySupervised     int        `json:"key_supervised"`
	NoUnit            int        `json:"no_unit"`            // suggestions without a handling unit
	Statuses          []Count    `json:"statuses"`           // suggestions by status, most first
	CompletedStatuses []string   `json:"completed_statuses"` // the statuses that count as completed
	Units             []UnitStat `json:"units"`              // most suggestions first
	Truncated         bool       `json:"truncated"`          // more than 1,000 units: the rest are left out
	TookMS            float64    `json:"took_ms"`
}

// UnitStat is one handling unit's figures. A suggestion handled by several
// units counts for each of them.
type UnitStat struct {
	Unit          string         `json:"unit"`
	Count         int            `json:"count"`
	Completed     int            `json:"completed"`
	Share         float64        `json:"share_completed"`
	KeySupervised int            `json:"key_supervised"`
	Statuses      map[string]int `json:"statuses"`
}

// Units returns the handling figures of the suggestions matching r (the
// kind filter suggestion is added to its filters), overall and by
// handling unit: how many, how many completed (CompletedStatuses) and what
// share, how many key-supervised, and how many in each status. The counts
// are exact, from facets: one search for the units and statuses, one for
// the key-supervised ones, and one per status value.
func (s *Searcher) Units(ctx context.Context, r Request) (*UnitStats, error) {
	start := time.Now()
	m, err := s.matcher(r)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.Limits.Timeout)
	defer cancel()
	suggestion := termQ(corpus.FieldKind, corpus.KindSuggestion, 0)
	unitFacet := func() map[string]*bleve.FacetRequest {
		return map[string]*bleve.FacetRequest{"unit": bleve.NewFacetRequest(corpus.FieldUnit, maxFacetValues)}
	}
	facets := unitFacet()
	facets["status"] = bleve.NewFacetRequest(corpus.FieldStatus, maxFacetValues)
	res, err := s.facets(ctx, m.query(suggestion), facets)
	if err != nil {
		return nil, err
	}
	out := &UnitStats{Suggestions: res.Total, Statuses: termCounts(res.Facets["status"]),
		CompletedStatuses: CompletedStatuses(), Units: []UnitStat{}}
	units := map[string]*UnitStat{}
	if fr := res.Facets["unit"]; fr != nil {
		out.NoUnit, out.Truncated = fr.Missing, fr.Other > 0
	}
	for _, c := range termCounts(res.Facets["unit"]) {
		units[c.Value] = &UnitStat{Unit: c.Value, Count: c.Count, Statuses: map[string]int{}}
	}
	byUnit := func(res *bleve.SearchResult, add func(u *UnitStat, n int)) {
		for _, c := range termCounts(res.Facets["unit"]) {
			if u := units[c.Value]; u != nil {
				add(u, c.Count)
			}
		}
	}
	key := bleve.NewBoolFieldQuery(true)
	key.SetField(corpus.FieldKey)
	res, err = s.facets(ctx, m.query(suggestion, key), unitFacet())
	if err != nil {
		return nil, err
	}
	out.KeySupervised = int(res.Total)
	byUnit(res, func(u *UnitStat, n int) { u.KeySupervised = n })
	for _, st := range out.Statuses {
		if Completed(st.Value) {
			out.Completed += st.Count
		}
		res, err := s.facets(ctx, m.query(suggestion, termQ(corpus.FieldStatus, st.Value, 0)), unitFacet())
		if err != nil {
			return nil, err
		}
		byUnit(res, func(u *UnitStat, n int) {
			u.Statuses[st.Value] = n
			if Completed(st.Value) {
				u.Completed += n
			}
		})
	}
	out.Share = share(out.Completed, int(out.Suggestions))
	for _, u := range units {
		u.Share = share(u.Completed, u.Count)
		out.Units = append(out.Units, *u)
	}
	sort.Slice(out.Units, func(i, j int) bool {
		a, b := out.Units[i], out.Units[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Unit < b.Unit
	})
	out.TookMS = msSince(start)
	return out, nil
}

// share is part/whole rounded to 4 places; 0 when whole is 0.
func share(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return math.Round(float64(part)/float64(whole)*1e4) / 1e4
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

// Taxonomy describes the topics documents are tagged with, as main hands
// it to search and web: search knows topics only as values of the topic
// field.
type Taxonomy struct {
	Version string      `json:"version,omitempty"`
	Topics  []TopicInfo `json:"topics"`
}

// TopicInfo is one topic of the taxonomy.
type TopicInfo struct {
	Name     string   `json:"name"`
	Aliases  []string `json:"aliases,omitempty"`
	Keywords []string `json:"keywords,omitempty"` // its strongest keywords, for display
}

// TopicList is the topics with their documents.
type TopicList struct {
	Version   string       `json:"version,omitempty"` // of the taxonomy
	Documents uint64       `json:"documents"`         // in the index
	Untagged  int          `json:"untagged"`          // documents without any topic
	Topics    []TopicCount `json:"topics"`
}

// TopicCount is a topic and how many documents have it.
type TopicCount struct {
	TopicInfo
	Count      int  `json:"count"`
	InTaxonomy bool `json:"in_taxonomy"` // false: a topic only a source gave
}

// Topics counts the documents of each topic over the whole index: the
// taxonomy's topics first, in its order (with 0 for a topic no document
// has), then the topics only sources gave, most documents first.
func (s *Searcher) Topics(ctx context.Context, t Taxonomy) (*TopicList, error) {
	ctx, cancel := context.WithTimeout(ctx, s.Limits.Timeout)
	defer cancel()
	res, err := s.facets(ctx, bleve.NewMatchAllQuery(), map[string]*bleve.FacetRequest{
		"topic": bleve.NewFacetRequest(corpus.FieldTopic, maxFacetValues),
	})
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	others := termCounts(res.Facets["topic"])
	for _, c := range others {
		counts[c.Value] = c.Count
	}
	out := &TopicList{Version: t.Version, Documents: res.Total, Topics: []TopicCount{}}
	if fr := res.Facets["topic"]; fr != nil {
		out.Untagged = fr.Missing
	}
	known := map[string]bool{}
	for _, ti := range t.Topics {
		known[ti.Name] = true
		out.Topics = append(out.Topics, TopicCount{TopicInfo: ti, Count: counts[ti.Name], InTaxonomy: true})
	}
	for _, c := range others { // already most first
		if !known[c.Value] {
			out.Topics = append(out.Topics, TopicCount{TopicInfo: TopicInfo{Name: c.Value}, Count: c.Count})
		}
	}
	return out, nil
}
