package search_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"path/filepath"
	"slices"
	"strings"
	"testing"

	"minsheng/search"
)

func TestBuiltinSynonyms(t *testing.T) {
	syn, err := search.BuiltinSynonyms()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(syn.Groups()); n < 100 {
		t.Errorf("%d built-in groups, want at least 100", n)
	}
	for _, tt := range []struct{ word, finds string }{
		{"医保", "医疗保险"}, {"医疗保险", "医保"}, {"人大", "人民代表大会"}, {"人民代表大会", "人大"},
		{"一老一小", "养老"}, {"一老一小", "托育"}, {"三农", "农村"}, {"双减", "校外培训负担"},
		{"两会", "政治协商会议"}, {"gdp", "国内生产总值"},
	} {
		if !slices.Contains(syn.Lookup(tt.word), tt.finds) {
			t.Errorf("%s finds %q, not %s", tt.word, syn.Lookup(tt.word), tt.finds)
		}
	}
	for _, oneWay := range []struct{ word, not string }{{"养老", "一老一小"}, {"农村", "三农"}} {
		if slices.Contains(syn.Lookup(oneWay.word), oneWay.not) {
			t.Errorf("%s finds %s: the rule is one-way", oneWay.word, oneWay.not)
		}
	}
}

// A bad synonyms file is an error that names its line.
func TestParseSynonymsErrors(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"医保, 医疗保险\n\n孤单\n", "x.txt:3: "},
		{"# c\na => b => c\n", "x.txt:2: more than one =>"},
		{"a =>\n", "x.txt:1: after =>: no words"},
		{" => b\n", "x.txt:1: no words"},
		{"a, \"b\"\n", "x.txt:1: "},
		{"a, -b\n", "x.txt:1: "},
		{"ok, fine\nbad\xffbytes, x\n", "x.txt:2: not valid UTF-8"},
		{"a, " + strings.Repeat("b,", 70) + "c\n", "x.txt:1: 72 words"},
		{strings.Repeat("长", 30000) + ", x\n", "x.txt:1: "},
	} {
		_, err := search.ParseSynonyms(strings.NewReader(tt.text), "x.txt")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%.30q: error %v, want %q", tt.text, err, tt.want)
		}
	}
	syn, err := search.ParseSynonyms(strings.NewReader("\ufeff# only comments\n\n  医保，医疗保险 # trailing\n一老一小 => 养老、托育\n"), "x.txt")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(syn.Groups()) != "[{3 [医保 医疗保险] []} {4 [一老一小] [养老 托育]}]" {
		t.Errorf("groups %v", syn.Groups())
	}
	if _, err := search.LoadSynonyms(filepath.Join(t.TempDir(), "none.txt")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("absent file: %v", err)
	}
}

// Synonyms past limits.max_query_terms are left out, and the response
// says so; the search still answers.
func TestSynonymsCutAtMaxTerms(t *testing.T) {
	ti := buildIndex(t, "testdata/synonyms", []string{"testdata/synonyms/docs.jsonl"}, nil)
	s := search.New(ti.live.Index(), search.Options{Limits: search.Limits{MaxTerms: 3}})
	syn, err := search.ParseSynonyms(strings.NewReader("医保, 医疗保险, 基本医疗保险, 大病保险\n"), "x.txt")
	if err != nil {
		t.Fatal(err)
	}
	s.SetSynonyms(syn)
	res, err := s.Search(context.Background(), search.Request{Query: "医保 报销"})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Expanded["医保"]; len(got) != 1 || got[0] != "医疗保险" {
		t.Errorf("expanded %v, want 医保 with 医疗保险 alone", res.Expanded)
	}
	if !strings.Contains(res.Notice, "2 synonyms were left out") || !strings.Contains(res.Notice, "max_query_terms") {
		t.Errorf("notice %q", res.Notice)
	}
	if res.TotalExact != 1 || res.Hits[0].ID != "s1" {
		t.Errorf("total_exact %d, first %s", res.TotalExact, res.Hits[0].ID)
	}
}

// A word of a synonym rule that jieba cuts into single characters (为老服务:
// 为, 老, 服务) matches as written, whether it is typed or searched as the
// synonym of what was: a document with 为 and 老 somewhere and 服务
// elsewhere is not one about 为老服务. A rule word cut into words of
// several characters (养老服务: 养老, 服务) still matches each anywhere.
func TestSynonymRuleWordsOfCharacters(t *testing.T) {
	f := newAnalyticsFixture(t)
	syn, err := search.BuiltinSynonyms()
	if err != nil {
		t.Fatal(err)
	}
	f.s.SetSynonyms(syn)
	text := map[string]string{}
	for _, d := range f.docs {
		text[d.ID] = d.Title + "\n" + d.Body
	}
	for _, q := range []string{"为老服务", "养老服务"} {
		res, err := f.s.Search(context.Background(), search.Request{Query: q, Mode: search.ModeAll, Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total == 0 {
			t.Errorf("%s: nothing found", q)
		}
		for _, h := range res.Hits {
			s := text[h.ID]
			if !strings.Contains(s, "为老服务") && !(strings.Contains(s, "养老") && strings.Contains(s, "服务")) {
				t.Errorf("%s: %s %s has neither 为老服务 nor 养老 and 服务", q, h.ID, h.Title)
			}
		}
	}
}
