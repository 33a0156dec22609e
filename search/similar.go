package search

import (
	"context"
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"minsheng/corpus"
	"minsheng/errs"
)

// Keyword is a word of a text with its TF-IDF weight.
type Keyword = corpus.Keyword

// KeywordFunc extracts the n most telling words of a text, already folded
// as the index folds them. Main wires jieba's TF-IDF extractor in.
type KeywordFunc func(text string, n int) []Keyword

// SimilarRequest asks for the documents most like a stored one (ID) or
// like a pasted draft (Text).
type SimilarRequest struct {
	ID   string `json:"id,omitempty"`
	Text string `json:"text,omitempty"`
	Size int    `json:"size,omitempty"`
}

// similarTerms is how many keywords of the source text the query uses.
const similarTerms = 30

// Similar finds the documents most like a stored document or a draft: a
// weighted disjunction of the text's keywords over title and body, ranked
// by BM25. The stored document itself is never among its hits. Each hit
// lists the keywords it shares with the source in Shared.
func (s *Searcher) Similar(ctx context.Context, r SimilarRequest) (*Result, error) {
	if s.Keywords == nil {
		return nil, fmt.Errorf("%w: no keyword extractor", ErrUnavailable)
	}
	if r.Size == 0 {
		r.Size = 10
	}
	if r.Size < 1 || r.Size > s.Limits.MaxSize {
		return nil, invalid("size must be between 1 and %d, not %d", s.Limits.MaxSize, r.Size)
	}
	ctx, cancel := context.WithTimeout(ctx, s.Limits.Timeout)
	defer cancel()
	text := r.Text
	if r.ID != "" {
		d, ok, err := s.Document(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%w: document %q", errs.NotFound, r.ID)
		}
		text = d.Title + "\n" + d.Title + "\n" + d.Body
	}
	if strings.TrimSpace(text) == "" {
		return nil, invalid("the text to compare is empty")
	}
	if n := len([]rune(text)); n > s.Limits.MaxDraftLen {
		return nil, invalid("the text is %d characters long; the limit is %d", n, s.Limits.MaxDraftLen)
	}
	kws := s.Keywords(text, similarTerms)
	if len(kws) == 0 {
		return &Result{Page: 1, Size: r.Size, Hits: []Hit{}, Facets: map[string][]Count{}}, nil
	}
	var alts []query.Query
	for _, k := range kws {
		for _, f := range []struct {
			name  string
			boost float64
		}{{corpus.FieldTitle, boostTitle}, {corpus.FieldBody, boostBody}} {
			alts = append(alts, termQ(f.name, k.Word, f.boost*k.Weight))
		}
	}
	var q query.Query = newAnyOf(alts...)
	if r.ID != "" {
		b := bleve.NewBooleanQuery()
		b.AddMust(q)
		b.AddMustNot(bleve.NewDocIDQuery([]string{r.ID}))
		q = b
	}
	sr, h, err := s.request(Request{Size: r.Size, Page: 1, Sort: SortRelevance, NoFacets: true}, q)
	if err != nil {
		return nil, err
	}
	res, err := s.run(ctx, sr, h)
	if err != nil {
		return nil, err
	}
	an, err := s.analyzers()
	if err != nil {
		return nil, err
	}
	out := &Result{Total: res.Total, Page: 1, Size: r.Size, Hits: []Hit{}, Facets: map[string][]Count{}}
	out.TookMS = float64(res.Took.Microseconds()) / 1000
	for _, dm := range res.Hits {
		h, err := hitOf(dm)
		if err != nil {
			return nil, err
		}
		folded := string(an.charsOf(h.Title + "\n" + h.Doc.Body).folded)
		var needles [][]rune
		for _, k := range kws {
			if strings.Contains(folded, k.Word) {
				h.Shared = append(h.Shared, k.Word)
				if n := an.needle(k.Word); n != nil {
					needles = append(needles, n)
				}
			}
		}
		an.highlight(&h, needles)
		out.Hits = append(out.Hits, h)
	}
	return out, nil
}
