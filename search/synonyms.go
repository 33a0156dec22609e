package search

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// Synonyms are words staff count as the same, applied at query time (no
// reindex): a search for one also finds the others, ranked a little below
// the word itself (synonymWeight). They are read from a file in Solr's
// synonym format:
//
//	# a comment
//	医保, 医疗保险, 基本医疗保险     equivalent: each finds the others
//	一老一小 => 养老, 托育          one-way: 一老一小 also finds 养老 and 托育
//
// A word always finds itself. A Synonyms is never changed once made: a
// reload makes a new one.
type Synonyms struct {
	source string
	groups []SynonymGroup
	alts   map[string][]string // a folded word -> the words it also finds
}

// SynonymGroup is one rule of a synonyms file.
type SynonymGroup struct {
	Line  int      `json:"line"`
	Words []string `json:"words"`        // equivalent words, or the left side of a one-way rule
	To    []string `json:"to,omitempty"` // one-way: what each of Words also finds
}

// synonymWeight is the weight of a synonym's match against the word's
// own: a little below it.
const synonymWeight = 0.8

// maxSynonymLine is the longest line of a synonyms file, in bytes.
const maxSynonymLine = 64 << 10

// maxSynonymWords is the most words one rule may hold.
const maxSynonymWords = 64

//go:embed synonyms.txt
var builtinSynonyms string

// BuiltinSynonyms returns the synonyms built into the binary (this
// domain's: 医保/医疗保险, 三农, 双减, 一老一小, 两会 …). A test holds
// them free of errors.
func BuiltinSynonyms() (*Synonyms, error) {
	return ParseSynonyms(strings.NewReader(builtinSynonyms), "built-in")
}

// LoadSynonyms reads a synonyms file.
func LoadSynonyms(path string) (*Synonyms, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("synonyms: %w", err) // wraps fs.ErrNotExist when absent
	}
	defer f.Close()
	return ParseSynonyms(f, path)
}

// ParseSynonyms reads rules in Solr's synonym format from r; name (the
// file's) starts each error, with the line.
func ParseSynonyms(r io.Reader, name string) (*Synonyms, error) {
	s := &Synonyms{source: name, alts: map[string][]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxSynonymLine)
	line := 0
	for sc.Scan() {
		line++
		g, err := parseSynonymLine(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("synonyms %s:%d: %w", name, line, err)
		}
		if g == nil {
			continue
		}
		g.Line = line
		s.add(*g)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("synonyms %s:%d: %w", name, line+1, err)
	}
	return s, nil
}

// parseSynonymLine reads one line: nil for a blank line or a comment.
func parseSynonymLine(text string) (*SynonymGroup, error) {
	if !utf8.ValidString(text) {
		return nil, fmt.Errorf("not valid UTF-8")
	}
	if i := strings.IndexByte(text, '#'); i >= 0 {
		text = text[:i]
	}
	text = strings.TrimPrefix(strings.TrimSpace(text), "\ufeff")
	if text == "" {
		return nil, nil
	}
	left, right, oneWay := strings.Cut(text, "=>")
	if strings.Contains(right, "=>") {
		return nil, fmt.Errorf("more than one =>")
	}
	words, err := synonymWords(left)
	if err != nil {
		return nil, err
	}
	g := &SynonymGroup{Words: words}
	if oneWay {
		if g.To, err = synonymWords(right); err != nil {
			return nil, fmt.Errorf("after =>: %w", err)
		}
		return g, nil
	}
	if len(words) < 2 {
		return nil, fmt.Errorf("%q alone: a group needs two words or more, or a => rule", words[0])
	}
	return g, nil
}

// synonymWords splits a comma-separated list (，、 also separate).
func synonymWords(list string) ([]string, error) {
	var out []string
	for _, w := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		if strings.ContainsAny(w, "\"“”:：") || strings.HasPrefix(w, "-") {
			return nil, fmt.Errorf("%q: a synonym is plain words, without quotes, field: or -", w)
		}
		out = append(out, w)
	}
	switch {
	case len(out) == 0:
		return nil, fmt.Errorf("no words")
	case len(out) > maxSynonymWords:
		return nil, fmt.Errorf("%d words; a rule holds at most %d", len(out), maxSynonymWords)
	}
	return out, nil
}

// add records a rule.
func (s *Synonyms) add(g SynonymGroup) {
	s.groups = append(s.groups, g)
	to := g.To
	if to == nil {
		to = g.Words
	}
	for _, w := range g.Words {
		k := synonymKey(w)
		for _, t := range to {
			if synonymKey(t) != k && !containsKey(s.alts[k], t) {
				s.alts[k] = append(s.alts[k], t)
			}
		}
	}
}

func containsKey(l []string, w string) bool {
	for _, x := range l {
		if synonymKey(x) == synonymKey(w) {
			return true
		}
	}
	return false
}

// synonymKey is how a word is looked up: without spaces, in lower case.
func synonymKey(w string) string {
	return strings.ToLower(strings.Join(strings.Fields(w), ""))
}

// Lookup returns the words a search for word also finds, nil if none.
func (s *Synonyms) Lookup(word string) []string {
	if s == nil {
		return nil
	}
	return s.alts[synonymKey(word)]
}

// Source is where the synonyms came from: a file, or "built-in".
func (s *Synonyms) Source() string { return s.source }

// Groups returns the rules as read, in their order.
func (s *Synonyms) Groups() []SynonymGroup { return append([]SynonymGroup(nil), s.groups...) }
