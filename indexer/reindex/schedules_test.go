package reindex

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"minsheng/corpus"
	"minsheng/errs"
	"minsheng/indexer"
)

// TestSchedules: a schedule fires, records its job with the trigger
// schedule:<id>, survives reopening the service and fires again.
func TestSchedules(t *testing.T) {
	data, srcDir := t.TempDir(), t.TempDir()
	src, _ := writeCorpus(t, srcDir, "a", 20, 0)
	opt := JobsOptions{Build: func() (indexer.BuildOptions, error) { return indexer.BuildOptions{Sources: []string{src}}, nil }}
	live, err := indexer.OpenLive(data)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	open := func() (*Jobs, func()) {
		jobs, err := OpenJobs(data, live, opt)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { jobs.Run(ctx); close(done) }()
		return jobs, func() { cancel(); <-done; jobs.Close() }
	}
	jobs, stop := open()
	for _, bad := range []string{"", "61 * * * *", "* * *", "@every nonsense", "0 0 30 2 *", "@fortnightly"} {
		if _, err := jobs.AddSchedule("x", bad); !errors.Is(err, errs.Invalid) {
			t.Errorf("AddSchedule(%q): %v, want errs.Invalid", bad, err)
		}
	}
	if err := jobs.DeleteSchedule("sch-9999"); !errors.Is(err, errs.NotFound) {
		t.Errorf("DeleteSchedule of unknown: %v", err)
	}
	sc, err := jobs.AddSchedule("测试", "@every 1s")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Description != "每 1 秒" || sc.Next.IsZero() || sc.TimeZone != "Asia/Shanghai" {
		t.Errorf("schedule: %+v", sc)
	}
	nightly, err := jobs.AddSchedule("", "30 3 * * 1")
	if err != nil {
		t.Fatal(err)
	}
	waitTrigger := func(after time.Time) Job {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for time.Now().Before(deadline) {
			list, err := jobs.List(0)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range list {
				if j.Trigger == "schedule:"+sc.ID && j.State == StateSucceeded && j.Start.After(after) {
					return j
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("schedule %s did not run a job", sc.ID)
		return Job{}
	}
	j1 := waitTrigger(time.Time{})
	stop()
	reopened := time.Now()
	jobs, stop = open()
	defer func() { stop() }()
	scs, err := jobs.Schedules()
	if err != nil || len(scs) != 2 || scs[0].ID != sc.ID || scs[1].ID != nightly.ID || scs[1].Description != "每周一 03:30" {
		t.Fatalf("schedules after reopening: %v %+v", err, scs)
	}
	if scs[0].LastJob == "" || scs[0].LastFired.IsZero() {
		t.Errorf("schedule does not record its firing: %+v", scs[0])
	}
	j2 := waitTrigger(reopened)
	if j2.ID <= j1.ID {
		t.Errorf("job ids do not sort by time: %s then %s", j1.ID, j2.ID)
	}
	if err := jobs.DeleteSchedule(sc.ID); err != nil {
		t.Fatal(err)
	}
	if scs, _ := jobs.Schedules(); len(scs) != 1 {
		t.Errorf("after delete: %+v", scs)
	}
}

// TestScheduleSkippedWhileRunning: a firing while a job runs is recorded
// as skipped.
func TestScheduleSkippedWhileRunning(t *testing.T) {
	data, srcDir := t.TempDir(), t.TempDir()
	big, _ := writeCorpus(t, srcDir, "big", 10000, 8)
	jobs, _ := testJobs(t, data, JobsOptions{
		Build: func() (indexer.BuildOptions, error) {
			return indexer.BuildOptions{Sources: []string{big}, BatchSize: 50}, nil
		},
	})
	running, err := jobs.Start(context.Background(), "api")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := jobs.AddSchedule("", "@every 1s")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	var skipped Job
	for skipped.ID == "" && time.Now().Before(deadline) {
		list, _ := jobs.List(0)
		for _, j := range list {
			if j.State == StateSkipped && j.Trigger == "schedule:"+sc.ID {
				skipped = j
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	jobs.DeleteSchedule(sc.ID)
	jobs.Cancel(running.ID)
	if skipped.ID == "" || !strings.Contains(skipped.Error, running.ID) {
		t.Fatalf("no skipped record naming %s: %+v", running.ID, skipped)
	}
	waitJob(t, jobs, running.ID, 30*time.Second)
}

func TestDescribeCron(t *testing.T) {
	now := time.Date(2026, 1, 27, 10, 0, 0, 0, corpus.DefaultZone())
	for _, c := range []struct{ in, want string }{
		{"0 2 * * *", "每天 02:00"},
		{"30 3 * * 1", "每周一 03:30"},
		{"30 3 * * MON", "每周一 03:30"},
		{"0 1 * * 1-5", "每周一至周五 01:00"},
		{"0 1 * * 0,6", "每周日、周六 01:00"},
		{"*/5 * * * *", "每 5 分钟"},
		{"* * * * *", "每分钟"},
		{"15 * * * *", "每小时第 15 分钟"},
		{"0 */6 * * *", "每 6 小时（整点）"},
		{"0 2,14 * * *", "每天 02:00、14:00"},
		{"0 0 1 * *", "每月 1 日 00:00"},
		{"0 0 1,15 * *", "每月 1、15 日 00:00"},
		{"0 8 1 3 *", "每年 3 月 1 日 08:00"},
		{"@daily", "每天 00:00"},
		{"@weekly", "每周日 00:00"},
		{"@hourly", "每小时整点"},
		{"@every 1m", "每 1 分钟"},
		{"@every 1h30m", "每 1 小时 30 分钟"},
		{"@every 2s", "每 2 秒"},
		{"0 9-17 * * 1-5", "下次运行：2026-01-27 11:00、2026-01-27 12:00、2026-01-27 13:00"},
		{"not cron", ""},
	} {
		if got := describeCron(c.in, now); got != c.want {
			t.Errorf("describeCron(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if DescribeCron("0 2 * * *") != "每天 02:00" {
		t.Error("DescribeCron")
	}
}

// TestScheduleRepeatAndZone: a schedule written like a registered one is
// refused naming it, even with no minimum interval, and a CRON_TZ= or TZ=
// prefix is refused: answers would show the configured zone's times.
func TestScheduleRepeatAndZone(t *testing.T) {
	jobs, _ := testJobs(t, t.TempDir(), JobsOptions{})
	first, err := jobs.AddSchedule("夜间", "0 2 * * *")
	if err != nil {
		t.Fatal(err)
	}
	for _, expr := range []string{"0 2 * * *", " 0  2 * * * ", "0 2 * * *\t"} {
		if _, err := jobs.AddSchedule("", expr); !errors.Is(err, errs.Conflict) || !strings.Contains(err.Error(), first.ID) {
			t.Errorf("AddSchedule(%q) again: %v; want errs.Conflict naming %s", expr, err, first.ID)
		}
	}
	if _, err := jobs.AddSchedule("", "0 3 * * MON"); err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.AddSchedule("", "0 3 * * mon"); !errors.Is(err, errs.Conflict) {
		t.Errorf("a weekday name in other case: %v; want errs.Conflict", err)
	}
	for _, expr := range []string{"CRON_TZ=UTC 0 2 * * *", "TZ=UTC 0 4 * * *", "CRON_TZ=Asia/Shanghai 0 5 * * *", "CRON_TZ=UTC", "TZ="} {
		_, err := jobs.AddSchedule("", expr)
		if !errors.Is(err, errs.Invalid) || !strings.Contains(err.Error(), "Asia/Shanghai (time_zone)") {
			t.Errorf("AddSchedule(%q): %v; want errs.Invalid naming the configured zone", expr, err)
		}
		if d := describeCron(expr, time.Now()); d != "" {
			t.Errorf("describeCron(%q) = %q, want \"\"", expr, d)
		}
	}
	if scs, _ := jobs.Schedules(); len(scs) != 2 {
		t.Errorf("schedules: %+v, want the two accepted", scs)
	}
}

// TestSchedulesKeptApart: with MinInterval, a schedule whose firings come
// within it of another schedule's is refused naming the other, looking a
// year ahead (a monthly and a weekly schedule meet when the 1st is that
// weekday); @every cannot be kept apart from anything, since it counts
// from the server's start. Schedules an interval apart are taken.
func TestSchedulesKeptApart(t *testing.T) {
	data := t.TempDir()
	jobs, _ := testJobs(t, data, JobsOptions{MinInterval: time.Hour})
	hourly, err := jobs.AddSchedule("", "0 * * * *")
	if err != nil {
		t.Fatal(err)
	}
	for _, expr := range []string{"5 * * * *", "30 2 * * *", "@daily", "59 23 * * 0"} {
		_, err := jobs.AddSchedule("", expr)
		if !errors.Is(err, errs.Conflict) || !strings.Contains(err.Error(), hourly.ID) || !strings.Contains(err.Error(), "min_schedule_interval") {
			t.Errorf("AddSchedule(%q) beside %q: %v; want errs.Conflict naming %s and the minimum", expr, hourly.Cron, err, hourly.ID)
		}
	}
	if err := jobs.DeleteSchedule(hourly.ID); err != nil {
		t.Fatal(err)
	}
	nightly, err := jobs.AddSchedule("", "0 2 * * *")
	if err != nil {
		t.Fatal(err)
	}
	for _, expr := range []string{"0 3 * * *", "0 1 * * *", "0 12 1 * *"} { // an hour or more from every other
		if _, err := jobs.AddSchedule("", expr); err != nil {
			t.Errorf("AddSchedule(%q): %v", expr, err)
		}
	}
	for _, c := range []struct{ expr, other string }{
		{"30 3 * * *", "0 3 * * *"},
		{"30 12 * * 1", "0 12 1 * *"}, // only when the 1st is a Monday
		{"0 2 * * 6", nightly.ID},
		{"@every 168h", "@every"},
	} {
		if _, err := jobs.AddSchedule("", c.expr); !errors.Is(err, errs.Conflict) || !strings.Contains(err.Error(), c.other) {
			t.Errorf("AddSchedule(%q): %v; want errs.Conflict naming %q", c.expr, err, c.other)
		}
	}
	if scs, _ := jobs.Schedules(); len(scs) != 4 {
		t.Errorf("schedules: %+v, want 4", scs)
	}
}

// TestStoredClashNotRegistered: schedules stored without the minimum
// (an older version, or min_schedule_interval raised since) that clash
// under it are not all registered: the first added fires, the other is
// logged and left for staff to delete.
func TestStoredClashNotRegistered(t *testing.T) {
	data := t.TempDir()
	live, err := indexer.OpenLive(data)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	jobs, err := OpenJobs(data, live, JobsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, expr := range []string{"0 * * * *", "5 * * * *", "0 12 * * *"} {
		sc, err := jobs.AddSchedule("", expr)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sc.ID)
	}
	jobs.Close()
	jobs, err = OpenJobs(data, live, JobsOptions{MinInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer jobs.Close()
	_, first := jobs.entries[ids[0]]
	_, second := jobs.entries[ids[1]]
	_, third := jobs.entries[ids[2]]
	if !first || second || third {
		t.Errorf("registered: %v %v %v; want only the first, %s", first, second, third, ids[0])
	}
}
