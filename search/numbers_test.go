package search_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	zhanalysis "minsheng/indexer/analysis"
	"minsheng/search"
)

// numberOracle returns the ids of the sample's documents whose title,
// body, reply or metadata, folded, match re: what a number query must find.
func numberOracle(ti *testIndex, re *regexp.Regexp) []string {
	var out []string
	for _, d := range ti.docs {
		meta := strings.Join(append([]string{d.Number, d.Session, d.Author, d.Delegation}, d.Units...), "\n")
		for _, text := range []string{d.Title, d.Body, d.Reply, meta} {
			if re.MatchString(zhanalysis.FoldLiteral(text)) {
				out = append(out, d.ID)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// sortedIDs returns the ids of every hit of query in mode, sorted.
func sortedIDs(t *testing.T, ti *testIndex, query, mode string) []string {
	t.Helper()
	ids := ti.ids(t, search.Request{Query: query, Mode: mode, NoHighlight: true, NoFacets: true})
	slices.Sort(ids)
	return ids
}

// A Chinese numeral run not inside a longer one, and a digit run not
// inside a longer one.
const (
	notNumeral = `(?:^|[^〇零一二两三四五六七八九十百千万亿])`
	notDigit   = `(?:^|[^0-9])`
)

// TestNumbersMatchWholeNumbers: a number in a query matches whole numbers
// of its value, in digits (zero-padded or not) or Chinese numerals, never
// the digits inside a longer number. 24 found 28 of the sample's documents,
// most of them by the 24 of 2024, 124 or 240 (the literal fields' pair
// 24); 14届 found s-2022-0146 (十三届, 第0146号) by the 14 of 0146 and a
// 届 elsewhere; 十四届 found 十三届 documents that mention 十四五; 第24号
// found 23 documents and 第0024号 two.
func TestNumbersMatchWholeNumbers(t *testing.T) {
	ti := buildIndex(t, "sample", sampleSources, nil)
	for _, tt := range []struct {
		queries []string
		oracle  string
	}{
		{[]string{"24", "０２４"}, notDigit + `0*24(?:[^0-9]|$)|` + notNumeral + `二十四(?:[^〇零一二两三四五六七八九十百千万亿]|$)`},
		{[]string{"14届", "十四届"}, notDigit + `0*14届|` + notNumeral + `十四届`},
		{[]string{"第十四届", "第14届"}, `第0*14届|第十四届`},
		{[]string{"第24号", "第0024号", "第024号"}, `第0*24号|第二十四号`},
		{[]string{"2024年"}, notDigit + `0*2024年|二〇二四年|二千零二十四年`},
	} {
		want := numberOracle(ti, regexp.MustCompile(tt.oracle))
		if len(want) == 0 {
			t.Fatalf("%v: no document of the sample has the number", tt.queries)
		}
		for _, q := range tt.queries {
			for _, mode := range []string{"", search.ModeAll} {
				got := sortedIDs(t, ti, q, mode)
				if !slices.Equal(got, want) {
					t.Errorf("%s (mode %q): %d documents, want %d; extra %v, missing %v",
						q, mode, len(got), len(want), minus(got, want), minus(want, got))
				}
			}
		}
	}
	if ids := sortedIDs(t, ti, "14届", ""); slices.Contains(ids, "s-2022-0146") {
		t.Errorf("14届 finds s-2022-0146 (十三届, 第0146号)")
	}
}

// TestDocumentNumberSpellings: a document number is found however its
// year's brackets and its number's zeros are written, as a phrase and as
// the number facet.
func TestDocumentNumberSpellings(t *testing.T) {
	ti := buildIndex(t, "sample", sampleSources, nil)
	// a quoted phrase is its characters exactly, brackets too (issue 19's
	// phrase exactness): the number as typed without quotes finds it
	// whatever its brackets
	if got := sortedIDs(t, ti, `"甘乡振发[2024]5号"`, ""); len(got) != 0 {
		t.Errorf(`"甘乡振发[2024]5号" finds %v, a document without those characters`, got)
	}
	exact := sortedIDs(t, ti, `"甘乡振发〔2024〕5号"`, "")
	if all := sortedIDs(t, ti, `甘乡振发〔2024〕5号`, search.ModeAll); len(exact) == 0 || !slices.Equal(all, exact) {
		t.Errorf("甘乡振发〔2024〕5号 with every word finds %v, the phrase %v", all, exact)
	}
	for _, group := range [][]string{
		{`甘乡振发〔2024〕5号`, `甘乡振发[2024]5号`, `甘乡振发（2024）5号`, `甘乡振发(2024)5号`, `甘乡振发【2024】5号`, `甘乡振发［2024］5号`},
		{"number:第0024号", "number:第24号", "number:第024号", "编号:第24号"},
	} {
		want := sortedIDs(t, ti, group[0], search.ModeAll)
		if len(want) == 0 {
			t.Fatalf("%s finds nothing", group[0])
		}
		for _, q := range group[1:] {
			if got := sortedIDs(t, ti, q, search.ModeAll); !slices.Equal(got, want) {
				t.Errorf("%s finds %v, %s %v", q, got, group[0], want)
			}
		}
	}
}

// A number is marked where it matches, as a whole number: the hits of 24
// have their 24s marked, never the 24 of 2024; a quoted phrase is marked
// where its characters are.
func TestNumbersMarkedWhole(t *testing.T) {
	ti := buildIndex(t, "sample", sampleSources, nil)
	// a mark after a digit run that is not only zeros, or before a digit
	inside := regexp.MustCompile(`[1-9][0-9]*<mark>[0-9]|[0-9]</mark>[0-9]`)
	for _, q := range []string{"24", "14届", "第24号", "2024年"} {
		res, err := ti.searcher.Search(context.Background(), search.Request{Query: q, Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		marked := 0
		for _, h := range res.Hits {
			for field, frags := range h.Highlights {
				for _, f := range frags {
					marked += strings.Count(f, "<mark>")
					if inside.MatchString(f) {
						t.Errorf("%s: %s %s marks a digit run's inside: %s", q, h.ID, field, f)
					}
				}
			}
		}
		if res.Total > 0 && marked == 0 {
			t.Errorf("%s: %d hits, nothing marked", q, res.Total)
		}
		for _, h := range res.Hits {
			if (q == "24" || q == "第24号") && h.Number == "第0024号" && !strings.Contains(strings.Join(h.Highlights["number"], ""), "<mark>") {
				t.Errorf("%s: %s's number %s unmarked: 24 is its number after leading zeros", q, h.ID, h.Number)
			}
		}
	}
	res, err := ti.searcher.Search(context.Background(), search.Request{Query: `"24"`, Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	inner := 0
	for _, h := range res.Hits {
		for _, frags := range h.Highlights {
			for _, f := range frags {
				if inside.MatchString(f) {
					inner++
				}
			}
		}
	}
	if inner == 0 {
		t.Errorf(`"24": %d hits, none marked inside a longer number (2024): a phrase is its characters`, res.Total)
	}
}
