package search

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"minsheng/corpus"
)

// Numbers in a query match numbers in a document, not characters: a digit
// run matches whole digit runs of the same value (24 matches 24 and 0024,
// not 2024, 124 or 240), and Chinese numerals of that value (二十四, not
// 二十四 inside 一百二十四); 十四届 matches 14届 and 第24号 matches
// 第0024号. The word fields hold each digit run whole, so a digit run
// alone is a word; the character pairs of the literal fields do not (24
// is a pair of 2024), so a word with a number is matched by a pattern
// (numPattern): its candidates are the documents with the number's word
// or the characters of its Chinese form and the pairs of its other
// characters, and each is verified against the field's folded text, as
// a literal phrase is (literaltext.go).

// numPiece is a piece of a numPattern: characters matched as they are, or
// a number.
type numPiece struct {
	lit []rune // folded characters
	num string // a number without leading zeros; "" for lit
}

// numPattern is a word of the query with a number in it, such as 14届,
// 第0024号 or 十四届: characters and numbers, in order.
type numPattern struct {
	pieces []numPiece
}

// idCounters are the counters after which Chinese numerals are a number
// of a document's identity (十四届, 二十四号): after another counter, or
// after 第 alone, they are an everyday word (一次, 一名, 两款, 第二季度), which
// as a number was verified against the text of every document with its
// characters: 250 ms for 一次 市场 预期 on news-2023, against 1 to 4.
const idCounters = "届号"

// parseNumbers reads folded characters into a pattern, or nil when they
// have no number: a digit run not joined to letters (5g and pd1728 are
// words), or Chinese numerals before a counter of idCounters (十四届,
// 第十四届, 一号), or alone and of two or more (十四).
func parseNumbers(rs []rune) *numPattern {
	p := &numPattern{}
	hasNum := false
	lit := func(r []rune) {
		if n := len(p.pieces); n > 0 && p.pieces[n-1].num == "" {
			p.pieces[n-1].lit = append(p.pieces[n-1].lit, r...)
			return
		}
		p.pieces = append(p.pieces, numPiece{lit: append([]rune(nil), r...)})
	}
	for i := 0; i < len(rs); {
		j := i + 1
		switch {
		case isDigit(rs[i]):
			for j < len(rs) && isDigit(rs[j]) {
				j++
			}
			if i > 0 && isLetter(rs[i-1]) || j < len(rs) && isLetter(rs[j]) {
				lit(rs[i:j])
				break
			}
			p.pieces = append(p.pieces, numPiece{num: corpus.TrimZeros(string(rs[i:j]))})
			hasNum = true
		case corpus.IsNumeral(rs[i]):
			for j < len(rs) && corpus.IsNumeral(rs[j]) {
				j++
			}
			v, ok := corpus.ChineseNumber(string(rs[i:j]))
			if ok && (j < len(rs) && strings.ContainsRune(idCounters, rs[j]) || i == 0 && j == len(rs) && j >= 2) {
				p.pieces = append(p.pieces, numPiece{num: v})
				hasNum = true
				break
			}
			lit(rs[i:j])
		default:
			lit(rs[i:j])
		}
		i = j
	}
	if !hasNum {
		return nil
	}
	return p
}

func isDigit(r rune) bool  { return '0' <= r && r <= '9' }
func isLetter(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' }

// bare reports whether the pattern is one number and nothing else.
func (p *numPattern) bare() bool { return len(p.pieces) == 1 && p.pieces[0].num != "" }

// in reports whether folded text holds the pattern.
func (p *numPattern) in(text []rune) bool {
	for i := range text {
		if p.at(text, i) {
			return true
		}
	}
	return false
}

// at reports whether the pattern matches text from i on. A number matches
// a whole digit run of its value (leading zeros allowed) or a whole run of
// Chinese numerals of its value; characters that start or end with a
// digit must not continue a digit run.
func (p *numPattern) at(text []rune, i int) bool {
	if first := p.pieces[0]; first.num == "" && isDigit(first.lit[0]) && i > 0 && isDigit(text[i-1]) {
		return false
	}
	for _, pc := range p.pieces {
		if pc.num == "" {
			if i+len(pc.lit) > len(text) {
				return false
			}
			for k, r := range pc.lit {
				if text[i+k] != r {
					return false
				}
			}
			i += len(pc.lit)
			continue
		}
		if i >= len(text) {
			return false
		}
		j := i + 1
		switch r := text[i]; {
		case isDigit(r):
			if i > 0 && isDigit(text[i-1]) {
				return false
			}
			for j < len(text) && isDigit(text[j]) {
				j++
			}
			if corpus.TrimZeros(string(text[i:j])) != pc.num {
				return false
			}
		case corpus.IsNumeral(r):
			if i > 0 && corpus.IsNumeral(text[i-1]) {
				return false
			}
			for j < len(text) && corpus.IsNumeral(text[j]) {
				j++
			}
			if v, ok := corpus.ChineseNumber(string(text[i:j])); !ok || v != pc.num {
				return false
			}
		default:
			return false
		}
		i = j
	}
	last := p.pieces[len(p.pieces)-1]
	return last.num != "" || !isDigit(last.lit[len(last.lit)-1]) || i == len(text) || !isDigit(text[i])
}

// chineseForms are the ways Chinese numerals write the number v: 十四 for
// 14, and for a year also digit by digit (二〇二四). Numbers of five digits
// or more have none here.
func chineseForms(v string) []string {
	if len(v) > 4 || !corpus.IsDigits(v) {
		return nil
	}
	digits := []rune("〇一二三四五六七八九")
	units := []rune("千百十")[3-(len(v)-1):]
	var b strings.Builder
	zero := false
	for i := 0; i < len(v); i++ {
		d := int(v[i] - '0')
		unit := i < len(v)-1
		switch {
		case d == 0:
			zero = b.Len() > 0
			continue
		case zero:
			b.WriteRune('零')
			zero = false
		}
		if !(d == 1 && unit && units[i] == '十' && b.Len() == 0) { // 十四, not 一十四
			b.WriteRune(digits[d])
		}
		if unit {
			b.WriteRune(units[i])
		}
	}
	if b.Len() == 0 {
		b.WriteRune('〇')
	}
	forms := []string{b.String()}
	if len(v) == 4 {
		var y strings.Builder
		for i := 0; i < len(v); i++ {
			y.WriteRune(digits[v[i]-'0'])
		}
		forms = append(forms, y.String())
	}
	return forms
}

// numberQuery matches a word with a number in the word field f (and its
// literal field), its boosts times w: the documents whose folded text
// holds the pattern. Nil when the pattern has nothing to find candidates
// by that is not in the slot's own terms. With singles, a single character
// of the pattern narrows the candidates to the documents with a pair it
// starts.
func (a *analyzers) numberQuery(p *numPattern, f string, boost, w float64, singles bool) query.Query {
	lit := corpus.LiteralOf(f)
	var conj []query.Query
	for _, pc := range p.pieces {
		if pc.num == "" {
			chars := make([]string, 0, len(pc.lit))
			for _, r := range pc.lit {
				if r != ' ' {
					chars = append(chars, string(r))
				}
			}
			if q := charsQuery(lit, chars, boost*boostLiteral*w, singles); q != nil {
				conj = append(conj, q)
			}
			continue
		}
		var alts []query.Query
		if !p.bare() { // a bare number's word is one of the slot's terms
			alts = append(alts, termQ(f, pc.num, boost*w))
		}
		for _, form := range chineseForms(pc.num) {
			if utf8.RuneCountInString(form) < 2 {
				continue // 一: a word of its own (the term), or inside any other
			}
			chars := strings.Split(form, "")
			alts = append(alts, charsQuery(lit, chars, boost*boostLiteral*w, false))
		}
		switch len(alts) {
		case 0:
			if p.bare() {
				return nil
			}
		case 1:
			conj = append(conj, alts[0])
		default:
			conj = append(conj, bleve.NewDisjunctionQuery(alts...))
		}
	}
	conj = append(conj, boundaryPairs(lit, p, boost*boostLiteral*w)...)
	if len(conj) == 0 {
		return nil
	}
	var q query.Query = bleve.NewConjunctionQuery(conj...)
	if len(conj) == 1 {
		q = conj[0]
	}
	return &verified{q: q, folded: corpus.FoldedOf(f), pat: p}
}

// numerals are the characters a run of Chinese numerals starts or ends
// with (corpus.IsNumeral).
var numerals = []rune("〇零一二两三四五六七八九十百千万亿")

// boundaryPairs narrow the candidates of a pattern to the documents with
// the character pair where a number meets the characters beside it: 3月
// or one of 〇月 … 亿月 for 3月, 第2, 第0 or 第〇 … 第亿 for 第24号. Without
// them the candidates of 3月 were the documents with a 3 and a pair
// starting with 月, 58,431 of news-2023's 63,668, each then verified
// against its folded text: 490 ms a search. A document the pattern
// matches has one of the pairs: a number in digits starts with its first
// digit or a 0 and ends with its last; in Chinese numerals, with one of
// them.
func boundaryPairs(lit string, p *numPattern, boost float64) []query.Query {
	var out []query.Query
	pairs := func(a, b []rune) query.Query {
		alts := make([]query.Query, 0, len(a)*len(b))
		for _, x := range a {
			for _, y := range b {
				alts = append(alts, litQ(lit, string(x)+string(y), boost))
			}
		}
		return bleve.NewDisjunctionQuery(alts...)
	}
	for i, pc := range p.pieces {
		if pc.num == "" {
			continue
		}
		if i > 0 && p.pieces[i-1].num == "" && !slices.Contains(p.pieces[i-1].lit, ' ') {
			prev := p.pieces[i-1].lit
			first := append([]rune{rune(pc.num[0]), '0'}, numerals...)
			out = append(out, pairs(prev[len(prev)-1:], first))
		}
		if i+1 < len(p.pieces) && p.pieces[i+1].num == "" && !slices.Contains(p.pieces[i+1].lit, ' ') {
			last := append([]rune{rune(pc.num[len(pc.num)-1])}, numerals...)
			out = append(out, pairs(last, p.pieces[i+1].lit[:1]))
		}
	}
	return out
}

// charsQuery finds the candidates of folded characters in a literal
// field: the documents with each of their pairs, or for one character,
// with singles, every pair it starts; nil when there is nothing to look
// for.
func charsQuery(field string, chars []string, boost float64, singles bool) query.Query {
	switch len(chars) {
	case 0:
		return nil
	case 1:
		if !singles {
			return nil // the verification alone checks it
		}
		return &litPrefix{field: field, prefix: chars[0], boost: boost}
	case 2:
		return litQ(field, chars[0]+chars[1], boost)
	}
	grams := make([]query.Query, 0, len(chars)-1)
	for i := 0; i+1 < len(chars); i++ {
		grams = append(grams, litQ(field, chars[i]+chars[i+1], boost))
	}
	return bleve.NewConjunctionQuery(grams...)
}

// singles reports whether the pattern has a single character apart.
func (p *numPattern) singles() bool {
	for _, pc := range p.pieces {
		if pc.num == "" && len(pc.lit) == 1 {
			return true
		}
	}
	return false
}

// verified is the documents of q whose stored folded text holds pat. An
// index that stores no folded text, or a reader that is not a scorch
// snapshot, has q's documents unverified.
type verified struct {
	q      query.Query
	folded string // the stored field of the folded text
	pat    *numPattern
}

// Searcher implements query.Query.
func (v *verified) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o bsearch.SearcherOptions) (bsearch.Searcher, error) {
	s, err := v.q.Searcher(ctx, r, m, o)
	if err != nil {
		return nil, err
	}
	if _, ok := r.(*scorch.IndexSnapshot); !ok || !storesFolded(m, v.folded) {
		return s, nil
	}
	st, err := newStoredText(r, v.folded)
	if err != nil {
		s.Close()
		return nil, err
	}
	return &verifiedSearcher{Searcher: s, st: st, pat: v.pat}, nil
}

// verifiedSearcher passes on the matches of its searcher whose text holds
// the pattern.
type verifiedSearcher struct {
	bsearch.Searcher
	st  *storedText
	pat *numPattern
	buf []rune
}

// Next implements bsearch.Searcher.
func (s *verifiedSearcher) Next(sc *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	dm, err := s.Searcher.Next(sc)
	return s.check(sc, dm, err)
}

// Advance implements bsearch.Searcher.
func (s *verifiedSearcher) Advance(sc *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	dm, err := s.Searcher.Advance(sc, id)
	return s.check(sc, dm, err)
}

// check returns dm if its document holds the pattern, else the next match
// that does.
func (s *verifiedSearcher) check(sc *bsearch.SearchContext, dm *bsearch.DocumentMatch, err error) (*bsearch.DocumentMatch, error) {
	for ; err == nil && dm != nil; dm, err = s.Searcher.Next(sc) {
		doc, err := docNum(dm.IndexInternalID)
		if err != nil {
			return nil, err
		}
		holds := false
		if err := s.st.visit(doc, func(value []byte) {
			s.buf = s.buf[:0]
			for len(value) > 0 {
				r, size := utf8.DecodeRune(value)
				s.buf = append(s.buf, r)
				value = value[size:]
			}
			holds = s.pat.in(s.buf)
		}); err != nil {
			return nil, err
		}
		if holds {
			return dm, nil
		}
		sc.DocumentMatchPool.Put(dm)
	}
	return dm, err
}

// bracketPairs are the brackets the year of a document number is written
// in, the first of each folding form (［ folds to [, （ to ( ): 甘政发〔2024〕12号
// is also typed 甘政发[2024]12号 and 甘政发(2024)12号.
var bracketPairs = [][2]rune{{'〔', '〕'}, {'[', ']'}, {'(', ')'}, {'【', '】'}, {'〖', '〗'}, {'［', '］'}, {'（', '）'}}

// bracketVariants returns text with its bracketed digit runs ([2024]) in
// each kind of bracket, text itself first; nil when it has none.
func bracketVariants(text string) []string {
	rs := []rune(text)
	var at []int // the opening brackets of digit runs
	for i := 0; i < len(rs); i++ {
		if bracketOf(rs[i], 0) < 0 {
			continue
		}
		j := i + 1
		for j < len(rs) && (isDigit(rs[j]) || '０' <= rs[j] && rs[j] <= '９') {
			j++
		}
		if j > i+1 && j < len(rs) && bracketOf(rs[j], 1) >= 0 {
			at = append(at, i, j)
			i = j
		}
	}
	if at == nil {
		return nil
	}
	out := []string{text}
	for _, p := range bracketPairs[:5] {
		v := append([]rune(nil), rs...)
		for k := 0; k < len(at); k += 2 {
			v[at[k]], v[at[k+1]] = p[0], p[1]
		}
		if s := string(v); s != text {
			out = append(out, s)
		}
	}
	return out
}

// bracketOf returns the index in bracketPairs of r as an opening (side 0)
// or closing (side 1) bracket, or -1.
func bracketOf(r rune, side int) int {
	for i, p := range bracketPairs {
		if p[side] == r {
			return i
		}
	}
	return -1
}

// numberValues are the ways staff write a document number value v: as
// typed, its year in any brackets, and 第24号 with its number padded with
// zeros up to four digits or not (第24号, 第024号, 第0024号).
func numberValues(v string) []string {
	vs := bracketVariants(v)
	if vs == nil {
		vs = []string{v}
	}
	rs := []rune(v)
	if len(rs) > 2 && rs[0] == '第' && rs[len(rs)-1] == '号' && corpus.IsDigits(string(rs[1:len(rs)-1])) {
		digits := string(rs[1 : len(rs)-1])
		n := corpus.TrimZeros(digits)
		for w := len(n); w <= 4; w++ { // not 第 and 900 zeros 号 in 900 ways
			if s := "第" + strings.Repeat("0", w-len(n)) + n + "号"; s != v {
				vs = append(vs, s)
			}
		}
	}
	return vs
}

// maxSpellings bounds the spellings of one pattern a hit is marked at.
const maxSpellings = 8

// spellings are other ways to write the pattern's text, which a hit is
// marked at too: its numbers in Chinese numerals or in digits, and with a
// counter around them (第24号) padded with zeros to four digits. Nil for
// a nil pattern.
func (p *numPattern) spellings() []string {
	if p == nil {
		return nil
	}
	out := []string{""}
	for _, pc := range p.pieces {
		forms := []string{string(pc.lit)}
		if pc.num != "" {
			forms = append([]string{pc.num}, chineseForms(pc.num)...)
			if !p.bare() {
				for w := len(pc.num) + 1; w <= 4; w++ {
					forms = append(forms, strings.Repeat("0", w-len(pc.num))+pc.num)
				}
			}
		}
		var next []string
		for _, o := range out {
			for _, f := range forms {
				if len(next) < maxSpellings {
					next = append(next, o+f)
				}
			}
		}
		out = next
	}
	return out
}
