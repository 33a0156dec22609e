package indexer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"minsheng/corpus"
	"minsheng/indexer/analysis"
	"minsheng/indexer/literal"
	"minsheng/indexer/wal"
)

// Tagger assigns topics to a document before it is indexed. The classifier
// of the topics taxonomy is one.
type Tagger interface {
	Tag(d *corpus.Doc)
	Version() string
}

// Learner is the Tagger of a build (BuildOptions.Tagger), with what a build
// asks of it besides tagging, declared here rather than discovered: Build
// calls Learn with the build's sources and tags with the Learner it
// returns, records its ModelHash in the manifest and has it SaveModel into
// the generation's folder (for the server that tags the documents written
// to it with the same model). The taxonomy's Classifier is one.
type Learner interface {
	Tagger
	Learn(ctx context.Context, sources []string, read corpus.Options) (Learner, error)
	ModelHash() string // "" without a model
	SaveModel(dir string) error
}

// BuildGCPercent and BuildMemoryLimit are the garbage collector settings
// of a process that does nothing but build (minsheng index, and each build
// of BenchmarkIndexNews): indexing allocates at a high rate, most of it
// short-lived, so collecting less often saves CPU, and the soft limit keeps
// the heap, and the build's peak RSS, bounded. Build leaves the process's
// settings alone; a server sets its own for builds and searches together.
// BenchmarkIndexNews on all of news-2023, with batches of DefaultBatchSize:
// 1.5 GB peak RSS, against 2.4 GB with batches of 1,000 under 1.5 GiB, for
// less CPU (1.95 times the naive index's CPU seconds, against 2.29).
const (
	BuildGCPercent   = 400
	BuildMemoryLimit = 640 << 20
)

// DefaultBatchSize is the documents of a batch when BuildOptions says
// none: each batch is analysed into a segment of its own, and smaller
// batches hold less memory while they are (see BuildMemoryLimit), but
// make more segments for the merge. Since the bigram index is built while
// the segments are merged, a build of news-2023 peaks at the merge: 928-933
// MB of RSS with batches of 500 (128 segments) against 830-851 MB with
// 1,000 or 1,500, in the same time (BenchmarkIndexNews's child build,
// alternated, 2 cores).
const DefaultBatchSize = 1000

// BuildOptions says what a build reads and how.
type BuildOptions struct {
	Sources   []string       // files and folders the corpus readers take
	Read      corpus.Options // column mappings and defaults for the readers
	BatchSize int            // documents per bleve batch; 0 means DefaultBatchSize
	Keep      int            // complete generations kept for rollback; 0 means 3
	UserDict  []byte         // replaces the built-in domain dictionary when non-nil
	Tagger    Learner        // tags topics; nil tags none
	Progress  func(Progress) // called after each batch; may be nil
	Problem   func(corpus.Problem)
	Logger    *slog.Logger
	// Changes, if not nil, returns the write-ahead log of live documents
	// to replay on top of the sources (see replay).
	Changes func() (*wal.State, error)
	// NoPrune leaves old generations alone: the caller prunes once the new
	// generation serves (Jobs), so that a build that is never served, an
	// empty one or one that fails to open, rotates nothing out.
	NoPrune bool
	// Workers is how many batches are indexed at once; 0 means one per
	// CPU. A server's reindex job takes fewer, so searches keep CPU.
	Workers int
}

// SetDefaults sets every zero field to its default: the one place the
// build's defaults are written (main's configuration reads its batch
// size and generations kept from here). Build calls it.
func (o *BuildOptions) SetDefaults() {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Keep <= 0 {
		o.Keep = 3
	}
	if o.Workers <= 0 {
		o.Workers = max(1, runtime.GOMAXPROCS(0))
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Problem == nil {
		o.Problem = func(corpus.Problem) {}
	}
	if o.Progress == nil {
		o.Progress = func(Progress) {}
	}
}

// Progress of a running build.
type Progress struct {
	Docs       int           // documents indexed so far
	Skipped    int           // bad records skipped so far
	Bytes      int64         // source bytes read (compressed bytes for .gz): the share read, for ETA
	TotalBytes int64         // source bytes in all
	TextBytes  int64         // bytes of the documents' text indexed so far (see Manifest.TextBytes)
	Elapsed    time.Duration // since the build started
	Stage      string        // "" while documents are read and indexed; StageMerging after
}

// StageMerging is the Stage of a build whose documents are all indexed and
// whose index is being merged into one segment and measured, and its
// bigram index written (5-8 s for news-2023's 63,668 documents on 2 cores).
const StageMerging = "merging"

// Rate is documents per second.
func (p Progress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Docs) / p.Elapsed.Seconds()
}

// ETA estimates the time left from the share of source bytes read.
func (p Progress) ETA() time.Duration {
	if p.Bytes <= 0 || p.TotalBytes <= 0 {
		return 0
	}
	left := float64(p.TotalBytes-p.Bytes) / float64(p.Bytes) * float64(p.Elapsed)
	return max(0, time.Duration(left)).Round(time.Second)
}

// Build reads the sources into a new generation under dataDir and makes it
// current only when it is complete and verified. A failed or cancelled
// build removes its partial folder and leaves the current generation as it
// was; a partial folder left by a crash is removed by the next build. One
// build runs at a time in a data folder: a second gets ErrBuildRunning.
func Build(ctx context.Context, dataDir string, opt BuildOptions) (*Manifest, error) {
	opt.SetDefaults()
	start := time.Now()
	unlock, err := lockBuild(dataDir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	total, dicts, m, err := prepareBuild(ctx, dataDir, &opt)
	if err != nil {
		return nil, err
	}
	name := newGenName(start)
	tmp := filepath.Join(dataDir, genDir, name+tmpSuffix)
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	stats, err := writeIndex(ctx, tmp, m, opt, total, start)
	if err != nil {
		return nil, err
	}
	man := &Manifest{
		Name: name, Created: start.UTC(), Docs: stats.Docs, Skipped: stats.Skipped,
		Reasons: stats.Reasons, Sources: opt.Sources, DictHash: dicts.Hash(),
		Seconds: time.Since(start).Seconds(), Bytes: total, TextBytes: stats.TextBytes,
		Layout: LayoutFolded,
	}
	if err := completeGeneration(tmp, man, opt); err != nil {
		return nil, err
	}
	final := filepath.Join(dataDir, genDir, name)
	if err := os.Rename(tmp, final); err != nil {
		return nil, err
	}
	ok = true
	if err := setCurrent(dataDir, name); err != nil {
		return nil, err
	}
	// A generation a server serves is never pruned (see prune); a jobs
	// service prunes itself once the new one serves, keeping the old.
	if !opt.NoPrune {
		if err := prune(dataDir, opt.Keep, opt.Logger); err != nil {
			opt.Logger.Warn("prune old generations", "err", err)
		}
	}
	man.Seconds = time.Since(start).Seconds()
	return man, nil
}

// prepareBuild does what comes before the generation's folder: it removes
// a partial folder a crash left, measures the sources (total bytes) and
// makes the mapping from the dictionaries, and has opt.Tagger learn its
// model from the sources (replacing opt.Tagger by the taught one).
func prepareBuild(ctx context.Context, dataDir string, opt *BuildOptions) (total int64, dicts analysis.Dicts, m *mapping.IndexMappingImpl, err error) {
	if err := removePartial(dataDir, opt.Logger); err != nil {
		return 0, analysis.Dicts{}, nil, err
	}
	total, err = corpus.Size(opt.Sources)
	if err != nil {
		return 0, analysis.Dicts{}, nil, err
	}
	dicts, err = analysis.BuiltinDicts()
	if err != nil {
		return 0, analysis.Dicts{}, nil, err
	}
	if opt.UserDict != nil {
		dicts.User = opt.UserDict
	}
	// The tagger learns (reads the sources) while the mapping loads
	// jieba's dictionaries (1.8-2.2 s), on the other core: one after the
	// other, news-2023's build indexed its first batch 4.3-4.5 s after it
	// started, 4.0-4.1 s so.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	learned := make(chan error, 1)
	go func() {
		if opt.Tagger == nil {
			learned <- nil
			return
		}
		tagger, err := opt.Tagger.Learn(ctx, opt.Sources, opt.Read)
		if err == nil {
			opt.Tagger = tagger
		}
		learned <- err
	}()
	m, err = analysis.NewMapping(analysis.MappingOptions{UserDict: opt.UserDict})
	if err != nil {
		cancel()
	}
	if lerr := <-learned; err == nil {
		err = lerr
	}
	if err != nil {
		return 0, analysis.Dicts{}, nil, err
	}
	return total, dicts, m, nil
}

// writeIndex creates the index of the generation in tmp, fills it from the
// sources with the write-ahead log's changes laid over them, closes it and
// compacts it.
func writeIndex(ctx context.Context, tmp string, m *mapping.IndexMappingImpl, opt BuildOptions, total int64, start time.Time) (filled, error) {
	idx, err := create(filepath.Join(tmp, "index"), m)
	if err != nil {
		return filled{}, err
	}
	var changes *wal.State
	if opt.Changes != nil {
		if changes, err = opt.Changes(); err != nil {
			idx.Close()
			return filled{}, fmt.Errorf("read the write-ahead log: %w", err)
		}
	}
	stop := unmapSegments(idx, true)
	stats, err := fill(ctx, idx, opt, newReplay(changes), total, start)
	stop()
	if cerr := idx.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close index: %w", cerr)
	}
	if err != nil {
		return filled{}, err
	}
	opt.Progress(Progress{Docs: stats.Docs, Skipped: stats.Skipped, Bytes: total, TotalBytes: total,
		TextBytes: stats.TextBytes, Elapsed: time.Since(start), Stage: StageMerging})
	// The analysis is over and its memory garbage: given back before the
	// merge maps every segment, so that the peak RSS is the larger of the
	// two, not their sum.
	debug.FreeOSMemory()
	if err := compact(ctx, filepath.Join(tmp, "index"), opt.Logger); err != nil {
		return filled{}, err
	}
	return stats, nil
}

// completeGeneration writes the rest of the generation in tmp beside its
// index: the tagger's model (recorded in man), then, once the index is
// verified to hold man.Docs documents, the manifest.
func completeGeneration(tmp string, man *Manifest, opt BuildOptions) error {
	if opt.Tagger != nil {
		man.TaxonomyVersion = opt.Tagger.Version()
		man.ModelHash = opt.Tagger.ModelHash()
		// the model tagged this generation: a server serving it tags the
		// documents written to it with the same (taxonomy.LoadModel)
		if err := opt.Tagger.SaveModel(tmp); err != nil {
			return err
		}
	}
	if err := verify(filepath.Join(tmp, "index"), uint64(man.Docs)); err != nil {
		return err
	}
	return writeJSON(filepath.Join(tmp, manifestFile), man)
}

// create makes a new index at path and opens it with BuildConfig, which
// is not stored with it.
func create(path string, m *mapping.IndexMappingImpl) (bleve.Index, error) {
	idx, err := bleve.NewUsing(path, m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("create index: %w", err)
	}
	if err := idx.Close(); err != nil {
		return nil, fmt.Errorf("create index: %w", err)
	}
	if idx, err = bleve.OpenUsing(path, BuildConfig()); err != nil {
		return nil, fmt.Errorf("create index: %w", err)
	}
	return idx, nil
}

// filled is what fill did: the walk's Stats, counting the documents
// indexed, and the bytes of their text.
type filled struct {
	corpus.Stats
	TextBytes int64 // see Manifest.TextBytes
}

// fill reads the sources into idx, with the log's changes laid over them
// by rp. Reading and indexing overlap: the walk fills the next batch while
// bleve analyses and writes the last one.
func fill(ctx context.Context, idx bleve.Index, opt BuildOptions, rp *replay, total int64, start time.Time) (filled, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan fillJob, 1)
	var (
		stats   filled
		walkErr error
		text    int64 // written by the walk goroutine only; read after it is done
	)
	go func() {
		defer close(jobs)
		stats.Stats, text, walkErr = walkBatches(ctx, idx, opt, rp, jobs)
	}()
	p, lengths, batchErr := writeBatches(idx, opt, jobs, cancel, total, start)
	if batchErr != nil {
		return stats, batchErr
	}
	if walkErr != nil {
		return stats, walkErr
	}
	if err := ctx.Err(); err != nil {
		return stats, err
	}
	if err := storeFieldLengths(idx, lengths); err != nil {
		return stats, err
	}
	stats.TextBytes = text
	p.Bytes, p.Skipped, p.Elapsed, p.TextBytes = total, stats.Skipped, time.Since(start), text
	opt.Progress(p)
	return stats, nil
}

// fillJob is a batch for fill's workers to write, with the walk's figures
// when it was sent: documents in the batch, bytes read, bytes of text and
// documents skipped so far. The batch is the index's own (index.Batch),
// not bleve's wrapper of it, so that its documents can be read once
// analysed (writeBatches counts their fields' lengths).
type fillJob struct {
	b     *index.Batch
	n     int
	bytes int64
	text  int64
	skip  int
}

// walkBatches walks the sources and then the documents of the log that
// none of them held (rp), tags each document and sends them to jobs in
// batches of opt.BatchSize, the last with the log's mark. It returns the
// walk's Stats and the bytes of text indexed; it stops when ctx is done.
func walkBatches(ctx context.Context, idx bleve.Index, opt BuildOptions, rp *replay, jobs chan<- fillJob) (corpus.Stats, int64, error) {
	var (
		read    int64
		text    int64
		skipped int
	)
	ropt := opt.Read
	ropt.Progress = func(n int64) { read += n }
	ropt.File = rp.file
	m := idx.Mapping()
	b := index.NewBatch()
	n := 0
	send := func() bool {
		select {
		case jobs <- fillJob{b, n, read, text, skipped}:
			b, n = index.NewBatch(), 0
			return true
		case <-ctx.Done():
			return false
		}
	}
	add := func(d *corpus.Doc) error {
		if opt.Tagger != nil {
			opt.Tagger.Tag(d)
		}
		text += int64(len(d.Title) + len(d.Body) + len(d.Reply))
		if d.ID == "" {
			return bleve.ErrorEmptyID
		}
		doc := document.NewDocument(d.ID)
		if err := m.MapDocument(doc, buildFields(d)); err != nil {
			return fmt.Errorf("document %s: %w", d.ID, err)
		}
		for i, f := range doc.Fields { // word fields counted, not tokenized
			doc.Fields[i] = analysis.CountedField(f)
		}
		b.Update(doc)
		n++
		if n >= opt.BatchSize && !send() {
			return ctx.Err()
		}
		return nil
	}
	stats, walkErr := corpus.Walk(ctx, opt.Sources, ropt, func(d corpus.Doc) error {
		if dp := rp.source(&d); dp != nil {
			return add(dp)
		}
		return nil
	}, func(p corpus.Problem) {
		if !p.Kept { // a kept document's odd value is reported, not skipped
			skipped++
		}
		opt.Problem(p)
	})
	rest := rp.rest()
	for _, d := range rest {
		if walkErr != nil {
			break
		}
		walkErr = add(d)
	}
	stats.Docs += len(rest) - rp.dropped
	if walkErr == nil {
		rp.mark(b)
		if n > 0 || rp.st != nil {
			send()
		}
	}
	return stats, text, walkErr
}

// writeBatches writes the batches of jobs into idx until jobs is closed,
// reporting progress after each, and sums the lengths of the fields of
// their documents, in tokens, as bleve analysed them (see
// storeFieldLengths). The first batch that fails cancels the walk (cancel)
// and is the error returned; the Progress returned is the last reported.
func writeBatches(idx bleve.Index, opt BuildOptions, jobs <-chan fillJob, cancel context.CancelFunc, total int64, start time.Time) (Progress, map[string]uint64, error) {
	ai, err := idx.Advanced()
	if err != nil {
		cancel()
		for range jobs { // the walk sends until it sees the cancel
		}
		return Progress{}, nil, err
	}
	// Batches are written by opt.Workers workers, by default one per core:
	// bleve analyses a batch's documents in parallel but builds its
	// segment on one goroutine, so batches in flight together keep every
	// core busy. A server's job takes fewer and leaves cores to searches.
	var (
		mu       sync.Mutex // protects p, lengths and batchErr
		p        = Progress{TotalBytes: total}
		lengths  = map[string]uint64{}
		batchErr error
		wg       sync.WaitGroup
	)
	for w := 0; w < opt.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := map[string]uint64{}
			for j := range jobs {
				err := ai.Batch(j.b)
				if err == nil {
					for _, doc := range j.b.IndexOps {
						if doc != nil {
							doc.VisitFields(func(f index.Field) {
								own[f.Name()] += uint64(f.AnalyzedLength())
								if lit, ok := literal.FieldOf(f.Name()); ok {
									// its bigram index's length: a token a character
									own[lit] += uint64(utf8.RuneCount(f.Value()))
								}
							})
						}
					}
				}
				mu.Lock()
				if err != nil && batchErr == nil {
					batchErr = fmt.Errorf("index batch: %w", err)
					cancel()
				}
				if err == nil {
					p.Docs += j.n
					p.Bytes, p.Skipped, p.Elapsed = max(p.Bytes, j.bytes), max(p.Skipped, j.skip), time.Since(start)
					p.TextBytes = max(p.TextBytes, j.text)
					opt.Progress(p)
				}
				mu.Unlock()
			}
			mu.Lock()
			for f, n := range own {
				lengths[f] += n
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return p, lengths, batchErr
}

// IndexFields turns a document into the field values of the mapping. Text
// is cleaned first (invalid UTF-8 repaired, NUL removed) and the document
// stored as JSON in the same cleaned form, so highlights computed on the
// stored text line up with what was indexed.
func IndexFields(d *corpus.Doc) map[string]any {
	for _, s := range []*string{&d.Title, &d.Body, &d.Reply, &d.Author, &d.Delegation, &d.Session,
		&d.Number, &d.Status, &d.Source, &d.Kind, &d.Category, &d.URL,
		&d.ReplyClass, &d.ReplyClassText, &d.Satisfaction, &d.LeadUnit} {
		*s = analysis.Clean(*s)
	}
	for _, l := range [][]string{d.Units, d.Topics} {
		for i := range l {
			l[i] = analysis.Clean(l[i])
		}
	}
	f := make(map[string]any, 24)
	set := func(k string, v string) {
		if v != "" {
			f[k] = v
		}
	}
	text := func(k, v string) {
		set(k, v)
		set(corpus.LiteralOf(k), v)
		set(corpus.FoldedOf(k), analysis.FoldLiteral(v))
	}
	text(corpus.FieldTitle, d.Title)
	text(corpus.FieldBody, d.Body)
	text(corpus.FieldReply, d.Reply)
	meta := strings.Join(append([]string{d.Number, d.Session, d.Author, d.Delegation}, d.Units...), "\n")
	text(corpus.FieldMeta, strings.TrimSpace(meta))
	for _, kf := range corpus.Keywords() { // the schema's: kind, topic, year, units ...
		switch v := kf.Values(d); len(v) {
		case 0:
		case 1:
			f[kf.Name] = v[0]
		default:
			f[kf.Name] = v
		}
	}
	for _, df := range corpus.Dates() {
		if t := df.Time(d); !t.IsZero() {
			f[df.Name] = t
		}
	}
	f[corpus.FieldKey] = d.KeySupervised
	js, _ := json.Marshal(d) // a Doc always marshals
	f[corpus.FieldStored] = string(js)
	return f
}

// buildFields are the field values of a document of a build: IndexFields
// without the literal fields, which the build writes into each segment's
// bigram index once the segments are merged (indexer/literal), and with the
// mark that says so.
func buildFields(d *corpus.Doc) map[string]any {
	f := IndexFields(d)
	for _, name := range literal.Fields {
		delete(f, name)
	}
	f[corpus.FieldLiteralApart] = "1"
	return f
}

// verify reopens a finished index and checks that it holds every document.
func verify(path string, want uint64) error {
	idx, err := Open(path)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	defer idx.Close()
	n, err := idx.DocCount()
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if n != want {
		return fmt.Errorf("verify: index holds %d documents, %d were written", n, want)
	}
	return nil
}

// Open opens one generation's index read-only. Another process holding it
// for writing makes this fail after about a second instead of blocking.
func Open(path string) (bleve.Index, error) {
	if err := analysis.Register(); err != nil {
		return nil, err
	}
	idx, err := bleve.OpenUsing(path, map[string]any{"read_only": true, "bolt_timeout": "1s"})
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	return idx, nil
}

// ErrBuildRunning is returned when another build holds the data folder.
var ErrBuildRunning = errors.New("another build is running in this data folder")
