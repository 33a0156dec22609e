package reindex

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/robfig/cron/v3"

	"minsheng/corpus"
	"minsheng/errs"
)

// Schedule runs a reindex job on a cron expression, in the time zone of
// the jobs service.
type Schedule struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Cron      string    `json:"cron"`
	Created   time.Time `json:"created"`
	LastFired time.Time `json:"last_fired,omitzero"`
	LastJob   string    `json:"last_job,omitempty"` // the job (or skipped record) of the last firing

	// Filled in when read, not stored.
	Description string    `json:"description,omitempty"` // 每天 02:00
	TimeZone    string    `json:"time_zone,omitempty"`
	Next        time.Time `json:"next,omitzero"`
}

// cronParser reads the standard five fields (minute hour day-of-month
// month day-of-week) and the descriptors @yearly, @monthly, @weekly,
// @daily, @hourly and @every <duration>.
func cronParser() cron.Parser {
	return cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
}

// parseCron checks a schedule's expression.
func (j *Jobs) parseCron(expr string) (cron.Schedule, error) {
	if expr == "" {
		return nil, kindErr(errs.Invalid, `cron expression is empty: want five fields like "0 2 * * *" or a descriptor like "@daily"`)
	}
	if len(expr) > 200 || !utf8.ValidString(expr) {
		return nil, kindErr(errs.Invalid, "cron expression is longer than 200 bytes or not UTF-8")
	}
	if prefix, ok := zonePrefix(expr); ok {
		return nil, kindErr(errs.Invalid, "cron expression %q names a time zone: schedules run in the configured time zone, %s (time_zone); remove %q",
			expr, j.opt.Location, prefix)
	}
	s, err := j.parser.Parse(expr)
	if err != nil {
		return nil, kindErr(errs.Invalid, "cron expression %q: %v (want minute hour day month weekday, like \"0 2 * * *\", or @daily, @every 1h)", expr, err)
	}
	if s.Next(time.Now().In(j.opt.Location)).IsZero() {
		return nil, kindErr(errs.Invalid, "cron expression %q never fires", expr)
	}
	return s, nil
}

// zonePrefix returns the CRON_TZ= or TZ= prefix of expr, with which the
// cron parser would run the schedule in a zone of its own. Schedules are
// refused one: their answers, descriptions and next firings are all in
// the configured zone, and would show times the schedule does not fire
// at. (The parser also panics on a prefix with nothing after it.)
func zonePrefix(expr string) (string, bool) {
	for _, p := range []string{"CRON_TZ=", "TZ="} {
		if strings.HasPrefix(expr, p) {
			zone, _, _ := strings.Cut(expr, " ")
			return zone, true
		}
	}
	return "", false
}

// checkInterval refuses a schedule that fires more often than
// MinInterval: reindexing every second rebuilds without pause and, with
// each build, rotates an older generation out of reach of a rollback.
func (j *Jobs) checkInterval(expr string, s cron.Schedule) error {
	if j.opt.MinInterval <= 0 {
		return nil
	}
	if gap := shortestGap(s, time.Now().In(j.opt.Location)); gap < j.opt.MinInterval {
		return kindErr(errs.Invalid, "cron expression %q fires every %s at times; the minimum interval between reindex jobs is %s (min_schedule_interval)",
			expr, gap, j.opt.MinInterval)
	}
	return nil
}

// shortestGap is the shortest time between two firings of s over its next
// 1,000 firings after now (for a five-field expression that covers every
// pattern of an hour, a day and a week; monthly ones come from several
// fields fired on the same day, which shows within a few months).
func shortestGap(s cron.Schedule, now time.Time) time.Duration {
	if c, ok := s.(cron.ConstantDelaySchedule); ok {
		return c.Delay
	}
	shortest := time.Duration(math.MaxInt64)
	t := s.Next(now)
	for range 1000 {
		n := s.Next(t)
		if n.IsZero() {
			break
		}
		shortest = min(shortest, n.Sub(t))
		t = n
	}
	return shortest
}

// clashHorizon and clashFirings bound how far ahead checkOthers compares
// two schedules: a year holds every pattern of the five fields but 29
// February (a monthly and a weekly one meet when the 1st is a Monday),
// and 10,000 firings are more than a year of an hourly schedule.
const (
	clashHorizon = 366 * 24 * time.Hour
	clashFirings = 10000
)

// checkOthers refuses a schedule that repeats a registered one (409
// naming it), and, with MinInterval, one whose firings come within
// MinInterval of a registered one's: MinInterval bounds how often the
// schedules together start a job, since two schedules five minutes apart
// rotate generations out as fast as one firing every five minutes. The
// caller holds j.mu, or is OpenJobs.
func (j *Jobs) checkOthers(expr string, s cron.Schedule) error {
	scs, err := j.store.schedules()
	if err != nil {
		return err
	}
	var others []Schedule
	for _, o := range scs {
		if _, ok := j.entries[o.ID]; !ok {
			continue // not registered: it never fires
		}
		if sameCron(o.Cron, expr) {
			return kindErr(errs.Conflict, "schedule %s already has the cron expression %q", o.ID, o.Cron)
		}
		others = append(others, o)
	}
	if j.opt.MinInterval <= 0 || len(others) == 0 {
		return nil
	}
	now := time.Now().In(j.opt.Location)
	_, every := s.(cron.ConstantDelaySchedule)
	var mine []time.Time
	for _, o := range others {
		oc, err := j.parser.Parse(o.Cron)
		if err != nil {
			continue
		}
		if _, oEvery := oc.(cron.ConstantDelaySchedule); every || oEvery {
			// An @every schedule counts from when the server started, so
			// no check made now holds after the next restart.
			return kindErr(errs.Conflict, "cron expression %q and schedule %s (%q) cannot be kept %s apart (min_schedule_interval): "+
				"an @every schedule counts from when the server starts; write it as five fields, like \"0 2 * * *\"",
				expr, o.ID, o.Cron, j.opt.MinInterval)
		}
		if mine == nil {
			mine = firings(s, now)
		}
		if a, b, ok := within(mine, firings(oc, now), j.opt.MinInterval); ok {
			const layout = "2006-01-02 15:04"
			return kindErr(errs.Conflict, "cron expression %q fires at %s, %s from schedule %s (%q) at %s; "+
				"schedules together start a reindex job at most every %s (min_schedule_interval)",
				expr, a.Format(layout), absDuration(a.Sub(b)), o.ID, o.Cron, b.Format(layout), j.opt.MinInterval)
		}
	}
	return nil
}

// sameCron tells whether two expressions are written alike, but for
// spaces and the case of month and weekday names.
func sameCron(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// firings lists the firings of s after now, within clashHorizon and at
// most clashFirings of them, in order.
func firings(s cron.Schedule, now time.Time) []time.Time {
	var out []time.Time
	end := now.Add(clashHorizon)
	for t := s.Next(now); !t.IsZero() && t.Before(end) && len(out) < clashFirings; t = s.Next(t) {
		out = append(out, t)
	}
	return out
}

// within finds a firing of a and one of b less than gap apart; a and b
// are in order.
func within(a, b []time.Time, gap time.Duration) (time.Time, time.Time, bool) {
	for i, k := 0, 0; i < len(a) && k < len(b); {
		if absDuration(a[i].Sub(b[k])) < gap {
			return a[i], b[k], true
		}
		if a[i].Before(b[k]) {
			i++
		} else {
			k++
		}
	}
	return time.Time{}, time.Time{}, false
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// AddSchedule stores a schedule and registers it: it fires once Run runs,
// and again after every restart. name may be empty. A schedule repeating
// another, or firing within MinInterval of another, is refused
// (errs.Conflict, naming the other).
func (j *Jobs) AddSchedule(name, expr string) (Schedule, error) {
	expr = strings.TrimSpace(expr)
	name = strings.TrimSpace(name)
	cs, err := j.parseCron(expr)
	if err != nil {
		return Schedule{}, err
	}
	if err := j.checkInterval(expr, cs); err != nil {
		return Schedule{}, err
	}
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > 100 {
		return Schedule{}, kindErr(errs.Invalid, "schedule name must be UTF-8 text of at most 100 characters")
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.checkOthers(expr, cs); err != nil {
		return Schedule{}, err
	}
	n, err := j.store.nextSeq(bucketSchedules)
	if err != nil {
		return Schedule{}, err
	}
	sc := Schedule{ID: fmt.Sprintf("sch-%04d", n), Name: name, Cron: expr, Created: time.Now()}
	if err := j.store.put(bucketSchedules, sc.ID, sc); err != nil {
		return Schedule{}, fmt.Errorf("record schedule: %w", err)
	}
	if err := j.register(sc); err != nil {
		return Schedule{}, err
	}
	j.log.Info("schedule added", "schedule", sc.ID, "cron", expr, "name", name)
	return j.describe(sc), nil
}

// checkStored checks a stored schedule as OpenJobs registers it, against
// those registered before it.
func (j *Jobs) checkStored(sc Schedule) error {
	cs, err := j.parseCron(sc.Cron)
	if err != nil {
		return err
	}
	if err := j.checkOthers(sc.Cron, cs); err != nil {
		return fmt.Errorf("%w; delete one of the two", err)
	}
	return nil
}

// register adds a stored schedule to the cron runner. The caller holds
// j.mu, or is OpenJobs.
func (j *Jobs) register(sc Schedule) error {
	cs, err := j.parseCron(sc.Cron)
	if err != nil {
		return err
	}
	if err := j.checkInterval(sc.Cron, cs); err != nil {
		return fmt.Errorf("%w; delete the schedule and add one less frequent", err)
	}
	id := sc.ID
	eid, err := j.cron.AddFunc(sc.Cron, func() { j.fire(id) })
	if err != nil {
		return kindErr(errs.Invalid, "cron expression %q: %v", sc.Cron, err)
	}
	j.entries[id] = eid
	return nil
}

// DeleteSchedule removes schedule id; it does not fire again.
func (j *Jobs) DeleteSchedule(id string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	found, err := j.store.delete(bucketSchedules, id)
	if err != nil {
		return err
	}
	if eid, ok := j.entries[id]; ok {
		j.cron.Remove(eid)
		delete(j.entries, id)
	}
	if !found {
		return kindErr(errs.NotFound, "no schedule %q", truncate(id, 80))
	}
	j.log.Info("schedule deleted", "schedule", id)
	return nil
}

// Schedules lists the schedules in the order they were created, each
// with its description and next firing.
func (j *Jobs) Schedules() ([]Schedule, error) {
	scs, err := j.store.schedules()
	if err != nil {
		return nil, err
	}
	for i := range scs {
		scs[i] = j.describe(scs[i])
	}
	return scs, nil
}

// Schedule returns schedule id.
func (j *Jobs) Schedule(id string) (Schedule, error) {
	var sc Schedule
	ok, err := j.store.get(bucketSchedules, id, &sc)
	if err != nil {
		return Schedule{}, err
	}
	if !ok {
		return Schedule{}, kindErr(errs.NotFound, "no schedule %q", truncate(id, 80))
	}
	return j.describe(sc), nil
}

func (j *Jobs) describe(sc Schedule) Schedule {
	now := time.Now().In(j.opt.Location)
	sc.TimeZone = j.opt.Location.String()
	sc.Description = describeCron(sc.Cron, now)
	if s, err := j.parser.Parse(sc.Cron); err == nil {
		sc.Next = s.Next(now)
	}
	return sc
}

// fire runs on the cron goroutine when schedule id is due. When a job is
// running the firing is skipped, logged, and recorded in the history.
func (j *Jobs) fire(id string) {
	trigger := "schedule:" + id
	r := startRequest{trigger: trigger, reply: make(chan startReply, 1)}
	select {
	case j.requests <- r:
	case <-j.quit:
		return
	}
	rep := <-r.reply
	now := time.Now()
	recID := rep.job.ID
	switch {
	case errors.Is(rep.err, ErrJobRunning):
		j.log.Warn("schedule fired while a job was running: skipped", "schedule", id, "running", rep.job.ID)
		skip, err := j.recordSkip(trigger, rep.job.ID, now)
		if err != nil {
			j.log.Error("record skipped schedule", "schedule", id, "err", err)
		}
		recID = skip
	case rep.err != nil:
		j.log.Error("schedule could not start a job", "schedule", id, "err", rep.err)
		recID = ""
	default:
		j.log.Info("schedule fired", "schedule", id, "job", rep.job.ID)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	var sc Schedule
	if ok, err := j.store.get(bucketSchedules, id, &sc); err != nil || !ok {
		return // deleted meanwhile
	}
	sc.LastFired, sc.LastJob = now, recID
	if err := j.store.put(bucketSchedules, id, sc); err != nil {
		j.log.Error("record schedule firing", "schedule", id, "err", err)
	}
}

// recordSkip writes a skipped record to the job history.
func (j *Jobs) recordSkip(trigger, running string, now time.Time) (string, error) {
	id, err := j.newJobID(now)
	if err != nil {
		return "", err
	}
	rec := Job{ID: id, Trigger: trigger, State: StateSkipped, Start: now, End: now,
		Error: fmt.Sprintf("skipped: job %s was running", running)}
	if err := j.store.put(bucketJobs, id, rec); err != nil {
		return "", err
	}
	return id, j.store.trimJobs(j.opt.History)
}

// cronLogger sends the cron runner's messages to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}

// DescribeCron reads a cron expression in plain Chinese for the staff UI:
// "每天 02:00", "每周一 03:30", "每 5 分钟", "每月 1 日 00:00". Forms it has no
// phrase for are described by their next three firings in Asia/Shanghai
// time; an expression that does not parse gives "".
func DescribeCron(expr string) string {
	return describeCron(expr, time.Now().In(corpus.DefaultZone()))
}

var weekdayZH = []string{"日", "一", "二", "三", "四", "五", "六", "日"}

var weekdayNames = map[string]int{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}

var monthNames = map[string]int{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}

func describeCron(expr string, now time.Time) string {
	expr = strings.TrimSpace(expr)
	if _, ok := zonePrefix(expr); ok {
		return ""
	}
	sched, err := cronParser().Parse(expr)
	if err != nil {
		return ""
	}
	if d := describeDescriptor(expr); d != "" {
		return d
	}
	if d := describeFields(strings.Fields(expr)); d != "" {
		return d
	}
	var next []string
	t := now
	for range 3 {
		t = sched.Next(t)
		if t.IsZero() {
			break
		}
		next = append(next, t.Format("2006-01-02 15:04"))
	}
	if len(next) == 0 {
		return "不会运行"
	}
	return "下次运行：" + strings.Join(next, "、")
}

func describeDescriptor(expr string) string {
	switch expr {
	case "@yearly", "@annually":
		return "每年 1 月 1 日 00:00"
	case "@monthly":
		return "每月 1 日 00:00"
	case "@weekly":
		return "每周日 00:00"
	case "@daily", "@midnight":
		return "每天 00:00"
	case "@hourly":
		return "每小时整点"
	}
	if rest, ok := strings.CutPrefix(expr, "@every "); ok {
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		if err != nil {
			return ""
		}
		return "每 " + durationZH(max(d, time.Second).Round(time.Second))
	}
	return ""
}

// durationZH writes a whole number of seconds as 1 小时 30 分钟 etc.
func durationZH(d time.Duration) string {
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	var parts []string
	if h > 0 {
		parts = append(parts, strconv.Itoa(h)+" 小时")
	}
	if m > 0 {
		parts = append(parts, strconv.Itoa(m)+" 分钟")
	}
	if s > 0 {
		parts = append(parts, strconv.Itoa(s)+" 秒")
	}
	return strings.Join(parts, " ")
}

// describeFields covers the common five-field forms; "" for the rest.
func describeFields(f []string) string {
	if len(f) != 5 {
		return ""
	}
	minute, hour, dom, mon, dow := f[0], f[1], f[2], f[3], f[4]
	every := func(s string) bool { return s == "*" || s == "?" }
	step := func(s string) (int, bool) { // "*/n"
		r, ok := strings.CutPrefix(s, "*/")
		if !ok {
			return 0, false
		}
		n, err := strconv.Atoi(r)
		return n, err == nil && n > 0
	}
	dateAny := every(dom) && every(mon) && every(dow)
	switch m, mOK := number(minute, nil); {
	case minute == "*" && hour == "*" && dateAny:
		return "每分钟"
	case hour == "*" && dateAny:
		if n, ok := step(minute); ok {
			return fmt.Sprintf("每 %d 分钟", n)
		}
		if mOK {
			return fmt.Sprintf("每小时第 %d 分钟", m)
		}
		return ""
	case mOK && dateAny:
		if n, ok := step(hour); ok {
			if m == 0 {
				return fmt.Sprintf("每 %d 小时（整点）", n)
			}
			return fmt.Sprintf("每 %d 小时（第 %d 分钟）", n, m)
		}
	}
	times := clockTimes(minute, hour)
	if times == "" {
		return ""
	}
	switch {
	case dateAny:
		return "每天 " + times
	case every(dom) && every(mon):
		if d := weekdays(dow); d != "" {
			return "每" + d + " " + times
		}
	case every(mon) && every(dow):
		if d := numberList(dom, nil); d != "" {
			return "每月 " + d + " 日 " + times
		}
	case every(dow):
		mo, okM := number(mon, monthNames)
		d := numberList(dom, nil)
		if okM && d != "" {
			return fmt.Sprintf("每年 %d 月 %s 日 %s", mo, d, times)
		}
	}
	return ""
}

// clockTimes writes "02:00" or "02:00、14:00" when minute is one number
// and hour one or a few numbers; "" otherwise.
func clockTimes(minute, hour string) string {
	m, ok := number(minute, nil)
	if !ok {
		return ""
	}
	var out []string
	for _, h := range strings.Split(hour, ",") {
		n, ok := number(h, nil)
		if !ok {
			return ""
		}
		out = append(out, fmt.Sprintf("%02d:%02d", n, m))
	}
	return strings.Join(out, "、")
}

// number reads a plain number or, with names, a name like "mon".
func number(s string, names map[string]int) (int, bool) {
	if n, ok := names[strings.ToLower(s)]; ok {
		return n, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0
}

// numberList writes "1" or "1、15" for a list of plain numbers.
func numberList(s string, names map[string]int) string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		n, ok := number(p, names)
		if !ok {
			return ""
		}
		out = append(out, strconv.Itoa(n))
	}
	return strings.Join(out, "、")
}

// weekdays writes "周一", "周一至周五" or "周一、周三、周五"; "" for
// other forms.
func weekdays(s string) string {
	day := func(p string) (string, bool) {
		n, ok := number(p, weekdayNames)
		if !ok || n > 7 {
			return "", false
		}
		return "周" + weekdayZH[n], true
	}
	if a, b, ok := strings.Cut(s, "-"); ok && !strings.Contains(s, ",") {
		from, ok1 := day(a)
		to, ok2 := day(b)
		if ok1 && ok2 {
			return from + "至" + to
		}
		return ""
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		d, ok := day(p)
		if !ok {
			return ""
		}
		out = append(out, d)
	}
	return strings.Join(out, "、")
}
