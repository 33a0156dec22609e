package corpus

import (
	"testing"
	"unicode"
)

func TestChineseNumber(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"十四", "14", true}, {"十", "10", true}, {"二十三", "23", true}, {"一百零五", "105", true},
		{"二〇二四", "2024", true}, {"三千五百万", "35000000", true}, {"两千", "2000", true},
		{"一亿零二百万", "102000000", true}, {"十四届", "", false}, {"", "", false}, {"乡村", "", false},
		{"十四五", "", false}, {"二十四", "24", true}, {"一千零一", "1001", true},
	}
	for _, tt := range tests {
		got, ok := ChineseNumber(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ChineseNumber(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestIsNumeralAgreesWithTables: the shortcut of IsNumeral agrees with
// the tables it spares.
func TestIsNumeralAgreesWithTables(t *testing.T) {
	n := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		_, d := cnDigits[r]
		_, u := cnUnits[r]
		if IsNumeral(r) != (d || u) {
			t.Errorf("IsNumeral(%q) = %v", r, IsNumeral(r))
		}
		if IsNumeral(r) {
			n++
		}
	}
	if n != len(cnDigits)+len(cnUnits) {
		t.Errorf("%d numerals, the tables have %d", n, len(cnDigits)+len(cnUnits))
	}
}

// IsDigits: ASCII digits only, at least one; full-width digits and
// Chinese numerals are not (folding makes the former ASCII first).
func TestIsDigits(t *testing.T) {
	for s, want := range map[string]bool{"0": true, "0024": true, "2024": true, "": false, "24号": false, "２４": false, "十四": false, "-1": false} {
		if got := IsDigits(s); got != want {
			t.Errorf("IsDigits(%q) = %v, want %v", s, got, want)
		}
	}
}
