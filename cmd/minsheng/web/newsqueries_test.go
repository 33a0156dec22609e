package web

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/yanyiwu/gojieba"

	"minsheng/corpus"
	"minsheng/indexer/analysis"
)

// newsCorpus is ../shared/corpora/news-2023 from this package's folder.
var newsCorpus = filepath.Join("..", "..", "..", "..", "shared", "corpora", "news-2023", "news.jsonl.gz")

// newsQuerySeed fixes the queries of the news load.
const newsQuerySeed = 19

// newsQueries draws n queries of one to three words (in turn) from the
// leads of news-2023's articles (the corpus has no titles), the way a
// reader retypes a story's words: jieba cuts each lead (the first
// sentence after the dateline's bracket) into its longest words; the
// words of two to four Han characters that are among the six keywords
// (jieba's TF-IDF, stop words out) of at least minDocs leads and in at
// most a tenth of the leads (记者, 日电 are the wire's, not a reader's) are
// the vocabulary; each query is a run of consecutive vocabulary words of
// a lead picked with a fixed seed, so every run searches the same
// queries. Nothing of the corpus is kept in the repository.
func newsQueries(tb testing.TB, n int) []string {
	tb.Helper()
	const minDocs = 20
	a, err := analysis.NewBuiltinAnalysis()
	if err != nil {
		tb.Fatal(err)
	}
	var leads [][]string   // each lead's words, longest first where they overlap
	kw := map[string]int{} // leads that have the word among their keywords
	_, err = corpus.Walk(context.Background(), []string{newsCorpus}, corpus.Options{}, func(doc corpus.Doc) error {
		text := lead(doc.Body)
		leads = append(leads, leadWords(a, text))
		for _, k := range a.Keywords(text, 6) {
			kw[k.Word]++
		}
		return nil
	}, nil)
	if err != nil {
		tb.Skipf("skipping: the news load needs %s: %v", newsCorpus, err)
	}
	df := map[string]int{}
	for _, ws := range leads {
		seen := map[string]bool{}
		for _, w := range ws {
			if !seen[w] {
				seen[w] = true
				df[w]++
			}
		}
	}
	// each lead as its run of vocabulary words
	var runs [][]string
	for _, ws := range leads {
		var run []string
		for _, w := range ws {
			if kw[w] >= minDocs && df[w] <= len(leads)/10 {
				run = append(run, w)
			}
		}
		if len(run) > 0 {
			runs = append(runs, run)
		}
	}
	rng := rand.New(rand.NewPCG(newsQuerySeed, newsQuerySeed))
	seen := map[string]bool{}
	var out []string
	for tries := 0; len(out) < n && tries < 100*n; tries++ {
		words := 1 + len(out)%3
		run := runs[rng.IntN(len(runs))]
		if len(run) < words {
			continue
		}
		at := rng.IntN(len(run) - words + 1)
		q := strings.Join(run[at:at+words], " ")
		if !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
	}
	if len(out) < n {
		tb.Fatalf("drew %d distinct queries from %d leads, want %d", len(out), len(leads), n)
	}
	return out
}

// leadWords cuts a lead in jieba's search mode and keeps, where words
// overlap, the longest one that starts first (长江大桥, not 长江 and 大桥),
// and only words of two to four Han characters.
func leadWords(a *analysis.Analysis, text string) []string {
	ws := a.Segment(text)
	slices.SortFunc(ws, func(x, y gojieba.Word) int {
		if x.Start != y.Start {
			return x.Start - y.Start
		}
		return y.End - x.End
	})
	var out []string
	end := 0
	for _, w := range ws {
		if w.Start < end {
			continue
		}
		end = w.End
		if n := utf8.RuneCountInString(w.Str); n >= 2 && n <= 4 && allHan(w.Str) {
			out = append(out, w.Str)
		}
	}
	return out
}

func allHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

// lead is the first sentence of a news body after its dateline, which
// ends at the first closing bracket of the first 60 characters
// (人民网柏林7月28日电 （记者刘仲华、张慧中）).
func lead(body string) string {
	rs := []rune(body)
	for i, r := range rs[:min(len(rs), 60)] {
		if r == '）' || r == ')' {
			rs = rs[i+1:]
			break
		}
	}
	for i, r := range rs {
		if r == '。' || r == '！' || r == '？' || i == 120 {
			return string(rs[:i])
		}
	}
	return string(rs)
}
