package mapped

import (
	"os"

	"golang.org/x/sys/unix"
)

// AdviseRandom tells the kernel that f is read at random (madvise
// MADV_RANDOM): a fault reads the page it needs and nothing around it.
// An error only loses the advice.
func (f File) AdviseRandom() { _ = unix.Madvise(f.Data, unix.MADV_RANDOM) }

// Unmap takes the pages of f out of the process's resident set (madvise
// MADV_DONTNEED; f is mapped shared and read-only, so nothing is lost):
// they stay in the page cache, and a read maps them again.
func (f File) Unmap() { _ = unix.Madvise(f.Data, unix.MADV_DONTNEED) }

// DropCached drops the cached pages of the file at path that no process
// maps (posix_fadvise POSIX_FADV_DONTNEED): the next reads come from the
// disk, in the pieces they ask for.
func DropCached(path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}
