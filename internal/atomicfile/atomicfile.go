// Package atomicfile replaces a file's contents all at once: a reader, or
// the process after a crash, sees the old contents or the new, never part.
package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
)

// Write writes b to path through a temporary file in the same folder (mode
// 0600) that is fsynced, closed and renamed over path; the folder is
// fsynced after, so that the rename itself survives a crash.
func Write(path string, b []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
