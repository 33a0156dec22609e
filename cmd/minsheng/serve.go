package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"

	"minsheng/audit"
	"minsheng/cmd/minsheng/web"
	"minsheng/corpus"
	"minsheng/indexer"
	"minsheng/indexer/analysis"
	"minsheng/indexer/reindex"
	"minsheng/indexer/taxonomy"
	"minsheng/search"
)

// runServe is the serve subcommand: it loads the configuration, opens the
// data folder, starts the search, the jobs and the HTTP server, and serves
// until ctx is done. Its steps close what they opened in the reverse order,
// by the defers below: the HTTP server first, then the audit trail, the jobs,
// the SIGHUP reloader, the warming of the search columns and the live index
// last.
func runServe(ctx context.Context, args []string, stdout io.Writer) error {
	c, log, useTLS, err := serveConfig(args)
	if err != nil {
		return err
	}
	if err := prepareProcess(c, log); err != nil {
		return err
	}
	st, err := openServed(c, log)
	if err != nil {
		return err
	}
	defer st.closeLive()
	an, s, syn, err := newServeSearch(c, st.live)
	if err != nil {
		return err
	}
	var warming sync.WaitGroup
	defer warming.Wait() // before live.Close; warm stops with ctx
	warmSearch(ctx, c, log, s, st, &warming)
	tax, err := taxonomy.LoadTaxonomy(c.Taxonomy)
	if err != nil {
		return err
	}
	exporter, exportSearch := c.exporter(st.live, an.Keywords, syn)
	defer reloadSynonymsOnHUP(ctx, c, log, s, exportSearch)()
	jobs, err := openJobs(c, st.live, st.docs, log)
	if err != nil {
		return err
	}
	defer runJobs(ctx, jobs, log)()
	if c.AdminToken == "" {
		log.Warn("admin API disabled: set admin_token_file (or MINSHENG_ADMIN_TOKEN) to trigger reindex jobs and schedules")
	}
	trail, err := audit.Open(filepath.Join(c.Data, audit.File), c.AuditRetention)
	if err != nil {
		return err
	}
	defer trail.Close()
	srv := web.New(web.Options{
		Search: s, Analyst: s, Handling: s, Taxonomy: staticTaxonomy(describeTaxonomy(tax)), ResultCache: s.ResultCacheStats,
		Live: st.live, Log: log, Limits: c.Limits.WebLimits, DataDir: c.Data,
		Jobs: jobs, AdminToken: c.AdminToken, EditorToken: c.EditorToken, Audit: trail,
		Export: &web.Export{Exporter: exporter,
			Taxonomy: func() string { return taxonomyVersion(c.Data, st.live.Generation()) }},
		Docs: st.docs, Topics: st.corrections, Synonyms: s.Synonyms,
	})
	h, err := srv.Handler(c.Trusted)
	if err != nil {
		return err
	}
	return serveHTTP(ctx, c, log, useTLS, srv, h, st.live)
}

// serveConfig reads serve's flags and configuration file, and from them the
// logger, the tokens and whether the server speaks TLS.
func serveConfig(args []string) (c *Config, log *slog.Logger, useTLS bool, err error) {
	c, fs, err := loadConfig("serve", args, func(fs *flag.FlagSet, c *Config) {
		commonFlags(fs, c)
		sourceFlags(fs, c)
		fs.StringVar(&c.Addr, "addr", c.Addr, "address to listen on, HOST:PORT")
		synonymsFlag(fs, c)
		fs.StringVar(&c.AdminToken, "admin-token", c.AdminToken, "bearer token of the admin API (shown in the process list: prefer admin_token_file)")
	})
	if err != nil {
		return nil, nil, false, err
	}
	if fs.NArg() > 0 {
		return nil, nil, false, fmt.Errorf("serve: unexpected arguments %q", fs.Args())
	}
	log, err = c.logger()
	if err != nil {
		return nil, nil, false, err
	}
	if err := c.resolveTokens(fs, log); err != nil {
		return nil, nil, false, fmt.Errorf("serve: %w", err)
	}
	useTLS, err = c.tlsConfig(log)
	if err != nil {
		return nil, nil, false, fmt.Errorf("serve: %w", err)
	}
	return c, log, useTLS, nil
}

// prepareProcess sets up the process before anything is opened: files made
// owner-only, the user dictionary checked, and the garbage collector's and
// bleve's analysis queue's settings from the configuration.
func prepareProcess(c *Config, log *slog.Logger) error {
	ownerOnly()
	if n, err := tightenData(c.Data); err != nil {
		return err
	} else if n > 0 {
		log.Info("data folder made owner-only", "data", c.Data, "entries", n)
	}
	if c.UserDict != "" {
		if _, err := c.userDict(); err != nil {
			return err
		}
	}
	if c.GCPercent <= 0 || c.BuildGCPercent <= 0 || c.MemLimit <= 0 {
		return fmt.Errorf("serve: gc_percent (%d), build_gc_percent (%d) and memory_limit (%d) must be positive", c.GCPercent, c.BuildGCPercent, c.MemLimit)
	}
	if c.BuildIn != buildInProcess && c.BuildIn != buildInServer {
		return fmt.Errorf("serve: build_in %q: want %s or %s", c.BuildIn, buildInProcess, buildInServer)
	}
	if c.BuildNice < 0 || c.BuildNice > 19 {
		return fmt.Errorf("serve: build_nice (%d) must be from 0 to 19", c.BuildNice)
	}
	if c.BuildSched != buildSchedNormal && c.BuildSched != buildSchedIdle {
		return fmt.Errorf("serve: build_sched %q: want %s or %s", c.BuildSched, buildSchedNormal, buildSchedIdle)
	}
	if c.BuildWorkers < 0 {
		return fmt.Errorf("serve: build_workers (%d) must not be negative (0: as many as build_in suits)", c.BuildWorkers)
	}
	if c.ResultCache < 0 || c.PostingsCache < 0 {
		return fmt.Errorf("serve: result_cache_mb (%d) and postings_cache_mb (%d) must not be negative (0: none)", c.ResultCache, c.PostingsCache)
	}
	debug.SetGCPercent(c.GCPercent)
	debug.SetMemoryLimit(c.MemLimit)
	// bleve analyses the documents of every batch (a reindex job's, live
	// documents') on one queue per process, 4 goroutines unless set: as
	// many as build_workers, or a job with one worker still takes every CPU.
	// Before any index is opened: an index keeps the queue it was opened
	// with, and setting the size closes that queue, so that an index
	// already open would wait for ever on its next batch.
	bleve.Config.SetAnalysisQueueSize(analysisWorkers(c.BuildWorkers))
	return nil
}

// served is what serve opens in the data folder: the live index and its
// documents, and the corrections and topic models live documents are
// tagged with.
type served struct {
	live        *indexer.Live
	docs        *indexer.Docs
	closeLive   func() // closes live and the write-ahead log
	corrections *taxonomy.Corrections
	models      *taxonomy.ModelStore
}

// openServed opens the live index of the data folder with the tagger of
// live documents. The caller closes it with closeLive.
func openServed(c *Config, log *slog.Logger) (*served, error) {
	tagger, err := c.tagger()
	if err != nil {
		return nil, err
	}
	// live documents are tagged with the corrections staff make while
	// the server runs (builds read the store when they start)
	corrections, err := taxonomy.OpenCorrections(c.Data)
	if err != nil {
		return nil, err
	}
	// ... and with the topic model of the generation served (see
	// loadGenerationModel)
	models := &taxonomy.ModelStore{}
	if gen, err := indexer.Current(c.Data); err == nil && gen != "" {
		loadGenerationModel(models, c.Data, gen, log)
	}
	live, docs, closeLive, err := openLiveDocs(c, tagger.WithCorrectionSource(corrections).WithModelSource(models), log)
	if err != nil {
		return nil, err
	}
	if live.Generation() == "" {
		log.Warn("no index generation yet: searches answer 503 until one is built", "data", c.Data)
	}
	return &served{live: live, docs: docs, closeLive: closeLive, corrections: corrections, models: models}, nil
}

// newServeSearch is the searcher of the live index, with the built-in
// analysis for keywords, the configured time zone and the synonyms file.
func newServeSearch(c *Config, live *indexer.Live) (*analysis.Analysis, *search.Searcher, *search.Synonyms, error) {
	an, err := analysis.NewBuiltinAnalysis()
	if err != nil {
		return nil, nil, nil, err
	}
	zone, err := c.location() // the day overdue is reckoned on
	if err != nil {
		return nil, nil, nil, err
	}
	s := search.New(live.Index(), search.Options{Limits: c.searchLimits(), Keywords: an.Keywords, Zone: zone, PostingsCacheMB: c.PostingsCache, ResultCacheMB: resultCacheMB(c.ResultCache)})
	syn, err := c.loadSynonyms() // a bad file stops the start, naming its line
	if err != nil {
		return nil, nil, nil, err
	}
	s.SetSynonyms(syn)
	return an, s, syn, nil
}

// warmSearch builds the search columns of the generation served in the
// background (on warming), and those of every generation switched to (live
// waits for these on Close), loading its topic model first.
func warmSearch(ctx context.Context, c *Config, log *slog.Logger, s *search.Searcher, st *served, warming *sync.WaitGroup) {
	// the first search of a generation would build its facet and sort
	// columns: build them as soon as it is served
	warm := func(gen string) {
		t := time.Now()
		if err := s.Warm(ctx); err != nil {
			log.Warn("warming the search columns", "generation", gen, "err", err)
			return
		}
		log.Info("search columns ready", "generation", gen, "took", time.Since(t).Round(time.Millisecond))
		if ok, err := s.HasFieldLengths(); err == nil && !ok {
			log.Warn("the index stores no field lengths (built by an older version): BM25 ranks by bleve's own figures until a reindex", "generation", gen)
		}
	}
	st.live.OnSwitch(func(gen string) { // live waits for these on Close
		s.Forget() // the generation swapped out: its columns and words are garbage
		loadGenerationModel(st.models, c.Data, gen, log)
		warm(gen)
	})
	if gen := st.live.Generation(); gen != "" {
		warming.Go(func() { warm(gen) })
	}
}

// serveHTTP serves h on the configured address (and the metrics of srv on
// theirs) until Serve fails or ctx is done, then shuts down gracefully.
func serveHTTP(ctx context.Context, c *Config, log *slog.Logger, useTLS bool, srv *web.Server, h http.Handler, live *indexer.Live) error {
	// Requests outlive the signal: SIGTERM lets them finish, and only
	// those still running after the shutdown timeout are cancelled.
	reqCtx, cancelRequests := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRequests()
	hs := c.httpServer(h)
	hs.BaseContext = func(net.Listener) context.Context { return reqCtx }
	hs.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn) // TLS handshakes and the like, in the structured log
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	defer c.serveMetrics(srv.MetricsHandler(), log)()
	c.warnExposed(ln, useTLS, log)
	scheme := "http://"
	if useTLS {
		scheme = "https://"
	}
	log.Info("serving", "addr", scheme+ln.Addr().String(), "generation", live.Generation(), "data", c.Data)
	errc := make(chan error, 1)
	go func() {
		if useTLS {
			errc <- hs.ServeTLS(ln, c.TLSCert, c.TLSKey)
			return
		}
		errc <- hs.Serve(ln)
	}()
	return shutdownOnDone(ctx, c, log, hs, errc, cancelRequests)
}

// shutdownOnDone waits for Serve to fail (errc) or ctx to be done; then
// it lets the running requests finish for the shutdown timeout and cancels
// those still running after it.
func shutdownOnDone(ctx context.Context, c *Config, log *slog.Logger, hs *http.Server, errc <-chan error, cancelRequests context.CancelFunc) error {
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing running requests", "timeout", c.Limits.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.Limits.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		cancelRequests()
		hs.Close()
		<-errc // Serve has returned
		return fmt.Errorf("shutdown: requests still running after %s were cancelled: %w", c.Limits.ShutdownTimeout, err)
	}
	<-errc // Serve returned when Shutdown began
	log.Info("shut down: every request finished")
	return nil
}

// httpServer is the HTTP server of h with the configured timeouts.
func (c *Config) httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Addr: c.Addr, Handler: h,
		ReadHeaderTimeout: c.Limits.ReadHeaderTimeout, ReadTimeout: c.Limits.ReadTimeout,
		WriteTimeout: c.Limits.WriteTimeout, IdleTimeout: 2 * time.Minute,
		MaxHeaderBytes: c.Limits.MaxHeaderBytes,
	}
}

// openJobs opens the reindex jobs service of the data folder. Each job
// reads the configuration's sources, user dictionary and taxonomy anew.
func openJobs(c *Config, live *indexer.Live, docs *indexer.Docs, log *slog.Logger) (*reindex.Jobs, error) {
	loc, err := c.location()
	if err != nil {
		return nil, err
	}
	opt := reindex.JobsOptions{
		Build: func() (indexer.BuildOptions, error) {
			if c.BuildIn == buildInProcess {
				// the build process reads the dictionary, the taxonomy and
				// the corrections itself (buildJob), and fails the job on
				// the same errors
				return indexer.BuildOptions{Sources: c.Sources, Workers: c.jobWorkers()}, nil
			}
			opt, err := c.buildOptions(log)
			opt.Changes = docs.State
			opt.Workers = c.jobWorkers()
			return opt, err
		},
		Location:    loc,
		Logger:      log,
		MinInterval: c.MinSchedule,
	}
	if c.BuildIn == buildInServer {
		opt.Running = c.buildGC
	} else {
		opt.Builder = c.processBuilder(log)
	}
	return reindex.OpenJobs(c.Data, live, opt)
}

// runJobs runs the jobs service until ctx is done or the returned stop is
// called; stop cancels a running job, waits for it and closes the store.
func runJobs(ctx context.Context, jobs *reindex.Jobs, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		jobs.Run(ctx) // returns ctx.Err() only
	}()
	return func() {
		cancel()
		<-done
		if err := jobs.Close(); err != nil {
			log.Error("close job store", "err", err)
		}
	}
}

// location is the service's time zone: cron schedules and the day overdue is reckoned on.
func (c *Config) location() (*time.Location, error) {
	if c.TimeZone == "" {
		return corpus.DefaultZone(), nil
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("time_zone %q: %w", c.TimeZone, err)
	}
	return loc, nil
}

// analysisWorkers is the size of bleve's analysis queue in the server,
// which analyses live documents and the batches of a job built in the
// server: build_workers, 0 meaning half the CPUs, at least 1.
func analysisWorkers(buildWorkers int) int {
	if buildWorkers <= 0 {
		return halfCPUs()
	}
	return buildWorkers
}

func halfCPUs() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// jobWorkers is how many batches a reindex job indexes at once:
// build_workers, or when it is 0, one per CPU in a build process, whose
// lower priority keeps searches first, and half the CPUs, at least 1, in
// the server (see build_workers in README).
func (c *Config) jobWorkers() int {
	switch {
	case c.BuildWorkers > 0:
		return c.BuildWorkers
	case c.BuildIn == buildInProcess:
		return runtime.GOMAXPROCS(0)
	}
	return halfCPUs()
}

// resultCacheMB is the search package's setting of result_cache_mb: its
// 0 means the default, the file's 0 none.
func resultCacheMB(mb int) int {
	if mb <= 0 {
		return -1
	}
	return mb
}

// buildGC has the server collect garbage as a build does (build_gc_percent)
// while a reindex job runs, and as a server (gc_percent) again after it.
func (c *Config) buildGC() (done func()) {
	debug.SetGCPercent(c.BuildGCPercent)
	return func() { debug.SetGCPercent(c.GCPercent) }
}
