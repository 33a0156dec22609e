package search

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// maxSynonymSlots is the most words of a query one synonym rule's word may
// span (中国人民政治协商会议全国委员会 is six of jieba's).
const maxSynonymSlots = 8

// expansion is what synonyms added to one query, for its response.
type expansion struct {
	syn    *Synonyms
	budget int                 // synonyms the query may still take (Limits.MaxTerms)
	added  map[string][]string // a word of the query -> the synonyms searched with it
	cut    int                 // synonyms left out by the budget
}

// newExpansion returns the expansion of q by syn within the limits: a
// query of n terms may take MaxTerms-n synonyms.
func newExpansion(syn *Synonyms, q *Query, l Limits) *expansion {
	return &expansion{syn: syn, budget: max(0, l.MaxTerms-q.size())}
}

// wordUnit is a run of a word's slots that the query searches as one: a
// slot, or the slots of a synonym rule's word, with its synonyms.
type wordUnit struct {
	text  string
	slots []slot
	syns  []string
}

// wordUnits cuts the word text into units: the longest runs of its slots
// that are a synonym rule's word are one unit each, every other slot is
// one too.
func (a *analyzers) wordUnits(text string, ex *expansion) []wordUnit {
	ss := a.slots(text)
	var out []wordUnit
	for i := 0; i < len(ss); {
		j, syns := i+1, []string(nil)
		if ex != nil && ex.syn != nil {
			for k := min(len(ss), i+maxSynonymSlots); k > i; k-- {
				var b strings.Builder
				for _, s := range ss[i:k] {
					b.WriteString(s.text)
				}
				if found := broader(b.String(), ex.syn.Lookup(b.String())); found != nil {
					j, syns = k, ex.take(b.String(), found)
					break
				}
			}
		}
		var b strings.Builder
		for _, s := range ss[i:j] {
			b.WriteString(s.text)
		}
		out = append(out, wordUnit{text: b.String(), slots: ss[i:j], syns: syns})
		i = j
	}
	return out
}

// take returns the synonyms of word the budget leaves, and records them.
func (ex *expansion) take(word string, syns []string) []string {
	n := min(len(syns), ex.budget)
	ex.budget -= n
	ex.cut += len(syns) - n
	if n == 0 {
		return nil
	}
	if ex.added == nil {
		ex.added = map[string][]string{}
	}
	ex.added[word] = append(ex.added[word], syns[:n]...)
	return syns[:n]
}

// notice says what the budget cut, "" when nothing.
func (ex *expansion) notice(l Limits) string {
	if ex == nil || ex.cut == 0 {
		return ""
	}
	return fmt.Sprintf("%d synonyms were left out: a query searches at most %d words, phrases and synonyms (limits.max_query_terms)", ex.cut, l.MaxTerms)
}

// ownQuery is the query of a unit's own words, as mode all has them.
func (a *analyzers) ownQuery(u wordUnit) query.Query {
	return a.ruleWordQuery(u.text, u.slots, 1)
}

// slotsQuery matches every slot of ss, their boosts times w.
func (a *analyzers) slotsQuery(ss []slot, w float64) query.Query {
	if len(ss) == 1 {
		return a.slotQueryW(ss[0], true, w)
	}
	conj := make([]query.Query, len(ss))
	for i, s := range ss {
		conj[i] = a.slotQueryW(s, true, w)
	}
	return bleve.NewConjunctionQuery(conj...)
}

// synonymQuery matches a synonym, scored a little below the word.
func (a *analyzers) synonymQuery(text string) query.Query {
	return a.ruleWordQuery(text, a.slots(text), synonymWeight)
}

// ruleWordQuery matches a word of a synonym rule, text cut into ss, with
// weight w: as a word when jieba cuts it into one; as written (a phrase)
// when it cuts it into several and one of them is a single character,
// which means nothing apart from its neighbours; else each of its words,
// anywhere in the text (养老服务: 养老 and 服务). 为老服务, a synonym of
// 养老服务 cut into 为, 老 and 服务, found 7 of the sample's suggestions by
// a lone 为 and 老, where the phrase finds none.
func (a *analyzers) ruleWordQuery(text string, ss []slot, w float64) query.Query {
	if len(ss) == 0 {
		return a.literal(text, w)
	}
	if len(ss) > 1 && slices.ContainsFunc(ss, func(s slot) bool { return utf8.RuneCountInString(s.text) == 1 }) {
		return a.literal(text, w)
	}
	return a.slotsQuery(ss, w)
}

// synonymClauses are the clauses that rank the synonyms of units: each
// word of each synonym in every word field (matching scales them by
// synonymWeight).
func (a *analyzers) synonymClauses(should []query.Query, units []wordUnit) []query.Query {
	for _, u := range units {
		for _, s := range u.syns {
			for _, tk := range a.words.Analyze([]byte(s)) {
				should = append(should, fieldTerms(string(tk.Term), 1)...)
			}
		}
	}
	return should
}

// result is the synonyms searched, by word, nil when none.
func (ex *expansion) result() map[string][]string {
	if ex == nil {
		return nil
	}
	return ex.added
}

// broader returns the synonyms of word that can find a document word does
// not: a synonym that holds the word (乡村振兴战略 of 乡村振兴) finds only
// documents the word finds, and would cost a search for nothing.
func broader(word string, syns []string) []string {
	var out []string
	k := synonymKey(word)
	for _, s := range syns {
		if !strings.Contains(synonymKey(s), k) {
			out = append(out, s)
		}
	}
	return out
}

// synonymNeedles adds the synonyms searched to the needles a hit is
// marked at: a synonym's match is highlighted too.
func (a *analyzers) synonymNeedles(needles [][]rune, expanded map[string][]string) [][]rune {
	for _, syns := range expanded {
		for _, syn := range syns {
			if n := a.needle(syn); n != nil {
				needles = append(needles, n)
			}
		}
	}
	return needles
}
