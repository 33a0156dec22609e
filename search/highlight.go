package search

import (
	"html"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// Fragments of a body highlight.
const (
	fragmentRunes = 120 // characters around a match
	maxFragments  = 3
	snippetRunes  = 160
)

// highlight marks the needles in a hit's title and body. Marks are the
// union of every occurrence of every needle, found on the folded text, so
// a phrase is marked whole even where words overlap, and traditional text
// is marked where a simplified query matched it. Text is HTML-escaped.
func (a *analyzers) highlight(h *Hit, needles [][]rune) {
	if t := a.charsOf(h.Title); t.len() > 0 {
		if marks := markAll(t, needles); anyTrue(marks) {
			h.Highlights["title"] = []string{render(h.Title, t, marks, 0, t.len())}
		}
	}
	body := h.Doc.Body
	t := a.charsOf(body)
	marks := markAll(t, needles)
	if frags := fragments(body, t, marks); len(frags) > 0 {
		h.Highlights["body"] = frags
		h.Snippet = frags[0]
		return
	}
	h.Snippet = render(body, t, nil, 0, min(t.len(), snippetRunes))
	if t.len() > snippetRunes {
		h.Snippet += "…"
	}
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
	if da, ok := a.chars.(*analysis.DefaultAnalyzer); ok && len(da.CharFilters) == 0 && len(da.TokenFilters) == 0 {
		if f, ok := da.Tokenizer.(runeFolder); ok {
			folded, offs := f.FoldRunes([]byte(text))
			return chars{folded, offs}
		}
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
	for _, n := range needles {
		if len(n) == 0 {
			continue
		}
	next:
		for i := 0; i+len(n) <= t.len(); i++ {
			if t.folded[i] != n[0] {
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
