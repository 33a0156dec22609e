package corpus

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// cst is China Standard Time, the zone of dates written without one (CST
// returns it). A fixed zone needs no tzdata, unlike
// time.LoadLocation("Asia/Shanghai"): China has had no daylight saving
// time since 1991.
var cst = time.FixedZone("CST", 8*3600)

var errDate = errors.New("unreadable date")

// clockMarks turns 10时10分23秒 into 10:10:23 and drops spaces.
var clockMarks = strings.NewReplacer(" ", "", "时", ":", "点", ":", "分", ":", "秒", "")

// ParseDate parses the date formats we accept; it returns the zero time and
// a nil error for "". Accepted are a date written 2023-01-11, 2023/1/11,
// 2023.1.11, 2023年1月11日 or 20230111, optionally followed (after a space,
// "T" or, for 日, nothing) by a time 10:10, 10:10:23 or 10:10:23.5 (also
// 10时10分23秒) and a zone Z, +08:00 or +0800. A time without a zone is in
// China Standard Time (UTC+8), a date without a time is midnight there,
// and the result is always in that zone.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	date, clock := s, ""
	if i := strings.Index(s, "日"); i >= 0 {
		date, clock = s[:i], s[i+len("日"):]
	} else if i := strings.IndexAny(s, "T "); i >= 0 {
		date, clock = s[:i], s[i+1:]
	}
	y, m, d, ok := splitDate(date)
	if !ok {
		return time.Time{}, errDate
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, cst)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, errDate
	}
	clock = strings.TrimSuffix(clockMarks.Replace(clock), ":")
	if clock == "" {
		return t, nil
	}
	day := t.Format("2006-01-02T")
	for _, layout := range []string{"15:04:05Z07:00", "15:04Z07:00", "15:04:05Z0700", "15:04Z0700"} {
		if t, err := time.Parse("2006-01-02T"+layout, day+clock); err == nil {
			return t.In(cst), nil
		}
	}
	for _, layout := range []string{"15:04:05", "15:04"} {
		if t, err := time.ParseInLocation("2006-01-02T"+layout, day+clock, cst); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errDate
}

// splitDate reads year, month and day from 2023-01-11, 2023/1/11,
// 2023.1.11, 2023年1月11 (the 日 already cut off) or 20230111.
func splitDate(s string) (y, m, d int, ok bool) {
	parts := []string{s}
	if len(s) == 8 && strings.Trim(s, "0123456789") == "" {
		parts = []string{s[:4], s[4:6], s[6:]}
	} else if seps := strings.Count(s, "-") + strings.Count(s, "/") + strings.Count(s, ".") +
		strings.Count(s, "年") + strings.Count(s, "月"); seps == 2 {
		parts = strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("-/.年月", r) })
	}
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) > 2 || len(parts[2]) > 2 {
		return 0, 0, 0, false
	}
	var n [3]int
	for i, p := range parts {
		if strings.Trim(p, "0123456789") != "" {
			return 0, 0, 0, false
		}
		n[i], _ = strconv.Atoi(p)
	}
	return n[0], n[1], n[2], true
}
