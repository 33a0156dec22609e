// Package reindex runs reindex jobs for the server: one build at a time,
// started now (Start) or by cron schedules (AddSchedule), with progress,
// cancelling and rollback to a kept generation (Activate). Job history
// and schedules persist in DATA/jobs.db (bbolt).
//
//	live, err := indexer.OpenLive(dataDir)
//	jobs, err := reindex.OpenJobs(dataDir, live, reindex.JobsOptions{Build: opts})
//	go jobs.Run(ctx) // owns the jobs and the schedules; wait for it
//	job, err := jobs.Start(ctx, "manual")
//	...
//	jobs.Close() // after Run has returned
//
// A job builds a generation with indexer.Build and switches indexer.Live
// to it; a failed or cancelled job leaves the served generation alone.
// Its errors are of the kinds of package errs (ErrJobRunning is a
// Conflict, an unknown job errs.NotFound, a bad cron errs.Invalid …),
// which the web layer maps to HTTP status.
package reindex
