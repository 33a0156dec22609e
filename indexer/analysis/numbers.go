package analysis

import (
	"strings"
	"unicode/utf8"

	"minsheng/corpus"
)

// numeral reports whether r is a Chinese digit or unit.
func numeral(r rune) bool { return corpus.IsNumeral(r) }

// chineseNumber reads a word made only of Chinese numerals in Arabic
// digits (corpus.ChineseNumber).
func chineseNumber(s string) (string, bool) { return corpus.ChineseNumber(s) }

// numberPrefix splits a word such as 十四届 into a Chinese number and one
// counter: it returns the number's length in runes and its Arabic form.
func numberPrefix(w string) (n int, arabic string, ok bool) {
	first, _ := utf8.DecodeRuneInString(w)
	last, _ := utf8.DecodeLastRuneInString(w)
	if !numeral(first) || !strings.ContainsRune(corpus.Counters, last) {
		return 0, "", false
	}
	rs := []rune(w)
	if len(rs) < 2 {
		return 0, "", false
	}
	v, ok := chineseNumber(string(rs[:len(rs)-1]))
	return len(rs) - 1, v, ok
}
