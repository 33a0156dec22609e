package reindex

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/robfig/cron/v3"

	"minsheng/corpus"
	"minsheng/errs"
	"minsheng/indexer"
)

// Errors of the jobs service that callers branch on, each of a kind of
// package errs, which the web layer maps to HTTP status. A job, schedule
// or generation that does not exist is errs.NotFound; a bad cron
// expression, schedule name or generation name is errs.Invalid.
var (
	// ErrJobRunning: one job runs at a time. Start returns the running job
	// with it.
	ErrJobRunning = errs.New(errs.Conflict, "a reindex job is already running")
	// ErrJobDone: the job asked to be cancelled has already finished.
	ErrJobDone = errs.New(errs.Conflict, "job already finished")
	// ErrClosed: the service has stopped (Run returned).
	ErrClosed = errs.New(errs.Unavailable, "the jobs service is stopped")
	// ErrInterrupted is the error of a job the server stopped, by shutdown
	// or crash.
	ErrInterrupted = errors.New("interrupted: the server stopped during the job")
	// ErrNoSources: the configuration names nothing to index.
	ErrNoSources = errors.New("no sources configured: give serve --source PATH or set sources in the configuration")
	// ErrEmptyBuild: the sources gave no documents, so the generation
	// being served was kept.
	ErrEmptyBuild = errors.New("the sources gave no documents")
)

func kindErr(kind error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", kind, fmt.Sprintf(format, args...))
}

// State of a job.
type State string

// States of a job. A job is created running; it ends succeeded, failed or
// cancelled. Skipped records a schedule that fired while another job ran.
// Queued is never written by this version but is treated like running
// when found after a restart.
const (
	StateQueued    State = "queued"
	StateRunning   State = "running"
	StateSucceeded State = "succeeded"
	StateFailed    State = "failed"
	StateCancelled State = "cancelled"
	StateSkipped   State = "skipped"
)

// Job is the record of one reindex. While it runs, the progress fields
// are live; the store gets them every few seconds and at the end.
type Job struct {
	ID      string    `json:"id"`
	Trigger string    `json:"trigger"` // "api", "schedule:<id>"
	State   State     `json:"state"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end,omitzero"`
	Seconds float64   `json:"seconds"`

	Docs         int     `json:"docs"`                    // documents indexed so far
	DocsEstimate int     `json:"docs_estimate,omitempty"` // documents in all, from the share of bytes read
	Bytes        int64   `json:"bytes_done"`              // source bytes read
	TotalBytes   int64   `json:"total_bytes"`             // source bytes in all
	Percent      float64 `json:"percent"`
	Rate         float64 `json:"docs_per_second"`
	ETASeconds   float64 `json:"eta_seconds,omitempty"` // while running
	Stage        string  `json:"stage,omitempty"`       // while running: "merging" once every document is indexed

	Skipped  int             `json:"skipped"`
	Reasons  map[string]int  `json:"skipped_reasons,omitempty"`
	Problems []SkippedRecord `json:"skipped_first,omitempty"` // the first ones, with file and line

	Error           string `json:"error,omitempty"`
	Generation      string `json:"generation,omitempty"`          // built by the job
	Previous        string `json:"previous_generation,omitempty"` // served when it started
	CancelRequested bool   `json:"cancel_requested,omitempty"`
}

// SkippedRecord is a bad source record a job skipped.
type SkippedRecord struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"` // 0: the whole file
	Reason string `json:"reason"`
}

// Finished reports whether the job has ended.
func (j *Job) Finished() bool {
	return j.State != StateRunning && j.State != StateQueued
}

func (j *Job) clone() Job {
	c := *j
	c.Reasons = maps.Clone(j.Reasons)
	c.Problems = slices.Clone(j.Problems)
	return c
}

// Generation is a complete generation as the jobs service lists it.
type Generation struct {
	indexer.Manifest
	Serving bool `json:"serving"` // the generation searches use now
}

// JobsOptions configures the jobs service. The zero value of each field
// is a useful default, except Build.
type JobsOptions struct {
	// Build returns what a job builds: sources, reader options, user
	// dictionary, tagger, Keep. It is called at the start of every job,
	// so configuration, dictionary and taxonomy changes apply from the
	// next job on; a live segmenter is never changed. Progress and Problem
	// are set by the service.
	Build func() (indexer.BuildOptions, error)
	// Builder builds what Build returned, with the service's Progress and
	// Problem; nil means indexer.Build, in this process. A server builds
	// in a process of its own (serve's build_in).
	Builder func(ctx context.Context, dataDir string, opt indexer.BuildOptions) (*indexer.Manifest, error)
	// Running, if set, is called as a job starts, and the function it
	// returns as the job's build and swap are over, before the job is
	// marked finished: a server runs its builds under other settings than
	// its searches (serve's build_gc_percent).
	Running func() (done func())
	// Location is the time zone of cron schedules; nil means corpus.DefaultZone.
	Location *time.Location
	// MinInterval is the shortest time a schedule may leave between two
	// jobs; a schedule firing more often is refused (errs.Invalid), and a
	// stored one is not registered. 0 allows any.
	MinInterval time.Duration
	Logger      *slog.Logger
	// SaveEvery is how often a running job's progress is written to the
	// store; 0 means 2 s. Reads always see the live values.
	SaveEvery time.Duration
	History   int // job records kept; 0 means 1000
	Problems  int // skipped records kept per job, with file and line; 0 means 100
}

// SetDefaults sets every zero field to its default, the one place they
// are written. OpenJobs calls it.
func (o *JobsOptions) SetDefaults() {
	if o.Location == nil {
		o.Location = corpus.DefaultZone()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.SaveEvery <= 0 {
		o.SaveEvery = 2 * time.Second
	}
	if o.History <= 0 {
		o.History = 1000
	}
	if o.Problems <= 0 {
		o.Problems = 100
	}
	if o.Build == nil {
		o.Build = func() (indexer.BuildOptions, error) { return indexer.BuildOptions{}, nil }
	}
	if o.Builder == nil {
		o.Builder = indexer.Build
	}
}

// Jobs runs reindex jobs, one at a time, now or on cron schedules, and
// keeps their history and the schedules in DATA/jobs.db. A job builds a
// new generation beside the served one, then switches Live to it; a
// failed or cancelled job leaves Live as it was.
//
// Open it with OpenJobs, run Run in a goroutine (it owns the jobs and the
// schedules), and Close it after Run has returned.
type Jobs struct {
	dataDir string
	live    *indexer.Live
	opt     JobsOptions
	log     *slog.Logger
	store   *store
	cron    *cron.Cron
	parser  cron.Parser

	requests chan startRequest // Start asks Run to begin a job
	quit     chan struct{}     // closed when Run stops taking requests
	running  sync.WaitGroup    // the job goroutine; Run waits for it

	mu         sync.Mutex // guards cur, cancel, userCancel, saved, entries, and the store's schedule records
	cur        *Job       // the running job, nil when none
	cancel     context.CancelFunc
	userCancel bool      // Cancel was called for cur
	saved      time.Time // when cur was last written to the store
	entries    map[string]cron.EntryID
}

type startRequest struct {
	trigger string
	reply   chan startReply // buffered: Run never waits on it
}

type startReply struct {
	job Job
	err error
}

// OpenJobs opens the job store of dataDir. Jobs that a stopped or crashed
// process left running are marked failed (ErrInterrupted) and the partial
// folders of their builds are removed. Stored schedules are registered;
// they fire once Run runs. A second process on the same data folder gets
// an error after about a second.
func OpenJobs(dataDir string, live *indexer.Live, opt JobsOptions) (*Jobs, error) {
	opt.SetDefaults()
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	st, err := openStore(filepath.Join(dataDir, JobsFile))
	if err != nil {
		return nil, err
	}
	j := &Jobs{
		dataDir: dataDir, live: live, opt: opt, log: opt.Logger, store: st,
		parser:   cronParser(),
		requests: make(chan startRequest),
		quit:     make(chan struct{}),
		entries:  map[string]cron.EntryID{},
	}
	if err := j.recoverInterrupted(); err != nil {
		st.close()
		return nil, err
	}
	j.cron = cron.New(cron.WithLocation(opt.Location), cron.WithParser(j.parser), cron.WithLogger(cronLogger{j.log}))
	scheds, err := st.schedules()
	if err != nil {
		st.close()
		return nil, err
	}
	// In the order they were added: of two that clash (stored by an
	// older version, which did not compare schedules), the first fires.
	for _, sc := range scheds {
		err := j.checkStored(sc)
		if err == nil {
			err = j.register(sc)
		}
		if err != nil {
			j.log.Error("schedule not registered", "schedule", sc.ID, "cron", sc.Cron, "err", err)
		}
	}
	return j, nil
}

// recoverInterrupted marks interrupted jobs failed and removes partial generations.
func (j *Jobs) recoverInterrupted() error {
	jobs, err := j.store.interrupted(time.Now())
	if err != nil {
		return err
	}
	for _, jb := range jobs {
		j.log.Warn("job interrupted by a stop of the server: marked failed", "job", jb.ID, "trigger", jb.Trigger)
	}
	err = indexer.Cleanup(j.dataDir, j.log)
	if errors.Is(err, indexer.ErrBuildRunning) {
		j.log.Warn("another process is building in this data folder; its partial generation is left alone")
		return nil
	}
	return err
}

// Close closes the store. Call it after Run has returned.
func (j *Jobs) Close() error { return j.store.close() }

// Run starts jobs and fires schedules until ctx is done. Then it stops
// the schedules, cancels the running job, waits for it to end (its
// record says it was interrupted) and returns ctx.Err(). Run it once.
func (j *Jobs) Run(ctx context.Context) error {
	j.cron.Start()
	for {
		select {
		case r := <-j.requests:
			job, err := j.begin(ctx, r.trigger)
			r.reply <- startReply{job, err}
		case <-ctx.Done():
			close(j.quit)
			<-j.cron.Stop().Done()
			j.mu.Lock()
			if j.cancel != nil {
				j.cancel()
			}
			j.mu.Unlock()
			j.running.Wait()
			return ctx.Err()
		}
	}
}

// Start begins a reindex job now, unless one is running: then it returns
// the running job and ErrJobRunning. trigger says who asked ("api"). ctx
// bounds only the hand-over to Run; the job runs under Run's context
// until it ends or is cancelled.
func (j *Jobs) Start(ctx context.Context, trigger string) (Job, error) {
	r := startRequest{trigger: trigger, reply: make(chan startReply, 1)}
	select {
	case j.requests <- r:
	case <-j.quit:
		return Job{}, ErrClosed
	case <-ctx.Done():
		return Job{}, ctx.Err()
	}
	rep := <-r.reply
	return rep.job, rep.err
}

// begin records a new job and starts its goroutine. Only Run calls it.
func (j *Jobs) begin(ctx context.Context, trigger string) (Job, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.cur != nil {
		return j.cur.clone(), ErrJobRunning
	}
	now := time.Now()
	id, err := j.newJobID(now)
	if err != nil {
		return Job{}, err
	}
	job := &Job{ID: id, Trigger: trigger, State: StateRunning, Start: now, Previous: j.live.Generation()}
	if err := j.store.put(bucketJobs, id, job); err != nil {
		return Job{}, fmt.Errorf("record job: %w", err)
	}
	if err := j.store.trimJobs(j.opt.History); err != nil {
		j.log.Warn("trim job history", "err", err)
	}
	jctx, cancel := context.WithCancel(ctx)
	j.cur, j.cancel, j.userCancel, j.saved = job, cancel, false, now
	j.log.Info("reindex job started", "job", id, "trigger", trigger)
	j.running.Add(1)
	go func() {
		defer j.running.Done()
		defer cancel()
		j.run(jctx)
	}()
	return job.clone(), nil
}

// newJobID returns an id that sorts by time: job-YYYYMMDD-HHMMSS-NNNNNN
// (UTC, then the store's sequence).
func (j *Jobs) newJobID(t time.Time) (string, error) {
	n, err := j.store.nextSeq(bucketJobs)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("job-%s-%06d", t.UTC().Format("20060102-150405"), n%1000000), nil
}

// run is the job goroutine: build, switch, prune, record.
func (j *Jobs) run(ctx context.Context) {
	var done func()
	if j.opt.Running != nil {
		done = j.opt.Running()
	}
	opt, err := j.opt.Build()
	if err == nil && len(opt.Sources) == 0 {
		err = ErrNoSources
	}
	var man *indexer.Manifest
	if err == nil {
		opt.Progress, opt.Problem = j.progress, j.problem
		opt.NoPrune = true // swap prunes once the new generation serves
		if opt.Logger == nil {
			opt.Logger = j.log
		}
		man, err = j.opt.Builder(ctx, j.dataDir, opt)
	}
	if err == nil {
		err = j.swap(man, opt)
	}
	if done != nil {
		done()
	}
	j.finish(ctx, man, err)
}

// progress updates the running job; it is Build's Progress callback.
func (j *Jobs) progress(p indexer.Progress) {
	j.mu.Lock()
	c := j.cur
	c.Docs, c.Bytes, c.TotalBytes = p.Docs, p.Bytes, p.TotalBytes
	c.Seconds = p.Elapsed.Seconds()
	c.Stage = p.Stage
	c.Rate = p.Rate()
	c.ETASeconds = p.ETA().Seconds()
	if p.TotalBytes > 0 {
		c.Percent = 100 * float64(p.Bytes) / float64(p.TotalBytes)
	}
	if p.Bytes > 0 {
		c.DocsEstimate = int(float64(p.Docs) * float64(p.TotalBytes) / float64(p.Bytes))
	}
	var rec *Job
	if now := time.Now(); now.Sub(j.saved) >= j.opt.SaveEvery {
		j.saved = now
		r := c.clone()
		rec = &r
	}
	j.mu.Unlock()
	if rec != nil {
		if err := j.store.put(bucketJobs, rec.ID, rec); err != nil {
			j.log.Warn("save job progress", "job", rec.ID, "err", err)
		}
	}
}

// problem counts a skipped record of the running job; it is Build's
// Problem callback.
func (j *Jobs) problem(p corpus.Problem) {
	reason, _, _ := strings.Cut(p.Reason, ": ")
	if utf8.RuneCountInString(reason) > 60 {
		reason = string([]rune(reason)[:60]) + "…"
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	c := j.cur
	if p.Kept { // the document was kept: its odd value is listed, not counted as skipped
		if len(c.Problems) < j.opt.Problems {
			c.Problems = append(c.Problems, SkippedRecord{File: p.File, Line: p.Line, Reason: "kept: " + p.Reason})
		}
		return
	}
	c.Skipped++
	if c.Reasons == nil {
		c.Reasons = map[string]int{}
	}
	c.Reasons[reason]++
	if len(c.Problems) < j.opt.Problems {
		c.Problems = append(c.Problems, SkippedRecord{File: p.File, Line: p.Line, Reason: p.Reason})
	}
}

// finish records how the running job ended and lets the next one start.
func (j *Jobs) finish(ctx context.Context, man *indexer.Manifest, err error) {
	j.mu.Lock()
	c := j.cur
	c.End = time.Now()
	c.Seconds = c.End.Sub(c.Start).Seconds()
	c.ETASeconds, c.Stage = 0, ""
	switch {
	case err == nil:
		c.State, c.Generation = StateSucceeded, man.Name
		c.Docs, c.DocsEstimate, c.Skipped = man.Docs, man.Docs, man.Skipped
		if man.Reasons != nil {
			c.Reasons = man.Reasons
		}
		c.Bytes, c.TotalBytes, c.Percent = man.Bytes, man.Bytes, 100
		if c.Seconds > 0 {
			c.Rate = float64(man.Docs) / c.Seconds
		}
	case ctx.Err() != nil && j.userCancel:
		c.State, c.Error = StateCancelled, "cancelled on request"
	case ctx.Err() != nil:
		c.State, c.Error = StateFailed, ErrInterrupted.Error()
	default:
		c.State, c.Error = StateFailed, err.Error()
	}
	// Written under the lock: once a reader sees the job finished, the
	// store has the result and the next job can start.
	if err := j.store.put(bucketJobs, c.ID, c); err != nil {
		j.log.Error("record job result", "job", c.ID, "err", err)
	}
	j.cur, j.cancel = nil, nil
	j.mu.Unlock()
	j.log.Info("reindex job ended", "job", c.ID, "state", c.State, "docs", c.Docs,
		"generation", c.Generation, "seconds", fmt.Sprintf("%.1f", c.Seconds), "error", c.Error)
}

// Cancel asks the running job id to stop and returns it; it ends soon
// after as cancelled. A finished job gives ErrJobDone, an unknown id
// errs.NotFound.
func (j *Jobs) Cancel(id string) (Job, error) {
	j.mu.Lock()
	if j.cur != nil && j.cur.ID == id {
		j.userCancel, j.cur.CancelRequested = true, true
		j.cancel()
		rec := j.cur.clone()
		j.mu.Unlock()
		j.log.Info("reindex job cancel requested", "job", id)
		return rec, nil
	}
	j.mu.Unlock()
	job, err := j.Job(id)
	if err != nil {
		return Job{}, err
	}
	return job, kindErr(ErrJobDone, "job %s has already %s", id, job.State)
}

// Job returns the job id, with live progress while it runs.
func (j *Jobs) Job(id string) (Job, error) {
	j.mu.Lock()
	if j.cur != nil && j.cur.ID == id {
		defer j.mu.Unlock()
		return j.cur.clone(), nil
	}
	j.mu.Unlock()
	var job Job
	ok, err := j.store.get(bucketJobs, id, &job)
	if err != nil {
		return Job{}, err
	}
	if !ok {
		return Job{}, kindErr(errs.NotFound, "no job %q", id)
	}
	return job, nil
}

// List returns up to limit jobs, newest first (limit <= 0: all kept).
func (j *Jobs) List(limit int) ([]Job, error) {
	jobs, err := j.store.jobs(limit)
	if err != nil {
		return nil, err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for i := range jobs {
		if j.cur != nil && jobs[i].ID == j.cur.ID {
			jobs[i] = j.cur.clone()
		}
	}
	return jobs, nil
}

// Generations lists the complete generations, newest first, marking the
// one being served.
func (j *Jobs) Generations() ([]Generation, error) {
	ms, err := indexer.List(j.dataDir)
	if err != nil {
		return nil, err
	}
	serving := j.live.Generation()
	out := make([]Generation, len(ms))
	for i, m := range ms {
		out[i] = Generation{Manifest: m, Serving: m.Name == serving}
	}
	return out, nil
}

// Activate serves generation name and makes it current: a rollback. It
// is refused while a job runs, since the job would switch away from it.
func (j *Jobs) Activate(name string) (Generation, error) {
	if !indexer.ValidName(name) {
		return Generation{}, kindErr(errs.Invalid, "%q is not a generation name (gen-YYYYMMDD-HHMMSS-mmm)", truncate(name, 80))
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.cur != nil {
		return Generation{}, fmt.Errorf("%w: job %s; cancel it or wait before a rollback", ErrJobRunning, j.cur.ID)
	}
	if _, err := os.Stat(indexer.ManifestPath(j.dataDir, name)); errors.Is(err, os.ErrNotExist) {
		return Generation{}, kindErr(errs.NotFound, "no generation %q", name)
	}
	prev, err := indexer.Current(j.dataDir)
	if err != nil {
		return Generation{}, err
	}
	if err := indexer.Activate(j.dataDir, name); err != nil {
		return Generation{}, err
	}
	if err := j.live.Switch(name); err != nil {
		if prev != "" {
			if rerr := indexer.Activate(j.dataDir, prev); rerr != nil {
				j.log.Error("restore CURRENT", "generation", prev, "err", rerr)
			}
		}
		return Generation{}, fmt.Errorf("serve generation %s: %w", name, err)
	}
	j.log.Info("generation activated", "generation", name, "previous", prev)
	gens, err := indexer.List(j.dataDir)
	if err != nil {
		return Generation{}, err
	}
	for _, g := range gens {
		if g.Name == name {
			return Generation{Manifest: g, Serving: true}, nil
		}
	}
	return Generation{}, kindErr(errs.NotFound, "no generation %q", name)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
