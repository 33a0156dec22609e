package analysis

import (
	"testing"
	"unicode"
)

// TestFoldCJKTable checks the array of the ideograph blocks against the
// traditional-to-simplified map it was made from, and a few folds by hand.
func TestFoldCJKTable(t *testing.T) {
	f, err := NewFolder()
	if err != nil {
		t.Fatal(err)
	}
	for r := rune(cjkLo); r <= cjkHi; r++ {
		want := unicode.ToLower(r)
		if to, ok := f.t2s[r]; ok {
			want = to
		}
		if got := f.Rune(r); got != want {
			t.Fatalf("%U %c folds to %c, the map says %c", r, r, got, want)
		}
	}
	for from, to := range map[rune]rune{'國': '国', '發': '发', '国': '国', '乡': '乡', 'Ａ': 'a', 'Z': 'z', '　': ' ', '𠀀': '𠀀'} {
		if got := f.Rune(from); got != to {
			t.Errorf("%c folds to %c, want %c", from, got, to)
		}
	}
}

// TestLiteralRuneSpaces: literalRune makes every white space one space and
// takes no rune past U+3000 for one, which it skips the check for.
func TestLiteralRuneSpaces(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		want := r
		if unicode.IsSpace(r) {
			want = ' '
		}
		if got := literalRune(r); got != want {
			t.Fatalf("literalRune(%U) = %U, want %U", r, got, want)
		}
	}
}
