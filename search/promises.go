package search

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"minsheng/corpus"
)

// Promise tracking (承诺跟踪): a reply classed B (being solved) or C
// (planned) is a unit's promise. For each, the later suggestions most like
// it, by the similar-documents engine over the suggestion and its reply,
// tell whether the same matter came back (再次提出).

// PromiseCandidates is how many later suggestions each promise lists.
const PromiseCandidates = 3

// maxPromises is the most promises one tracking reads.
const maxPromises = 2000

// Promises are the promises among the suggestions matching a request.
type Promises struct {
	Total     int       `json:"total"`    // suggestions classed B or C
	Repeated  int       `json:"repeated"` // of them, raised again later
	Promises  []Promise `json:"promises"`
	Truncated bool      `json:"truncated"`
	TookMS    float64   `json:"took_ms"`
}

// Promise is one suggestion whose reply was classed B or C, with the later
// suggestions most like it.
type Promise struct {
	ID         string      `json:"id"`
	Title      string      `json:"title"`
	Number     string      `json:"number,omitempty"`
	Session    string      `json:"session,omitempty"`
	Date       string      `json:"date,omitempty"`
	ReplyClass string      `json:"reply_class"`
	LeadUnit   string      `json:"lead_unit,omitempty"`
	Repeated   bool        `json:"repeated"` // some later suggestion raises it again
	Later      []Candidate `json:"later"`
}

// Candidate is a later suggestion like a promise.
type Candidate struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Number     string   `json:"number,omitempty"`
	Session    string   `json:"session,omitempty"`
	Date       string   `json:"date,omitempty"`
	ReplyClass string   `json:"reply_class,omitempty"`
	Similarity float64  `json:"similarity"` // score over the promise's own score, names weighed down (repeat.go)
	Lift       float64  `json:"lift"`       // score over the median of the PromiseCrowd later suggestions most like the promise; 0 for no crowd
	Repeated   bool     `json:"repeated"`   // 再次提出: Similarity at least RepeatShare, Lift at least RepeatLift, no given topics in disagreement
	Shared     []string `json:"shared"`     // keywords in common
}

// Promises tracks the promises among the suggestions matching r: those
// classed B or C, each with up to PromiseCandidates later suggestions (a
// later day, of another session) most like it, whatever r's filters.
func (s *Searcher) Promises(ctx context.Context, r Request) (*Promises, error) {
	start := time.Now()
	if s.Keywords == nil {
		return nil, fmt.Errorf("%w: no keyword extractor", ErrUnavailable)
	}
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
	out := &Promises{Promises: []Promise{}, Truncated: truncated}
	nm, err := s.newNames(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		if d.ReplyClass != corpus.ClassB && d.ReplyClass != corpus.ClassC {
			continue
		}
		if out.Total++; out.Total > maxPromises {
			out.Truncated = true
			continue
		}
		p, err := s.promise(ctx, nm, d)
		if err != nil {
			return nil, err
		}
		if p.Repeated {
			out.Repeated++
		}
		out.Promises = append(out.Promises, p)
	}
	out.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return out, nil
}

// promise finds the later suggestions most like d, and which of them
// raise its matter again (repeat.go).
func (s *Searcher) promise(ctx context.Context, nm *names, d *corpus.Doc) (Promise, error) {
	p := Promise{ID: d.ID, Title: d.Title, Number: d.Number, Session: d.Session, Date: corpus.Day(d.Date),
		ReplyClass: d.ReplyClass, LeadUnit: d.Lead(), Later: []Candidate{}}
	kws := nm.weigh(s.Keywords(d.Title+"\n"+d.Title+"\n"+d.Body+"\n"+d.Reply, similarTerms))
	if len(kws) == 0 || d.Date.IsZero() {
		return p, nil
	}
	own, err := s.selfScore(ctx, kws, d.ID)
	if err != nil || own <= 0 {
		return p, err
	}
	an, err := s.analyzers()
	if err != nil {
		return p, err
	}
	later := bleve.NewDateRangeQuery(d.Date.AddDate(0, 0, 1), query.MaxRFC3339CompatibleTime)
	later.SetField(corpus.FieldDate)
	f := bleve.NewBooleanQuery()
	f.AddMust(termQ(corpus.FieldKind, corpus.KindSuggestion, 0), later)
	if d.Session != "" {
		f.AddMustNot(termQ(corpus.FieldSession, d.Session, 0))
	}
	res, err := s.score(ctx, likeQuery(kws), f, max(PromiseCandidates, PromiseCrowd))
	if err != nil {
		return p, err
	}
	scores := make([]float64, len(res.Hits))
	for i, dm := range res.Hits {
		scores[i] = dm.Score
	}
	median := crowd(scores)
	for _, dm := range res.Hits[:min(len(res.Hits), PromiseCandidates)] {
		h, err := hitOf(dm)
		if err != nil {
			return p, err
		}
		c := Candidate{ID: h.ID, Title: h.Title, Number: h.Number, Session: h.Session, Date: h.Date,
			ReplyClass: h.ReplyClass, Similarity: dm.Score / own, Shared: []string{}}

		text := string(an.charsOf(h.Title + "\n" + h.Doc.Body).folded)
		for _, k := range kws {
			if strings.Contains(text, k.Word) {
				c.Shared = append(c.Shared, k.Word)
			}
		}
		c.Lift = liftOf(dm.Score, median)
		c.Repeated = c.Similarity >= RepeatShare && (c.Lift == 0 || c.Lift >= RepeatLift) && !topicsDisagree(d, h.Doc)
		p.Repeated = p.Repeated || c.Repeated
		p.Later = append(p.Later, c)
	}
	return p, nil
}

// likeQuery is the similar-documents query of keywords.
func likeQuery(kws []Keyword) query.Query {
	var alts []query.Query
	for _, k := range kws {
		alts = append(alts, termQ(corpus.FieldTitle, k.Word, boostTitle*k.Weight), termQ(corpus.FieldBody, k.Word, boostBody*k.Weight))
	}
	return newAnyOf(alts...)
}

// selfScore is the score of document id for the query of kws.
func (s *Searcher) selfScore(ctx context.Context, kws []Keyword, id string) (float64, error) {
	res, err := s.score(ctx, likeQuery(kws), bleve.NewDocIDQuery([]string{id}), 1)
	if err != nil || len(res.Hits) == 0 {
		return 0, err
	}
	return res.Hits[0].Score, nil
}

// score runs a scoring query narrowed by a filter, the n best first.
func (s *Searcher) score(ctx context.Context, q, filter query.Query, n int) (*bleve.SearchResult, error) {
	b := bleve.NewBooleanQuery()
	b.AddMust(q)
	b.AddFilter(filter)
	sr := bleve.NewSearchRequestOptions(b, n, 0, false)
	sr.Fields = []string{corpus.FieldStored}
	return s.run(ctx, sr, nil)
}
