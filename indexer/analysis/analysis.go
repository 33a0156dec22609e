package analysis

import (
	"runtime"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/yanyiwu/gojieba"

	"minsheng/corpus"
)

// Limits of the tokenizer. Long unbroken runs are cut into bounded chunks so
// that one pathological field cannot take gigabytes in cppjieba (about 370
// bytes of memory per input byte for a run without breaks).
const (
	maxHanRun   = 512  // runes of an unbroken CJK run jieba cuts as one
	maxCutRunes = 1024 // CJK runes of the runs handed to jieba in one call (segment)
	maxWordLen  = 64   // runes in one letter/digit token; longer runs are cut

	maxKeywordText = 64 << 10 // bytes of a text whose keywords are extracted
)

// Analysis is the Chinese text analysis shared by the analyzers of one
// dictionary set: rune folding and a read-only jieba segmenter. It is safe
// for concurrent use; the segmenter is never mutated after construction.
type Analysis struct {
	fold  *Folder
	jieba *gojieba.Jieba
}

// class of a folded rune.
const (
	clsSep  = iota // whitespace, punctuation, symbols: dropped
	clsHan         // CJK: segmented by jieba
	clsWord        // letters and digits of other scripts: kept whole
)

// cjkFirst to cjkLast are the CJK Unified Ideographs, all Han.
const cjkFirst, cjkLast = 0x4E00, 0x9FFF

func classOf(r rune) int {
	switch {
	case r < utf8.RuneSelf:
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z' {
			return clsWord
		}
		return clsSep
	case r == utf8.RuneError:
		return clsSep
	case cjkFirst <= r && r <= cjkLast: // most of the text: no table lookups
		return clsHan
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
		return clsHan
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		return clsWord
	}
	return clsSep
}

// runes decodes text once: the folded runes and, for each, its byte offset in
// the original text, with len(text) appended as a sentinel.
func (a *Analysis) runes(text []byte) (folded []rune, offs []int) {
	folded = make([]rune, 0, len(text)/2)
	offs = make([]int, 0, len(text)/2+1)
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		folded = append(folded, a.fold.Rune(r))
		offs = append(offs, i)
		i += size
	}
	offs = append(offs, len(text))
	return folded, offs
}

// Tokenize segments text into search-mode words. Offsets are byte offsets
// into text as given; Position is the rune index of the token's start plus
// one, so overlapping sub-words share the positions of the characters they
// start at and phrase queries over words stay exact.
func (a *Analysis) Tokenize(text []byte) analysis.TokenStream {
	folded, offs := a.runes(text)
	t := &tokens{offs: offs, out: make(analysis.TokenStream, 0, len(folded)/2+1), slab: len(folded)/2 + 8}
	t.terms = make([]byte, 0, len(text)+len(text)/2)
	a.words(text, folded, t)
	return t.out
}

// Count is Tokenize counted as bleve counts a field's tokens without term
// vectors (analysis.TokenFrequency): each term's frequency, and the number
// of tokens. It makes no tokens: a build's word fields need no more
// (CountedField). In a build of news-2023, making the tokens and bleve's
// counting them took 1.4 and 2.2 of the 22.5 CPU seconds of analysis;
// counting without them takes 1.35.
func (a *Analysis) Count(text []byte) (index.TokenFrequencies, int) {
	folded, offs := a.runes(text)
	t := &tokens{offs: offs, freqs: make(index.TokenFrequencies, len(folded)/4+1), slab: len(folded)/4 + 8}
	t.terms = make([]byte, 0, len(text))
	a.words(text, folded, t)
	return t.freqs, t.n
}

// words emits the words of text, folded as folded, into t.
func (a *Analysis) words(text []byte, folded []rune, t *tokens) {
	var spans []span
	for i := 0; i < len(folded); {
		cls := classOf(folded[i])
		j := i + 1
		for j < len(folded) && classOf(folded[j]) == cls {
			j++
		}
		switch cls {
		case clsWord:
			for k := i; k < j; k += maxWordLen {
				spans = append(spans, span{k, min(k+maxWordLen, j), clsWord})
			}
		case clsHan:
			for k := i; k < j; k += maxHanRun {
				spans = append(spans, span{k, min(k+maxHanRun, j), clsHan})
			}
		}
		i = j
	}
	// a call's text: at most maxCutRunes runes, and a newline a span
	n := min(len(text), utf8.UTFMax*maxCutRunes) + len(spans)
	c := cutBuf{s: make([]byte, 0, n), runeAt: make([]int, 0, n+1)}
	for i := 0; i < len(spans); {
		if sp := spans[i]; sp.cls == clsWord {
			a.emitWord(string(folded[sp.from:sp.to]), sp.from, sp.to, t)
			i++
			continue
		}
		i += a.segment(folded, spans[i:], t, &c)
	}
}

// span is a run of folded runes, folded[from:to], of one class: a letter
// or digit run of at most maxWordLen runes, or a CJK run of at most
// maxHanRun.
type span struct{ from, to, cls int }

// tokens are the tokens of one Tokenize, allocated a slab at a time, and
// their terms' bytes in a shared buffer: one allocation for many tokens
// instead of two each (with the shortcuts of classOf and numeral, the
// analyzer's own CPU around jieba in BenchmarkTokenize's profile went
// from 0.79 to 0.39 s). With freqs set (Count), the terms are counted
// instead, their TokenFreqs allocated a slab at a time.
type tokens struct {
	offs  []int // the byte offset of each rune (runes)
	out   analysis.TokenStream
	toks  []analysis.Token // the slab being filled
	slab  int              // tokens (or TokenFreqs) of a slab
	terms []byte

	freqs index.TokenFrequencies
	tfs   []index.TokenFreq // the slab being filled
	n     int               // tokens counted
}

// emit adds the token term of runes from to to.
func (t *tokens) emit(term string, from, to int, typ analysis.TokenType) {
	if t.freqs != nil {
		t.count(term)
		return
	}
	if len(t.toks) == cap(t.toks) {
		t.toks = make([]analysis.Token, 0, t.slab)
	}
	t.toks = append(t.toks, analysis.Token{
		Term: t.term(term), Start: t.offs[from], End: t.offs[to],
		Position: from + 1, Type: typ,
	})
	t.out = append(t.out, &t.toks[len(t.toks)-1])
}

// count counts one more token of term.
func (t *tokens) count(term string) {
	t.n++
	if tf, ok := t.freqs[term]; ok {
		tf.SetFrequency(tf.Frequency() + 1)
		return
	}
	if len(t.tfs) == cap(t.tfs) {
		t.tfs = make([]index.TokenFreq, 0, t.slab)
	}
	t.tfs = append(t.tfs, index.TokenFreq{Term: t.term(term)})
	tf := &t.tfs[len(t.tfs)-1]
	tf.SetFrequency(1)
	t.freqs[term] = tf
}

// term is term's bytes in the shared buffer.
func (t *tokens) term(term string) []byte {
	if cap(t.terms)-len(t.terms) < len(term) {
		t.terms = make([]byte, 0, max(len(term), 4096))
	}
	start := len(t.terms)
	t.terms = append(t.terms, term...)
	return t.terms[start:len(t.terms):len(t.terms)]
}

// emitWord emits a letter/digit run; digit runs lose their leading zeros so
// that 0123 and 123 match.
func (a *Analysis) emitWord(w string, from, to int, t *tokens) {
	typ := analysis.AlphaNumeric
	if corpus.IsDigits(w) {
		typ = analysis.Numeric
		w = corpus.TrimZeros(w)
	}
	t.emit(w, from, to, typ)
}

// cutBuf is what segment reuses from one call to the next: the text
// handed to jieba, and for each of its bytes the rune of folded it is in
// (or ends, at a separator and at the end).
type cutBuf struct {
	s      []byte
	runeAt []int
	ends   []int // the byte offset in s where each CJK span ends
}

// segment cuts the CJK spans of spans, from the first, in one call to
// jieba, as many as maxCutRunes runes allow (at least one), joined by a
// newline, and emits their words and the letter and digit spans between
// them in order. It returns how many spans it emitted.
//
// cppjieba cuts a text at its separators (a newline is one) first and
// each piece apart, so the words of each span are those it would give the
// span alone (TestTokenizeCutsSpansApart, FuzzTokenize). A call per span
// cost about a tenth more of jieba's time (5,000 news articles: 1.21 s
// against 1.11 s), spans being short between punctuation (74 an article);
// on the proposals, calls of up to 256, 1,024 and 4,096 runes took the
// same time, a tenth less than a call per span.
func (a *Analysis) segment(folded []rune, spans []span, t *tokens, c *cutBuf) int {
	c.s, c.runeAt, c.ends = c.s[:0], c.runeAt[:0], c.ends[:0]
	n, runes, last := 0, 0, 0
	var buf [utf8.UTFMax]byte
	for i, sp := range spans {
		if sp.cls != clsHan {
			continue
		}
		if runes > 0 && runes+sp.to-sp.from > maxCutRunes {
			break
		}
		if runes > 0 {
			c.s = append(c.s, '\n')
			c.runeAt = append(c.runeAt, spans[last].to)
		}
		for k := sp.from; k < sp.to; k++ {
			w := utf8.EncodeRune(buf[:], folded[k])
			c.s = append(c.s, buf[:w]...)
			for range w {
				c.runeAt = append(c.runeAt, k)
			}
		}
		c.ends = append(c.ends, len(c.s))
		runes += sp.to - sp.from
		n, last = i+1, i
	}
	c.runeAt = append(c.runeAt, spans[last].to)
	s := string(c.s)
	ws, wi, han := a.cut(s), 0, 0
	for _, sp := range spans[:n] {
		if sp.cls != clsHan {
			a.emitWord(string(folded[sp.from:sp.to]), sp.from, sp.to, t)
			continue
		}
		end := c.ends[han]
		han++
		for ; wi < len(ws) && ws[wi].Start < end; wi++ {
			w := ws[wi]
			if w.Start < 0 || w.End > end || w.Start >= w.End || w.Str == "\n" {
				continue
			}
			emitCut(w.Str, c.runeAt[w.Start], c.runeAt[w.End], folded, t)
		}
	}
	return n
}

// emitCut emits a word jieba cut, folded[b:e], and, when it is or starts
// with a Chinese numeral, its Arabic value.
func emitCut(w string, b, e int, folded []rune, t *tokens) {
	t.emit(w, b, e, analysis.Ideographic)
	if v, ok := corpus.ChineseNumber(w); ok {
		t.emit(v, b, e, analysis.Numeric)
	} else if n, v, ok := numberPrefix(w); ok {
		// 十四届: also 14 and 届, so that 14届 finds it
		t.emit(v, b, b+n, analysis.Numeric)
		t.emit(w[len(string(folded[b:b+n])):], b+n, e, analysis.Ideographic)
	}
}

// LiteralTokenize emits, for every rune of text, the bigram of it and the
// next rune (folded) at its rune position; the last rune pairs with
// corpus.LiteralEnd. A phrase of two or more characters is then a sequence
// of bigrams at consecutive positions: a substring match on the folded text,
// whatever jieba would make of it, over postings far shorter than single
// characters'. A single character is a prefix of the bigrams it starts.
// Whitespace folds to one space.
func (a *Analysis) LiteralTokenize(text []byte) analysis.TokenStream {
	folded, offs := a.runes(text)
	toks := make([]analysis.Token, len(folded))
	out := make(analysis.TokenStream, len(toks))
	terms := make([]byte, 0, 2*len(text)+8)
	var buf [2 * utf8.UTFMax]byte
	for i := range toks {
		n := utf8.EncodeRune(buf[:], literalRune(folded[i]))
		end := offs[i+1]
		if i+1 < len(folded) {
			n += utf8.EncodeRune(buf[n:], literalRune(folded[i+1]))
			end = offs[i+2]
		} else {
			n += copy(buf[n:], corpus.LiteralEnd)
		}
		start := len(terms)
		terms = append(terms, buf[:n]...)
		toks[i] = analysis.Token{Term: terms[start:len(terms):len(terms)], Start: offs[i], End: end, Position: i + 1, Type: analysis.Double}
		out[i] = &toks[i]
	}
	return out
}

// CharTokenize emits every rune of text, folded, as its own token at its
// rune position: the folding that highlights and the phrase oracle use.
func (a *Analysis) CharTokenize(text []byte) analysis.TokenStream {
	folded, offs := a.charRunes(text)
	toks := make([]analysis.Token, len(folded))
	out := make(analysis.TokenStream, len(toks))
	terms := make([]byte, 0, len(text)+8)
	var buf [utf8.UTFMax]byte
	for i, r := range folded {
		n := utf8.EncodeRune(buf[:], r)
		start := len(terms)
		terms = append(terms, buf[:n]...)
		toks[i] = analysis.Token{Term: terms[start:len(terms):len(terms)], Start: offs[i], End: offs[i+1], Position: i + 1, Type: analysis.Single}
		out[i] = &toks[i]
	}
	return out
}

// charRunes is what CharTokenize emits, as runes: each character folded as
// the literal fields index it, and its byte offset, len(text) appended.
func (a *Analysis) charRunes(text []byte) (folded []rune, offs []int) {
	folded, offs = a.runes(text)
	for i, r := range folded {
		folded[i] = literalRune(r)
	}
	return folded, offs
}

// charRune is one rune as charRunes folds it.
func (a *Analysis) charRune(r rune) rune { return literalRune(a.fold.Rune(r)) }

// literalRune is a folded rune as the literal fields index it: any
// whitespace is one space.
func literalRune(r rune) rune {
	if r > 0x3000 { // past the ideographic space, the last: the CJK text is here
		return r
	}
	if unicode.IsSpace(r) {
		return ' '
	}
	return r
}

// Keywords returns the n words of text with the highest TF-IDF weight by
// jieba's extractor (its IDF table, stop words left out), folded as the
// index folds them; single characters and bare numbers are left out.
// Each carries its part of speech by the dictionary (Tag).
func (a *Analysis) Keywords(text string, n int) []corpus.Keyword {
	if len(text) > maxKeywordText {
		text = strings.ToValidUTF8(text[:maxKeywordText], "")
	}
	folded := a.fold.String(Clean(text))
	var out []corpus.Keyword
	ws := a.jieba.ExtractWithWeight(folded, n*2)
	runtime.KeepAlive(a.jieba) // see cut
	for _, w := range ws {
		if utf8.RuneCountInString(w.Word) < 2 || corpus.IsDigits(w.Word) || strings.TrimSpace(w.Word) != w.Word {
			continue
		}
		out = append(out, corpus.Keyword{Word: w.Word, Weight: w.Weight, Tag: a.tag(w.Word)})
		if len(out) == n {
			break
		}
	}
	return out
}

// cut segments s in jieba's search mode. The segmenter is kept alive
// until the C call has returned: gojieba frees its C memory by finalizer
// and hands the C handle to C without keeping the Go object alive, and an
// Analysis may become unreachable while its last call runs (see
// NewAnalysis).
func (a *Analysis) cut(s string) []gojieba.Word {
	ws := a.jieba.Tokenize(s, gojieba.SearchMode, true)
	runtime.KeepAlive(a.jieba)
	return ws
}

// tag is the part of speech jieba's dictionary gives word ("" when jieba
// cuts it into several words): one lookup in the dictionary's trie.
func (a *Analysis) tag(word string) string {
	t := a.jieba.Tag(word)
	runtime.KeepAlive(a.jieba) // see cut
	if len(t) != 1 {
		return ""
	}
	i := strings.LastIndexByte(t[0], '/')
	if i < 0 || t[0][:i] != word {
		return ""
	}
	return t[0][i+1:]
}
