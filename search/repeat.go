package search

import (
	"context"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"

	"minsheng/corpus"
)

// Whether a later suggestion raises again the matter of a promise (再次提出)
// is told by three things, each for a way a word count alone goes wrong.
//
//  1. Places and persons weigh a fifth of other words in the promise's
//     keywords (nameWeight): suggestions from one place share its name
//     whatever they ask (天水至陇南高速公路 and 陇南康养旅游 scored 0.105
//     by 陇南 alone), while a repeat from another place shares none
//     (民勤县's 治沙 and 河西走廊's 防沙治沙). A name is what jieba's
//     dictionary tags ns or nr, or the place of one of the index's
//     delegations (天水代表团: 天水, which the dictionary tags n).
//  2. The later suggestion scores at least RepeatShare of the promise's
//     own score for those keywords (Candidate.Similarity).
//  3. It stands out from the later suggestions on the promise's theme: at
//     least RepeatLift times the median score of the PromiseCrowd most like
//     the promise (Candidate.Lift). A long text shares many of a
//     promise's words without raising its matter: on the Jiangsu
//     proposals (TestPromisesOnProposals) 291 of the 654 candidates
//     reach RepeatShare, 136 of them of another category.
//     A repeat is closer to the promise than the others on its theme are.
//
// Topics decide only when both suggestions have topics a person gave (the
// source, or staff's correction): none in common, no repeat. The
// classifier's topics do not: it tags a text by its words, which are
// already compared, and its guesses vetoed real repeats (it tagged the
// planted repeat 關於加強鄉村振興人才隊伍建設 就业与社会保障 only, for its
// 返鄉創業, when a topic in common was required).

// RepeatShare is the least similarity (the later suggestion's score over
// the promise's own) of a repeat. The sample's planted repeats score
// 0.117 to 0.340, the other candidates mostly under 0.05.
const RepeatShare = 0.11

// RepeatLift is how many times the median score of the later suggestions
// most like the promise a repeat scores at least. Six of the sample's
// seven planted repeats stand 9.5 to 58 times above it, 民勤县节水治沙 →
// 河西走廊防沙治沙 4.3 times, and 天水至陇南高速公路 → 甘南州旅游公路 (two
// roads, not a repeat; similarity 0.127) 4.8 times: the one cannot be
// told from the other by words. On the proposals, 18 of the 654 pairs
// tracked reach RepeatShare and 6 times (7 of them across categories); at
// 4 times, 44 (18).
const RepeatLift = 6

// nameWeight is what a place or person name weighs against another word
// in a promise's keywords.
const nameWeight = 0.2

// PromiseCrowd is how many later suggestions the median of Lift is taken
// over; where fewer are like the promise, the missing ones score 0.
const PromiseCrowd = 10

// names tells places and persons among keywords.
type names struct {
	places map[string]bool // the places of the index's delegations
}

// newNames reads the places of the index's delegations.
func (s *Searcher) newNames(ctx context.Context) (*names, error) {
	sr := bleve.NewSearchRequestOptions(termQ(corpus.FieldKind, corpus.KindSuggestion, 0), 0, 0, false)
	sr.AddFacet(corpus.FieldDelegation, bleve.NewFacetRequest(corpus.FieldDelegation, 1000))
	res, err := s.run(ctx, sr, nil)
	if err != nil {
		return nil, err
	}
	n := &names{places: map[string]bool{}}
	for _, c := range termCounts(res.Facets[corpus.FieldDelegation]) {
		if p := placeOf(c.Value); p != "" {
			n.places[p] = true
		}
	}
	return n, nil
}

// adminSuffixes end the names of administrative areas.
var adminSuffixes = []string{"地区", "自治州", "自治县", "市", "州", "县", "区", "盟", "旗"}

// placeOf is the place a delegation is named after (天水代表团 → 天水,
// 临夏州代表团 → 临夏); "" for none.
func placeOf(delegation string) string {
	p, ok := strings.CutSuffix(delegation, "代表团")
	if !ok {
		return ""
	}
	for _, suf := range adminSuffixes {
		if q, ok := strings.CutSuffix(p, suf); ok && len([]rune(q)) >= 2 {
			return q
		}
	}
	if len([]rune(p)) < 2 {
		return ""
	}
	return p
}

// is reports whether k is a place or person: by jieba's tag, or one of the
// delegations' places, bare or with an administrative ending.
func (n *names) is(k Keyword) bool {
	switch k.Tag {
	case "ns", "nr", "nrt", "nrfg", "nrf":
		return true
	}
	if n.places[k.Word] {
		return true
	}
	for _, suf := range adminSuffixes {
		if p, ok := strings.CutSuffix(k.Word, suf); ok && n.places[p] {
			return true
		}
	}
	return false
}

// weigh returns kws with the names at nameWeight.
func (n *names) weigh(kws []Keyword) []Keyword {
	out := slices.Clone(kws)
	for i := range out {
		if n.is(out[i]) {
			out[i].Weight *= nameWeight
		}
	}
	return out
}

// crowd is the median score of the PromiseCrowd best, the missing ones 0.
func crowd(scores []float64) float64 {
	s := make([]float64, PromiseCrowd)
	copy(s, scores)
	slices.Sort(s)
	return (s[(PromiseCrowd-1)/2] + s[PromiseCrowd/2]) / 2
}

// liftOf is a score over the crowd's median; 0 when the median is 0
// (fewer than half of PromiseCrowd later suggestions share a word with the
// promise): then there is no crowd to stand out from, and RepeatShare
// alone decides.
func liftOf(score, median float64) float64 {
	if median <= 0 {
		return 0
	}
	return score / median
}

// topicsDisagree reports whether two suggestions have topics a person gave
// and none in common.
func topicsDisagree(a, b *corpus.Doc) bool {
	ta, tb := givenTopics(a), givenTopics(b)
	return len(ta) > 0 && len(tb) > 0 && !slices.ContainsFunc(ta, func(t string) bool { return slices.Contains(tb, t) })
}

// givenTopics are the topics a person gave a document: staff's correction,
// or the source's.
func givenTopics(d *corpus.Doc) []string {
	if d.TopicsCorrected {
		return d.Topics
	}
	return d.GivenTopics
}
