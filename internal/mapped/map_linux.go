package mapped

import (
	"os"

	"golang.org/x/sys/unix"
)

// Map maps size bytes of f read-only, advised to be read at random (see
// File.AdviseRandom): a read of the mapping costs no system call, and
// the pages it touches count in the process's resident set until the
// kernel takes them back. Unmap it when no one reads it.
func Map(f *os.File, size int64) ([]byte, error) {
	if size == 0 {
		return nil, nil
	}
	b, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	File{Data: b}.AdviseRandom()
	return b, nil
}

// Unmap unmaps what Map mapped.
func Unmap(b []byte) error {
	if b == nil {
		return nil
	}
	return unix.Munmap(b)
}
