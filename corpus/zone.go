package corpus

import "time"

// DefaultTimeZone is the service's time zone unless configured otherwise
// (the configuration's time_zone: cron schedules, the day overdue is
// reckoned on): China Standard Time, by its name in the time zone
// database. The one place it is written.
const DefaultTimeZone = "Asia/Shanghai"

// DefaultZone is DefaultTimeZone from the system's or the embedded time
// zone database, else CST, a fixed UTC+8 (China has had no daylight saving
// time since 1991).
func DefaultZone() *time.Location {
	if loc, err := time.LoadLocation(DefaultTimeZone); err == nil {
		return loc
	}
	return cst
}
