package web

import (
	"html/template"
	"strings"
)

// The one place where text from the search package becomes HTML: a
// highlighted fragment is trusted only when it is escaped text and <mark>.

// markedHTML returns a highlighted fragment of the search package as HTML
// when it holds nothing but escaped text and <mark>…</mark>; anything
// else is escaped whole, so a fragment can never carry markup of its own.
func markedHTML(s string) template.HTML {
	if safeMarked(s) {
		return template.HTML(s)
	}
	return template.HTML(template.HTMLEscapeString(s))
}

// safeMarked reports whether s is escaped text with balanced, unnested
// <mark> and </mark> tags and no other markup: no other tag, no bare '<'
// '>' or quote, and '&' only as a character reference.
func safeMarked(s string) bool {
	open := false
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			switch {
			case !open && strings.HasPrefix(s[i:], "<mark>"):
				open, i = true, i+len("<mark>")
			case open && strings.HasPrefix(s[i:], "</mark>"):
				open, i = false, i+len("</mark>")
			default:
				return false
			}
		case '>', '"', '\'', 0:
			return false
		case '&':
			n := charRef(s[i:])
			if n == 0 {
				return false
			}
			i += n
		default:
			i++
		}
	}
	return !open
}

// charRef returns the length of the character reference s starts with
// (&lt; &gt; &amp; &quot; &apos; &#39; &#x27;), or 0.
func charRef(s string) int {
	for _, named := range []string{"&lt;", "&gt;", "&amp;", "&quot;", "&apos;"} {
		if strings.HasPrefix(s, named) {
			return len(named)
		}
	}
	if !strings.HasPrefix(s, "&#") {
		return 0
	}
	i, hex := 2, false
	if i < len(s) && (s[i] == 'x' || s[i] == 'X') {
		i, hex = i+1, true
	}
	start := i
	for i < len(s) && i-start < 7 && (isDigit(s[i]) || hex && isHexLetter(s[i])) {
		i++
	}
	if i == start || i >= len(s) || s[i] != ';' {
		return 0
	}
	return i + 1
}

func isDigit(b byte) bool     { return '0' <= b && b <= '9' }
func isHexLetter(b byte) bool { return 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F' }
