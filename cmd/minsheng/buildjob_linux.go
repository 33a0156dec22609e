package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

// buildJobAttr has the build process stopped when the server dies, so
// that no orphan build holds the data folder's build lock.
func buildJobAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}

// buildJobExe is the server's own binary, the very file it runs even
// when an upgrade has put another at its path since it started.
func buildJobExe() (string, error) {
	const self = "/proc/self/exe"
	if _, err := os.Stat(self); err != nil {
		return os.Executable()
	}
	return self, nil
}

// lowerPriority sets the niceness of every thread of the process and,
// with idle, puts each under SCHED_IDLE. Linux keeps both per thread, and
// a thread starts with its creator's: once every thread has them, every
// later one does too. Threads started while the list is read are caught
// by the next pass. Should the system refuse SCHED_IDLE, every thread
// still gets the niceness, and the error is errIdleRefused.
func lowerPriority(nice int, idle bool) error {
	if nice == 0 && !idle {
		return nil
	}
	var refused error
	for pass := 0; pass < 3; pass++ {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return err
		}
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, nice); err != nil {
				return err
			}
			if idle {
				if err := schedIdle(tid); err != nil {
					idle, refused = false, fmt.Errorf("%w: %v", errIdleRefused, err)
				}
			}
		}
	}
	return refused
}

// schedIdle puts thread tid under SCHED_IDLE (sched_setscheduler(2); its
// priority must be 0).
func schedIdle(tid int) error {
	const schedIdle = 5 // SCHED_IDLE, linux/sched.h
	var param struct{ priority int32 }
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETSCHEDULER, uintptr(tid), schedIdle, uintptr(unsafe.Pointer(&param)))
	if e != 0 {
		return e
	}
	return nil
}

// peakRSS is the peak resident memory of an ended process in bytes.
func peakRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10 // KB on Linux
	}
	return 0
}
