package analysis

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

var cnDigits = map[rune]int{
	'〇': 0, '零': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4,
	'五': 5, '六': 6, '七': 7, '八': 8, '九': 9,
}

var cnUnits = map[rune]int{'十': 10, '百': 100, '千': 1000, '万': 10000, '亿': 100000000}

// numeral reports whether r is a Chinese digit or unit (cnDigits, cnUnits).
func numeral(r rune) bool {
	switch r {
	case '〇', '零', '一', '二', '两', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千', '万', '亿':
		return true
	}
	return false
}

// chineseNumber reads a word made only of Chinese numerals, such as 十四,
// 二〇二四 or 一百零五, and returns it in Arabic digits. Words with other
// characters, and values beyond int64, are not numbers.
func chineseNumber(s string) (string, bool) {
	if r, _ := utf8.DecodeRuneInString(s); !numeral(r) { // most words: no map lookups
		return "", false
	}
	hasUnit := false
	for _, r := range s {
		_, d := cnDigits[r]
		_, u := cnUnits[r]
		if !d && !u {
			return "", false
		}
		hasUnit = hasUnit || u
	}
	if !hasUnit { // read digit by digit: 二〇二四 -> 2024
		b := make([]byte, 0, len(s)/3)
		for _, r := range s {
			b = append(b, byte('0'+cnDigits[r]))
		}
		return trimZeros(string(b)), true
	}
	var total, section, digit int64
	for _, r := range s {
		if d, ok := cnDigits[r]; ok {
			digit = int64(d)
			continue
		}
		u := int64(cnUnits[r])
		switch {
		case u >= 10000:
			section = (section + digit) * u
			total += section
			section = 0
		default:
			if digit == 0 && u == 10 { // 十四: an implicit one
				digit = 1
			}
			section += digit * u
		}
		digit = 0
		if total < 0 || section < 0 || total > 1e15 || section > 1e15 {
			return "", false
		}
	}
	return strconv.FormatInt(total+section+digit, 10), true
}

// counters are the characters that follow a number in the words jieba
// keeps whole: 十四届, 二次, 三号.
const counters = "届次号年月日条项个名位家所期批级类章节款部件"

// numberPrefix splits a word such as 十四届 into a Chinese number and one
// counter: it returns the number's length in runes and its Arabic form.
func numberPrefix(w string) (n int, arabic string, ok bool) {
	first, _ := utf8.DecodeRuneInString(w)
	last, _ := utf8.DecodeLastRuneInString(w)
	if !numeral(first) || !strings.ContainsRune(counters, last) {
		return 0, "", false
	}
	rs := []rune(w)
	if len(rs) < 2 {
		return 0, "", false
	}
	v, ok := chineseNumber(string(rs[:len(rs)-1]))
	return len(rs) - 1, v, ok
}
