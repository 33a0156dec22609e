package search

import (
	"context"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"minsheng/corpus"
)

// Boosts of the word fields: a word in the title counts more than one in
// the body. The literal clause that finds words jieba hid inside longer
// words scores lower than a word match, so it adds recall without
// reordering ordinary results.
const (
	boostTitle   = 2.5
	boostBody    = 1.0
	boostReply   = 0.6
	boostMeta    = 1.5
	boostLiteral = 0.3
	bigramBoost  = 1.0
)

// LengthNorm is BM25's b: how much a long field's term frequencies are
// discounted for its length (0: not at all, 1: in full). It is bleve's
// default and the textbook's, 0.75, with the true average field lengths
// (stats.go). bleve v2.6 reads b from a process-wide variable
// (search.BM25_b) and takes no b with a request; this package never sets
// it, so the rankings here hold only while it stays at bleve's default,
// which TestBM25AtBleveDefault checks.
const LengthNorm = 0.75

var wordFields = []struct {
	name  string
	boost float64
}{
	{corpus.FieldTitle, boostTitle}, {corpus.FieldBody, boostBody},
	{corpus.FieldReply, boostReply}, {corpus.FieldMeta, boostMeta},
}

// slot is one word of a query as jieba cuts it: the terms that cover the
// same characters (a word and its numeric form, 十四 and 14) and the text
// they came from.
type slot struct {
	terms []string
	text  string     // the original characters
	cover [][]string // for words with a number (十四届): the parts, each with its alternatives (十四|14, 届)

	start, end int         // text's byte offsets in the word
	num        *numPattern // a word with a number (14届, 第0024号): matched as numbers.go says; nil: none
}

// slots cuts a word of the query into the longest tokens the word analyzer
// gives: tokens inside a longer token are dropped (the longer one, or its
// literal phrase, finds them), tokens with the same span are alternatives.
func (a *analyzers) slots(text string) []slot {
	ts := a.words.Analyze([]byte(text))
	var out []slot
	type span struct{ s, e int }
	var spans []span
	for _, t := range ts {
		inside := false
		for _, u := range ts {
			if u != t && u.Start <= t.Start && t.End <= u.End && (u.End-u.Start) > (t.End-t.Start) {
				inside = true
				break
			}
		}
		if inside {
			continue
		}
		found := false
		for i, sp := range spans {
			if sp.s == t.Start && sp.e == t.End {
				out[i].terms = appendUnique(out[i].terms, string(t.Term))
				found = true
				break
			}
		}
		if !found {
			spans = append(spans, span{t.Start, t.End})
			out = append(out, slot{terms: []string{string(t.Term)}, text: text[t.Start:t.End], cover: numericCover(ts, t), start: t.Start, end: t.End})
		}
	}
	return a.numberSlots(text, out)
}

// numberSlots joins the slots of a number to the ordinal before it and the
// counter after it (第, 24, 号 -> 第24号; 14, 届 -> 14届), and gives each
// slot with a number its pattern (numbers.go): a number is matched as a
// number, not as characters.
func (a *analyzers) numberSlots(text string, ss []slot) []slot {
	out := ss[:0:0]
	for i := 0; i < len(ss); {
		j := i + 1
		for j < len(ss) && ss[j-1].end == ss[j].start && joins(ss[j-1].text, ss[j].text) {
			j++
		}
		s := ss[i]
		var folded []rune
		if j > i+1 {
			joined := slot{text: text[ss[i].start:ss[j-1].end], start: ss[i].start, end: ss[j-1].end}
			folded = a.foldRunes(joined.text)
			if joined.num = parseNumbers(folded); joined.num != nil {
				s = joined
			} else { // no number after all (第二 of 第二季度, 一次): the slots as they were
				j = i + 1
			}
		}
		if s.num == nil {
			folded = a.foldRunes(s.text)
			s.num = parseNumbers(folded)
		}
		if s.num != nil {
			s.cover = nil
			if !corpus.IsDigits(string(folded)) { // 十四届's 14 is in its pattern, and in 十四五's 十四
				var terms []string
				for _, t := range s.terms {
					if !corpus.IsDigits(t) {
						terms = append(terms, t)
					}
				}
				s.terms = terms
			}
		}
		out = append(out, s)
		i = j
	}
	return out
}

// joins reports whether the slot texts prev and next, side by side, are
// one number word: an ordinal and a number (第 24), or a number and a
// counter (24 号, 十四 届).
func joins(prev, next string) bool {
	first, _ := utf8.DecodeRuneInString(next)
	last, _ := utf8.DecodeLastRuneInString(prev)
	switch {
	case prev == "第":
		return isDigit(first) || corpus.IsNumeral(first)
	case utf8.RuneCountInString(next) == 1 && strings.ContainsRune(corpus.Counters, first):
		return isDigit(last) || corpus.IsNumeral(last)
	}
	return false
}

// foldRunes returns text folded as the literal fields fold it.
func (a *analyzers) foldRunes(text string) []rune {
	return []rune(strings.Join(a.fold(text), ""))
}

// numericCover covers the characters of token w with the longest shorter
// tokens inside it, left to right, when one of them is a number; else nil.
func numericCover(ts analysis.TokenStream, w *analysis.Token) [][]string {
	var cover [][]string
	numeric := false
	for at := w.Start; at < w.End; {
		end := -1
		for _, t := range ts {
			if t.Start == at && t.End <= w.End && t.End-t.Start < w.End-w.Start && t.End > end {
				end = t.End
			}
		}
		if end < 0 {
			return nil
		}
		var alts []string
		for _, t := range ts {
			if t.Start == at && t.End == end {
				alts = appendUnique(alts, string(t.Term))
				numeric = numeric || t.Type == analysis.Numeric
			}
		}
		cover = append(cover, alts)
		at = end
	}
	if !numeric {
		return nil
	}
	return cover
}

func appendUnique(l []string, s string) []string {
	for _, x := range l {
		if x == s {
			return l
		}
	}
	return append(l, s)
}

// wordSlots counts the word slots of the positive groups.
func (q *Query) wordSlots(a *analyzers) int {
	n := 0
	for _, g := range q.Groups {
		for _, t := range g {
			if t.Field == "" && !t.Phrase {
				n += len(a.slots(t.Text))
			}
		}
	}
	return n
}

// maxQuestionWords bounds the words, and the bigrams, a question is
// ranked by: a pasted page is not a question, and its thousand words
// would cost seconds. Questions are a few dozen characters.
const maxQuestionWords = 128

// questionSlots is the number of words from which a query without
// operators is read as a question: ranked by how many of its words a
// document has, not filtered to documents with all of them.
const questionSlots = 6

// isQuestion reports whether q reads as a natural-language question: one
// group of plain words, ending in a question mark or long.
func (q *Query) isQuestion(a *analyzers) bool {
	if len(q.Not) > 0 || len(q.Groups) == 0 {
		return false
	}
	n := 0
	for _, g := range q.Groups {
		if len(g) != 1 || g[0].Field != "" || g[0].Phrase {
			return false
		}
		t := strings.TrimSpace(g[0].Text)
		if strings.HasSuffix(t, "？") || strings.HasSuffix(t, "?") {
			return true
		}
		n += len(a.slots(t))
	}
	return q.asks || n >= questionSlots
}

// mustOneOf requires one of a group's alternatives: the one itself, or a
// disjunction of several; no clause when there is none.
func mustOneOf(b *query.BooleanQuery, alts []query.Query) {
	switch len(alts) {
	case 0:
	case 1:
		b.AddMust(alts[0])
	default:
		b.AddMust(bleve.NewDisjunctionQuery(alts...))
	}
}

// build turns a parsed query into a bleve query. Strict: every group must
// match. Relaxed (the fallback for questions): fields and phrases must
// match, words are ranked by how many and how rare.
func (a *analyzers) build(q *Query, relaxed bool) query.Query {
	a.prefixes = 0
	b := bleve.NewBooleanQuery()
	var should []query.Query
	words, grams := 0, 0 // of the question, to bound its cost
	for _, g := range q.Groups {
		var alts []query.Query
		for _, t := range g {
			if relaxed && len(g) == 1 && t.Field == "" && !t.Phrase {
				should = a.rankClauses(should, t.Text, &words, &grams)
				continue
			}
			if tq := a.term(t); tq != nil {
				alts = append(alts, tq)
			}
		}
		mustOneOf(b, alts)
	}
	if len(should) > 0 {
		b.Should = newAnyOf(should...) // one must match, as a should clause
	}
	for _, t := range q.Not {
		if tq := a.term(t); tq != nil {
			b.AddMustNot(tq)
		}
	}
	if b.Must == nil && b.Should == nil {
		if b.MustNot == nil {
			return bleve.NewMatchAllQuery()
		}
		b.AddMust(bleve.NewMatchAllQuery())
	}
	return alone(b)
}

// alone returns b's one required clause when b has nothing else, as a
// lone, and b otherwise. bleve searches such a boolean through a
// conjunction of one searcher, which tells its searcher the query norm
// of its weight and then scores each match as the searcher did (a sum of
// one), but still passes every match through its loop and its scorer.
// Without that loop, the news load in one process (BenchmarkSearchLoad,
// MINSHENG_BENCH_QUERIES=news, alternated with the binary before, on a
// shared machine) answered 1,019, 999, 898, 938, 913 and 745 requests/s
// against 994, 982, 661, 879, 727 and 872: a few percent, in the noise.
func alone(b *query.BooleanQuery) query.Query {
	c, ok := b.Must.(*query.ConjunctionQuery)
	if !ok || len(c.Conjuncts) != 1 || b.Should != nil || b.MustNot != nil || b.Filter != nil || isMatchAll(c.Conjuncts[0]) {
		return b
	}
	if d, ok := c.Conjuncts[0].(*query.DisjunctionQuery); ok && d.Min <= 1 {
		// a word's query (slotQuery): its terms in each field and its
		// literal, read by anyOf where it can
		return lone{newAnyOf(d.Disjuncts...)}
	}
	return lone{c.Conjuncts[0]}
}

// lone is a query of one clause, scored as bleve scores a conjunction of
// that clause alone: its searcher is told the query norm of its own
// weight, which its scores depend on (the ranking of eval/ncp and
// eval/rgb-dev moved without it).
type lone struct{ q query.Query }

// Searcher implements query.Query.
func (l lone) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o bsearch.SearcherOptions) (bsearch.Searcher, error) {
	s, err := l.q.Searcher(ctx, r, m, o)
	if err != nil {
		return nil, err
	}
	s.SetQueryNorm(1 / math.Sqrt(s.Weight())) // as bleve's conjunction does
	return s, nil
}

// rankClauses appends the clauses a question is ranked by to should: each
// word of text but the question words, and each pair of adjacent Chinese
// characters, up to maxQuestionWords of each (words and grams count them
// over the whole query).
func (a *analyzers) rankClauses(should []query.Query, text string, words, grams *int) []query.Query {
	for _, tk := range a.words.Analyze([]byte(text)) {
		if isStop(string(tk.Term)) || *words == maxQuestionWords {
			continue
		}
		*words++
		// each field's term a clause of its own, not a disjunction per
		// word: one level less for bleve to merge (a tenth off the
		// longest question of the load benchmark; eval/ncp unchanged,
		// 0.901-0.902)
		should = append(should, fieldTerms(string(tk.Term), 1)...)
	}
	bg := a.bigrams(text)
	bg = bg[:min(len(bg), 2*(maxQuestionWords-*grams))] // two fields a bigram
	*grams += len(bg) / 2
	return append(should, bg...)
}

// term is the query of one term, or nil when it has nothing to search.
func (a *analyzers) term(t Term) query.Query {
	switch {
	case t.Field != "":
		f, _ := corpus.FieldNamed(t.Field)
		f.Name = t.Field
		return valueQuery(f, strings.TrimSpace(t.Text), a.today)
	case t.Phrase:
		return a.literal(t.Text, 1)
	}
	ss := a.slots(t.Text)
	if len(ss) == 0 { // nothing the word analyzer keeps: search the characters literally
		return a.literal(t.Text, 1)
	}
	if len(ss) == 1 {
		return a.slotQuery(ss[0], true)
	}
	conj := make([]query.Query, len(ss))
	for i, s := range ss {
		conj[i] = a.slotQuery(s, true)
	}
	return bleve.NewConjunctionQuery(conj...)
}

// slotQuery matches one word in any word field; with literal, also any
// document whose text contains its characters, however jieba cut them.
func (a *analyzers) slotQuery(s slot, literal bool) *query.DisjunctionQuery {
	return a.slotQueryW(s, literal, 1)
}

// slotQueryW is slotQuery with its boosts times w (a synonym's are lower).
func (a *analyzers) slotQueryW(s slot, literal bool, w float64) *query.DisjunctionQuery {
	var alts []query.Query
	for _, f := range wordFields {
		for _, t := range s.terms {
			alts = append(alts, termQ(f.name, t, f.boost*w))
		}
	}
	if s.num != nil {
		// a number, matched as one, never as characters (24 inside 2024)
		singles := s.num.singles() && a.prefixes < a.maxPrefixes
		if singles {
			a.prefixes++
		}
		for _, f := range wordFields {
			if nq := a.numberQuery(s.num, f.name, f.boost, w, singles); nq != nil {
				alts = append(alts, nq)
			}
		}
		if len(alts) == 0 {
			return bleve.NewDisjunctionQuery(bleve.NewMatchNoneQuery())
		}
		return bleve.NewDisjunctionQuery(alts...)
	}
	if s.cover != nil {
		conj := make([]query.Query, len(s.cover))
		for i, part := range s.cover {
			conj[i] = a.slotQueryW(slot{terms: part}, false, w)
		}
		alts = append(alts, bleve.NewConjunctionQuery(conj...))
	}
	if literal {
		if lq := a.literal(s.text, boostLiteral*w); lq != nil {
			alts = append(alts, lq)
		}
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// wordQuery matches one term in any word field, its boosts times w.
func (a *analyzers) wordQuery(term string, w float64) query.Query {
	return bleve.NewDisjunctionQuery(fieldTerms(term, w)...)
}

// fieldTerms are the term queries of term in each word field, their boosts
// times w.
func fieldTerms(term string, w float64) []query.Query {
	out := make([]query.Query, len(wordFields))
	for i, f := range wordFields {
		out[i] = termQ(f.name, term, f.boost*w)
	}
	return out
}

// literal matches text character for character (after folding) in any
// literal field: a substring match, exact both ways.
func (a *analyzers) literal(text string, boost float64) query.Query {
	chars := a.fold(text)
	if len(chars) == 0 {
		return nil
	}
	if len(chars) == 1 {
		if a.prefixes >= a.maxPrefixes {
			// past the query's budget: the character as a word, not
			// every bigram it starts
			return a.wordQuery(chars[0], boost)
		}
		a.prefixes++
	}
	// the bigram tokens: one at each position of the phrase but the last
	grams := make([]string, 0, len(chars))
	for i := 0; i+1 < len(chars); i++ {
		grams = append(grams, chars[i]+chars[i+1])
	}
	var alts []query.Query
	for _, f := range wordFields {
		field := corpus.LiteralOf(f.name)
		switch len(grams) {
		case 0: // one character: every bigram it starts
			alts = append(alts, &litPrefix{field: field, prefix: chars[0], boost: f.boost * boost})
		case 1:
			alts = append(alts, litQ(field, grams[0], f.boost*boost))
		default:
			pq := &phraseOf{field: field, terms: grams, boost: f.boost * boost, text: strings.Join(chars, ""), folded: corpus.FoldedOf(f.name)}
			if allHan(pq.text) {
				pq.words = f.name
			}
			alts = append(alts, pq)
		}
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// fold returns the folded characters of text, as the literal analyzer
// indexes them.
func (a *analyzers) fold(text string) []string {
	ts := a.tokensOf(text)
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t.Term)
	}
	return out
}

// needles are the folded character sequences a hit's text is marked at:
// each word slot's characters and each phrase, blank ones left out. They
// are folded once per search, not once per hit.
func (a *analyzers) needles(q *Query) [][]rune {
	var out [][]rune
	add := func(text string) {
		if n := a.needle(text); n != nil {
			out = append(out, n)
		}
	}
	for _, g := range q.Groups {
		for _, t := range g {
			switch {
			case t.Field != "":
			case t.Phrase:
				add(t.Text)
			default:
				for _, s := range a.slots(t.Text) {
					if s.num == nil {
						add(s.text)
						continue
					}
					// a number matches whole numbers (numbers.go), and
					// is marked only there: 24 not in 2024
					for _, v := range append([]string{s.text}, s.num.spellings()...) {
						if n := a.needle(v); n != nil {
							out = append(out, append([]rune{wholeNumber}, n...))
						}
					}
				}
			}
		}
	}
	return out
}

// needle is text folded as the character analyzer folds it, or nil when it
// is blank.
func (a *analyzers) needle(text string) []rune {
	r := a.charsOf(text).folded
	if strings.TrimSpace(string(r)) == "" {
		return nil
	}
	return r
}

// tokensOf analyses text with the character analyzer: one folded token per
// character, with byte offsets.
func (a *analyzers) tokensOf(text string) analysis.TokenStream {
	return a.chars.Analyze([]byte(text))
}

// questionWords are the function and question words of a question: they
// say what is asked, not what it is about, and are left out of its ranking.
var questionWords = wordSet(`什么 哪些 哪个 哪家 哪里 哪儿 哪 如何 怎么 怎样 怎么样 怎么办 是否 有何 有无 有没有
	为什么 为何 吗 呢 吧 啊 多少 几 何时 何地 谁 是 的 了 着 过 对 对于 关于 在 和 与 及 以及 或 或者 要 需要 应 应该
	能 可以 可 会 有 给 把 被 让 将 等 其 该 这 那 这些 那些 之 所 以 为 于 并 而 也 都 还 又 就 从 到 向 由 中 上 下 具体 内容 情况 方面 主要 提出 采取 进行`)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

func isStop(w string) bool { return questionWords[w] }

// bigrams are phrase queries over each pair of adjacent characters of a
// question, on the literal fields: they reward documents that share its
// wording, whatever jieba made of either.
func (a *analyzers) bigrams(text string) []query.Query {
	chars := a.fold(text)
	var out []query.Query
	seen := map[string]bool{}
	for i := 0; i+1 < len(chars); i++ {
		c1, c2 := chars[i], chars[i+1]
		if !isHan(c1) || !isHan(c2) || seen[c1+c2] {
			continue
		}
		seen[c1+c2] = true
		for _, f := range []struct {
			name  string
			boost float64
		}{{corpus.FieldTitleLit, boostTitle * bigramBoost}, {corpus.FieldBodyLit, bigramBoost}} {
			out = append(out, litQ(f.name, c1+c2, f.boost))
		}
	}
	return out
}

func isHan(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.Is(unicode.Han, r)
}
