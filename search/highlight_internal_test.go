package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"

	"minsheng/corpus"
	zhanalysis "minsheng/indexer/analysis"
)

// TestCharsOfMatchesTokens checks the highlighter's shortcut to the folded
// characters against the character analyzer's tokens.
func TestCharsOfMatchesTokens(t *testing.T) {
	m, err := zhanalysis.NewMapping(zhanalysis.MappingOptions{})
	if err != nil {
		t.Fatal(err)
	}
	an := &analyzers{chars: m.AnalyzerNamed(corpus.AnalyzerChars)}
	da, ok := an.chars.(*analysis.DefaultAnalyzer)
	if !ok {
		t.Fatalf("the character analyzer is a %T", an.chars)
	}
	if _, ok := da.Tokenizer.(runeFolder); !ok {
		t.Fatalf("the character tokenizer (%T) has no FoldRunes: highlighting takes the slow way", da.Tokenizer)
	}
	for _, text := range []string{
		"", "乡村振兴", "國務院關於加強ＡＢＣ１２３", "a\tb\nc\u3000d  e", "bad \xff\xfe utf8 \x00", "<b>&amp;</b>",
		"甘政发〔2024〕12号", strings.Repeat("中华人民共和国", 200),
	} {
		if got, want := an.charsOf(text), an.charsOfTokens(text); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: runes %q offsets %v, tokens give %q %v", text, string(got.folded), got.offs, string(want.folded), want.offs)
		}
	}
}

// TestFoldRuneTable: the highlighter's fold, read from the character
// tokenizer's table where it has one, folds every rune as the tokenizer's
// FoldRune does, on both sides of the table's bounds too.
func TestFoldRuneTable(t *testing.T) {
	m, err := zhanalysis.NewMapping(zhanalysis.MappingOptions{})
	if err != nil {
		t.Fatal(err)
	}
	an := &analyzers{chars: m.AnalyzerNamed(corpus.AnalyzerChars)}
	f, ok := an.charTokenizer().(charFolder)
	if !ok {
		t.Fatal("the character tokenizer has no FoldRune")
	}
	if _, ok := f.(foldTabler); !ok {
		t.Fatal("the character tokenizer has no FoldTable: highlighting calls FoldRune for every rune")
	}
	fold := an.foldRune()
	differ := 0 // runes the fold changes, where the table could be wrong
	for r := rune(0); r <= 0x2FFFF; r++ {
		if got, want := fold(r), f.FoldRune(r); got != want {
			t.Fatalf("%U folds to %U, FoldRune %U", r, got, want)
		} else if got != r {
			differ++
		}
	}
	for _, r := range []rune{-1, 0x10FFFF, 0x110000, 0x7FFFFFFF} {
		if got, want := fold(r), f.FoldRune(r); got != want {
			t.Errorf("%U folds to %U, FoldRune %U", r, got, want)
		}
	}
	if differ < 1000 { // traditional characters, full-width forms, capitals
		t.Fatalf("only %d runes fold to another: the comparison compares too little", differ)
	}
}

// TestFindHighlightsAsFolding: highlighting by find (each rune folded on
// its own, needles looked for where one starts) gives the very titles,
// fragments (of the body and the reply), other texts and snippets that
// folding whole texts gives, for needles cut from the documents themselves
// (traditional, full-width and mixed-case forms among them), overlapping
// and touching needles, and odd texts.
func TestFindHighlightsAsFolding(t *testing.T) {
	m, err := zhanalysis.NewMapping(zhanalysis.MappingOptions{})
	if err != nil {
		t.Fatal(err)
	}
	an := &analyzers{chars: m.AnalyzerNamed(corpus.AnalyzerChars)}
	if an.foldRune() == nil {
		t.Fatal("the character tokenizer has no FoldRune: highlighting takes the slow way")
	}
	sources := testSources(t)
	var docs []corpus.Doc
	_, err = corpus.Walk(context.Background(), sources, corpus.Options{}, func(d corpus.Doc) error {
		docs = append(docs, d)
		return nil
	}, func(corpus.Problem) {})
	if err != nil {
		t.Fatal(err)
	}
	odd := []string{
		"", "乡村振兴", "國務院關於加強ＡＢＣ１２３和abc的通知", "a\tb\nc\u3000d  e\r\nf", "<b>&amp;</b> 乡村 & 振兴 <script>",
		"中华人民共和国中华人民共和国", strings.Repeat("人民", 300), "甘政发〔2024〕12号 甘政发[2024]12号",
		"\ufffd 乡村\ufffd振兴", "bad \xff\xfe 乡村振兴 \x00",
	}
	for i, text := range odd {
		docs = append(docs, corpus.Doc{ID: fmt.Sprint("odd-", i), Title: text, Body: strings.Repeat(text+"。", 1+i*13)})
	}
	common := []string{"乡村振兴", "中华人民", "人民共和", "人民", "民", "国", "ABC", "abc1", "國務院", "发展", "a", "  ", "。", "&", "<", "\ufffd"}
	rng := rand.New(rand.NewPCG(1, 2))
	compared, marked, replies := 0, 0, 0
	for _, d := range docs {
		var needles [][]rune
		for _, w := range common {
			if n := an.needle(w); n != nil && rng.IntN(3) == 0 {
				needles = append(needles, n)
			}
		}
		// pieces of the text itself, the first in its own forms (folded
		// by needle), one overlapping the next
		for _, text := range []string{d.Body, d.Reply} {
			body := []rune(text)
			for k := 0; k < 3 && len(body) > 8; k++ {
				at, size := rng.IntN(len(body)-8), 1+rng.IntN(8)
				if n := an.needle(string(body[at : at+size])); n != nil {
					needles = append(needles, n)
				}
				if n := an.needle(string(body[at+size/2 : min(len(body), at+size+3)])); n != nil {
					needles = append(needles, n)
				}
			}
		}
		for _, needles := range [][][]rune{needles, nil} {
			got := Hit{Title: d.Title, Doc: &d, Highlights: map[string][]string{"title": {}, "body": {}}}
			want := Hit{Title: d.Title, Doc: &d, Highlights: map[string][]string{"title": {}, "body": {}}}
			an.highlight(&got, needles)
			an.highlightWith(&want, needles, nil) // every text folded whole first
			if !reflect.DeepEqual(got.Highlights, want.Highlights) || got.Snippet != want.Snippet {
				t.Errorf("%s, needles %q:\nfind    %q %q\nfolding %q %q", d.ID, needles, got.Highlights, got.Snippet, want.Highlights, want.Snippet)
			}
			compared++
			if len(want.Highlights["body"]) > 0 {
				marked++
			}
			if len(want.Highlights["reply"]) > 0 {
				replies++
			}
		}
	}
	if marked < compared/4 {
		t.Errorf("only %d of %d highlights mark anything: the needles test little", marked, compared)
	}
	if replies == 0 {
		t.Error("no highlight marks a reply: the replies are not compared")
	}
	t.Logf("%d highlights alike, %d with marks in the body, %d in the reply", compared, marked, replies)
}

// TestHighlightOthers: the reply, the units and meta's texts are marked as
// the body is, escaped, under their names in the hit's JSON, and a text
// without a mark has no key.
func TestHighlightOthers(t *testing.T) {
	m, err := zhanalysis.NewMapping(zhanalysis.MappingOptions{})
	if err != nil {
		t.Fatal(err)
	}
	an := &analyzers{chars: m.AnalyzerNamed(corpus.AnalyzerChars)}
	d := corpus.Doc{
		Title: "关于加强乡村学校建设的建议", Body: "建议加强乡村学校建设。",
		Reply:  "省教育厅答复：<b>\"教育\"</b> & 國家教育\n" + strings.Repeat("其他", 100) + "职业教育",
		Units:  []string{"省财政厅", "省教育厅", "省教育考试院"},
		Author: "张教育", Delegation: "兰州代表团", Session: "十四届二次会议", Number: "第0123号",
	}
	want := map[string][]string{
		"title": {}, "body": {},
		"reply": {
			// 120 characters, and the next from 40 before its mark
			"省<mark>教育</mark>厅答复：&lt;b&gt;&#34;<mark>教育</mark>&#34;&lt;/b&gt; &amp; 國家<mark>教育</mark> " + strings.Repeat("其他", 47) + "…",
			"…" + strings.Repeat("其他", 19) + "职业<mark>教育</mark>",
		},
		"units":  {"省<mark>教育</mark>厅", "省<mark>教育</mark>考试院"},
		"author": {"张<mark>教育</mark>"},
	}
	for _, fold := range []func(rune) rune{an.foldRune(), nil} {
		h := Hit{Title: d.Title, Doc: &d, Highlights: map[string][]string{"title": {}, "body": {}}}
		an.highlightOthers(&h, [][]rune{an.needle("教育")}, fold)
		if !reflect.DeepEqual(h.Highlights, want) {
			t.Errorf("fold %v:\n got %q\nwant %q", fold != nil, h.Highlights, want)
		}
	}
	h := Hit{Title: d.Title, Doc: &d, Highlights: map[string][]string{"title": {}, "body": {}}}
	an.highlight(&h, [][]rune{an.needle("乡村"), an.needle("国家"), an.needle("二次")})
	if got := h.Highlights["reply"]; len(got) != 1 || !strings.Contains(got[0], "&amp; <mark>國家</mark>教育") {
		t.Errorf("a traditional 國家 in the reply, marked as 国家: %q", got)
	}
	if got := h.Highlights["session"]; !reflect.DeepEqual(got, []string{"十四届<mark>二次</mark>会议"}) {
		t.Errorf("session %q", got)
	}
	if _, ok := h.Highlights["units"]; ok {
		t.Errorf("units without a mark highlighted: %q", h.Highlights["units"])
	}
}

// A number's needle marks whole numbers, after leading zeros too, in both
// the fast walk (find) and the fallback over folded runes (markAll); a
// needle without the mark, a quoted phrase's, marks every occurrence.
func TestWholeNumberNeedles(t *testing.T) {
	const text = "2024年24号，0024、10024 24;240"
	same := func(r rune) rune { return r }
	rs := []rune(text)
	for _, tt := range []struct {
		needle []rune
		marked []int // the runes marked
	}{
		// 24号, the 24 of 0024, 24 alone
		{append([]rune{wholeNumber}, []rune("24")...), []int{5, 6, 11, 12, 20, 21}},
		// and those of 2024, 10024 and 240
		{[]rune("24"), []int{2, 3, 5, 6, 11, 12, 17, 18, 20, 21, 23, 24}},
	} {
		want := []rune(strings.Repeat(" ", len(rs)))
		for _, i := range tt.marked {
			want[i] = '^'
		}
		f, ok := find(text, [][]rune{tt.needle}, same)
		if !ok {
			t.Fatal("find: not ok")
		}
		got := []rune(strings.Repeat(" ", len(rs)))
		for _, sp := range f.spans {
			for i := sp.from; i < sp.to; i++ {
				got[i] = '^'
			}
		}
		offs := make([]int, len(rs)+1)
		marks := markAll(chars{folded: rs, offs: offs}, [][]rune{tt.needle})
		fallback := []rune(strings.Repeat(" ", len(rs)))
		for i, m := range marks {
			if m {
				fallback[i] = '^'
			}
		}
		if string(got) != string(want) || string(fallback) != string(want) {
			t.Errorf("needle %q in %s:\n find    %q\n markAll %q\n want    %q", string(tt.needle), text, string(got), string(fallback), string(want))
		}
	}
}
