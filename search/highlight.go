package search

import (
	"html"
	"strings"

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
func (a *analyzers) highlight(h *Hit, needles [][]string) {
	if t := a.tokensOf(h.Title); len(t) > 0 {
		if marks := markAll(t, needles); anyTrue(marks) {
			h.Highlights["title"] = []string{render(h.Title, t, marks, 0, len(t))}
		}
	}
	body := h.Doc.Body
	t := a.tokensOf(body)
	marks := markAll(t, needles)
	if frags := fragments(body, t, marks); len(frags) > 0 {
		h.Highlights["body"] = frags
		h.Snippet = frags[0]
		return
	}
	h.Snippet = render(body, t, nil, 0, min(len(t), snippetRunes))
	if len(t) > snippetRunes {
		h.Snippet += "…"
	}
}

// markAll says, for each character token, whether it is inside an
// occurrence of some needle.
func markAll(toks analysis.TokenStream, needles [][]string) []bool {
	marks := make([]bool, len(toks))
	for _, n := range needles {
		if len(n) == 0 || strings.TrimSpace(strings.Join(n, "")) == "" {
			continue
		}
	next:
		for i := 0; i+len(n) <= len(toks); i++ {
			for j, c := range n {
				if string(toks[i+j].Term) != c {
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
func fragments(text string, toks analysis.TokenStream, marks []bool) []string {
	var out []string
	end := 0 // first token not yet in a fragment
	for i := 0; i < len(marks) && len(out) < maxFragments; i++ {
		if !marks[i] || i < end {
			continue
		}
		from := max(end, i-fragmentRunes/3)
		to := min(len(toks), from+fragmentRunes)
		// extend to the end of a run of marks cut by the window
		for to < len(toks) && marks[to-1] && marks[to] {
			to++
		}
		f := render(text, toks, marks, from, to)
		if from > 0 {
			f = "…" + f
		}
		if to < len(toks) {
			f += "…"
		}
		out = append(out, f)
		end = to
	}
	return out
}

// render writes tokens [from, to) of text, escaped, with <mark> around runs
// of marked tokens. Newlines become spaces.
func render(text string, toks analysis.TokenStream, marks []bool, from, to int) string {
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
		s := text[toks[i].Start:toks[i].End]
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
