package analysis

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unicode/utf8"
	"unsafe"
	"weak"

	"minsheng/internal/atomicfile"

	"github.com/yanyiwu/gojieba"
)

// The dictionaries ship inside the binary. dict/user.dict.utf8 is ours and
// lives in the repository; dict/jieba/ holds gojieba's own dictionaries,
// committed with their licence (`make dicts` refreshes them from the module),
// so plain `go build` makes a binary that needs no module cache.
var (
	//go:embed dict/jieba/jieba.dict.utf8
	builtinMain string
	//go:embed dict/jieba/hmm_model.utf8
	builtinHMM string
	//go:embed dict/jieba/idf.utf8
	builtinIDF string
	//go:embed dict/jieba/stop_words.utf8
	builtinStop string
	//go:embed dict/user.dict.utf8
	builtinUser string
)

// jieba's files, in the order gojieba.NewJieba takes them.
var jiebaFiles = []string{"jieba.dict.utf8", "hmm_model.utf8", "idf.utf8", "stop_words.utf8"}

// Dicts is a full set of dictionaries for one segmenter. A field is
// replaced, never written into: BuiltinDicts' are the binary's own
// read-only data.
type Dicts struct {
	Main, HMM, IDF, Stop []byte
	User                 []byte // our domain dictionary: "word [freq] [tag]" a line
}

// BuiltinDicts returns the dictionaries embedded in the binary, without
// copying them: every index opened reads them (three times, once per
// tokenizer of its mapping), and copies made an opening allocate 35 MB,
// at every swap of generations in a server.
func BuiltinDicts() (Dicts, error) {
	return Dicts{Main: readOnly(builtinMain), HMM: readOnly(builtinHMM), IDF: readOnly(builtinIDF),
		Stop: readOnly(builtinStop), User: readOnly(builtinUser)}, nil
}

// readOnly returns the bytes of s without copying them. They must never
// be written into (see unsafe.StringData).
func readOnly(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// Hash identifies the set: it is stamped on index generations.
func (d Dicts) Hash() string {
	h := sha256.New()
	for _, b := range [][]byte{d.Main, d.HMM, d.IDF, d.Stop, d.User} {
		fmt.Fprintf(h, "%d:", len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Validate checks the files the way cppjieba will read them, because
// cppjieba aborts the whole process (an XCHECK or assert in C++, which
// recover cannot catch) on an empty or malformed dictionary.
func (d Dicts) Validate() error {
	if err := checkMain(d.Main); err != nil {
		return err
	}
	if err := checkLines("user dictionary", d.User, 1, 3); err != nil {
		return err
	}
	if err := checkHMM(d.HMM); err != nil {
		return err
	}
	if err := checkIDF(d.IDF); err != nil {
		return err
	}
	if len(d.Stop) == 0 {
		return errors.New("stop_words.utf8 is empty")
	}
	return nil
}

// cLines splits b into lines as C++ getline reads them: a final newline
// ends the last line rather than starting an empty one.
func cLines(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// cSplit splits s at sep as cppjieba's limonp::Split does: empty fields
// between separators count, a separator at the end adds none.
func cSplit(s, sep string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, sep), sep)
}

// positive reports whether s is a finite number above zero.
func positive(s string) bool {
	v, err := strconv.ParseFloat(s, 64)
	return err == nil && v > 0 && !math.IsInf(v, 0)
}

// checkMain checks jieba's main dictionary as cppjieba's LoadDict splits
// it: every line, empty ones included, is exactly "word freq tag" with
// single spaces, and every frequency is above zero.
func checkMain(b []byte) error {
	const name = "jieba.dict.utf8"
	if !utf8.Valid(b) {
		return fmt.Errorf("%s: not valid UTF-8", name)
	}
	lines := cLines(b)
	if len(lines) == 0 {
		return fmt.Errorf("%s: no entries", name)
	}
	for i, line := range lines {
		f := cSplit(line, " ")
		if len(f) != 3 || f[0] == "" {
			return fmt.Errorf("%s:%d: want \"word frequency tag\" separated by single spaces, have %q", name, i+1, truncateLine(line))
		}
		if !positive(f[1]) {
			return fmt.Errorf("%s:%d: frequency %q is not a positive number", name, i+1, truncateLine(f[1]))
		}
	}
	return nil
}

// checkHMM checks the HMM model as cppjieba's HMMModel reads it: after
// comments and blank lines, five lines of four numbers, then four lines of
// char:prob pairs separated by commas.
func checkHMM(b []byte) error {
	const name = "hmm_model.utf8"
	var lines []string
	for _, l := range cLines(b) {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if len(lines) < 9 {
		return fmt.Errorf("%s: %d lines of data, want 9", name, len(lines))
	}
	for i, l := range lines[:5] {
		if n := len(cSplit(l, " ")); n != 4 {
			return fmt.Errorf("%s: probability line %d has %d values, want 4", name, i+1, n)
		}
	}
	for i, l := range lines[5:9] {
		for _, pair := range cSplit(l, ",") {
			kv := cSplit(pair, ":")
			if len(kv) != 2 || !utf8.ValidString(kv[0]) || utf8.RuneCountInString(kv[0]) != 1 {
				return fmt.Errorf("%s: emission line %d: %q is not char:probability", name, i+1, truncateLine(pair))
			}
		}
	}
	return nil
}

// checkIDF checks the IDF table as cppjieba's KeywordExtractor reads it:
// at least one line, and a positive mean of the "word idf" lines' values
// over all lines.
func checkIDF(b []byte) error {
	lines := cLines(b)
	sum := 0.0
	for _, l := range lines {
		if f := cSplit(l, " "); len(f) == 2 {
			if v, err := strconv.ParseFloat(f[1], 64); err == nil && !math.IsNaN(v) {
				sum += v
			}
		}
	}
	if len(lines) == 0 || !(sum/float64(len(lines)) > 0) {
		return errors.New("idf.utf8: no positive IDF values")
	}
	return nil
}

func truncateLine(s string) string {
	if len(s) > 80 {
		return strings.ToValidUTF8(s[:80], "") + "…"
	}
	return s
}

// checkLines requires every non-empty line to have between lo and hi fields,
// the second (when present) a positive number, and at least one line.
func checkLines(name string, b []byte, lo, hi int) error {
	if !utf8.Valid(b) {
		return fmt.Errorf("%s: not valid UTF-8", name)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n, good := 0, 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) < lo || len(f) > hi {
			return fmt.Errorf("%s:%d: want %d to %d fields, have %d", name, n, lo, hi, len(f))
		}
		if len(f) >= 2 {
			if !positive(f[1]) {
				return fmt.Errorf("%s:%d: frequency %q is not a positive number", name, n, f[1])
			}
		}
		good++
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if good == 0 {
		return fmt.Errorf("%s: no entries", name)
	}
	return nil
}

// CacheDir is where dictionaries are written for cppjieba, which reads
// files: $MINSHENG_CACHE_DIR, else the user cache folder, else the temp folder.
func CacheDir() string {
	if d := os.Getenv("MINSHENG_CACHE_DIR"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "minsheng")
	}
	return filepath.Join(os.TempDir(), "minsheng-cache")
}

// materialize writes the set to dir/jieba-<hash>/ and returns the paths in
// NewJieba's order. Nothing found there is trusted: dir must belong to
// this user and be writable by nobody else (it is created 0700), and each
// file is compared with the embedded one and rewritten when it differs,
// so a planted or damaged dictionary never reaches cppjieba, which aborts
// the process on a malformed one. Files are written to a temp file and
// renamed, so a crash never leaves half a dictionary behind.
func (d Dicts) materialize(dir string) ([]string, error) {
	if err := ownedFolder(dir); err != nil {
		return nil, err
	}
	final := filepath.Join(dir, "jieba-"+d.Hash())
	if err := ownedFolder(final); err != nil {
		return nil, err
	}
	names := append(append([]string(nil), jiebaFiles[:2]...), "user.dict.utf8", jiebaFiles[2], jiebaFiles[3])
	paths := make([]string, len(names))
	for i, b := range [][]byte{d.Main, d.HMM, d.User, d.IDF, d.Stop} {
		paths[i] = filepath.Join(final, names[i])
		if sameFile(paths[i], b) {
			continue
		}
		if err := atomicfile.Write(paths[i], b); err != nil {
			return nil, fmt.Errorf("dictionary cache: %w", err)
		}
	}
	return paths, nil
}

// sameFile reports whether path is a regular file holding exactly want,
// by its SHA-256.
func sameFile(path string, want []byte) bool {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(len(want)) {
		return false
	}
	b, err := os.ReadFile(path)
	return err == nil && sha256.Sum256(b) == sha256.Sum256(want)
}

// ownedFolder creates dir (0700) when missing and refuses one owned by
// another user or writable by others, who could plant dictionaries in it,
// or a symbolic link another user made; a folder of ours readable by
// others is narrowed to 0700.
func ownedFolder(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("dictionary cache: %w", err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("dictionary cache: %w", err)
	}
	hint := "set MINSHENG_CACHE_DIR to a folder of your own"
	if fi.Mode()&fs.ModeSymlink != 0 {
		// A link is followed only when it is ours or root's (systemd's
		// DynamicUser makes /var/cache/NAME a root link into private/):
		// another user's link could lead anywhere.
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() && st.Uid != 0 {
			return fmt.Errorf("dictionary cache folder %s is a symbolic link of user %d: %s", dir, st.Uid, hint)
		}
		if fi, err = os.Stat(dir); err != nil {
			return fmt.Errorf("dictionary cache: %w", err)
		}
	}
	if !fi.IsDir() {
		return fmt.Errorf("dictionary cache folder %s is not a folder: %s", dir, hint)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return fmt.Errorf("dictionary cache folder %s belongs to user %d, not to this user (%d): %s", dir, st.Uid, os.Getuid(), hint)
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("dictionary cache folder %s may be written by others (mode %04o): chmod 700 %s, or %s", dir, perm, dir, hint)
	} else if perm != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("dictionary cache: %w", err)
		}
	}
	return nil
}

// analyses lets the indexes of one process that use the same dictionary
// set share one segmenter (0.45 s and about 130 MB each) without owning
// it. bleve's registry builds tokenizers from an index's JSON mapping, so
// the segmenter cannot be handed down to them; the tokenizers hold their
// Analysis, and so does any caller of NewAnalysis, while this table holds
// it weakly, except the set last asked for, which it keeps so that a process
// opening and closing indexes of one set (a test suite, a command run
// after run) does not load it each time. When the last index or caller
// using any other set lets go of it, the garbage collector frees the
// segmenter (gojieba's finalizer frees its C memory, once) and the entry
// is removed: a dictionary set replaced by a reindex does not stay loaded
// for the life of the server.
var analyses struct {
	mu   sync.Mutex // protects m and last
	m    map[string]weak.Pointer[Analysis]
	last *Analysis
}

// NewBuiltinAnalysis returns an Analysis of the dictionaries embedded in
// the binary (BuiltinDicts), for keyword extraction and segmenting outside
// an index.
func NewBuiltinAnalysis() (*Analysis, error) {
	d, err := BuiltinDicts()
	if err != nil {
		return nil, err
	}
	return NewAnalysis(d)
}

// NewAnalysis returns an Analysis for a dictionary set: the one already
// loaded in this process while anything still uses it, else a new one.
// The set is validated first: a malformed dictionary is an error, never
// an abort inside cppjieba.
func NewAnalysis(d Dicts) (*Analysis, error) {
	key := d.Hash()
	analyses.mu.Lock()
	defer analyses.mu.Unlock()
	if a := analyses.m[key].Value(); a != nil {
		analyses.last = a
		return a, nil
	}
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("dictionaries: %w", err)
	}
	paths, err := d.materialize(CacheDir())
	if err != nil {
		return nil, err
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("dictionaries: %w", err)
		}
	}
	fold, err := SharedFolder()
	if err != nil {
		return nil, fmt.Errorf("traditional-simplified table: %w", err)
	}
	a := &Analysis{fold: fold, jieba: gojieba.NewJieba(paths...)}
	if analyses.m == nil {
		analyses.m = make(map[string]weak.Pointer[Analysis])
	}
	wp := weak.Make(a)
	analyses.m[key] = wp
	analyses.last = a
	runtime.AddCleanup(a, forget, entry{key, wp})
	return a, nil
}

// entry names a table entry for forget.
type entry struct {
	key string
	wp  weak.Pointer[Analysis]
}

// forget removes a collected Analysis from the table, unless the set has
// been loaded again since.
func forget(e entry) {
	analyses.mu.Lock()
	defer analyses.mu.Unlock()
	if analyses.m[e.key] == e.wp {
		delete(analyses.m, e.key)
	}
}
