//go:build !linux

package mapped

import (
	"errors"
	"os"
)

// Map is not at hand here: its callers read the file instead (see
// map_linux.go).
func Map(*os.File, int64) ([]byte, error) { return nil, errors.ErrUnsupported }

// Unmap does nothing.
func Unmap([]byte) error { return nil }
