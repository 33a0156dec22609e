package reindex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Shanghai on hosts without a zone database

	"minsheng/errs"
	"minsheng/indexer"
	"minsheng/search"
)

// The layout of a data folder as package indexer writes it (README,
// "Index generations"), for tests that look inside one.
const (
	genDir       = "generations"
	tmpSuffix    = ".tmp"
	manifestFile = "manifest.json"
)

// topicWords are the words of the test corpus whose document counts the
// tests know: word i is in every document whose number is a multiple of
// topicEvery[i].
var (
	topicWords = []string{"教育", "医疗", "交通"}
	topicEvery = []int{4, 5, 7}
)

const filler = "代表提出建议，希望有关部门进一步加强工作，切实解决群众反映的突出问题，推动各项措施落到实处。"

// writeCorpus writes n JSON Lines documents to dir/name.jsonl; each body
// holds pad extra copies of the filler text. It returns the file and the
// number of documents holding each topic word.
func writeCorpus(t testing.TB, dir, name string, n, pad int) (string, map[string]uint64) {
	t.Helper()
	want := map[string]uint64{}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	for i := range n {
		body := fmt.Sprintf("第%d号建议。", i) + strings.Repeat(filler, 1+pad)
		for k, w := range topicWords {
			if i%topicEvery[k] == 0 {
				body += "关于" + w + "的意见。"
				want[w]++
			}
		}
		doc := map[string]any{"id": fmt.Sprintf("%s-%d", name, i), "kind": "suggestion",
			"title": fmt.Sprintf("第%d号代表建议", i), "body": body, "date": "2024-03-01"}
		if err := enc.Encode(doc); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, name+".jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, want
}

// testJobs opens a jobs service over a data folder that already serves a
// first generation of src, and runs it until the test ends.
func testJobs(t *testing.T, data string, opt JobsOptions) (*Jobs, *indexer.Live) {
	t.Helper()
	live, err := indexer.OpenLive(data)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := OpenJobs(data, live, opt)
	if err != nil {
		live.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- jobs.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
		jobs.Close()
		live.Close()
	})
	return jobs, live
}

func buildOnce(t *testing.T, data string, opt indexer.BuildOptions) *indexer.Manifest {
	t.Helper()
	man, err := indexer.Build(context.Background(), data, opt)
	if err != nil {
		t.Fatal(err)
	}
	return man
}

// waitJob polls job id until it has finished.
func waitJob(t *testing.T, jobs *Jobs, id string, within time.Duration) Job {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		j, err := jobs.Job(id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Finished() {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s after %s: %+v", id, j.State, within, j)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func partials(t *testing.T, data string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(data, genDir, "*"+tmpSuffix))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSwapUnderSearchLoad: 4 goroutines search while jobs rebuild and
// swap the served generation several times. No search may fail and none
// may see a wrong (in particular an empty) result.
func TestSwapUnderSearchLoad(t *testing.T) {
	data, srcDir := t.TempDir(), t.TempDir()
	src, want := writeCorpus(t, srcDir, "a", 300, 0)
	buildOnce(t, data, indexer.BuildOptions{Sources: []string{src}})
	jobs, live := testJobs(t, data, JobsOptions{
		Build: func() (indexer.BuildOptions, error) {
			return indexer.BuildOptions{Sources: []string{src}, Keep: 2}, nil
		},
	})
	s := search.New(live.Index(), search.Options{})
	ctx := context.Background()
	var queries, failed, wrong, empty atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var stopOnce sync.Once
	halt := func() { stopOnce.Do(func() { close(stop) }); wg.Wait() }
	defer halt() // before the cleanup closes the index, also after t.Fatal
	for g := range 4 {
		wg.Go(func() {
			for i := g; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				w := topicWords[i%len(topicWords)]
				res, err := s.Search(ctx, search.Request{Query: w, Size: 5, NoFacets: true, NoHighlight: true})
				queries.Add(1)
				switch {
				case err != nil:
					failed.Add(1)
					t.Errorf("search %s: %v", w, err)
				case res.Total != want[w]:
					wrong.Add(1)
					if res.Total == 0 {
						empty.Add(1)
					}
					t.Errorf("search %s: %d results, want %d", w, res.Total, want[w])
				}
			}
		})
	}
	const swaps = 4
	gens := map[string]bool{live.Generation(): true}
	for range swaps {
		before := queries.Load()
		j, err := jobs.Start(ctx, "api")
		if err != nil {
			t.Fatal(err)
		}
		j = waitJob(t, jobs, j.ID, 2*time.Minute)
		if j.State != StateSucceeded || j.Generation == "" {
			t.Fatalf("job: %+v", j)
		}
		if live.Generation() != j.Generation {
			t.Fatalf("serving %s, want the job's %s", live.Generation(), j.Generation)
		}
		gens[j.Generation] = true
		for queries.Load() < before+20 { // searches overlap each build and swap
			time.Sleep(5 * time.Millisecond)
		}
	}
	halt()
	t.Logf("%d swaps under load: %d queries, %d failed, %d wrong, %d wrongly empty",
		swaps, queries.Load(), failed.Load(), wrong.Load(), empty.Load())
	if len(gens) != swaps+1 {
		t.Errorf("%d distinct generations served, want %d", len(gens), swaps+1)
	}
	if failed.Load() != 0 || wrong.Load() != 0 || empty.Load() != 0 {
		t.Errorf("%d failed, %d wrong, %d empty of %d", failed.Load(), wrong.Load(), empty.Load(), queries.Load())
	}
	list, err := indexer.List(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != live.Generation() || !list[0].Current {
		t.Errorf("generations after pruning to 2: %+v, serving %s", list, live.Generation())
	}
	if p := partials(t, data); len(p) != 0 {
		t.Errorf("partial folders left: %v", p)
	}
}

// TestPruneKeepsServed: builds by another process (here: Build without a
// swap, as `minsheng index` does) prune old generations but never the one
// a Live serves.
func TestPruneKeepsServed(t *testing.T) {
	data, srcDir := t.TempDir(), t.TempDir()
	src, want := writeCorpus(t, srcDir, "a", 40, 0)
	first := buildOnce(t, data, indexer.BuildOptions{Sources: []string{src}})
	live, err := indexer.OpenLive(data)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	for range 3 {
		buildOnce(t, data, indexer.BuildOptions{Sources: []string{src}, Keep: 1})
	}
	if _, err := os.Stat(filepath.Join(data, genDir, first.Name, manifestFile)); err != nil {
		t.Fatalf("the served generation was pruned: %v", err)
	}
	res, err := search.New(live.Index(), search.Options{}).Search(context.Background(), search.Request{Query: "教育"})
	if err != nil || res.Total != want["教育"] {
		t.Fatalf("search on the served generation: %v, %+v", err, res)
	}
	list, _ := indexer.List(data)
	if len(list) != 2 { // the newest (current) and the served one
		t.Errorf("generations: %d, want 2", len(list))
	}
	// Once it is no longer served, the next prune deletes it.
	if err := live.Reload(); err != nil {
		t.Fatal(err)
	}
	if err := indexer.Prune(data, 1, nil); err != nil {
		t.Fatal(err)
	}
	if list, _ := indexer.List(data); len(list) != 1 || list[0].Name != live.Generation() {
		t.Errorf("after prune: %+v", list)
	}
}

// TestProgressAndCancel: a running job reports documents, totals, rate
// and ETA, live and (every SaveEvery) in the store; a cancelled job ends
// cancelled, leaves no partial folder and the served generation serving.
func TestProgressAndCancel(t *testing.T) {
	data, srcDir := t.TempDir(), t.TempDir()
	small, want := writeCorpus(t, srcDir, "small", 30, 0)
	big, _ := writeCorpus(t, srcDir, "big", 6000, 8)
	first := buildOnce(t, data, indexer.BuildOptions{Sources: []string{small}})
	jobs, live := testJobs(t, data, JobsOptions{
		Build: func() (indexer.BuildOptions, error) {
			return indexer.BuildOptions{Sources: []string{big}, BatchSize: 50}, nil
		},
		SaveEvery: 100 * time.Millisecond,
	})
	ctx := context.Background()
	j, err := jobs.Start(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	if j.State != StateRunning || j.Trigger != "api" || j.Previous != first.Name {
		t.Fatalf("started job: %+v", j)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		j, err = jobs.Job(j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.State != StateRunning {
			t.Fatalf("job ended before it showed progress: %+v", j)
		}
		if j.Docs >= 200 && j.ETASeconds > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no progress: %+v", j)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("progress: %d docs of about %d, %d/%d bytes (%.1f%%), %.0f docs/s, ETA %.0f s",
		j.Docs, j.DocsEstimate, j.Bytes, j.TotalBytes, j.Percent, j.Rate, j.ETASeconds)
	if j.TotalBytes <= 0 || j.Bytes <= 0 || j.Bytes > j.TotalBytes || j.Rate <= 0 ||
		j.DocsEstimate < j.Docs || j.Percent <= 0 || j.Percent >= 100 {
		t.Errorf("progress fields: %+v", j)
	}
	if p := partials(t, data); len(p) != 1 {
		t.Errorf("partial folders while building: %v", p)
	}
	time.Sleep(150 * time.Millisecond)
	var stored Job
	if ok, err := jobs.store.get(bucketJobs, j.ID, &stored); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if stored.State != StateRunning || stored.Docs == 0 {
		t.Errorf("progress not persisted: %+v", stored)
	}
	list, err := jobs.List(10)
	if err != nil || len(list) != 1 || list[0].ID != j.ID || list[0].Docs < j.Docs {
		t.Errorf("List while running: %v %+v", err, list)
	}
	if _, err := jobs.Start(ctx, "api"); !errors.Is(err, ErrJobRunning) {
		t.Errorf("second Start: %v, want ErrJobRunning", err)
	}
	if _, err := jobs.Activate(first.Name); !errors.Is(err, ErrJobRunning) {
		t.Errorf("Activate while a job runs: %v, want ErrJobRunning", err)
	}
	c, err := jobs.Cancel(j.ID)
	if err != nil || !c.CancelRequested {
		t.Fatalf("Cancel: %v %+v", err, c)
	}
	j = waitJob(t, jobs, j.ID, 30*time.Second)
	if j.State != StateCancelled || j.End.IsZero() || j.ETASeconds != 0 || j.Generation != "" {
		t.Errorf("cancelled job: %+v", j)
	}
	if _, err := jobs.Cancel(j.ID); !errors.Is(err, ErrJobDone) {
		t.Errorf("Cancel of a finished job: %v, want ErrJobDone", err)
	}
	if _, err := jobs.Cancel("job-nope"); !errors.Is(err, errs.NotFound) {
		t.Errorf("Cancel of an unknown job: %v, want errs.NotFound", err)
	}
	if p := partials(t, data); len(p) != 0 {
		t.Errorf("partial folders after cancel: %v", p)
	}
	if live.Generation() != first.Name {
		t.Errorf("serving %s after a cancelled job, want %s", live.Generation(), first.Name)
	}
	res, err := search.New(live.Index(), search.Options{}).Search(ctx, search.Request{Query: "医疗"})
	if err != nil || res.Total != want["医疗"] {
		t.Errorf("search after cancel: %v %+v", err, res)
	}
}

// TestOneJobAtATime: ten triggers at once start exactly one job; the
// others get the running job and ErrJobRunning.
func TestOneJobAtATime(t *testing.T) {
	data, srcDir := t.TempDir(), t.TempDir()
	src, _ := writeCorpus(t, srcDir, "a", 400, 2)
	jobs, _ := testJobs(t, data, JobsOptions{
		Build: func() (indexer.BuildOptions, error) { return indexer.BuildOptions{Sources: []string{src}}, nil },
	})
	var started, refused atomic.Int32
	ids := make(chan string, 10)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			j, err := jobs.Start(context.Background(), "api")
			switch {
			case err == nil:
				started.Add(1)
			case errors.Is(err, ErrJobRunning):
				refused.Add(1)
			default:
				t.Error(err)
			}
			ids <- j.ID
		})
	}
	wg.Wait()
	close(ids)
	if started.Load() != 1 || refused.Load() != 9 {
		t.Fatalf("%d started, %d refused; want 1 and 9", started.Load(), refused.Load())
	}
	var id string
	for x := range ids {
		if id != "" && x != id {
			t.Errorf("refusals name job %s, the started one is %s", x, id)
		}
		id = x
	}
	j := waitJob(t, jobs, id, 2*time.Minute)
	if j.State != StateSucceeded || j.Docs != 400 {
		t.Errorf("job: %+v", j)
	}
}

// TestJobRunning: Running is called as each job starts and what it
// returns once its build and swap are over, before the job is finished,
// a failed job's too.
func TestJobRunning(t *testing.T) {
	data, srcDir := t.TempDir(), t.TempDir()
	src, _ := writeCorpus(t, srcDir, "a", 50, 0)
	var running, done atomic.Int32
	sources := []string{src}
	jobs, _ := testJobs(t, data, JobsOptions{
		Build: func() (indexer.BuildOptions, error) { return indexer.BuildOptions{Sources: sources}, nil },
		Running: func() func() {
			running.Add(1)
			return func() { done.Add(1) }
		},
	})
	for i, want := range []State{StateSucceeded, StateFailed} {
		if i == 1 {
			sources = []string{filepath.Join(srcDir, "missing.jsonl")}
		}
		j, err := jobs.Start(context.Background(), "api")
		if err != nil {
			t.Fatal(err)
		}
		if j = waitJob(t, jobs, j.ID, 2*time.Minute); j.State != want {
			t.Errorf("job %d: %s, want %s", i+1, j.State, want)
		}
		if r, d := running.Load(), done.Load(); r != int32(i+1) || d != int32(i+1) {
			t.Errorf("after job %d: Running called %d times, its end %d; want %d and %d", i+1, r, d, i+1, i+1)
		}
	}
}

// TestRestartMarksInterrupted: a job a crashed process left running is
// failed on the next open, and its partial folder removed.
func TestRestartMarksInterrupted(t *testing.T) {
	data := t.TempDir()
	st, err := openStore(filepath.Join(data, JobsFile))
	if err != nil {
		t.Fatal(err)
	}
	crashed := Job{ID: "job-20260101-000000-000001", Trigger: "api", State: StateRunning, Start: time.Now(), Docs: 5, ETASeconds: 9}
	done := Job{ID: "job-20250101-000000-000000", Trigger: "api", State: StateSucceeded, Start: time.Now()}
	for _, j := range []Job{crashed, done} {
		if err := st.put(bucketJobs, j.ID, j); err != nil {
			t.Fatal(err)
		}
	}
	st.close()
	tmp := filepath.Join(data, genDir, "gen-20260101-000000-000"+tmpSuffix)
	if err := os.MkdirAll(filepath.Join(tmp, "index"), 0o755); err != nil {
		t.Fatal(err)
	}
	jobs, _ := testJobs(t, data, JobsOptions{})
	j, err := jobs.Job(crashed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != StateFailed || j.Error != ErrInterrupted.Error() || j.End.IsZero() || j.ETASeconds != 0 || j.Docs != 5 {
		t.Errorf("interrupted job: %+v", j)
	}
	if j, _ := jobs.Job(done.ID); j.State != StateSucceeded {
		t.Errorf("finished job changed: %+v", j)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("partial folder left: %v", err)
	}
	list, _ := jobs.List(0)
	if len(list) != 2 || list[0].ID != crashed.ID {
		t.Errorf("List is not newest first: %+v", list)
	}
	// A second process on the same data folder fails fast.
	start := time.Now()
	if _, err := OpenJobs(data, nil, JobsOptions{}); err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("second OpenJobs: %v after %s; want an error within about a second", err, time.Since(start))
	}
}

// TestNoSourcesAndEmptyBuild: a job without sources fails with a reason;
// a build that yields no documents does not replace the served one.
func TestNoSourcesAndEmptyBuild(t *testing.T) {
	data, srcDir := t.TempDir(), t.TempDir()
	src, _ := writeCorpus(t, srcDir, "a", 20, 0)
	empty := filepath.Join(srcDir, "empty")
	os.Mkdir(empty, 0o755)
	first := buildOnce(t, data, indexer.BuildOptions{Sources: []string{src}})
	var sources []string
	var mu sync.Mutex
	jobs, live := testJobs(t, data, JobsOptions{Build: func() (indexer.BuildOptions, error) {
		mu.Lock()
		defer mu.Unlock()
		return indexer.BuildOptions{Sources: sources}, nil
	}})
	run := func(s []string) Job {
		mu.Lock()
		sources = s
		mu.Unlock()
		j, err := jobs.Start(context.Background(), "api")
		if err != nil {
			t.Fatal(err)
		}
		return waitJob(t, jobs, j.ID, time.Minute)
	}
	if j := run(nil); j.State != StateFailed || !strings.Contains(j.Error, "no sources") {
		t.Errorf("job without sources: %+v", j)
	}
	if j := run([]string{empty}); j.State != StateFailed || !strings.Contains(j.Error, "no documents") {
		t.Errorf("job with an empty source: %+v", j)
	}
	if cur, _ := indexer.Current(data); live.Generation() != first.Name || cur != first.Name {
		t.Errorf("serving %s, CURRENT %s; want %s", live.Generation(), cur, first.Name)
	}
}

// TestSkippedRecords: bad records are counted by reason and the first
// ones kept with file and line.
func TestSkippedRecords(t *testing.T) {
	data, srcDir := t.TempDir(), t.TempDir()
	src, _ := writeCorpus(t, srcDir, "a", 20, 0)
	f, _ := os.OpenFile(src, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("{broken\n{\"id\": \"x\", \"title\": \"\"}\n")
	f.Close()
	jobs, _ := testJobs(t, data, JobsOptions{
		Build:    func() (indexer.BuildOptions, error) { return indexer.BuildOptions{Sources: []string{src}}, nil },
		Problems: 1,
	})
	j, err := jobs.Start(context.Background(), "api")
	if err != nil {
		t.Fatal(err)
	}
	j = waitJob(t, jobs, j.ID, time.Minute)
	if j.State != StateSucceeded || j.Docs != 20 || j.Skipped != 2 || len(j.Reasons) == 0 {
		t.Fatalf("job: %+v", j)
	}
	if len(j.Problems) != 1 || j.Problems[0].File != src || j.Problems[0].Line != 21 || j.Problems[0].Reason == "" {
		t.Errorf("first skipped records: %+v", j.Problems)
	}
}

// TestActivate: rollback to an older generation; bad and unknown names.
func TestActivate(t *testing.T) {
	data, srcDir := t.TempDir(), t.TempDir()
	src, _ := writeCorpus(t, srcDir, "a", 20, 0)
	old := buildOnce(t, data, indexer.BuildOptions{Sources: []string{src}})
	cur := buildOnce(t, data, indexer.BuildOptions{Sources: []string{src}})
	jobs, live := testJobs(t, data, JobsOptions{})
	if live.Generation() != cur.Name {
		t.Fatalf("serving %s", live.Generation())
	}
	for _, bad := range []string{"../x", "..", "gen-1", "", "gen-20260101-000000-000/../../x", cur.Name + ".tmp"} {
		if _, err := jobs.Activate(bad); !errors.Is(err, errs.Invalid) {
			t.Errorf("Activate(%q): %v, want errs.Invalid", bad, err)
		}
	}
	if _, err := jobs.Activate("gen-20200101-000000-000"); !errors.Is(err, errs.NotFound) {
		t.Errorf("Activate(unknown): %v, want errs.NotFound", err)
	}
	g, err := jobs.Activate(old.Name)
	if err != nil || !g.Serving || !g.Current || g.Name != old.Name {
		t.Fatalf("Activate: %v %+v", err, g)
	}
	if c, _ := indexer.Current(data); live.Generation() != old.Name || c != old.Name {
		t.Errorf("after rollback: serving %s, CURRENT %s", live.Generation(), c)
	}
	gens, err := jobs.Generations()
	if err != nil || len(gens) != 2 || gens[0].Serving || !gens[1].Serving {
		t.Errorf("Generations: %v %+v", err, gens)
	}
}

// TestOnSwitch: the callback hears of every generation served after it is
// set, with its name.
func TestOnSwitch(t *testing.T) {
	data, srcDir := t.TempDir(), t.TempDir()
	src, _ := writeCorpus(t, srcDir, "a", 20, 0)
	buildOnce(t, data, indexer.BuildOptions{Sources: []string{src}})
	live, err := indexer.OpenLive(data)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	heard := make(chan string, 4)
	live.OnSwitch(func(name string) { heard <- name })
	man := buildOnce(t, data, indexer.BuildOptions{Sources: []string{src}})
	if err := live.Reload(); err != nil {
		t.Fatal(err)
	}
	select {
	case name := <-heard:
		if name != man.Name || name != live.Generation() {
			t.Errorf("heard %q, serving %q, built %q", name, live.Generation(), man.Name)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no call after the switch")
	}
	if err := live.Reload(); err != nil { // the same generation: no switch
		t.Fatal(err)
	}
	select {
	case name := <-heard:
		t.Errorf("heard %q without a switch", name)
	case <-time.After(100 * time.Millisecond):
	}
}
