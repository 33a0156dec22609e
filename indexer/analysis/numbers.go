package analysis

import (
	"strings"
	"unicode/utf8"

	"minsheng/corpus"
)

// numberPrefix splits a word such as 十四届 into a Chinese number and one
// counter: it returns the number's length in runes and its Arabic form.
func numberPrefix(w string) (n int, arabic string, ok bool) {
	first, _ := utf8.DecodeRuneInString(w)
	last, _ := utf8.DecodeLastRuneInString(w)
	if !corpus.IsNumeral(first) || !strings.ContainsRune(corpus.Counters, last) {
		return 0, "", false
	}
	rs := []rune(w)
	if len(rs) < 2 {
		return 0, "", false
	}
	v, ok := corpus.ChineseNumber(string(rs[:len(rs)-1]))
	return len(rs) - 1, v, ok
}
