//go:build !linux

package main

import (
	"os"
	"syscall"
)

// buildJobAttr: only Linux stops a child when its parent dies.
func buildJobAttr() *syscall.SysProcAttr { return nil }

// lowerPriority: the build runs at the server's priority elsewhere than
// on Linux.
func lowerPriority(int, bool) error { return nil }

// peakRSS: not measured elsewhere than on Linux.
func peakRSS(*os.ProcessState) int64 { return 0 }

// buildJobExe is the server's own binary.
func buildJobExe() (string, error) { return os.Executable() }
