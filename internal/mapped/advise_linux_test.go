package mapped

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestDropCached: the pages of a file the page cache holds, written and
// read whole, are dropped from it; on tmpfs, whose pages are the file,
// there is nothing to drop and the test skips.
func TestDropCached(t *testing.T) {
	dir := t.TempDir()
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil || fs.Type == unix.TMPFS_MAGIC {
		t.Skipf("skipping: %s is on tmpfs (or unknown: %v)", dir, err)
	}
	path := filepath.Join(dir, "000000000001.zap")
	data := make([]byte, 4<<20)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil { // written back: only clean pages can be dropped
		t.Fatal(err)
	}
	f.Close()
	if _, err := os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	if share := cachedShare(t, path); share < 0.9 {
		t.Skipf("skipping: only %.0f%% of a file just read is cached here", 100*share)
	}
	DropCached(path)
	if share := cachedShare(t, path); share > 0.1 {
		t.Errorf("%.0f%% of the file's pages still cached after DropCached", 100*share)
	}
}

// cachedShare is the share of the pages of a file the page cache holds:
// mincore(2) (which x/sys/unix does not wrap) on a mapping of it.
func cachedShare(t *testing.T, path string) float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		t.Fatalf("%s: %v, size %d", path, err, st.Size())
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(data)
	vec := make([]byte, (len(data)+os.Getpagesize()-1)/os.Getpagesize())
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&data[0])), uintptr(len(data)), uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		t.Fatal(errno)
	}
	cached := 0
	for _, v := range vec {
		cached += int(v & 1)
	}
	return float64(cached) / float64(len(vec))
}
