package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"minsheng/corpus"
	"minsheng/indexer"
	"minsheng/indexer/taxonomy"
	"minsheng/search"
)

// runTopics is `minsheng topics list` and `minsheng topics explain ID`.
func runTopics(ctx context.Context, args []string, stdout io.Writer) error {
	const usage = "usage: minsheng topics list [--taxonomy FILE] [--yaml] | minsheng topics explain ID [--data DIR] [--taxonomy FILE]\n" +
		"       minsheng topics eval --source FILE [--map CATEGORY=TOPIC ...] [--folds 5] [--splits 1] [--taxonomy FILE]"
	if len(args) == 0 {
		return fmt.Errorf("topics: no subcommand\n%s", usage)
	}
	if isHelp(args[0]) {
		fmt.Fprintln(stdout, usage)
		return nil
	}
	if args[0] == "eval" {
		return runTopicsEval(ctx, args[1:], stdout)
	}
	var asYAML bool
	register := func(fs *flag.FlagSet, c *Config) {
		commonFlags(fs, c)
		fs.StringVar(&c.Taxonomy, "taxonomy", c.Taxonomy, "topic taxonomy YAML file replacing the built-in one")
		if args[0] == "list" {
			fs.BoolVar(&asYAML, "yaml", false, "print the taxonomy's YAML file, the built-in one unless --taxonomy: the start of a taxonomy of your own (add categories: to learn from labelled documents)")
		}
	}
	// Flags may come after the document id: parse them wherever they are.
	c, fs, err := loadConfig("topics "+args[0], args[1:], register)
	if err != nil {
		return err
	}
	var pos []string
	for fs.NArg() > 0 {
		pos = append(pos, fs.Arg(0))
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	tax, err := taxonomy.LoadTaxonomy(c.Taxonomy)
	if err != nil {
		return err
	}
	switch {
	case args[0] == "list" && len(pos) == 0 && asYAML:
		b := taxonomy.DefaultYAML()
		if c.Taxonomy != "" {
			if b, err = os.ReadFile(c.Taxonomy); err != nil { // read and parsed above: only a file changed since fails
				return fmt.Errorf("taxonomy: %w", err)
			}
		}
		_, err := stdout.Write(b)
		return err
	case args[0] == "list" && len(pos) == 0:
		printTaxonomy(stdout, tax, c.Taxonomy)
		return nil
	case args[0] == "explain" && len(pos) == 1:
		return explainTopics(ctx, stdout, c, tax, pos[0])
	}
	return fmt.Errorf("topics: unexpected arguments %q\n%s", args, usage)
}

func taxonomyName(path string) string {
	if path == "" {
		return "built-in"
	}
	return path
}

// printTaxonomy lists the topics, their settings and strongest keywords.
func printTaxonomy(w io.Writer, t *taxonomy.Taxonomy, path string) {
	fmt.Fprintf(w, "taxonomy %s (%s), %d topics\n", t.Version(), taxonomyName(path), len(t.Topics))
	if t.Note != "" {
		fmt.Fprintf(w, "note: %s\n", t.Note)
	}
	fmt.Fprintf(w, "a document gets at most %d topics, the second and third only with %g of the best score;\n", t.MaxTopics, t.MinRatio)
	fmt.Fprintf(w, "a keyword counts at most %d times, an occurrence in the title as %g\n\n", t.KeywordCap, t.TitleFactor)
	rows := [][]string{{"topic", "aliases", "threshold", "keywords", "strongest"}}
	for _, td := range t.Topics {
		var top []string
		for _, k := range td.Strongest(8) {
			top = append(top, fmt.Sprintf("%s %g", k.Word, k.Weight))
		}
		rows = append(rows, []string{td.Name, strings.Join(td.Aliases, ","), fmt.Sprint(td.Threshold),
			fmt.Sprint(len(td.Keywords)), strings.Join(top, ", ")})
	}
	printTable(w, "", rows)
}

// printTable prints rows in columns aligned for a terminal, where a Chinese
// character takes two cells (text/tabwriter counts it as one).
func printTable(w io.Writer, indent string, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, cell := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], cells(cell))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		b.WriteString(indent)
		for i, cell := range r {
			b.WriteString(cell)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-cells(cell)+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// cells is the width of s on a terminal: two cells for a wide character.
func cells(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x1100 && (r <= 0x115F || r >= 0x2E80 && r <= 0xA4CF || r >= 0xAC00 && r <= 0xD7A3 ||
			r >= 0xF900 && r <= 0xFAFF || r >= 0xFE30 && r <= 0xFE4F || r >= 0xFF00 && r <= 0xFF60 ||
			r >= 0xFFE0 && r <= 0xFFE6 || r >= 0x20000 && r <= 0x3FFFD) {
			n++
		}
	}
	return n
}

// explainTopics prints a stored document's given and inferred topics and,
// scored anew with the taxonomy now configured, every topic it touches
// and the words that decided it.
func explainTopics(ctx context.Context, w io.Writer, c *Config, tax *taxonomy.Taxonomy, id string) error {
	live, err := c.openIndex("topics")
	if err != nil {
		return err
	}
	defer live.Close()
	d, ok, err := search.New(live.Index(), search.Options{Limits: c.searchLimits()}).Document(ctx, id)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("topics: no document %q in generation %s", id, live.Generation())
	}
	clf, err := taxonomy.NewClassifier(tax)
	if err != nil {
		return err
	}
	genModel, err := taxonomy.LoadModel(generationDir(c.Data, live.Generation()))
	if err != nil {
		return err
	}
	clf = clf.WithModel(genModel)
	built, model := "unknown", "keywords alone (no labelled documents)"
	if mans, err := indexer.List(c.Data); err == nil {
		for _, m := range mans {
			if m.Name == live.Generation() && m.TaxonomyVersion != "" {
				built = m.TaxonomyVersion
			}
			if m.Name == live.Generation() && m.ModelHash != "" {
				model = "model " + m.ModelHash + " learned from labelled documents"
			}
		}
	}
	fmt.Fprintf(w, "%s  %s\n", d.ID, d.Title)
	date := "no date"
	if !d.Date.IsZero() {
		date = d.Date.In(corpus.CST()).Format("2006-01-02")
	}
	fmt.Fprintf(w, "%s, %s, generation %s tagged with taxonomy %s and %s\n\n", d.Kind, date, live.Generation(), built, model)
	given, all := "none", "none"
	gl := d.GivenTopics
	if d.PrimaryTopic == "" && gl == nil && !d.TopicsCorrected {
		gl = d.Topics // indexed before Topics held every topic
	}
	if len(gl) > 0 {
		given = strings.Join(gl, ", ")
	}
	if t := d.AllTopics(); len(t) > 0 {
		all = strings.Join(t, ", ")
	}
	if d.TopicsCorrected {
		all += "  (set by staff)"
	}
	fmt.Fprintf(w, "topics, primary first: %s\n", all)
	fmt.Fprintf(w, "given by the source:  %s\n", given)
	if len(d.Inferred) == 0 {
		fmt.Fprintln(w, "inferred when indexed: none")
	}
	for i, tp := range d.Inferred {
		label := "inferred when indexed:"
		if i > 0 {
			label = ""
		}
		part := ""
		if tp.Model != 0 {
			part = fmt.Sprintf(", model p=%.2f", tp.Model)
		}
		fmt.Fprintf(w, "%-22s %s keywords %.2f%s  (%s)\n", label, tp.Name, tp.Score, part, strings.Join(tp.Words, ", "))
	}
	scores := clf.Explain(d.Title, d.Body)
	fmt.Fprintf(w, "\nscored now with taxonomy %s (%s):\n", tax.Version(), taxonomyName(c.Taxonomy))
	if len(scores) == 0 {
		fmt.Fprintln(w, "  no keyword of any topic occurs in the title or body")
		return nil
	}
	printScores(w, scores)
	fmt.Fprintf(w, "\nscore = Σ weight × min(%d, %g×title + body) / log2(2 + characters/500), %d characters\n",
		tax.KeywordCap, tax.TitleFactor, len([]rune(d.Title))+len([]rune(d.Body)))
	if genModel != nil {
		fmt.Fprintf(w, "model %s: the probability of each topic it knows, assigned from its threshold (chosen by cross-validation when it was trained); it decides those topics, the keywords the others; a text it finds of none of them and no topic reaches takes the topic whose keywords come nearest their threshold, from %.0f%% of it\n", genModel.Hash(), 100*taxonomy.PrimaryFloor)
	}
	return nil
}

// printScores prints what each topic scored in a text, and why.
func printScores(w io.Writer, scores []taxonomy.TopicScore) {
	rows := [][]string{{"topic", "score", "threshold", "model", "assigned", "deciding words: weight × (title, body) = points"}}
	for _, ts := range scores {
		var words []string
		for i, h := range ts.Hits {
			if i == 8 {
				words = append(words, fmt.Sprintf("… %d more", len(ts.Hits)-i))
				break
			}
			words = append(words, fmt.Sprintf("%s %g×(%d,%d)=%g", h.Word, h.Weight, h.Title, h.Body, h.Points))
		}
		yes := ""
		switch {
		case ts.Nearest:
			yes = fmt.Sprintf("yes: the nearest (%.0f%% of its threshold)", 100*ts.Score/ts.Threshold)
		case ts.Assigned:
			yes = "yes"
		}
		pm := ""
		if ts.Known { // the model decides the topic: its probability against the topic's threshold
			pm = fmt.Sprintf("%.2f of %.2f", ts.Model, ts.ModelThreshold)
		}
		rows = append(rows, []string{ts.Name, fmt.Sprintf("%.2f", ts.Score), fmt.Sprint(ts.Threshold), pm, yes, strings.Join(words, "; ")})
	}
	printTable(w, "  ", rows)
}

// describeTaxonomy is the taxonomy as search and web see it.
func describeTaxonomy(t *taxonomy.Taxonomy) search.Taxonomy {
	out := search.Taxonomy{Version: t.Version()}
	for _, td := range t.Topics {
		var kws []string
		for _, k := range td.Strongest(10) {
			kws = append(kws, k.Word)
		}
		out.Topics = append(out.Topics, search.TopicInfo{Name: td.Name, Aliases: td.Aliases, Keywords: kws})
	}
	return out
}

// staticTaxonomy is the taxonomy documents are tagged with, which the
// server lists at GET /api/v1/topics and checks corrections against.
type staticTaxonomy search.Taxonomy

// Taxonomy implements web.TaxonomySource.
func (t staticTaxonomy) Taxonomy() search.Taxonomy { return search.Taxonomy(t) }

// loadGenerationModel has models hold the topic model generation gen was
// tagged with (none when it was built from no labelled documents), so that
// the documents written to it are tagged as its build tagged the others.
// A model that cannot be read is logged, and documents are then tagged with
// the keywords alone until the next generation is served.
func loadGenerationModel(models *taxonomy.ModelStore, data, gen string, log *slog.Logger) {
	if err := models.Load(generationDir(data, gen)); err != nil {
		models.Set(nil)
		log.Warn("the topic model of the generation served cannot be read: documents written to it are tagged with the keywords alone", "generation", gen, "err", err)
		return
	}
	if m := models.Model(); m != nil {
		log.Info("topic model", "generation", gen, "model", m.Hash())
	}
}

// generationDir is the folder of generation gen.
func generationDir(data, gen string) string { return filepath.Dir(indexer.IndexPath(data, gen)) }

// tagger is the classifier of the configured taxonomy (the built-in one
// when none is set), with the topic corrections staff made in the data
// folder, which builds tag documents with (and learn from: see
// indexer.Learner).
func (c *Config) tagger() (*taxonomy.Classifier, error) {
	tax, err := taxonomy.LoadTaxonomy(c.Taxonomy)
	if err != nil {
		return nil, err
	}
	clf, err := taxonomy.NewClassifier(tax)
	if err != nil {
		return nil, err
	}
	corr, err := taxonomy.LoadCorrections(c.Data)
	if err != nil {
		return nil, err
	}
	return clf.WithCorrections(corr), nil
}
