package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"minsheng/corpus"
	"minsheng/export"
	"minsheng/indexer"
	"minsheng/indexer/analysis"
	"minsheng/search"
)

// runExport writes the documents a search matches to a workbook:
//
//	minsheng export --data DIR [--q QUERY] [--topic T ...] [--sort S] [--report trends|units|handling] -o FILE.xlsx
//
// The file is written beside its target under a temporary name and
// renamed when complete, so an interrupted export leaves no half file.
func runExport(ctx context.Context, args []string, stdout io.Writer) error {
	var out, report string
	var r search.Request
	f := &r.Filters
	c, fs, err := loadConfig("export", args, func(fs *flag.FlagSet, c *Config) {
		commonFlags(fs, c)
		fs.StringVar(&out, "o", "", "output file, .xlsx (or .csv for the results alone); default 民声检索结果-DATE-TIME.xlsx here")
		fs.StringVar(&report, "report", "", "one report instead of the full workbook: trends, units or handling (the yearly handling report)")
		fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public address of the web UI, for links in the workbook")
		fs.IntVar(&c.Limits.ExportMaxRows, "max-rows", c.Limits.ExportMaxRows, "most documents in the export")
		fs.StringVar(&r.Query, "q", "", "query, as in search (words, \"phrases\", -exclusions, field:value)")
		fs.StringVar(&r.Sort, "sort", "", "relevance (default), date or -date")
		fs.StringVar(&r.Mode, "mode", "", "partial (default) or all (every word required), as in search")
		fs.StringVar(&r.TopicScope, "topic_scope", "", "all (default: every topic a document carries) or primary (its primary topic only), for the topic filter and counts, as in search")
		synonymsFlag(fs, c)
		for _, fd := range corpus.Filters() { // the flags are named as the API's parameters
			fs.Func(fd.Name, fd.Name+" filter (repeatable; values of one filter are alternatives)", func(s string) error {
				f.Set(fd.Name, append(f.Values(fd.Name), s))
				return nil
			})
		}
		fs.Func("from", "first day, like 2024-01-31", func(s string) (err error) { f.From, err = search.ParseDay(s); return err })
		fs.Func("to", "last day, like 2024-12-31", func(s string) (err error) { f.To, err = search.ParseDay(s); return err })
	})
	if err != nil {
		return err
	}
	// loadConfig parses the flags twice, so repeated flags came twice
	for _, fd := range corpus.Filters() {
		f.Set(fd.Name, dedupe(f.Values(fd.Name)))
	}
	if r.Query == "" {
		r.Query = strings.Join(fs.Args(), " ")
	} else if fs.NArg() > 0 {
		return fmt.Errorf("export: give the query with --q or as arguments, not both")
	}
	rep, err := export.ParseReport(report)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	log, err := c.logger()
	if err != nil {
		return err
	}
	live, err := c.openIndex("export")
	if err != nil {
		return err
	}
	defer live.Close()
	var kw search.KeywordFunc
	if rep == export.Handling { // promise tracking needs the keyword extractor
		an, err := analysis.NewBuiltinAnalysis()
		if err != nil {
			return err
		}
		kw = an.Keywords
	}
	syn, err := c.loadSynonyms()
	if err != nil {
		return err
	}
	e, _ := c.exporter(live, kw, syn)
	ext := ".xlsx"
	if strings.EqualFold(filepath.Ext(out), ".csv") {
		if rep != export.Full {
			return fmt.Errorf("export: a %s report is a workbook: use -o FILE.xlsx", rep)
		}
		ext = ".csv"
	}
	if out == "" {
		out, _ = export.FileName(rep, time.Now(), ext)
	}
	bar := newExportProgress(os.Stderr, log)
	sum, err := writeAtomically(out, func(w io.Writer) (export.Summary, error) {
		if ext == ".csv" {
			return e.WriteCSV(ctx, w, r, bar.update)
		}
		return e.WriteReport(ctx, w, rep, r, bar.update)
	})
	bar.finish()
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s: %d of %d documents (generation %s)\n", out, sum.Rows, sum.Total, sum.Generation)
	if sum.Truncated {
		fmt.Fprintf(stdout, "the search matched %d documents; only the first %d were exported (raise --max-rows or limits.export_max_rows)\n", sum.Total, sum.Rows)
	}
	return nil
}

// exporter is the exporter of the served index, with the configuration's
// limits: pages of export.DefaultPageSize need a searcher that allows them.
// Its searcher answers the handling report with kw as the keyword
// extractor of promise tracking (nil: that report answers unavailable)
// and the configured time zone for what is overdue, and searches with
// syn, as the searches it exports; it is returned too.
func (c *Config) exporter(live *indexer.Live, kw search.KeywordFunc, syn *search.Synonyms) (*export.Exporter, *search.Searcher) {
	zone, _ := c.location() // checked when the configuration is loaded
	s := search.New(live.Index(), search.Options{Limits: c.exportSearchLimits(), Keywords: kw, Zone: zone})
	s.SetSynonyms(syn)
	e := &export.Exporter{
		Search: s, BaseURL: c.BaseURL,
		MaxRows: c.Limits.ExportMaxRows, Generation: live.Generation, Zone: zone,
		TaxonomyVersion: taxonomyVersion(c.Data, live.Generation()),
	}
	if kw != nil {
		e.Handling = s
	}
	return e, s
}

// exportSearchLimits are the search limits of an export's pages: the
// configured ones, with room for a page of export.DefaultPageSize and the
// facet counts of 统计.
func (c *Config) exportSearchLimits() search.Limits {
	l := c.searchLimits()
	l.MaxSize = max(l.MaxSize, export.DefaultPageSize)
	l.MaxFacetSize = max(l.MaxFacetSize, 100)
	return l
}

// taxonomyVersion is the taxonomy version a generation was built with, as
// its manifest records it; "" when unknown.
func taxonomyVersion(dataDir, gen string) string {
	gens, err := indexer.List(dataDir)
	if err != nil {
		return ""
	}
	for _, m := range gens {
		if m.Name == gen {
			return m.TaxonomyVersion
		}
	}
	return ""
}

// writeAtomically writes path through write: into a temporary file in the
// same folder, renamed to path only when write and the close succeed.
func writeAtomically(path string, write func(io.Writer) (export.Summary, error)) (export.Summary, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return export.Summary{}, err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	sum, err := write(tmp)
	if err != nil {
		return sum, err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return sum, err
	}
	if err := tmp.Close(); err != nil {
		return sum, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return sum, err
	}
	ok = true
	return sum, nil
}

func dedupe(l []string) []string {
	var out []string
	for _, s := range l {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// exportProgress shows an export's progress like progress does a build's:
// a bar on a terminal, a log line every few seconds elsewhere.
type exportProgress struct {
	bar   *progressbar.ProgressBar
	log   *slog.Logger
	start time.Time
	last  time.Time
}

func newExportProgress(w *os.File, log *slog.Logger) *exportProgress {
	p := &exportProgress{log: log, start: time.Now()}
	if term.IsTerminal(int(w.Fd())) {
		p.bar = progressbar.NewOptions(-1,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("exporting"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionSetWidth(30), // full width is 0 on some terminals
		)
	}
	return p
}

func (p *exportProgress) update(done, total int) {
	if p.bar != nil {
		p.bar.ChangeMax(total)
		p.bar.Set(done)
		return
	}
	if time.Since(p.last) >= 5*time.Second || done == total {
		p.last = time.Now()
		p.log.Info("exporting", "rows", done, "of", total, "seconds", fmt.Sprintf("%.1f", time.Since(p.start).Seconds()))
	}
}

func (p *exportProgress) finish() {
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(os.Stderr)
	}
}
