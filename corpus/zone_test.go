package corpus

import (
	"testing"
	"time"
)

// The default zone is China Standard Time, by name where the time zone
// database has it, a fixed UTC+8 otherwise.
func TestDefaultZone(t *testing.T) {
	loc := DefaultZone()
	for _, at := range []time.Time{time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC), time.Date(2024, 7, 15, 12, 0, 0, 0, time.UTC)} {
		if _, off := at.In(loc).Zone(); off != 8*3600 {
			t.Errorf("%s: offset %d s, want 8 hours", at, off)
		}
	}
	if _, err := time.LoadLocation(DefaultTimeZone); err == nil && loc.String() != DefaultTimeZone {
		t.Errorf("zone %q, want %q from the time zone database", loc, DefaultTimeZone)
	} else if err != nil && loc != CST() {
		t.Errorf("no time zone database (%v): zone %q, want CST", err, loc)
	}
}
