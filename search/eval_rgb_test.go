package search_test

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"minsheng/search"
)

// TestRankingRGB measures the default search mode on eval/rgb-dev: 164
// short news questions (2022春运开始时间, RCEP生效时间 …) over 4,051
// passages, several relevant passages each, judged 1 or 0. It prints
// nDCG@10, MRR@10 and Recall@100 beside plain bleve's on the same set and
// holds them to the bounds below (`make eval` runs it, verbosely).
func TestRankingRGB(t *testing.T) {
	if raceEnabled {
		t.Skip("skipping under -race: make test runs the corpus-wide tests without it")
	}
	dir := needShared(t, "eval/rgb-dev")
	ti := buildIndex(t, "rgb-dev", []string{dir + "/corpus.jsonl"}, nil)
	useBuiltinSynonyms(t, ti)           // as minsheng serve does without a synonyms file
	rel := map[string]map[string]bool{} // query id -> relevant passages
	f, err := os.Open(dir + "/qrels.tsv")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.Split(sc.Text(), "\t")
		if len(p) < 3 || p[2] == "0" {
			continue
		}
		if rel[p[0]] == nil {
			rel[p[0]] = map[string]bool{}
		}
		rel[p[0]][p[1]] = true
	}
	f.Close()
	qf, err := os.Open(dir + "/queries.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer qf.Close()
	var ndcg, mrr, recall float64
	var half [2]struct {
		ndcg float64
		n    int
	} // questions in odd and even places of the file
	n := 0
	dec := json.NewDecoder(qf)
	for dec.More() {
		var q struct{ ID, Text string }
		if err := dec.Decode(&q); err != nil {
			t.Fatal(err)
		}
		rs := rel[q.ID]
		if len(rs) == 0 {
			continue
		}
		res, err := ti.searcher.Search(t.Context(), search.Request{Query: q.Text, Size: 100, NoFacets: true, NoHighlight: true})
		if err != nil {
			t.Fatalf("%q: %v", q.Text, err)
		}
		n++
		var dcg, ideal, rr float64
		found := 0
		for i, h := range res.Hits {
			if !rs[h.ID] {
				continue
			}
			found++
			if i < 10 {
				dcg += 1 / math.Log2(float64(i)+2)
				if rr == 0 {
					rr = 1 / float64(i+1)
				}
			}
		}
		for i := range min(len(rs), 10) {
			ideal += 1 / math.Log2(float64(i)+2)
		}
		ndcg += dcg / ideal
		mrr += rr
		recall += float64(found) / float64(len(rs))
		hf := &half[n%2]
		hf.n++
		hf.ndcg += dcg / ideal
		if testing.Verbose() && os.Getenv("MINSHENG_EVAL_QUERIES") != "" {
			t.Logf("%s %.3f %d/%d %s", q.ID, dcg/ideal, found, len(rs), q.Text)
		}
	}
	if n == 0 {
		t.Fatal("no judged queries")
	}
	ndcg, mrr, recall = ndcg/float64(n), mrr/float64(n), recall/float64(n)
	t.Logf("eval/rgb-dev: %d questions: nDCG@10 %.4f  MRR@10 %.4f  Recall@100 %.4f (nDCG@10 of the questions in odd places %.3f, even %.3f)",
		n, ndcg, mrr, recall, half[1].ndcg/float64(half[1].n), half[0].ndcg/float64(half[0].n))
	// Plain bleve on this set, measured in issue 14 on this machine: cjk
	// bigrams with BM25 nDCG@10 0.697 / MRR@10 0.788 / Recall@100 0.979;
	// a naive gojieba analyzer 0.689 / 0.799 / 0.976.
	t.Logf("eval/rgb-dev, plain bleve: cjk bigrams BM25 nDCG@10 0.697  MRR@10 0.788  Recall@100 0.979; naive gojieba 0.689 / 0.799 / 0.976")
	// make test holds the ranking to where it stands (a regression guard);
	// make eval holds it to the targets (MINSHENG_EVAL_RGB_TARGET,
	// nDCG@10, and Recall@100 0.97).
	floor, recallFloor := 0.73, 0.96
	if v, err := strconv.ParseFloat(os.Getenv("MINSHENG_EVAL_RGB_TARGET"), 64); err == nil {
		floor, recallFloor = v, 0.97
	}
	if ndcg < floor {
		t.Errorf("nDCG@10 %.3f is below %.2f", ndcg, floor)
	}
	if recall < recallFloor {
		t.Errorf("Recall@100 %.3f is below %.2f", recall, recallFloor)
	}
}

// useBuiltinSynonyms has ti's searcher use the built-in synonyms.
func useBuiltinSynonyms(t *testing.T, ti *testIndex) {
	t.Helper()
	syn, err := search.BuiltinSynonyms()
	if err != nil {
		t.Fatal(err)
	}
	ti.searcher.SetSynonyms(syn)
}
