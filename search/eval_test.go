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

// TestRankingNCP measures the default search mode on eval/ncp: 1,262
// natural-language questions over 599 policy notices, one relevant
// document each. It prints nDCG@10, MRR@10 and Recall@100 and holds them
// to the bounds below (`make eval` runs it alone, verbosely).
func TestRankingNCP(t *testing.T) {
	if raceEnabled {
		t.Skip("skipping under -race: make test runs the corpus-wide tests without it")
	}
	dir := needShared(t, "eval/ncp")
	ti := buildIndex(t, "ncp", []string{dir + "/corpus.jsonl"}, nil)
	useBuiltinSynonyms(t, ti) // as minsheng serve does without a synonyms file
	qrels := map[string]string{}
	f, err := os.Open(dir + "/qrels.tsv")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.Split(sc.Text(), "\t")
		if len(p) >= 2 {
			qrels[p[0]] = p[1]
		}
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
	n, relaxed := 0, 0
	dec := json.NewDecoder(qf)
	for dec.More() {
		var q struct{ ID, Text string }
		if err := dec.Decode(&q); err != nil {
			t.Fatal(err)
		}
		rel, ok := qrels[q.ID]
		if !ok {
			continue
		}
		res, err := ti.searcher.Search(t.Context(), search.Request{Query: q.Text, Size: 100, NoFacets: true, NoHighlight: true})
		if err != nil {
			t.Fatalf("%q: %v", q.Text, err)
		}
		n++
		hf := &half[n%2]
		hf.n++
		if res.Relaxed {
			relaxed++
		}
		for i, h := range res.Hits {
			if h.ID != rel {
				continue
			}
			if i < 10 {
				ndcg += 1 / math.Log2(float64(i)+2)
				hf.ndcg += 1 / math.Log2(float64(i)+2)
				mrr += 1 / float64(i+1)
			}
			recall++
			break
		}
	}
	if n == 0 {
		t.Fatal("no judged queries")
	}
	ndcg, mrr, recall = ndcg/float64(n), mrr/float64(n), recall/float64(n)
	t.Logf("eval/ncp: %d questions (%d with no document holding every word): nDCG@10 %.4f  MRR@10 %.4f  Recall@100 %.4f (nDCG@10 of the questions in odd places %.3f, even %.3f)",
		n, relaxed, ndcg, mrr, recall, half[1].ndcg/float64(half[1].n), half[0].ndcg/float64(half[0].n))
	t.Logf("eval/ncp, plain bleve: cjk bigrams BM25 nDCG@10 0.844  MRR@10 0.804; naive gojieba nDCG@10 0.657")
	// For reference on this set: bleve's cjk bigram analyzer with BM25 scores
	// nDCG@10 0.844 / MRR@10 0.804; a naive gojieba adapter 0.657. BM25 runs
	// at bleve's default b, with the true field lengths the build stores;
	// the two halves show how far the figure moves between sets of questions.
	// make test holds the ranking to where it stands (a regression guard);
	// make eval holds it to the target, MINSHENG_EVAL_TARGET=0.90.
	floor := 0.89
	if v, err := strconv.ParseFloat(os.Getenv("MINSHENG_EVAL_TARGET"), 64); err == nil {
		floor = v
	}
	if ndcg < floor {
		t.Errorf("nDCG@10 %.3f is below %.2f", ndcg, floor)
	}
}
