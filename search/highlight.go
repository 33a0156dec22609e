package search

import (
	"html"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"

	"minsheng/corpus"
)

// Fragments of a body highlight.
const (
	fragmentRunes = 120 // characters around a match
	maxFragments  = 3
	snippetRunes  = 160
)

// highlight marks the needles in every text of a hit that the search
// finds words in: the title, the body (highlightBody), and the reply and
// the texts of meta (highlightOthers). Marks are the union of every
// occurrence of every needle, found on the folded text, so a phrase is
// marked whole even where words overlap, and traditional text is marked
// where a simplified query matched it. Text is HTML-escaped.
func (a *analyzers) highlight(h *Hit, needles [][]rune) {
	a.highlightWith(h, needles, a.foldRune())
}

// highlightWith is highlight with fold, the character analyzer's fold of
// one rune, or nil to fold each text whole first (for an analyzer without
// FoldRune; text that is not valid UTF-8 is folded whole either way).
func (a *analyzers) highlightWith(h *Hit, needles [][]rune, fold func(rune) rune) {
	if t, ok := a.markWhole(h.Title, needles, fold); ok {
		h.Highlights["title"] = []string{t}
	}
	a.highlightBody(h, needles, fold)
	a.highlightOthers(h, needles, fold)
}

// highlightBody marks the needles in a hit's body, and sets its snippet:
// the first fragment, or the body's beginning when nothing is marked.
func (a *analyzers) highlightBody(h *Hit, needles [][]rune, fold func(rune) rune) {
	body := h.Doc.Body
	if fold != nil {
		if f, ok := find(body, needles, fold); ok {
			if frags := f.fragments(); len(frags) > 0 {
				h.Highlights["body"] = frags
				h.Snippet = frags[0]
				return
			}
			h.Snippet, _ = f.render(0, 0, min(f.n, snippetRunes))
			if f.n > snippetRunes {
				h.Snippet += "…"
			}
			return
		}
	}
	t := a.charsOf(body)
	if frags := fragments(body, t, markAll(t, needles)); len(frags) > 0 {
		h.Highlights["body"] = frags
		h.Snippet = frags[0]
		return
	}
	h.Snippet = render(body, t, nil, 0, min(t.len(), snippetRunes))
	if t.len() > snippetRunes {
		h.Snippet += "…"
	}
}

// OtherHighlights are the keys of a hit's highlights besides title and
// body (see highlightOthers), with their labels, in the order they are
// shown.
var OtherHighlights = []struct{ Key, Label string }{
	{corpus.FieldReply, "答复"}, {"units", "承办单位"}, {"number", "编号"}, {"session", "届次"},
	{"author", "代表/作者"}, {"delegation", "代表团"},
}

// OtherHighlight is what is shown of the hit's highlights under key, one
// of OtherHighlights: of the reply its first fragment, of the units those
// with a match.
func (h *Hit) OtherHighlight(key string) []string {
	frags := h.Highlights[key]
	if key == corpus.FieldReply {
		frags = frags[:min(len(frags), 1)]
	}
	return frags
}

// highlightOthers marks the needles in the hit's texts besides title and
// body that the search matches words in (wordFields: reply, and meta,
// which indexes the number, session, author, delegation and units:
// indexer.IndexFields), so a hit found by its reply or its handling units
// alone still shows where. Each is keyed by its name in the hit's JSON:
// "reply" holds up to maxFragments fragments of the reply, as "body" does
// of the body; "units" the units with a mark, each whole; "number",
// "session", "author" and "delegation" the text whole. A text without a
// mark has no key. The texts are the stored document's, decoded already.
func (a *analyzers) highlightOthers(h *Hit, needles [][]rune, fold func(rune) rune) {
	d := h.Doc
	if len(needles) == 0 || d == nil {
		return
	}
	if frags := a.markFragments(d.Reply, needles, fold); len(frags) > 0 {
		h.Highlights[corpus.FieldReply] = frags
	}
	var units []string
	for _, u := range d.Units {
		if m, ok := a.markWhole(u, needles, fold); ok {
			units = append(units, m)
		}
	}
	if len(units) > 0 {
		h.Highlights["units"] = units
	}
	for _, t := range [...]struct{ key, text string }{
		{"number", d.Number}, {"session", d.Session}, {"author", d.Author}, {"delegation", d.Delegation},
	} {
		if m, ok := a.markWhole(t.text, needles, fold); ok {
			h.Highlights[t.key] = []string{m}
		}
	}
}

// markFragments returns up to maxFragments fragments of text around its
// marks, as a body's, or none if it has no mark. fold is the character
// analyzer's fold of one rune, or nil to fold the whole text first.
func (a *analyzers) markFragments(text string, needles [][]rune, fold func(rune) rune) []string {
	if text == "" {
		return nil
	}
	if fold != nil {
		if f, ok := find(text, needles, fold); ok {
			return f.fragments()
		}
	}
	t := a.charsOf(text)
	return fragments(text, t, markAll(t, needles))
}

// markWhole returns the whole text, escaped, with its marks, and whether
// it has any.
func (a *analyzers) markWhole(text string, needles [][]rune, fold func(rune) rune) (string, bool) {
	if text == "" {
		return "", false
	}
	if fold != nil {
		if f, ok := find(text, needles, fold); ok {
			if len(f.spans) == 0 {
				return "", false
			}
			s, _ := f.render(0, 0, f.n)
			return s, true
		}
	}
	t := a.charsOf(text)
	marks := markAll(t, needles)
	if !anyTrue(marks) {
		return "", false
	}
	return render(text, t, marks, 0, t.len()), true
}

// charFolder is the character tokenizer's fold of one rune (indexer's
// charTokenizer).
type charFolder interface{ FoldRune(r rune) rune }

// foldTabler is a charFolder that gives its folds of a block of runes
// as a table (indexer's charTokenizer: the CJK ideographs).
type foldTabler interface {
	FoldTable() (lo rune, table []rune)
}

// foldRune returns the character analyzer's fold of one rune, or nil if
// it has none: read from the analyzer's table where it has one (find
// folds every rune of a hit's body, and the calls through the tokenizer
// to its folder were half of find's time).
func (a *analyzers) foldRune() func(rune) rune {
	f, ok := a.charTokenizer().(charFolder)
	if !ok {
		return nil
	}
	ft, ok := f.(foldTabler)
	if !ok {
		return f.FoldRune
	}
	lo, table := ft.FoldTable()
	slow := f.FoldRune
	return func(r rune) rune {
		if d := uint32(r - lo); d < uint32(len(table)) {
			return table[d]
		}
		return slow(r)
	}
}

// charTokenizer is the character analyzer's tokenizer when the analyzer is
// that tokenizer alone, without filters: only then do its shortcuts
// (FoldRunes, FoldRune) give what the analyzer gives. Else nil.
func (a *analyzers) charTokenizer() analysis.Tokenizer {
	if da, ok := a.chars.(*analysis.DefaultAnalyzer); ok && len(da.CharFilters) == 0 && len(da.TokenFilters) == 0 {
		return da.Tokenizer
	}
	return nil
}

// found is where the needles are in one text: the runs of marked runes,
// merged where they overlap or touch, in order, and the text's length in
// runes. Highlighting a page of long reports by folding each whole, then
// looking for each needle in the folded runes, was a tenth of the CPU of
// the load benchmark; find reads the text once, folds each rune on its own,
// and looks further only where a needle starts.
type found struct {
	text  string
	spans []span
	n     int
}

// span is the marked runes [from, to) of a text, the first at byte bfrom.
type span struct{ from, to, bfrom int }

// find finds every occurrence of every needle in text. It is not ok for
// text that is not valid UTF-8, where the walk back from a match that
// fragments takes could read runes other than the walk forward did.
func find(text string, needles [][]rune, fold func(rune) rune) (found, bool) {
	f := found{text: text}
	nds, whole := wholeNeedles(needles)
	var first [16]uint64 // the needles' first runes, by their low 10 bits
	for _, nd := range nds {
		if len(nd) > 0 {
			first[uint(nd[0])>>6&15] |= 1 << (uint(nd[0]) & 63)
		}
	}
	// whether the digits of the digit run before p, if any, are all 0:
	// a number's digits may follow its leading zeros (24 in 0024)
	zeros := true
	for p, r := range text {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(text[p:]); size == 1 {
				return f, false
			}
		}
		c := fold(r)
		if first[uint(c)>>6&15]&(1<<(uint(c)&63)) != 0 {
			for k, nd := range nds {
				if len(nd) == 0 || nd[0] != c || whole[k] && isDigit(c) && !zeros {
					continue
				}
				end, ok := holdsAt(text, p+utf8.RuneLen(r), nd[1:], fold)
				if !ok || whole[k] && isDigit(nd[len(nd)-1]) && end < len(text) && isDigit(fold(firstRune(text[end:]))) {
					continue
				}
				if last := len(f.spans) - 1; last >= 0 && f.n <= f.spans[last].to {
					f.spans[last].to = max(f.spans[last].to, f.n+len(nd))
				} else {
					f.spans = append(f.spans, span{f.n, f.n + len(nd), p})
				}
			}
		}
		zeros = !isDigit(c) || zeros && c == '0'
		f.n++
	}
	return f, true
}

// wholeNumber starts a needle of a number (needles): where it starts or
// ends with a digit, it is marked only where that digit does not continue
// a longer digit run but for leading zeros, as the number matches
// (numbers.go): 24 in 24, 24号 and 0024, not in 2024. A quoted phrase's
// needle has no mark: "24" finds and marks the 24 of 2024.
const wholeNumber = '\uE000'

// zerosBefore reports whether the digits just before folded[i], if any,
// are all 0.
func zerosBefore(folded []rune, i int) bool {
	for i--; i >= 0 && isDigit(folded[i]); i-- {
		if folded[i] != '0' {
			return false
		}
	}
	return true
}

// wholeNeedles returns the needles without their wholeNumber marks, and
// which had one.
func wholeNeedles(needles [][]rune) ([][]rune, []bool) {
	whole := make([]bool, len(needles))
	if !slices.ContainsFunc(needles, func(nd []rune) bool { return len(nd) > 0 && nd[0] == wholeNumber }) {
		return needles, whole // most searches: nothing to copy
	}
	nds := make([][]rune, len(needles))
	for i, nd := range needles {
		nds[i] = nd
		if len(nd) > 0 && nd[0] == wholeNumber {
			nds[i], whole[i] = nd[1:], true
		}
	}
	return nds, whole
}

// holdsAt reports whether the runes of text from byte q fold to rest, and
// the byte after them.
func holdsAt(text string, q int, rest []rune, fold func(rune) rune) (int, bool) {
	for _, want := range rest {
		if q >= len(text) {
			return q, false
		}
		r, size := utf8.DecodeRuneInString(text[q:])
		if fold(r) != want {
			return q, false
		}
		q += size
	}
	return q, true
}

// fragments cuts up to maxFragments windows of the text around its marked
// runs, in text order, without overlaps, as the package-level fragments
// does over folded text.
func (f *found) fragments() []string {
	var out []string
	end, endB := 0, 0 // first rune not yet in a fragment, and its byte
	for si := 0; len(out) < maxFragments; {
		for si < len(f.spans) && f.spans[si].to <= end {
			si++
		}
		if si == len(f.spans) {
			break
		}
		// the first marked rune from end on, and a third of a window before it
		from, fromB := f.spans[si].from, f.spans[si].bfrom
		if from < end {
			from, fromB = end, endB
		}
		for i := from; from > end && from > i-fragmentRunes/3; from-- {
			_, size := utf8.DecodeLastRuneInString(f.text[:fromB])
			fromB -= size
		}
		to := min(f.n, from+fragmentRunes)
		// extend to the end of a run of marks cut by the window
		for _, sp := range f.spans[si:] {
			if sp.from > to-1 {
				break
			}
			if to-1 < sp.to && to < sp.to {
				to = sp.to
				break
			}
		}
		frag, toB := f.render(from, fromB, to)
		if from > 0 {
			frag = "…" + frag
		}
		if to < f.n {
			frag += "…"
		}
		out = append(out, frag)
		end, endB = to, toB
	}
	return out
}

// render writes runes [from, to) of the text, the first at byte fromB,
// escaped, with <mark> around marked runs, and returns the byte after
// them. Newlines become spaces.
func (f *found) render(from, fromB, to int) (string, int) {
	var b strings.Builder
	b.Grow(3*(to-from) + 32) // CJK runes are 3 bytes; a few marks
	in := false
	si := sort.Search(len(f.spans), func(i int) bool { return f.spans[i].to > from })
	p := fromB
	for k := from; k < to; k++ {
		for si < len(f.spans) && f.spans[si].to <= k {
			si++
		}
		m := si < len(f.spans) && f.spans[si].from <= k
		if m && !in {
			b.WriteString("<mark>")
		} else if !m && in {
			b.WriteString("</mark>")
		}
		in = m
		_, size := utf8.DecodeRuneInString(f.text[p:])
		s := f.text[p : p+size]
		p += size
		if size == 1 { // only these of one byte change
			switch s[0] {
			case '\n', '\r', '\t':
				s = " "
			case '<', '>', '&', '\'', '"':
				s = html.EscapeString(s)
			}
		}
		b.WriteString(s)
	}
	if in {
		b.WriteString("</mark>")
	}
	return b.String(), p
}

// chars are a text's characters as the character analyzer folds them, and
// the byte offset of each in the text, len(text) appended.
type chars struct {
	folded []rune
	offs   []int
}

func (c chars) len() int { return len(c.folded) }

// runeFolder is the character tokenizer's shortcut to its folded runes
// (indexer's charTokenizer): highlighting folds whole documents, and the
// tokens cost twice the time of the runes.
type runeFolder interface {
	FoldRunes(text []byte) (folded []rune, offs []int)
}

// charsOf folds text with the character analyzer.
func (a *analyzers) charsOf(text string) chars {
	if f, ok := a.charTokenizer().(runeFolder); ok {
		folded, offs := f.FoldRunes([]byte(text))
		return chars{folded, offs}
	}
	return a.charsOfTokens(text)
}

// charsOfTokens folds text through the character analyzer's tokens.
func (a *analyzers) charsOfTokens(text string) chars {
	toks := a.tokensOf(text)
	c := chars{folded: make([]rune, len(toks)), offs: make([]int, len(toks)+1)}
	for i, t := range toks {
		c.folded[i], _ = utf8.DecodeRune(t.Term)
		c.offs[i] = t.Start
	}
	c.offs[len(toks)] = len(text)
	return c
}

// markAll says, for each character, whether it is inside an occurrence of
// some needle.
func markAll(t chars, needles [][]rune) []bool {
	marks := make([]bool, t.len())
	nds, whole := wholeNeedles(needles)
	for k, n := range nds {
		if len(n) == 0 {
			continue
		}
	next:
		for i := 0; i+len(n) <= t.len(); i++ {
			if t.folded[i] != n[0] {
				continue
			}
			if whole[k] && (isDigit(n[0]) && !zerosBefore(t.folded, i) ||
				isDigit(n[len(n)-1]) && i+len(n) < t.len() && isDigit(t.folded[i+len(n)])) {
				continue
			}
			for j, c := range n[1:] {
				if t.folded[i+1+j] != c {
					continue next
				}
			}
			for j := range n {
				marks[i+j] = true
			}
		}
	}
	return marks
}

func anyTrue(b []bool) bool {
	for _, v := range b {
		if v {
			return true
		}
	}
	return false
}

// fragments cuts up to maxFragments windows of text around marked runs,
// in text order, without overlaps.
func fragments(text string, toks chars, marks []bool) []string {
	var out []string
	end := 0 // first token not yet in a fragment
	for i := 0; i < len(marks) && len(out) < maxFragments; i++ {
		if !marks[i] || i < end {
			continue
		}
		from := max(end, i-fragmentRunes/3)
		to := min(toks.len(), from+fragmentRunes)
		// extend to the end of a run of marks cut by the window
		for to < toks.len() && marks[to-1] && marks[to] {
			to++
		}
		f := render(text, toks, marks, from, to)
		if from > 0 {
			f = "…" + f
		}
		if to < toks.len() {
			f += "…"
		}
		out = append(out, f)
		end = to
	}
	return out
}

// render writes characters [from, to) of text, escaped, with <mark> around
// runs of marked characters. Newlines become spaces.
func render(text string, toks chars, marks []bool, from, to int) string {
	var b strings.Builder
	in := false
	for i := from; i < to; i++ {
		m := marks != nil && marks[i]
		if m && !in {
			b.WriteString("<mark>")
		} else if !m && in {
			b.WriteString("</mark>")
		}
		in = m
		s := text[toks.offs[i]:toks.offs[i+1]]
		if s == "\n" || s == "\r" || s == "\t" {
			s = " "
		}
		b.WriteString(html.EscapeString(s))
	}
	if in {
		b.WriteString("</mark>")
	}
	return b.String()
}
