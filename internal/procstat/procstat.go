// Package procstat reads a process's memory figures from Linux's
// /proc/PID/status, for the tests and benchmarks that bound or report
// them (VmRSS, VmHWM, RssAnon).
package procstat

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Field reads field of /proc/PID/status in bytes, pid 0 meaning this
// process. found is false when the file or the field is missing (not
// Linux, a process gone); err reports a value that is not a count of kB.
func Field(pid int, field string) (n int64, found bool, err error) {
	path := "/proc/self/status"
	if pid != 0 {
		path = fmt.Sprintf("/proc/%d/status", pid)
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, false, nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, true, fmt.Errorf("%s: %s: %w", path, field, err)
			}
			return kb << 10, true, nil
		}
	}
	return 0, false, sc.Err()
}

// Bytes is Field's value, 0 when it cannot be read: for figures that are
// reported, not checked.
func Bytes(pid int, field string) int64 {
	n, _, _ := Field(pid, field)
	return n
}

// Self is field of this process in bytes; a test without it is skipped,
// and one with a malformed value fails.
func Self(tb testing.TB, field string) int64 {
	tb.Helper()
	n, found, err := Field(0, field)
	if err != nil {
		tb.Fatal(err)
	}
	if !found {
		tb.Skipf("no %s in /proc/self/status", field)
	}
	return n
}

// PeakGrowth runs f and returns how far this process's peak resident set
// rose above its resident set before f: the peak is reset first by
// writing 5 to /proc/self/clear_refs (Linux 4.0 and later); a test that
// cannot is skipped.
func PeakGrowth(tb testing.TB, f func()) int64 {
	tb.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		tb.Skipf("cannot reset the peak RSS: %v", err)
	}
	base := Self(tb, "VmRSS")
	f()
	return Self(tb, "VmHWM") - base
}

// Mapping is what /proc/self/smaps says of a file this process maps.
type Mapping struct {
	Path   string
	RSS    int64 // bytes of the mapping resident in this process
	Random bool  // advised random (madvise MADV_RANDOM: VmFlags "rr")
}

// Mappings lists the mappings of this process of the files whose path
// match accepts; a test where /proc/self/smaps cannot be read is skipped.
func Mappings(tb testing.TB, match func(path string) bool) []Mapping {
	tb.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		tb.Skipf("skipping: %v", err)
	}
	defer f.Close()
	var (
		out []Mapping
		cur *Mapping
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if !strings.HasSuffix(fields[0], ":") { // a mapping's first line: range perms offset dev inode [path]
			cur = nil
			if len(fields) >= 6 && match(fields[5]) {
				out = append(out, Mapping{Path: fields[5]})
				cur = &out[len(out)-1]
			}
			continue
		}
		switch {
		case cur == nil:
		case fields[0] == "Rss:" && len(fields) >= 2:
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				tb.Fatalf("/proc/self/smaps: %q: %v", line, err)
			}
			cur.RSS = kb << 10
		case fields[0] == "VmFlags:":
			cur.Random = slices.Contains(fields[1:], "rr")
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
