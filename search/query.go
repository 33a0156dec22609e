package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"minsheng/corpus"
)

// Query is a parsed query string: every group must match, and none of Not.
// A group matches when any of its terms does (A OR B).
type Query struct {
	Groups [][]Term
	Not    []Term
}

// Term is one word, quoted phrase or field:value of a query.
type Term struct {
	Field  string // a facet field for field:value, else ""
	Text   string
	Phrase bool // quoted: literal match
}

// Empty reports whether the query has nothing to match.
func (q *Query) Empty() bool { return len(q.Groups) == 0 }

// size counts the terms of the query, the alternatives of every group and
// the exclusions: what the cost of a search grows with.
func (q *Query) size() int {
	n := len(q.Not)
	for _, g := range q.Groups {
		n += len(g)
	}
	return n
}

// prefixes are the words that select a keyword field, as typed in a
// query, and the index field each stands for: the schema's.
var prefixes = corpus.Prefixes()

// Parse reads the query language: words (all must match), "quoted phrases"
// (literal), -word and -"phrase" (exclude), A OR B, and field:value for the
// facet fields. It never fails on odd input: unbalanced quotes end at the
// end of the text, an unknown prefix is part of the word, and operators
// without operands are words. Leading wildcards and regular expressions do
// not exist in this language: * ? and / are plain characters.
func Parse(s string) *Query {
	q := &Query{}
	toks := lex(s)
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.neg {
			q.Not = append(q.Not, t.term)
			continue
		}
		group := []Term{t.term}
		for i+2 < len(toks) && toks[i+1].or && !toks[i+2].neg && !toks[i+2].or {
			group = append(group, toks[i+2].term)
			i += 2
		}
		q.Groups = append(q.Groups, group)
	}
	return q
}

type lexeme struct {
	term Term
	neg  bool // preceded by -
	or   bool // the OR operator
}

func lex(s string) []lexeme {
	s = strings.ToValidUTF8(s, "")
	var out []lexeme
	for {
		s = strings.TrimLeftFunc(s, isSpace)
		if s == "" {
			break
		}
		var l lexeme
		if len(s) > 1 && (s[0] == '-' || strings.HasPrefix(s, "－")) {
			_, size := utf8.DecodeRuneInString(s)
			if r, _ := utf8.DecodeRuneInString(s[size:]); !isSpace(r) {
				l.neg = true
				s = s[size:]
			}
		}
		// field:value
		if i := strings.IndexAny(s, ":："); i > 0 {
			if f, ok := prefixes[strings.ToLower(s[:i])]; ok && !strings.ContainsFunc(s[:i], isSpace) {
				_, size := utf8.DecodeRuneInString(s[i:])
				rest := s[i+size:]
				if rest != "" && !isSpace(firstRune(rest)) {
					l.term.Field = f
					s = rest
				}
			}
		}
		if q, size := quote(s); q != 0 {
			body := s[size:]
			end := strings.IndexRune(body, closing(q))
			if end < 0 {
				end = len(body)
			}
			l.term.Text, l.term.Phrase = body[:end], l.term.Field == ""
			s = body[min(len(body), end+utf8.RuneLen(closing(q))):]
		} else {
			end := strings.IndexFunc(s, isSpace)
			if end < 0 {
				end = len(s)
			}
			l.term.Text, s = s[:end], s[end:]
			if l.term.Text == "OR" && l.term.Field == "" && !l.neg {
				l.or = true
			}
		}
		if strings.TrimFunc(l.term.Text, isSpace) == "" {
			continue
		}
		out = append(out, l)
	}
	// an OR with nothing on one side is a word
	for i := range out {
		if out[i].or && (i == 0 || i == len(out)-1 || out[i-1].or) {
			out[i].or = false
		}
	}
	return out
}

func firstRune(s string) rune { r, _ := utf8.DecodeRuneInString(s); return r }

func isSpace(r rune) bool { return unicode.IsSpace(r) }

// quote reports whether s starts with an opening quote, and its size.
func quote(s string) (rune, int) {
	r, size := utf8.DecodeRuneInString(s)
	switch r {
	case '"', '“', '「', '『', '＂':
		return r, size
	}
	return 0, 0
}

func closing(open rune) rune {
	switch open {
	case '“':
		return '”'
	case '「':
		return '」'
	case '『':
		return '』'
	}
	return open
}
