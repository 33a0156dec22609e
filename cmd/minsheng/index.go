package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"sort"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"minsheng/corpus"
	"minsheng/indexer"
	"minsheng/indexer/analysis"
)

func runIndex(ctx context.Context, args []string, stdout io.Writer) error {
	c, fs, err := loadConfig("index", args, func(fs *flag.FlagSet, c *Config) {
		commonFlags(fs, c)
		sourceFlags(fs, c)
	})
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("index: unexpected arguments %q", fs.Args())
	}
	if len(c.Sources) == 0 {
		return fmt.Errorf("index: no sources: give --source PATH (file or folder)")
	}
	log, err := c.logger()
	if err != nil {
		return err
	}
	ownerOnly()
	if _, err := tightenData(c.Data); err != nil {
		return err
	}
	opt, err := c.buildOptions(log)
	if err != nil {
		return err
	}
	buildMemory()
	bar := newProgress(os.Stderr, log)
	opt.Progress = bar.update
	opt.Problem = func(p corpus.Problem) {
		switch {
		case p.Note():
			log.Warn("read with a note", "where", p.String())
			return
		case p.Kept:
			log.Warn("value kept as written", "where", p.String())
			return
		}
		log.Warn("skipped record", "where", p.String())
	}
	opt.Changes = c.logChanges()
	man, err := indexer.Build(ctx, c.Data, opt)
	bar.finish()
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if err := foldLog(c.Data, log); err != nil {
		return fmt.Errorf("index: fold the write-ahead log: %w", err)
	}
	printSummary(stdout, man)
	return nil
}

// userDict reads the user dictionary file of the configuration and
// validates it with the built-in dictionaries, as gojieba will read them,
// so that a malformed one is an error naming the file (serve checks it at
// start, not at its first reindex job).
func (c *Config) userDict() ([]byte, error) {
	b, err := os.ReadFile(c.UserDict)
	if err != nil {
		return nil, fmt.Errorf("user dictionary: %w", err)
	}
	d, err := analysis.BuiltinDicts()
	if err != nil {
		return nil, err
	}
	d.User = b
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("user_dict %s: %w", c.UserDict, err)
	}
	return b, nil
}

// buildOptions turns the configuration into what a build needs.
func (c *Config) buildOptions(log *slog.Logger) (indexer.BuildOptions, error) {
	opt := indexer.BuildOptions{
		Sources: c.Sources, Read: corpus.Options{Mapping: c.Columns},
		BatchSize: c.BatchSize, Keep: c.Keep, Logger: log,
	}
	if c.UserDict != "" {
		b, err := c.userDict()
		if err != nil {
			return opt, err
		}
		opt.UserDict = b
	}
	tagger, err := c.tagger()
	if err != nil {
		return opt, err
	}
	opt.Tagger = tagger
	return opt, nil
}

func printSummary(w io.Writer, m *indexer.Manifest) {
	rate := 0.0
	if m.Seconds > 0 {
		rate = float64(m.Docs) / m.Seconds
	}
	fmt.Fprintf(w, "generation %s\n", m.Name)
	fmt.Fprintf(w, "documents  %d\n", m.Docs)
	fmt.Fprintf(w, "skipped    %d\n", m.Skipped)
	reasons := make([]string, 0, len(m.Reasons))
	for r := range m.Reasons {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		fmt.Fprintf(w, "  %-20s %d\n", r, m.Reasons[r])
	}
	fmt.Fprintf(w, "seconds    %.1f\n", m.Seconds)
	fmt.Fprintf(w, "docs/s     %.0f\n", rate)
	// A rate is of the text indexed, decompressed, not of the sources'
	// size on disk: news.jsonl.gz holds 2.4 times its size in text.
	fmt.Fprintf(w, "text MB    %.1f\n", float64(m.TextBytes)/1e6)
	fmt.Fprintf(w, "MB/s       %.2f\n", float64(m.TextBytes)/1e6/max(m.Seconds, 1e-9))
	fmt.Fprintf(w, "taxonomy   %s\n", m.TaxonomyVersion)
	if m.ModelHash != "" { // learned from the sources' labelled documents
		fmt.Fprintf(w, "model      %s (learned from labelled documents: minsheng topics explain ID shows its part)\n", m.ModelHash)
	}
}

// progress shows a build's progress: a bar on a terminal, a log line every
// few seconds elsewhere.
type progress struct {
	bar  *progressbar.ProgressBar
	log  *slog.Logger
	last time.Time
}

func newProgress(w *os.File, log *slog.Logger) *progress {
	p := &progress{log: log}
	if term.IsTerminal(int(w.Fd())) {
		p.bar = progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("indexing"),
			progressbar.OptionShowBytes(true),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionSetWidth(30),
		)
	}
	return p
}

func (p *progress) update(pr indexer.Progress) {
	desc := fmt.Sprintf("%d docs, %.0f docs/s, ETA %s", pr.Docs, pr.Rate(), pr.ETA())
	if p.bar != nil {
		p.bar.ChangeMax64(pr.TotalBytes)
		p.bar.Describe(desc)
		p.bar.Set64(pr.Bytes)
		return
	}
	if time.Since(p.last) >= 5*time.Second {
		p.last = time.Now()
		pct := 0.0
		if pr.TotalBytes > 0 {
			pct = 100 * float64(pr.Bytes) / float64(pr.TotalBytes)
		}
		p.log.Info("indexing", "docs", pr.Docs, "skipped", pr.Skipped, "percent", fmt.Sprintf("%.1f", pct),
			"docs_per_s", fmt.Sprintf("%.0f", pr.Rate()), "eta", pr.ETA().String())
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(os.Stderr)
	}
}

// buildMemory sets the garbage collector of a process that does nothing
// but build, once (see indexer.BuildGCPercent). indexer.Build leaves these
// alone; serve sets its own (gc_percent, build_gc_percent while a job
// runs, memory_limit).
func buildMemory() {
	debug.SetGCPercent(indexer.BuildGCPercent)
	debug.SetMemoryLimit(indexer.BuildMemoryLimit)
}
