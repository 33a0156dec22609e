package taxonomy

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"minsheng/corpus"
)

// issueCategories are the five source categories of the CPPCC proposals
// with a clear counterpart among our topics (issue 15).
var issueCategories = map[string]string{"资源环境": "生态环保", "教育事业": "教育", "医卫体育": "医疗卫生",
	"科学技术": "科技创新", "农林水利": "乡村振兴"}

// FormatEval prints a report as `minsheng topics eval` does; it lives in
// the test to check the figures, the command has its own.
func formatEval(r *EvalReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%d documents", r.Method, r.Docs)
	if r.Folds > 0 {
		fmt.Fprintf(&b, ", %d folds", r.Folds)
	}
	fmt.Fprintf(&b, ")\n  %s %s %5s %6s %5s %6s %6s %6s\n", pad("topic", 10), pad("category", 10), "gold", "tagged", "right", "P", "R", "F1")
	for _, row := range r.Rows {
		fmt.Fprintf(&b, "  %s %s %5d %6d %5d %6.3f %6.3f %6.3f\n", pad(row.Topic, 10), pad(strings.Join(row.Categories, ","), 10),
			row.Gold, row.Tagged, row.Right, row.Precision(), row.Recall(), row.F1())
	}
	top, sh := r.Top()
	fmt.Fprintf(&b, "  macro-F1 %.3f; %d of %d documents (%.1f%%) have a topic; most frequent %s on %.1f%%",
		r.MacroF1(), r.WithTopic, r.Docs, 100*share(r.WithTopic, r.Docs), top, 100*sh)
	return b.String()
}

// TestTopicsEvalProposals measures the tagging of the 544 CPPCC proposals
// against the five categories of issue 15, category withheld, with
// keywords alone and with a model cross-validated over 5 folds (its
// thresholds chosen by a cross-validation inside each fold's training
// documents). It logs both tables (make eval prints them). It holds
// keywords alone to the issue's target (macro-F1 0.70; measured 0.703
// when the test was written), the trained model to a floor a little below
// what it measured (0.770 with 60 epochs of training, 0.771 with a
// further topic of the model held to further_factor, 0.756 with 12;
// 0.763 without the thresholds' recall floor, 0.749 with bigrams
// before), so that a change for the worse shows, and both to the issue's
// coverage (95% with a topic, also over the policy documents, none on
// more than 25% of the proposals); with MINSHENG_TOPICS_TARGETS set it
// holds the model to the issue's targets, which it does not reach yet.
func TestTopicsEvalProposals(t *testing.T) {
	if raceEnabled {
		t.Skip("skipping under -race: it trains 36 models on one goroutine, about ten times slower there (make test runs it without -race)")
	}
	dir := corpora(t)
	c := defaultClassifier(t)
	var docs []corpus.Doc
	readDocs(t, []string{filepath.Join(dir, "proposals", "proposals.jsonl")}, func(d *corpus.Doc) { docs = append(docs, *d) })
	kw := c.Evaluate(docs, issueCategories, 0)
	t.Log("\n" + formatEval(kw))
	cv := c.Evaluate(docs, issueCategories, 5)
	t.Log("\n" + formatEval(cv))
	if kw.MacroF1() < 0.70 {
		t.Errorf("keywords alone: macro-F1 %.3f, want at least 0.70", kw.MacroF1())
	}
	if cv.MacroF1() < 0.76 {
		t.Errorf("trained: macro-F1 %.3f, below the floor 0.76", cv.MacroF1())
	}
	for _, r := range []*EvalReport{kw, cv} {
		if share(r.WithTopic, r.Docs) < 0.95 {
			t.Errorf("%s: %d of %d proposals have a topic, want at least 95%%", r.Method, r.WithTopic, r.Docs)
		}
		if top, sh := r.Top(); sh > 0.25 {
			t.Errorf("%s: %s is on %.1f%% of the proposals, want at most 25%%", r.Method, top, 100*sh)
		}
	}
	// policy documents, tagged by a model learned from every labelled
	// proposal, as a build of both would tag them; the proposals counted
	// as cross-validated
	var policy []corpus.Doc
	paths, _ := filepath.Glob(filepath.Join(dir, "policy", "*.jsonl"))
	readDocs(t, paths, func(d *corpus.Doc) { policy = append(policy, *d) })
	var ex []Example
	for _, d := range docs {
		ex = append(ex, Example{ID: d.ID, Title: d.Title, Body: d.Body, Topic: issueCategories[d.Category], Category: d.Category})
	}
	m := c.WithModel(c.Train(ex))
	tagged := cv.WithTopic
	for _, d := range policy {
		if len(m.Classify(d.Title, d.Body)) > 0 {
			tagged++
		}
	}
	all := len(docs) + len(policy)
	t.Logf("trained: %d of %d proposals and policy documents (%.1f%%) have a topic", tagged, all, 100*share(tagged, all))
	if share(tagged, all) < 0.95 {
		t.Errorf("trained: %d of %d proposals and policy documents have a topic, want at least 95%%", tagged, all)
	}
	splits := repeatedSplits(t, c, docs, cv)
	if os.Getenv("MINSHENG_TOPICS_TARGETS") == "" {
		return
	}
	if splits > 0 && splits < 0.78 {
		t.Errorf("trained: mean macro-F1 over the splits %.3f, want at least 0.78", splits)
	}
	if cv.MacroF1() < 0.78 {
		t.Errorf("trained: macro-F1 %.3f, want at least 0.78", cv.MacroF1())
	}
	for _, row := range cv.Rows {
		if row.Precision() < 0.60 || row.Recall() < 0.80 {
			t.Errorf("trained: %s precision %.3f recall %.3f, want at least 0.60 and 0.80", row.Topic, row.Precision(), row.Recall())
		}
	}
}

// repeatedSplits cross-validates again on MINSHENG_TOPICS_SPLITS further
// splits of the proposals into 5 folds (make eval asks for 4), logs each
// split's macro-F1 and each topic's mean precision and recall over all of
// them, cv's included, and returns the mean macro-F1; 0 when none is
// asked for. One split's figure moves by a few hundredths with the split
// alone (0.755 to 0.773 over these five, mean 0.768, with a further
// topic of the model held to further_factor (assign.go's modelTags);
// 0.754 to 0.770 with 60 epochs of training before, mean
// 0.764; 0.748 to 0.766, mean 0.758, with 12; 0.738 to 0.768, mean 0.753,
// without the thresholds' recall floor;
// 0.716 to 0.765, mean 0.747, with bigrams before), the mean much less: it
// is held to a floor a little below what it measured.
func repeatedSplits(t *testing.T, c *Classifier, docs []corpus.Doc, cv *EvalReport) float64 {
	n, _ := strconv.Atoi(os.Getenv("MINSHENG_TOPICS_SPLITS"))
	if n <= 0 {
		return 0
	}
	reps := []*EvalReport{cv}
	for i := range n {
		reps = append(reps, c.EvaluateSplit(docs, issueCategories, 5, fmt.Sprintf("split %d/", i+1)))
	}
	var b strings.Builder
	sum := 0.0
	for i, r := range reps {
		fmt.Fprintf(&b, "split %d macro-F1 %.3f\n", i, r.MacroF1())
		sum += r.MacroF1()
	}
	mean := sum / float64(len(reps))
	for ri, row := range cv.Rows {
		p, q := 0.0, 0.0
		for _, r := range reps {
			p += r.Rows[ri].Precision() / float64(len(reps))
			q += r.Rows[ri].Recall() / float64(len(reps))
		}
		fmt.Fprintf(&b, "  %s mean precision %.3f recall %.3f\n", pad(row.Topic, 10), p, q)
	}
	fmt.Fprintf(&b, "trained, %d splits of 5 folds: mean macro-F1 %.3f", len(reps), mean)
	t.Log("\n" + b.String())
	if mean < 0.755 {
		t.Errorf("trained: mean macro-F1 over %d splits %.3f, below the floor 0.755", len(reps), mean)
	}
	return mean
}
