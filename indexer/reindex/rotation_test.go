package reindex

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minsheng/errs"
	"minsheng/indexer"
)

// TestRotationKeepsRollback: with keep_generations 1, a successful job
// keeps the generation served before it; a failed job rotates nothing out
// and leaves no generation of its own behind.
func TestRotationKeepsRollback(t *testing.T) {
	data, srcDir := t.TempDir(), t.TempDir()
	src, _ := writeCorpus(t, srcDir, "a", 20, 0)
	empty := filepath.Join(srcDir, "empty")
	os.Mkdir(empty, 0o755)
	first := buildOnce(t, data, indexer.BuildOptions{Sources: []string{src}, Keep: 1})
	sources := []string{src}
	jobs, live := testJobs(t, data, JobsOptions{Build: func() (indexer.BuildOptions, error) {
		return indexer.BuildOptions{Sources: sources, Keep: 1}, nil
	}})
	run := func() Job {
		j, err := jobs.Start(context.Background(), "api")
		if err != nil {
			t.Fatal(err)
		}
		return waitJob(t, jobs, j.ID, time.Minute)
	}
	names := func() []string {
		l, err := indexer.List(data)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, m := range l {
			n = append(n, m.Name)
		}
		return n
	}
	time.Sleep(2 * time.Millisecond) // generation names have millisecond resolution
	j1 := run()
	if j1.State != StateSucceeded {
		t.Fatalf("job 1: %+v", j1)
	}
	if got := names(); len(got) != 2 || got[0] != j1.Generation || got[1] != first.Name {
		t.Fatalf("after one job with keep 1: %v; want the new one and %s, served before it", got, first.Name)
	}
	time.Sleep(2 * time.Millisecond)
	j2 := run()
	if got := names(); j2.State != StateSucceeded || len(got) != 2 || got[0] != j2.Generation || got[1] != j1.Generation {
		t.Fatalf("after a second job: %v; want %s and %s", got, j2.Generation, j1.Generation)
	}

	// a failed job (no documents) rotates nothing out
	sources = []string{empty}
	time.Sleep(2 * time.Millisecond)
	if j := run(); j.State != StateFailed {
		t.Fatalf("empty job: %+v", j)
	}
	if got := names(); len(got) != 2 || got[0] != j2.Generation || got[1] != j1.Generation || live.Generation() != j2.Generation {
		t.Fatalf("after a failed job: %v serving %s; want %s (serving) and %s", got, live.Generation(), j2.Generation, j1.Generation)
	}
}

// TestMinScheduleInterval: a schedule firing more often than MinInterval
// is refused with a message naming the minimum.
func TestMinScheduleInterval(t *testing.T) {
	data := t.TempDir()
	jobs, _ := testJobs(t, data, JobsOptions{MinInterval: time.Hour})
	for _, expr := range []string{"@every 1s", "@every 59m", "* * * * *", "*/5 * * * *", "0,30 2 * * *", "0,59 3 * * *"} {
		_, err := jobs.AddSchedule("", expr)
		if !errors.Is(err, errs.Invalid) || !strings.Contains(err.Error(), "1h0m0s") || !strings.Contains(err.Error(), "min_schedule_interval") {
			t.Errorf("%q: %v; want errs.Invalid naming the minimum 1h0m0s", expr, err)
		}
	}
	// each alone: together they would fire within the hour of each other
	for _, expr := range []string{"@every 1h", "@hourly", "0 2 * * *", "0 2,3 * * *", "@daily", "0 0 1 * *"} {
		sc, err := jobs.AddSchedule("", expr)
		if err != nil {
			t.Errorf("%q: %v", expr, err)
			continue
		}
		if err := jobs.DeleteSchedule(sc.ID); err != nil {
			t.Fatal(err)
		}
	}
}
