package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"minsheng/corpus"
	"minsheng/indexer"
)

// A reindex job of the server builds in a process of its own by default
// (build_in: process): the binary run as its hidden build-job command, at
// a lower CPU priority (build_nice). The server then keeps its own memory
// while a job runs, its searches take the CPU first, and a crash of the
// build (cgo's jieba, out of memory) fails the job, not the server.
//
// The server writes a buildJobRequest on the process's stdin; the process
// writes one buildJobMessage a line on its stdout (progress, problems,
// then the manifest or the error) and logs on the stderr it shares with
// the server. It builds as `minsheng index` does, the write-ahead log
// read from the data folder; the server serves the new generation once
// the process has exited, replaying the documents written since.
const buildJobCommand = "build-job"

// Where a reindex job of the server builds (Config.BuildIn).
const (
	buildInProcess = "process"
	buildInServer  = "server"
)

// defaultBuildNice is the niceness of a job's build process, measured
// with 8 clients searching news-2023 (every answer computed) while a job
// rebuilt it, on 2 cores: see build_nice in README.
const defaultBuildNice = 5

// The scheduling classes of a job's build process (build_sched): the
// normal one, at build_nice, or Linux's SCHED_IDLE, under which its
// threads run only on a CPU no other thread wants. SCHED_IDLE by default:
// with 8 clients searching news-2023 on 2 cores (BenchmarkNewsLoad, three
// runs of each), the default API's p99 during a job was 1.45×, 1.37× and
// 1.24× its idle p99 against 1.66×, 1.67× and 1.84× at nice 5 alone, for
// jobs 2 to 3 times as long under that load; see build_sched in README.
const (
	buildSchedNormal  = "normal"
	buildSchedIdle    = "idle"
	defaultBuildSched = buildSchedIdle
)

// errIdleRefused is lowerPriority's error when the system refuses
// SCHED_IDLE; every thread still has the niceness asked.
var errIdleRefused = errors.New("SCHED_IDLE refused")

// buildJobRequest is what the server hands its build process.
type buildJobRequest struct {
	Config  Config `json:"config"`  // what a build reads: data, sources, columns, dictionary, taxonomy, batch size, keep, log
	Workers int    `json:"workers"` // BuildOptions.Workers
	Nice    int    `json:"nice"`    // the process lowers its priority by this much
	Idle    bool   `json:"idle"`    // and runs its threads under SCHED_IDLE
}

// buildJobMessage is one line of the build process's stdout: one field set.
type buildJobMessage struct {
	Progress *indexer.Progress `json:"progress,omitempty"`
	Problem  *corpus.Problem   `json:"problem,omitempty"`
	Manifest *indexer.Manifest `json:"manifest,omitempty"`
	Error    string            `json:"error,omitempty"`
}

// errReported is returned by the build-job command once it has written its
// error for the server: main exits with status 2 without printing it again.
var errReported = errors.New("build-job: error reported to the server")

// runBuildJob is the hidden build-job command, which serve runs.
func runBuildJob(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	var req buildJobRequest
	if err := json.NewDecoder(stdin).Decode(&req); err != nil {
		return fmt.Errorf("%s: read the request on stdin (the server runs this command): %w", buildJobCommand, err)
	}
	// A server that died closed the pipe: writes to it fail (EPIPE)
	// instead of killing the process, which cancels the build and
	// removes its partial generation.
	signal.Ignore(syscall.SIGPIPE)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	enc := json.NewEncoder(stdout)
	send := func(m buildJobMessage) {
		mu.Lock()
		defer mu.Unlock()
		if err := enc.Encode(m); err != nil {
			cancel()
		}
	}
	man, err := buildJob(ctx, req, send)
	if err != nil {
		send(buildJobMessage{Error: err.Error()})
		return errReported
	}
	send(buildJobMessage{Manifest: man})
	return nil
}

// buildJob builds as req asks, sending progress and problems.
func buildJob(ctx context.Context, req buildJobRequest, send func(buildJobMessage)) (*indexer.Manifest, error) {
	c := &req.Config
	log, err := c.logger()
	if err != nil {
		return nil, err
	}
	// a system that refuses SCHED_IDLE (a seccomp filter) still builds, at
	// build_nice: the job matters more than its class
	if err := lowerPriority(req.Nice, req.Idle); errors.Is(err, errIdleRefused) {
		log.Warn("build process: SCHED_IDLE refused, building at build_nice", "nice", req.Nice, "err", err)
	} else if err != nil {
		return nil, fmt.Errorf("lower the build's priority to nice %d: %w", req.Nice, err)
	}
	opt, err := c.buildOptions(log)
	if err != nil {
		return nil, err
	}
	buildMemory()
	opt.Workers, opt.NoPrune, opt.Changes = req.Workers, true, c.logChanges()
	opt.Progress = func(p indexer.Progress) { send(buildJobMessage{Progress: &p}) }
	opt.Problem = func(p corpus.Problem) { send(buildJobMessage{Problem: &p}) }
	return indexer.Build(ctx, c.Data, opt)
}

// buildJobStop is how long a build process has to stop once its job is
// cancelled (it removes its partial generation) before it is killed.
const buildJobStop = 30 * time.Second

// processBuilder is the Builder of the server's reindex jobs: it runs the
// build in a process of its own (see buildJobCommand), calling opt's
// Progress and Problem as the process reports them. Of opt it takes only
// those and Workers: the process reads the configuration c as a build
// does.
func (c *Config) processBuilder(log *slog.Logger) func(ctx context.Context, dataDir string, opt indexer.BuildOptions) (*indexer.Manifest, error) {
	return func(ctx context.Context, dataDir string, opt indexer.BuildOptions) (*indexer.Manifest, error) {
		exe, err := buildJobExe()
		if err != nil {
			return nil, fmt.Errorf("find the binary to build with: %w", err)
		}
		req, err := json.Marshal(buildJobRequest{Config: Config{
			Data: dataDir, Sources: c.Sources, Columns: c.Columns, UserDict: c.UserDict, Taxonomy: c.Taxonomy,
			BatchSize: c.BatchSize, Keep: c.Keep, LogLevel: c.LogLevel, LogFormat: c.LogFormat,
		}, Workers: opt.Workers, Nice: c.BuildNice, Idle: c.BuildSched == buildSchedIdle})
		if err != nil {
			return nil, err
		}
		cmd := exec.CommandContext(ctx, exe, buildJobCommand)
		cmd.Stdin = bytes.NewReader(req)
		cmd.Stderr = os.Stderr // its log lines join the server's
		cmd.SysProcAttr = buildJobAttr()
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
		cmd.WaitDelay = buildJobStop
		out, err := cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("start the build process: %w", err)
		}
		log.Info("build process started", "pid", cmd.Process.Pid, "nice", c.BuildNice, "sched", c.BuildSched, "workers", opt.Workers)
		man, msg, rerr := readBuildJob(out, opt)
		if rerr != nil {
			cmd.Process.Kill()
		}
		werr := cmd.Wait()
		if ps := cmd.ProcessState; ps != nil {
			log.Info("build process ended", "pid", ps.Pid(), "exit", ps.String(),
				"cpu_seconds", fmt.Sprintf("%.1f", (ps.UserTime()+ps.SystemTime()).Seconds()), "peak_rss_mb", peakRSS(ps)>>20)
		}
		switch {
		case rerr != nil:
			err = fmt.Errorf("read the build process: %w", rerr)
		case msg != "":
			err = errors.New(msg)
		case werr != nil:
			// killed, or crashed before it could say why: its partial
			// generation is left, and removed now that its lock is free
			err = fmt.Errorf("the build process ended without a result: %w", werr)
		case man == nil:
			err = errors.New("the build process ended without a result")
		}
		if err != nil {
			if cerr := indexer.Cleanup(dataDir, log); cerr != nil && !errors.Is(cerr, indexer.ErrBuildRunning) {
				log.Warn("remove the partial generation of the build process", "err", cerr)
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		return man, nil
	}
}

// readBuildJob reads the build process's messages until it closes its
// stdout: the manifest, or the error it reported.
func readBuildJob(r io.Reader, opt indexer.BuildOptions) (man *indexer.Manifest, errMsg string, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var m buildJobMessage
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			line := sc.Text()
			return nil, "", fmt.Errorf("%w in %q", err, line[:min(len(line), 200)])
		}
		switch {
		case m.Progress != nil:
			if opt.Progress != nil {
				opt.Progress(*m.Progress)
			}
		case m.Problem != nil:
			if opt.Problem != nil {
				opt.Problem(*m.Problem)
			}
		case m.Manifest != nil:
			man = m.Manifest
		case m.Error != "":
			errMsg = m.Error
		}
	}
	return man, errMsg, sc.Err()
}
