package search_test

import (
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"minsheng/corpus"
	zhanalysis "minsheng/indexer/analysis"
	"minsheng/search"
)

// TestPhraseExactness checks quoted phrases against a substring oracle on
// real text: for random substrings (1-8 characters) of the proposals and
// policy documents, the quoted query returns exactly the documents whose
// title or body contains the substring, both ways. "Contains" is on the
// folded text (case, full-width and traditional characters folded, any
// whitespace as one space), the form the literal analyzer indexes. The
// documents keep only id, title and body, so that no metadata field can
// match and the oracle is exactly "title or body".
func TestPhraseExactness(t *testing.T) {
	if raceEnabled {
		t.Skip("skipping under -race: make test runs the corpus-wide tests without it")
	}
	sources := []string{needShared(t, "corpora/proposals/proposals.jsonl"), needShared(t, "corpora/policy")}
	ti := buildIndex(t, "proposals+policy, title and body", sources, func(d *corpus.Doc) {
		*d = corpus.Doc{ID: d.ID, Kind: d.Kind, Title: d.Title, Body: d.Body, Date: d.Date}
	})
	an := analysis(t)
	lit := func(s string) string {
		var b strings.Builder
		for _, tk := range an.CharTokenize([]byte(s)) {
			b.Write(tk.Term)
		}
		return b.String()
	}
	folded := make([][2]string, len(ti.docs))
	for i, d := range ti.docs {
		folded[i] = [2]string{lit(d.Title), lit(d.Body)}
	}
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("PHRASE_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("seed %d (set PHRASE_SEED to repeat)", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	const n = 300
	exact, tried := 0, 0
	for tried < n {
		d := ti.docs[rng.IntN(len(ti.docs))]
		text := d.Body
		if rng.IntN(4) == 0 && d.Title != "" {
			text = d.Title
		}
		rs := []rune(text)
		if len(rs) == 0 {
			continue
		}
		size := 1 + rng.IntN(8)
		at := rng.IntN(len(rs))
		sub := string(rs[at:min(len(rs), at+size)])
		if strings.TrimSpace(sub) == "" || strings.ContainsAny(sub, "\"“”「」『』＂") {
			continue // a quote cannot be typed inside a quoted phrase
		}
		tried++
		needle := lit(sub)
		var want []string
		for i, f := range folded {
			if strings.Contains(f[0], needle) || strings.Contains(f[1], needle) {
				want = append(want, ti.docs[i].ID)
			}
		}
		got := ti.ids(t, search.Request{Query: `"` + sub + `"`, NoHighlight: true, NoFacets: true})
		sort.Strings(want)
		sort.Strings(got)
		if strings.Join(got, ",") == strings.Join(want, ",") {
			exact++
			continue
		}
		t.Errorf("phrase %q: got %d documents, the oracle %d; missing %v, extra %v",
			sub, len(got), len(want), minus(want, got), minus(got, want))
	}
	t.Logf("%d of %d random phrases exact both ways (%.1f%%) over %d documents", exact, tried, 100*float64(exact)/float64(tried), len(ti.docs))
}

// minus returns the elements of a not in b (both sorted), at most 5.
func minus(a, b []string) []string {
	in := make(map[string]bool, len(b))
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
			if len(out) == 5 {
				break
			}
		}
	}
	return out
}

func analysis(tb testing.TB) *zhanalysis.Analysis {
	tb.Helper()
	a, err := zhanalysis.NewBuiltinAnalysis()
	if err != nil {
		tb.Fatal(err)
	}
	return a
}
