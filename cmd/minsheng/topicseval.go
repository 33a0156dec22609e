package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"minsheng/corpus"
	"minsheng/indexer/taxonomy"
)

// runTopicsEval is `minsheng topics eval --source FILE [--map CATEGORY=TOPIC ...]`:
// the tagging of a labelled file measured against its categories, with
// keywords alone and, cross-validated, with a model learned from them.
func runTopicsEval(ctx context.Context, args []string, stdout io.Writer) error {
	var (
		sources []string
		cats    = map[string]string{}
		mapped  []string // the categories --map names, in its order
		folds   int
		splits  int
	)
	register := func(fs *flag.FlagSet, c *Config) {
		fs.StringVar(&c.Taxonomy, "taxonomy", c.Taxonomy, "topic taxonomy YAML file replacing the built-in one")
		fs.Var(stringsFlag{&sources}, "source", "labelled file or folder: documents with a category (repeatable)")
		fs.Func("map", "source category CATEGORY=TOPIC, beside the taxonomy's categories (repeatable)", func(s string) error {
			k, v, ok := strings.Cut(s, "=")
			if k, v = strings.TrimSpace(k), strings.TrimSpace(v); !ok || k == "" || v == "" {
				return fmt.Errorf("want CATEGORY=TOPIC, have %q", s)
			}
			cats[k] = v
			if !slices.Contains(mapped, k) {
				mapped = append(mapped, k)
			}
			return nil
		})
		fs.IntVar(&folds, "folds", 5, "folds of the cross-validation of the learned model (0: keywords alone)")
		fs.IntVar(&splits, "splits", 1, "cross-validate on this many different splits of the documents into folds, and print their mean (with few labelled documents a topic, one split's figures move with the split alone)")
		columnFlag(fs, c)
	}
	c, fs, err := loadConfig("topics eval", args, register)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("topics eval: unexpected arguments %q", fs.Args())
	}
	if len(sources) == 0 {
		return errors.New("topics eval: no --source: give a labelled file (documents with a category)")
	}
	if folds < 0 || folds == 1 || folds > 20 {
		return fmt.Errorf("topics eval: --folds %d: want 0 (keywords alone) or 2 to 20", folds)
	}
	if splits < 1 || splits > 20 {
		return fmt.Errorf("topics eval: --splits %d: want 1 to 20", splits)
	}
	tax, err := taxonomy.LoadTaxonomy(c.Taxonomy)
	if err != nil {
		return err
	}
	for k, v := range tax.Categories {
		if _, ok := cats[k]; !ok {
			cats[k] = v
		}
	}
	if len(cats) == 0 {
		return errors.New("topics eval: no category maps to a topic: give --map CATEGORY=TOPIC or categories: in the taxonomy")
	}
	for k, v := range cats {
		if tax.Topic(v) == nil {
			return fmt.Errorf("topics eval: --map %s=%s: %s is not a topic of taxonomy %s", k, v, v, tax.Version())
		}
	}
	clf, err := taxonomy.NewClassifier(tax)
	if err != nil {
		return err
	}
	var docs []corpus.Doc
	var problems int
	if _, err := corpus.Walk(ctx, sources, corpus.Options{Mapping: c.Columns}, func(d corpus.Doc) error {
		docs = append(docs, d)
		return nil
	}, func(p corpus.Problem) {
		switch {
		case p.Note():
			fmt.Fprintf(stdout, "note: %s\n", p)
		case !p.Kept: // a kept document's odd value is not a skipped record
			problems++
		}
	}); err != nil {
		return err
	}
	labelled, seen := 0, map[string]int{}
	for _, d := range docs {
		cat := strings.TrimSpace(d.Category)
		if cat != "" {
			seen[cat]++
		}
		if _, ok := cats[cat]; ok {
			labelled++
		}
	}
	if labelled == 0 {
		return unlabelled(len(docs), problems, seen)
	}
	fmt.Fprintf(stdout, "%d documents (%d records skipped), %d in a mapped category; taxonomy %s (%s)\n",
		len(docs), problems, labelled, tax.Version(), taxonomyName(c.Taxonomy))
	for _, k := range mapped {
		if seen[k] == 0 {
			fmt.Fprintf(stdout, "note: --map %s=%s: no document has the category %s\n", k, cats[k], k)
		}
	}
	fmt.Fprintln(stdout, "each document tagged from its title and body, its category and given topics withheld")
	printEval(stdout, clf.Evaluate(docs, cats, 0))
	if folds > 0 {
		if err := taxonomy.LoadSegmenter(); err != nil { // cross-validation trains models
			return err
		}
		cv := clf.Evaluate(docs, cats, folds)
		printEval(stdout, cv)
		if splits > 1 {
			printSplits(ctx, stdout, clf, docs, cats, folds, splits, cv)
		}
	}
	return nil
}

// unlabelled is the error of a labelled file none of whose documents is in
// a category that maps to a topic: a table of zeros would measure
// nothing. It says what the documents do have: no category at all (the
// file names it in a column or key the readers do not take for one, such
// as a CSV's type), or categories that none of the mappings names, the
// most frequent first.
func unlabelled(docs, problems int, seen map[string]int) error {
	switch {
	case docs == 0:
		return fmt.Errorf("topics eval: the sources hold no documents (%d records skipped)", problems)
	case len(seen) == 0:
		return fmt.Errorf("topics eval: none of the %d documents has a category, so there is nothing to measure the tagging against: "+
			"if the file gives it in a column or key of another name, map it with --column NAME=category (a CSV's type column: --column type=category)", docs)
	}
	names := make([]string, 0, len(seen))
	for k := range seen {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		return seen[names[i]] > seen[names[j]] || seen[names[i]] == seen[names[j]] && names[i] < names[j]
	})
	var list []string
	for _, k := range names[:min(len(names), 12)] {
		list = append(list, fmt.Sprintf("%s (%d)", k, seen[k]))
	}
	if len(names) > 12 {
		list = append(list, fmt.Sprintf("and %d more", len(names)-12))
	}
	return fmt.Errorf("topics eval: none of the %d documents is in a category that maps to a topic; their categories are %s: "+
		"map those that mean a topic with --map CATEGORY=TOPIC, or in the taxonomy file's categories mapping", docs, strings.Join(list, ", "))
}

// printSplits cross-validates again on splits-1 further splits of docs
// into folds (the first is cv's) and prints each split's macro-F1, then
// each topic's mean precision, recall and F1 and the mean macro-F1.
func printSplits(ctx context.Context, w io.Writer, clf *taxonomy.Classifier, docs []corpus.Doc, cats map[string]string, folds, splits int, cv *taxonomy.EvalReport) {
	reps := []*taxonomy.EvalReport{cv}
	for i := 1; i < splits && ctx.Err() == nil; i++ {
		reps = append(reps, clf.EvaluateSplit(docs, cats, folds, fmt.Sprintf("split %d/", i)))
	}
	fmt.Fprintf(w, "\nthe same on %d splits of the documents into %d folds\n", len(reps), folds)
	var f1s []string
	mean := 0.0
	for _, r := range reps {
		f1s = append(f1s, fmt.Sprintf("%.3f", r.MacroF1()))
		mean += r.MacroF1() / float64(len(reps))
	}
	fmt.Fprintf(w, "  macro-F1 of each split: %s\n", strings.Join(f1s, " "))
	rows := [][]string{{"topic", "precision", "recall", "F1"}}
	for i, row := range cv.Rows {
		var p, q, f float64
		for _, r := range reps {
			p += r.Rows[i].Precision() / float64(len(reps))
			q += r.Rows[i].Recall() / float64(len(reps))
			f += r.Rows[i].F1() / float64(len(reps))
		}
		rows = append(rows, []string{row.Topic, fmt.Sprintf("%.3f", p), fmt.Sprintf("%.3f", q), fmt.Sprintf("%.3f", f)})
	}
	printTable(w, "  ", rows)
	fmt.Fprintf(w, "  mean macro-F1 %.3f over %d splits\n", mean, len(reps))
}

// printEval prints one report: a row a topic, its macro-F1, coverage.
func printEval(w io.Writer, r *taxonomy.EvalReport) {
	title := "keywords alone"
	if r.Folds > 0 {
		title = fmt.Sprintf("keywords and a model learned from the categories, %d-fold cross-validated (no document scored by a model that saw its label)", r.Folds)
	}
	fmt.Fprintf(w, "\n%s\n", title)
	rows := [][]string{{"topic", "categories", "gold", "tagged", "right", "precision", "recall", "F1"}}
	for _, row := range r.Rows {
		rows = append(rows, []string{row.Topic, strings.Join(row.Categories, ","), fmt.Sprint(row.Gold), fmt.Sprint(row.Tagged),
			fmt.Sprint(row.Right), fmt.Sprintf("%.3f", row.Precision()), fmt.Sprintf("%.3f", row.Recall()), fmt.Sprintf("%.3f", row.F1())})
	}
	printTable(w, "  ", rows)
	top, share := r.Top()
	cover := 0.0
	if r.Docs > 0 {
		cover = float64(r.WithTopic) / float64(r.Docs)
	}
	fmt.Fprintf(w, "  macro-F1 %.3f; %d of %d documents (%.1f%%) have a topic; the most frequent, %s, is on %.1f%%\n",
		r.MacroF1(), r.WithTopic, r.Docs, 100*cover, top, 100*share)
}
