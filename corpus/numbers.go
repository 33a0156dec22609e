package corpus

import (
	"strconv"
	"unicode/utf8"
)

var cnDigits = map[rune]int{
	'〇': 0, '零': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4,
	'五': 5, '六': 6, '七': 7, '八': 8, '九': 9,
}

var cnUnits = map[rune]int{'十': 10, '百': 100, '千': 1000, '万': 10000, '亿': 100000000}

// IsNumeral reports whether r is a Chinese digit (〇 to 九, 零, 两) or unit
// (十, 百, 千, 万, 亿).
func IsNumeral(r rune) bool {
	switch r {
	case '〇', '零', '一', '二', '两', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千', '万', '亿':
		return true
	}
	return false
}

// ChineseNumber reads a word made only of Chinese numerals, such as 十四,
// 二〇二四 or 一百零五, and returns it in Arabic digits. Words with other
// characters, numerals that read as no number (十四五: two digits in a
// row after a unit), and values beyond int64, are not numbers.
func ChineseNumber(s string) (string, bool) {
	if r, _ := utf8.DecodeRuneInString(s); !IsNumeral(r) { // most words: no map lookups
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
		return TrimZeros(string(b)), true
	}
	var total, section, digit int64
	afterDigit := false // the last numeral was a digit other than a zero
	for _, r := range s {
		if d, ok := cnDigits[r]; ok {
			if afterDigit {
				return "", false // 十四五: the 14th five-year plan, not a number
			}
			digit = int64(d)
			afterDigit = d != 0
			continue
		}
		afterDigit = false
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

// IsDigits reports whether s is a run of ASCII digits, at least one.
func IsDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// TrimZeros returns the digit run s without its leading zeros (0123 ->
// 123, 000 -> 0): the form the index keeps a digit run in.
func TrimZeros(s string) string {
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return s
}

// Counters are the characters that follow a number in the words jieba
// keeps whole (十四届, 二次, 三号) and in document numbers (第24号).
const Counters = "届次号年月日条项个名位家所期批级类章节款部件"
