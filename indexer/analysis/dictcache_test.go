package analysis

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCacheRewritesPlantedFiles: whatever lies in the cache folder, with
// or without an "ok" file, materialize leaves exactly the embedded bytes.
func TestCacheRewritesPlantedFiles(t *testing.T) {
	d, err := BuiltinDicts()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "cache")
	paths, err := d.materialize(dir)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(filepath.Dir(paths[0]), "ok"), nil, 0o600)
	planted := map[string][]byte{
		paths[0]: []byte("恶意 x\n"),           // malformed main dictionary: cppjieba aborts on it
		paths[1]: d.HMM[:len(d.HMM)/2],       // truncated
		paths[2]: []byte("植入词 99999999 n\n"), // a valid but foreign user dictionary
	}
	for p, b := range planted {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(paths[4])
	got, err := d.materialize(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range [][]byte{d.Main, d.HMM, d.User, d.IDF, d.Stop} {
		b, err := os.ReadFile(got[i])
		if err != nil || string(b) != string(want) {
			t.Errorf("%s: %d bytes (%v), want the embedded %d", got[i], len(b), err, len(want))
		}
		fi, _ := os.Stat(got[i])
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: mode %v", got[i], fi.Mode().Perm())
		}
	}
	for _, p := range []string{dir, filepath.Dir(got[0])} {
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want 0700", p, fi.Mode().Perm())
		}
	}
}

// TestCacheFolderRefused: a cache folder others may write, or another
// user's symbolic link, is refused with a message saying what to do.
func TestCacheFolderRefused(t *testing.T) {
	d, err := BuiltinDicts()
	if err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(t.TempDir(), "open")
	os.Mkdir(open, 0o777)
	os.Chmod(open, 0o777)
	if _, err := d.materialize(open); err == nil || !strings.Contains(err.Error(), "written by others") || !strings.Contains(err.Error(), "MINSHENG_CACHE_DIR") {
		t.Errorf("a 0777 cache folder: %v", err)
	}
	// a link of ours is followed, and its target checked
	link := filepath.Join(t.TempDir(), "link")
	os.Symlink(open, link)
	if _, err := d.materialize(link); err == nil || !strings.Contains(err.Error(), "written by others") {
		t.Errorf("a link to a 0777 folder: %v", err)
	}
	good := filepath.Join(t.TempDir(), "good")
	os.Symlink(t.TempDir(), good)
	if _, err := d.materialize(good); err != nil {
		t.Errorf("a link of ours to a folder of ours: %v", err)
	}
	// another user's link is refused (only root can make one here)
	if err := os.Lchown(good, 54321, 54321); err == nil {
		if _, err := d.materialize(good); err == nil || !strings.Contains(err.Error(), "symbolic link of user 54321") {
			t.Errorf("another user's link: %v", err)
		}
	}
	// a folder of ours that others may read is narrowed to 0700
	wide := filepath.Join(t.TempDir(), "wide")
	os.Mkdir(wide, 0o755)
	os.Chmod(wide, 0o755)
	if _, err := d.materialize(wide); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(wide); fi.Mode().Perm() != 0o700 {
		t.Errorf("a 0755 folder of ours: mode %v after, want 0700", fi.Mode().Perm())
	}
}
