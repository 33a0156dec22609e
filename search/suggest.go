package search

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/mozillazg/go-pinyin"

	"minsheng/corpus"
)

// Did you mean: most wrong queries come from the pinyin input method, which
// puts a word that sounds the same (or nearly: 振新 for 振兴, in and ing
// being hard to tell apart in much of China) in place of the one meant. A
// search that finds fewer than suggestMinHits documents with every word
// looks for the query made of words the index holds that sounds most like
// it, and offers it (Result.Suggestion) when that query finds more. The
// query is never rewritten silently.

// suggestMinHits: a search that finds fewer complete matches looks for a
// suggestion.
const suggestMinHits = 3

// Words of the suggestion dictionary: 2 to maxSuggestWord Chinese
// characters, in at least minSuggestDocs documents (fewer may be typing
// errors themselves).
const (
	maxSuggestWord = 6
	minSuggestDocs = 2
)

// maxSuggestRun bounds the characters of one run of Chinese characters a
// suggestion is looked for in: a pasted paragraph is not a typo.
const maxSuggestRun = 32

// maxReadings bounds the pinyin readings of one word (行 reads xing, hang
// and heng): the keys of every combination, up to this many.
const maxReadings = 8

// suggestDict is what suggestions are made of, for one snapshot: the
// words of the title and body fields, and by fuzzy pinyin key, the most
// frequent word that sounds so.
type suggestDict struct {
	docs  map[string]uint64    // word -> documents
	byKey map[string]keyedWord // fuzzy pinyin key -> the word that sounds so
}

// keyedWord is the word a key stands for: of the words whose characters'
// first readings make the key (primary), else of those some other reading
// makes it (示 reads shi, and rarely qi and zi: 工姿 is 工资, not 公示), the
// most frequent.
type keyedWord struct {
	word    string
	primary bool
}

// buildSuggestDict reads the word fields' dictionaries of r.
func buildSuggestDict(ctx context.Context, r index.IndexReader) (*suggestDict, error) {
	d := &suggestDict{docs: map[string]uint64{}, byKey: map[string]keyedWord{}}
	for _, field := range []string{corpus.FieldTitle, corpus.FieldBody} {
		fd, err := r.FieldDict(field)
		if err != nil {
			return nil, err
		}
		for n := 0; ; n++ {
			if n%4096 == 0 && ctx.Err() != nil {
				fd.Close()
				return nil, ctx.Err()
			}
			e, err := fd.Next()
			if err != nil {
				fd.Close()
				return nil, err
			}
			if e == nil {
				break
			}
			if l := len([]rune(e.Term)); l >= 2 && l <= maxSuggestWord && allHan(e.Term) {
				d.docs[e.Term] += e.Count
			}
		}
		if err := fd.Close(); err != nil {
			return nil, err
		}
	}
	for w, n := range d.docs {
		if n < minSuggestDocs {
			delete(d.docs, w)
			continue
		}
		for i, k := range pinyinKeys(w) {
			kw := keyedWord{word: w, primary: i == 0}
			if have, ok := d.byKey[k]; !ok || have.less(kw, d.docs) {
				d.byKey[k] = kw
			}
		}
	}
	return d, nil
}

// less reports whether k stands for its key less well than o.
func (k keyedWord) less(o keyedWord, docs map[string]uint64) bool {
	switch {
	case k.primary != o.primary:
		return o.primary
	case docs[k.word] != docs[o.word]:
		return docs[k.word] < docs[o.word]
	}
	return o.word < k.word
}

// allHan reports whether s is Chinese characters only (and not empty):
// then a word field holds s as a term only where jieba cut it from a
// text, which holds s literally.
func allHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}

// pinyinKeys are the fuzzy pinyin keys of a word of Chinese characters,
// one per combination of its characters' readings (at most maxReadings),
// that of their first readings first; nil when a character has none.
func pinyinKeys(w string) []string {
	return keysOf(readingsOf([]rune(w)))
}

// readingsOf returns the fuzzy pinyin readings of each character, first
// reading first; nil for a character without one.
func readingsOf(rs []rune) [][]string {
	args := pinyin.NewArgs()
	args.Heteronym = true
	out := make([][]string, len(rs))
	for i, r := range rs {
		for _, py := range pinyin.SinglePinyin(r, args) {
			out[i] = appendUnique(out[i], fuzzyPinyin(py)+" ")
		}
	}
	return out
}

// keysOf combines the readings of characters into the keys of the word
// they make (at most maxReadings), nil when a character has none.
func keysOf(readings [][]string) []string {
	keys := []string{""}
	for _, rs := range readings {
		if len(rs) == 0 {
			return nil
		}
		var next []string
		for _, k := range keys {
			for _, py := range rs {
				if len(next) == maxReadings {
					break
				}
				next = append(next, k+py)
			}
		}
		keys = next
	}
	return keys
}

// fuzzyPinyin folds the sounds the pinyin input method most often confuses:
// zh/z, ch/c, sh/s, n/l and the nasals in/ing, en/eng, an/ang.
func fuzzyPinyin(py string) string {
	for _, p := range [][2]string{{"zh", "z"}, {"ch", "c"}, {"sh", "s"}, {"n", "l"}} {
		if strings.HasPrefix(py, p[0]) {
			py = p[1] + py[len(p[0]):]
			break
		}
	}
	if strings.HasSuffix(py, "ng") && len(py) > 2 {
		py = py[:len(py)-1]
	}
	return py
}

// suggest returns the query that q would be with its plain words' runs of
// Chinese characters spelled as the index's words that sound the same,
// "" when that changes nothing.
func (d *suggestDict) suggest(q string) string {
	var b strings.Builder
	changed := false
	var run []rune
	flush := func() {
		if len(run) > 0 {
			s := string(run)
			if len(run) <= maxSuggestRun && d.docs[s] == 0 { // a word of the index is spelled right
				s = d.respell(run)
			}
			changed = changed || s != string(run)
			b.WriteString(s)
			run = run[:0]
		}
	}
	// respell the plain words where they stand, keeping every other
	// character of the query as typed
	plain := plainSpans(q)
	for i, r := range q {
		if plain(i) && unicode.Is(unicode.Han, r) {
			run = append(run, r)
			continue
		}
		flush()
		b.WriteRune(r)
	}
	flush()
	if !changed {
		return ""
	}
	return b.String()
}

// respell covers run with words, best first: a word of the index as typed
// (the longer the better), else the index's most frequent word that
// sounds the same (a little worse), else the character as typed.
func (d *suggestDict) respell(run []rune) string {
	n := len(run)
	readings := readingsOf(run)
	best := make([]float64, n+1)
	from := make([]int, n+1)
	word := make([]string, n+1)
	for i := 1; i <= n; i++ {
		best[i], from[i], word[i] = best[i-1], i-1, string(run[i-1])
		for j := max(0, i-maxSuggestWord); j <= i-2; j++ {
			seg := string(run[j:i])
			l := float64(i - j)
			score, w := -1.0, ""
			if d.docs[seg] > 0 {
				score, w = l*l, seg
			} else {
				var found keyedWord
				for _, k := range keysOf(readings[j:i]) {
					if kw, ok := d.byKey[k]; ok && len([]rune(kw.word)) == i-j && (found.word == "" || found.less(kw, d.docs)) {
						found = kw
					}
				}
				if found.word != "" {
					score, w = l*l-0.5, found.word
				}
			}
			if score >= 0 && best[j]+score > best[i] {
				best[i], from[i], word[i] = best[j]+score, j, w
			}
		}
	}
	var parts []string
	for i := n; i > 0; i = from[i] {
		parts = append(parts, word[i])
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString(parts[i])
	}
	return b.String()
}

// plainSpans returns whether the byte at i of q belongs to a plain word:
// not a phrase, an exclusion, a field:value or an operator.
func plainSpans(q string) func(i int) bool {
	var spans [][2]int
	s := strings.ToValidUTF8(q, "")
	if s != q {
		return func(int) bool { return false }
	}
	toks, _ := lex(q)
	for _, l := range toks {
		if l.term.Field != "" || l.term.Phrase || l.neg || l.or {
			continue
		}
		if at := strings.Index(q, l.term.Text); at >= 0 {
			spans = append(spans, [2]int{at, at + len(l.term.Text)})
		}
	}
	return func(i int) bool {
		for _, sp := range spans {
			if i >= sp[0] && i < sp[1] {
				return true
			}
		}
		return false
	}
}

// suggestion returns a query that sounds like r's and finds more complete
// matches than found, "" when there is none.
func (s *Searcher) suggestion(ctx context.Context, r Request, found uint64) (string, error) {
	d, err := s.suggestDict(ctx)
	if err != nil || d == nil {
		return "", err
	}
	alt := d.suggest(r.Query)
	if alt == "" {
		return "", nil
	}
	try := r
	try.Query, try.Page, try.Size, try.After = alt, 1, 1, nil
	try.NoFacets, try.NoHighlight, try.noSuggest = true, true, true
	res, err := s.Search(ctx, try)
	if err != nil || res.TotalExact <= found {
		return "", err
	}
	return alt, nil
}

// suggestDict returns the suggestion dictionary of the snapshot being
// served, built the first time (about a second for 64,000 news), and kept
// by spellingKey; nil when the index is not one bleve index (none loaded).
func (s *Searcher) suggestDict(ctx context.Context) (*suggestDict, error) {
	adv, err := s.Index.Advanced()
	if err != nil {
		return nil, nil
	}
	ir, err := adv.Reader()
	if err != nil {
		return nil, nil
	}
	defer ir.Close()
	d, err := s.spellings.get(spellingKey(ir), func() (*suggestDict, error) {
		// not the request's context: the dictionary outlives it
		return buildSuggestDict(context.WithoutCancel(ctx), ir)
	})
	if err != nil {
		return nil, fmt.Errorf("suggestions: %w", err)
	}
	return d, nil
}

// spellingKey is what the suggestion dictionary of snapshot r is kept by:
// its largest segment, or r itself when it is not a scorch snapshot. A live
// write makes a new snapshot, a small segment beside the generation's, and
// building the dictionary again for it took 0.45 s of the next search that
// looked for a suggestion on news-2023; what it changes of the words of
// the index is next to nothing. So the snapshots of a generation share
// one dictionary until a merge makes their largest segment anew: it lacks
// the words only documents written since have, and keeps those only
// documents deleted since had, and a suggestion is offered only where it
// finds more than the query (Searcher.suggestion).
func spellingKey(r index.IndexReader) any {
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return r
	}
	var big segment.Segment
	var most uint64
	for _, ss := range is.Segments() {
		if n := ss.Segment().Count(); big == nil || n > most {
			big, most = ss.Segment(), n
		}
	}
	if big == nil {
		return r
	}
	return big
}
