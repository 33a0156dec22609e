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
	// asks: a question mark stood apart (乡村 教育 ？) and was dropped
	// with the other punctuation; the query still reads as a question,
	// as 乡村 教育？ does.
	asks bool
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
// facet fields. It never fails on odd input: an opening quote without its
// closing one is ignored, an unknown prefix is part of the word, and
// operators without operands are words. Invisible format characters are
// removed first, and a word with no letter, digit or Han character is
// dropped (see lex). Leading wildcards and regular
// expressions do not exist in this language: * ? and / are plain
// characters, dropped as punctuation when a word has nothing else.
func Parse(s string) *Query {
	toks, asks := lex(s)
	q := &Query{asks: asks}
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
	// noise: a word without a letter, digit or Han character, which lex
	// drops
	noise bool
}

// lex cuts s into words, phrases, field:values and operators. It drops
// the noise among them: a word of punctuation, symbols, emoji or marks
// alone (★ — 、 😀 : ？). The word analyzer drops those characters from
// the documents, so such a word could only be searched as literal
// characters: beside another word it found nothing (教育 ★, 0 documents,
// where 教育 finds 22), and alone it found documents with no word to show
// (: 121 of the sample's 173, ， all of them). A query of noise alone is
// thus the empty query. Quoted phrases and field values are kept as
// typed: a phrase asks for its characters literally ("〔" finds the
// documents with one, and TestPhraseExactness's random phrases include
// such), and a field value is a keyword compared whole. asks reports that a dropped word ended in
// a question mark.
func lex(s string) (out []lexeme, asks bool) {
	s = visible(strings.ToValidUTF8(s, ""))
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
		quoted := false
		if q, size := quote(s); q != 0 {
			body := s[size:]
			if end := strings.IndexRune(body, closing(q)); end >= 0 {
				l.term.Text, l.term.Phrase = body[:end], l.term.Field == ""
				s = body[end+utf8.RuneLen(closing(q)):]
				quoted = true
			} else {
				// No closing quote: the quote is ignored and what follows
				// read as if it were not there. A phrase of the rest of
				// the query would hold its spaces, which Chinese text
				// seldom has ("乡村振兴 教育 found nothing).
				s = strings.TrimLeftFunc(body, isSpace)
			}
		}
		if !quoted {
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
		if l.term.Field == "" && !l.term.Phrase && !strings.ContainsFunc(l.term.Text, isWordRune) {
			l.noise = true
			if !l.neg && (strings.HasSuffix(l.term.Text, "?") || strings.HasSuffix(l.term.Text, "？")) {
				asks = true
			}
		}
		out = append(out, l)
	}
	// a dropped word takes an OR beside it along, the one before it
	// first: 教育 OR ★ OR 医疗 is 教育 OR 医疗, ★ OR 教育 is 教育
	kept := out[:0]
	for i := 0; i < len(out); i++ {
		switch l := out[i]; {
		case l.or && i+1 < len(out) && out[i+1].noise:
			i++
		case l.noise && i+1 < len(out) && out[i+1].or:
			i++
		case !l.noise:
			kept = append(kept, l)
		}
	}
	out = kept
	// an OR with nothing on one side is a word
	for i := range out {
		if out[i].or && (i == 0 || i == len(out)-1 || out[i-1].or) {
			out[i].or = false
		}
	}
	return out, asks
}

// isWordRune reports whether r is a character the word analyzer keeps: a
// letter, a digit or a Han character (indexer/analysis classOf).
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Han, r)
}

// visible returns s without its invisible format characters (Unicode
// category Cf: zero-width space, joiners, word joiner, byte order mark,
// soft hyphen, direction marks), which text pasted from web pages and
// chat carries. In a query they cut a word in two (乡\u200b村振兴 found
// 100 documents as 乡, 村 and 振兴, not the 27 of 乡村振兴). The index keeps
// its documents' text as it was written.
func visible(s string) string {
	if !strings.ContainsFunc(s, isFormat) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isFormat(r) {
			return -1
		}
		return r
	}, s)
}

func isFormat(r rune) bool { return unicode.Is(unicode.Cf, r) }

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
