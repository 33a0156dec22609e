package analysis

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"minsheng/corpus"
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

// TestAnalysisFreedWhenUnused: indexes of one dictionary set share one
// segmenter, and when the last index using a set is closed and dropped
// and another set has been asked for since, the segmenter is freed and
// leaves the process's table; the next index of the set loads it again.
// The set last asked for stays loaded unused.
func TestAnalysisFreedWhenUnused(t *testing.T) {
	user := []byte("释放测试专用词 1000 n\n")
	d, err := BuiltinDicts()
	if err != nil {
		t.Fatal(err)
	}
	d.User = user
	key := d.Hash()
	freed := make(chan struct{})
	func() {
		a, err := NewAnalysis(d)
		if err != nil {
			t.Fatal(err)
		}
		runtime.AddCleanup(a.jieba, func(ch chan struct{}) { close(ch) }, freed)
		idx := openWith(t, user)
		if b, _ := NewAnalysis(d); b != a {
			t.Error("a second NewAnalysis of the same set loaded another segmenter")
		}
		idx.Close()
	}()
	builtin, err := BuiltinDicts()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewAnalysis(builtin); err != nil { // now the set last asked for
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		runtime.GC()
		select {
		case <-freed:
		case <-time.After(50 * time.Millisecond):
			if i < 100 {
				continue
			}
			t.Fatal("the segmenter of a closed and dropped index was never freed")
		}
		break
	}
	for i := 0; inTable(key); i++ { // forget runs after the collection
		if i == 100 {
			t.Fatal("a freed segmenter is still in the table")
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	for range 3 {
		runtime.GC()
	}
	if !loaded(builtin.Hash()) {
		t.Error("the set last asked for was freed")
	}
	idx := openWith(t, user) // loads the set again
	defer idx.Close()
	if !loaded(key) {
		t.Error("an open index's dictionary set is not in the table")
	}
}

// openWith opens an in-memory index whose mapping carries the user
// dictionary, and indexes and finds a document with its word.
func openWith(t *testing.T, user []byte) bleve.Index {
	t.Helper()
	m, err := NewMapping(MappingOptions{UserDict: user})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleve.NewMemOnly(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.Index("1", map[string]any{corpus.FieldBody: "关于释放测试专用词的建议"}); err != nil {
		t.Fatal(err)
	}
	q := bleve.NewTermQuery("释放测试专用词")
	q.SetField(corpus.FieldBody)
	res, err := idx.Search(bleve.NewSearchRequest(q))
	if err != nil || res.Total != 1 {
		t.Fatalf("the user word: %v, %v", res, err)
	}
	return idx
}

// inTable says whether the table has an entry for a set, loaded says
// whether the set is loaded.
func inTable(key string) bool {
	analyses.mu.Lock()
	defer analyses.mu.Unlock()
	_, ok := analyses.m[key]
	return ok
}

func loaded(key string) bool {
	analyses.mu.Lock()
	defer analyses.mu.Unlock()
	return analyses.m[key].Value() != nil
}

// TestBuiltinDictsCopyNothing: the embedded dictionaries are handed out
// as they are. Every index opened reads them once per tokenizer of its
// mapping; copies made each opening allocate 35 MB, at every swap of
// generations in a server.
func TestBuiltinDictsCopyNothing(t *testing.T) {
	var size int
	allocs := testing.AllocsPerRun(5, func() {
		d, err := BuiltinDicts()
		if err != nil {
			t.Fatal(err)
		}
		size = len(d.Main) + len(d.HMM) + len(d.IDF) + len(d.Stop) + len(d.User)
	})
	if allocs != 0 {
		t.Errorf("BuiltinDicts allocates %.0f times a call, want none", allocs)
	}
	if size < 10<<20 {
		t.Errorf("the embedded dictionaries hold %d bytes, want the 11 MB of jieba's and ours", size)
	}
}
