package search

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/blevesearch/bleve/v2"

	"minsheng/corpus"
)

// HandlingStats are the standard figures of the handling of suggestions
// that a people's congress reports every year, over the suggestions
// matching a request. Shares are fractions of Total.
type HandlingStats struct {
	Total         int     `json:"total"`       // suggestions
	UnitsCount    int     `json:"units_count"` // handling units, lead or assisting
	Replied       int     `json:"replied"`     // with a reply date
	OnTime        int     `json:"on_time"`     // replied on or before the due day (or with none)
	OnTimeRate    float64 `json:"on_time_rate"`
	Completed     int     `json:"completed"` // with a completed status (CompletedStatuses)
	CompletedRate float64 `json:"completed_rate"`
	// ReplyClass counts A, B, C and D, then any other value as written;
	// Satisfaction 满意, 基本满意 and 不满意, then any other.
	ReplyClass    []Share  `json:"reply_class"`
	Satisfaction  []Share  `json:"satisfaction"`
	KeySupervised int      `json:"key_supervised"`
	KeyIDs        []string `json:"key_supervised_ids"`
	ByTopic       []Group  `json:"by_topic"` // most suggestions first
	// TopicScope is what ByTopic counts: TopicsAll, a suggestion under
	// each of its topics, or TopicsPrimary, under its primary topic alone.
	TopicScope string   `json:"topic_scope"`
	ByUnit     []Group  `json:"by_unit"` // most suggestions led first
	Overdue    []string `json:"overdue"` // ids of the overdue suggestions, by id
	Today      string   `json:"today"`   // the day overdue is reckoned on, in the service's time zone
	Truncated  bool     `json:"truncated"`
	TookMS     float64  `json:"took_ms"`
}

// Share is one value's count and its fraction of the suggestions.
type Share struct {
	Value string  `json:"value"`
	Count int     `json:"count"`
	Share float64 `json:"share"`
}

// Group is the handling figures of one topic (Topic) or one unit (Unit;
// Lead and Assisting count the suggestions it leads and assists). Its
// rates are over the group's suggestions (Count): replied on time, class
// A, and satisfied (满意 or 基本满意).
type Group struct {
	Topic          string  `json:"topic,omitempty"`
	Unit           string  `json:"unit,omitempty"`
	Count          int     `json:"count"`
	Lead           int     `json:"lead"`
	Assisting      int     `json:"assisting"`
	OnTimeRate     float64 `json:"on_time_rate"`
	AShare         float64 `json:"a_share"`
	SatisfiedShare float64 `json:"satisfied_share"`

	onTime, a, satisfied int
}

// maxHandled is the most suggestions one handling report reads.
const maxHandled = 50000

// NoTopic is the topic of suggestions without one in by_topic.
const NoTopic = "（未分类）"

// Handling computes the handling figures of the suggestions matching r
// (the kind filter suggestion is added to its filters). It reads every
// matching suggestion's stored document, at most maxHandled of them.
func (s *Searcher) Handling(ctx context.Context, r Request) (*HandlingStats, error) {
	start := time.Now()
	m, err := s.matcher(r)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.Limits.Timeout)
	defer cancel()
	docs, truncated, err := s.suggestions(ctx, m)
	if err != nil {
		return nil, err
	}
	out := HandlingOf(docs, m.an.today, r.TopicScope)
	out.Truncated = truncated
	out.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return out, nil
}

// suggestions returns the stored suggestions a matcher matches, by id.
func (s *Searcher) suggestions(ctx context.Context, m *matcher) ([]*corpus.Doc, bool, error) {
	sr := bleve.NewSearchRequestOptions(m.query(termQ(corpus.FieldKind, corpus.KindSuggestion, 0)), maxHandled, 0, false)
	sr.Fields = []string{corpus.FieldStored}
	sr.SortBy([]string{"_id"})
	res, err := s.run(ctx, sr, nil)
	if err != nil {
		return nil, false, err
	}
	docs := make([]*corpus.Doc, 0, len(res.Hits))
	for _, dm := range res.Hits {
		h, err := hitOf(dm)
		if err != nil {
			return nil, false, err
		}
		docs = append(docs, h.Doc)
	}
	return docs, res.Total > uint64(len(docs)), nil
}

// HandlingOf computes the handling figures of suggestions, overdue as of
// the day today (2006-01-02), by_topic counting each suggestion under
// every topic it carries or, with scope TopicsPrimary, under its primary
// topic alone.
func HandlingOf(docs []*corpus.Doc, today, scope string) *HandlingStats {
	out := &HandlingStats{Total: len(docs), Today: today, KeyIDs: []string{}, Overdue: []string{}, TopicScope: scopeOf(scope)}
	classes, sats := map[string]int{}, map[string]int{}
	topics, units := map[string]*Group{}, map[string]*Group{}
	group := func(m map[string]*Group, key string, g Group) *Group {
		if m[key] == nil {
			m[key] = &g
		}
		return m[key]
	}
	for _, d := range docs {
		onTime := !d.Replied.IsZero() && !d.Late()
		a := d.ReplyClass == corpus.ClassA
		satisfied := d.Satisfaction == corpus.Satisfied || d.Satisfaction == corpus.FairlySatisfied
		add := func(g *Group) {
			g.Count++
			g.onTime += b2i(onTime)
			g.a += b2i(a)
			g.satisfied += b2i(satisfied)
		}
		if !d.Replied.IsZero() {
			out.Replied++
		}
		out.OnTime += b2i(onTime)
		out.Completed += b2i(Completed(d.Status))
		if d.ReplyClass != "" {
			classes[d.ReplyClass]++
		}
		if d.Satisfaction != "" {
			sats[d.Satisfaction]++
		}
		if d.KeySupervised {
			out.KeySupervised++
			out.KeyIDs = append(out.KeyIDs, d.ID)
		}
		if o, _ := d.Overdue(today); o {
			out.Overdue = append(out.Overdue, d.ID)
		}
		ts := ScopedTopics(scope, d.AllTopics())
		if len(ts) == 0 {
			ts = []string{NoTopic}
		}
		for _, t := range ts {
			add(group(topics, t, Group{Topic: t}))
		}
		lead := d.Lead()
		seen := map[string]bool{}
		for _, u := range append([]string{lead}, d.Units...) {
			if u == "" || seen[u] {
				continue
			}
			seen[u] = true
			g := group(units, u, Group{Unit: u})
			add(g)
			if u == lead {
				g.Lead++
			} else {
				g.Assisting++
			}
		}
	}
	out.OnTimeRate = fraction(out.OnTime, out.Total)
	out.CompletedRate = fraction(out.Completed, out.Total)
	out.UnitsCount = len(units)
	out.ReplyClass = shares(classes, corpus.ReplyClasses(), out.Total)
	out.Satisfaction = shares(sats, corpus.Satisfactions(), out.Total)
	out.ByTopic = groups(topics, func(a, b *Group) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Topic, b.Topic))
	})
	out.ByUnit = groups(units, func(a, b *Group) int {
		return cmp.Or(cmp.Compare(b.Lead, a.Lead), cmp.Compare(b.Count, a.Count), cmp.Compare(a.Unit, b.Unit))
	})
	slices.Sort(out.Overdue)
	slices.Sort(out.KeyIDs)
	return out
}

// shares lists the counts of the known values in their order, then the
// others by count and value.
func shares(counts map[string]int, known []string, total int) []Share {
	out := []Share{}
	for _, v := range known {
		out = append(out, Share{Value: v, Count: counts[v], Share: fraction(counts[v], total)})
	}
	var other []Share
	for v, n := range counts {
		if !slices.Contains(known, v) {
			other = append(other, Share{Value: v, Count: n, Share: fraction(n, total)})
		}
	}
	slices.SortFunc(other, func(a, b Share) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value)) })
	return append(out, other...)
}

// groups lists groups in the given order, with their rates.
func groups(m map[string]*Group, order func(a, b *Group) int) []Group {
	list := make([]*Group, 0, len(m))
	for _, g := range m {
		g.OnTimeRate, g.AShare, g.SatisfiedShare = fraction(g.onTime, g.Count), fraction(g.a, g.Count), fraction(g.satisfied, g.Count)
		list = append(list, g)
	}
	slices.SortFunc(list, order)
	out := make([]Group, len(list))
	for i, g := range list {
		out[i] = *g
	}
	return out
}

func fraction(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
