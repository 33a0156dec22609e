package analysis

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
)

// Folder maps one rune to its search form: full-width ASCII to half-width,
// ideographic space to space, letters to lower case, and traditional Chinese
// characters to simplified ones. Folding is rune for rune, so a folded text
// keeps the rune positions of the original and offsets can be mapped back.
type Folder struct {
	t2s map[rune]rune // traditional -> simplified, single characters only
	// cjk is t2s over the CJK ideograph blocks as an array, each rune its
	// own form if it has no other: one read for most of a Chinese text (a
	// map lookup per character was a sixth of highlighting a document)
	cjk []rune
}

const cjkLo, cjkHi = 0x3400, 0x9FFF

// NewFolder builds the traditional-to-simplified table from OpenCC's t2s
// conversion, one character at a time (about 4,100 entries, some 20 ms).
func NewFolder() (*Folder, error) {
	cc, err := opencc.New("t2s")
	if err != nil {
		return nil, err
	}
	f := &Folder{t2s: make(map[rune]rune, 4200)}
	var buf [utf8.UTFMax]byte
	add := func(lo, hi rune) error {
		for r := lo; r <= hi; r++ {
			n := utf8.EncodeRune(buf[:], r)
			s, err := cc.Convert(string(buf[:n]))
			if err != nil {
				return err
			}
			if to, size := utf8.DecodeRuneInString(s); size == len(s) && to != r && to != utf8.RuneError {
				f.t2s[r] = to
			}
		}
		return nil
	}
	if err := add(cjkLo, cjkHi); err != nil {
		return nil, err
	}
	if err := add(0x20000, 0x2FFFF); err != nil {
		return nil, err
	}
	f.cjk = make([]rune, cjkHi-cjkLo+1)
	for i := range f.cjk {
		r := rune(cjkLo + i)
		if to, ok := f.t2s[r]; ok {
			r = to
		}
		f.cjk[i] = r
	}
	return f, nil
}

// CJKTable returns Rune's answers for the runes from lo on, those of the
// CJK ideograph blocks, as a table to read from (not to write to).
func (f *Folder) CJKTable() (lo rune, table []rune) { return cjkLo, f.cjk }

// Rune folds one rune.
func (f *Folder) Rune(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		r -= 0xFEE0
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case r == 0x3000: // ideographic space
		return ' '
	case cjkLo <= r && r <= cjkHi: // ideographs have no case
		return f.cjk[r-cjkLo]
	}
	if to, ok := f.t2s[r]; ok {
		return to
	}
	return unicode.ToLower(r)
}

// String folds a whole string; invalid UTF-8 becomes U+FFFD.
func (f *Folder) String(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(f.Rune(r))
	}
	return b.String()
}

// Fold returns the search form of s: what the analyzers index and what a
// literal (quoted) query is compared against. Tests use it as the oracle of
// "contains".
func (a *Analysis) Fold(s string) string { return a.fold.String(s) }

// sharedFolder is the process's one Folder: the table is the same for
// every use and never changes, so it is built once.
var sharedFolder = sync.OnceValues(NewFolder)

// SharedFolder returns the process's Folder, built by NewFolder on first
// use: what every Analysis, FoldLiteral and the topic classifier fold with.
func SharedFolder() (*Folder, error) { return sharedFolder() }

// FoldLiteral returns text folded as the literal fields fold it, rune for
// rune, an invalid byte as U+FFFD and any whitespace as a space: the form
// a literal phrase is verified against (corpus.FoldedOf). It panics if the
// folding table cannot be built, which NewAnalysis, the mapping's
// tokenizers and so every index, would have failed on first.
func FoldLiteral(text string) string {
	f, err := SharedFolder()
	if err != nil {
		panic(fmt.Sprintf("analysis: the folding table: %v", err))
	}
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range text {
		b.WriteRune(literalRune(f.Rune(r)))
	}
	return b.String()
}

// Clean repairs text before it is indexed or stored: invalid UTF-8 becomes
// U+FFFD, NUL and other C0 control characters except tab and newline are
// removed, and \r\n becomes \n.
func Clean(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, isJunk) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		if isJunk(r) {
			return -1
		}
		return r
	}, s)
}

func isJunk(r rune) bool {
	return r < 0x20 && r != '\n' && r != '\t' || r == 0x7F || r == '\r'
}
