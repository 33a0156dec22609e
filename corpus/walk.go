package corpus

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// maxRecord caps one record: a JSON line, a CSV record or a news page.
const maxRecord = 64 << 20

// Options says how sources are read. The zero value is useful.
type Options struct {
	// Mapping adds or overrides column names for CSV and XLSX headers and
	// JSON keys: header name (matched case-insensitively, trimmed) -> field
	// name, where field names are the json tags of Doc ("title", "body",
	// "date", ...). A field name of "" or "-" ignores the column.
	Mapping map[string]string
	// Kind is the kind for records that have none. When empty it is
	// guessed: "news" for news pages; otherwise "suggestion" if the record
	// has a number, delegation or units, else "news".
	Kind string
	// Progress, if not nil, is called with the number of source bytes
	// consumed since the last call (compressed bytes for .gz files).
	Progress func(n int64)
	// File, if not nil, is called with each file's path before its
	// documents are emitted.
	File func(path string)
	// Only, if not empty, names the fields (json tags of Doc) of which a
	// document must have one to be emitted; the others are left out:
	// neither emitted nor counted nor reported, nor seen (a later record
	// of the same id may be emitted). A JSON Lines record whose text names
	// none of the keys that map to those fields is left out undecoded: a
	// walk that looks for a few labelled records among many, as learning
	// topics does, decodes only those.
	Only []string
}

// Stats counts what a walk did.
type Stats struct {
	Files   int
	Docs    int            // documents emitted
	Skipped int            // bad records skipped
	Kept    int            // values of documents emitted that were kept as written, or left out, and reported
	Reasons map[string]int // skipped records by short reason ("broken json", "no text", ...)
}

// Walk reads every source file under paths and calls emit for each good
// document and problem for each skipped record. Either callback may be nil.
//
// Paths are files or folders, read recursively in lexical order. Inside
// folders, hidden files and folders (".x") and Office lock files ("~$x") are
// skipped and files of unknown type are ignored; a file named explicitly
// must be of a known type. Known types are .jsonl, .ndjson and .json (an
// array of objects or JSON lines), .csv, .xlsx, .txt (a news page or a
// plain text), .html and .htm (a saved web page), .mht and .mhtml (a web
// archive) and .docx (a Word file);
// all of these but .xlsx and .docx may be gzipped (.jsonl.gz). An old
// binary Word file (.doc) is reported as unsupported and skipped.
//
// Walk stops with an error when emit returns an error, when ctx is
// cancelled, or when a file cannot be opened, read or decompressed; the
// error names the file. A bad record never stops it.
//
// emit and problem are called on the caller's goroutine, one call at a
// time, in the order of the files and of their records (JSON Lines are
// decoded on every core meanwhile).
func Walk(ctx context.Context, paths []string, opt Options, emit func(Doc) error, problem func(Problem)) (Stats, error) {
	files, err := sources(paths)
	if err != nil {
		return Stats{}, err
	}
	w, err := newWalker(opt, emit, problem)
	if err != nil {
		return Stats{}, err
	}
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return w.stats, err
		}
		if opt.File != nil {
			opt.File(name)
		}
		if err := w.readFile(ctx, name); err != nil {
			if ctx.Err() != nil {
				return w.stats, ctx.Err()
			}
			return w.stats, err
		}
	}
	return w.stats, nil
}

// Size returns the total size in bytes of the source files Walk would read,
// for a progress bar's estimate.
func Size(paths []string) (int64, error) {
	files, err := sources(paths)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, name := range files {
		fi, err := os.Stat(name)
		if err != nil {
			return 0, err
		}
		n += fi.Size()
	}
	return n, nil
}

// sources lists the files Walk reads, each once.
func sources(paths []string) ([]string, error) {
	var files []string
	seen := map[string]bool{}
	add := func(name string) {
		if c := filepath.Clean(name); !seen[c] {
			seen[c] = true
			files = append(files, name)
		}
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			if format(p) == "" {
				return nil, fmt.Errorf("%s: unknown file type", p)
			}
			add(p)
			continue
		}
		err = filepath.WalkDir(p, func(name string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case name != p && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "~$")):
				if d.IsDir() {
					return filepath.SkipDir
				}
			case !d.IsDir() && format(name) != "":
				add(name)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// format returns the reader for a file name: "json", "csv", "txt", "html"
// or "mhtml", with ".gz" appended when compressed, "xlsx", "docx" or
// "doc", or "" for an unknown type.
func format(name string) string {
	name = strings.ToLower(name)
	gz := strings.HasSuffix(name, ".gz")
	name = strings.TrimSuffix(name, ".gz")
	var f string
	switch filepath.Ext(name) {
	case ".jsonl", ".ndjson", ".json":
		f = "json"
	case ".csv":
		f = "csv"
	case ".txt":
		f = "txt"
	case ".html", ".htm":
		f = "html"
	case ".mht", ".mhtml":
		f = "mhtml"
	case ".xlsx", ".docx", ".doc":
		if gz {
			return ""
		}
		return filepath.Ext(name)[1:]
	default:
		return ""
	}
	if gz {
		f += ".gz"
	}
	return f
}

// baseName is a file's name without folder and extensions: "a/news.jsonl.gz" -> "news".
func baseName(name string) string {
	name = filepath.Base(name)
	if strings.HasSuffix(strings.ToLower(name), ".gz") {
		name = name[:len(name)-3]
	}
	return strings.TrimSuffix(name, filepath.Ext(name))
}

// walker holds the state of one Walk.
type walker struct {
	opt     Options
	fields  map[string]string // normalised header -> field, aliases plus opt.Mapping
	emit    func(Doc) error
	problem func(Problem)
	seen    map[string]struct{} // ids emitted so far
	stats   Stats
	unread  map[string]bool // columns and JSON keys of the file being read that no field takes
	// onlyKeys are the keys that map to the fields of opt.Only (onlyKeys)
	onlyKeys [][]byte
	// unreported counts the bytes of the file being read not yet handed
	// to opt.Progress (reportRead)
	unreported atomic.Int64
}

func newWalker(opt Options, emit func(Doc) error, problem func(Problem)) (*walker, error) {
	w := &walker{opt: opt, emit: emit, problem: problem, fields: map[string]string{},
		seen: map[string]struct{}{}, stats: Stats{Reasons: map[string]int{}}, unread: map[string]bool{}}
	for k, v := range aliases {
		w.fields[k] = v
	}
	for k, v := range handlingAliases {
		w.fields[k] = v
	}
	for k, v := range opt.Mapping {
		v = strings.ToLower(strings.TrimSpace(v))
		if v != "" && v != "-" && !isField(v) {
			return nil, fmt.Errorf("corpus: mapping %q: unknown field %q", k, v)
		}
		w.fields[headerKey(k)] = v
	}
	w.opt.Kind = kindOf(opt.Kind)
	for _, f := range opt.Only {
		if !isField(f) {
			return nil, fmt.Errorf("corpus: only documents with %q: unknown field", f)
		}
	}
	w.onlyKeys = onlyKeys(w.fields, opt.Only)
	return w, nil
}

// onlyKeys are the keys (normalised headers) of fields that map to one of
// only, or nil when a record's text cannot tell it lacks them: without
// only, or when a key has a letter whose case ASCII does not fold.
func onlyKeys(fields map[string]string, only []string) [][]byte {
	var keys [][]byte
	for k, f := range fields {
		if !slices.Contains(only, f) {
			continue
		}
		for _, r := range k {
			if r >= utf8.RuneSelf && unicode.SimpleFold(r) != r {
				return nil
			}
		}
		keys = append(keys, []byte(k))
	}
	return keys
}

// mayHave reports whether rec, the text of a JSON record, may have a key
// of w.onlyKeys: it has none unless its text, its ASCII letters folded to
// lower case in *low, names one, or has a \u escape, which could spell one.
func (w *walker) mayHave(rec []byte, low *[]byte) bool {
	if w.onlyKeys == nil || bytes.Contains(rec, []byte(`\u`)) {
		return true
	}
	l := (*low)[:0]
	for _, c := range rec {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		l = append(l, c)
	}
	*low = l
	for _, k := range w.onlyKeys {
		if bytes.Contains(l, k) {
			return true
		}
	}
	return false
}

// wanted reports whether d has one of the fields of Options.Only, or
// there are none.
func (w *walker) wanted(d *Doc) bool {
	if len(w.opt.Only) == 0 {
		return true
	}
	v := reflect.ValueOf(d).Elem()
	for _, f := range w.opt.Only {
		if i, ok := docFields()[f]; ok && !v.Field(i).IsZero() {
			return true
		}
	}
	return false
}

// docFields maps the json tag of each field of Doc to its index.
var docFields = sync.OnceValue(func() map[string]int {
	m := map[string]int{}
	t := reflect.TypeFor[Doc]()
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); tag != "" && tag != "-" {
			m[tag] = i
		}
	}
	return m
})

// readFile reads one source file; errors name the file.
func (w *walker) readFile(ctx context.Context, name string) error {
	w.stats.Files++
	clear(w.unread)
	if err := w.readFormat(ctx, name); err != nil {
		return err
	}
	w.noteUnread(name)
	return nil
}

// maxUnreadNamed is how many unread columns or keys a file's note names.
const maxUnreadNamed = 20

// noteUnread reports, once for the file, the columns of its header and
// the keys of its JSON records that no field takes (the column mapping
// names neither them nor "-"): a value the readers leave out of every
// document, such as a CSV's category under a header of the source's own,
// is said, not dropped in silence. A Problem of the whole file (Line 0),
// Kept: its documents are read.
func (w *walker) noteUnread(name string) {
	if len(w.unread) == 0 || w.problem == nil {
		return
	}
	names := make([]string, 0, len(w.unread))
	for k := range w.unread {
		names = append(names, k)
	}
	slices.Sort(names)
	list := strings.Join(names[:min(len(names), maxUnreadNamed)], ", ")
	if len(names) > maxUnreadNamed {
		list += fmt.Sprintf(" and %d more", len(names)-maxUnreadNamed)
	}
	w.problem(Problem{File: name, Kept: true, Reason: fmt.Sprintf("columns not read: %s "+
		"(a column mapping gives one a field: --column NAME=FIELD, or NAME=- to ignore it)", list)})
}

// readFormat reads one file in the format its name says.
func (w *walker) readFormat(ctx context.Context, name string) error {
	f := format(name)
	if f == "xlsx" {
		if err := w.readXLSX(ctx, name); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
	file, err := os.Open(name)
	if err != nil {
		return err
	}
	defer file.Close()
	var r io.Reader = bufio.NewReaderSize(progress{file, &w.unreported}, 64<<10)
	defer w.reportRead()
	if strings.HasSuffix(f, ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		defer zr.Close()
		r = zr
	}
	if err := w.read(ctx, name, strings.TrimSuffix(f, ".gz"), r); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// read reads an uncompressed stream in the given format ("json", "csv",
// "txt", "html", "mhtml", "docx" or "doc").
func (w *walker) read(ctx context.Context, name, format string, r io.Reader) error {
	if format == "json" || format == "csv" {
		r = dropNUL{r} // not in zips, nor in UTF-16 pages and texts, which drop NULs once decoded
	}
	switch format {
	case "json":
		return w.readJSON(ctx, name, r)
	case "csv":
		return w.readCSV(ctx, name, r)
	case "txt":
		return w.readNews(ctx, name, r)
	case "html":
		return w.readHTML(ctx, name, r)
	case "mhtml":
		return w.readMHTML(ctx, name, r)
	case "docx", "doc":
		return w.readDocx(ctx, name, r)
	}
	return fmt.Errorf("unknown format %q", format)
}

// badRecord says why a record was skipped.
type badRecord struct {
	reason string // short, for Stats.Reasons
	detail string
}

func (b *badRecord) Error() string {
	if b.detail == "" {
		return b.reason
	}
	return b.reason + ": " + b.detail
}

func bad(reason, detail string) error { return &badRecord{reason, detail} }

// add takes a record read from name at line (0 for the whole file): a
// document, or the error that makes it a bad record. It fills in defaults,
// checks the document and emits it, or reports and counts the problem.
// It returns an error only to stop the walk.
func (w *walker) add(ctx context.Context, name string, line int, d Doc, err error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w.reportRead()
	if errors.Is(err, errLeftOut) || err == nil && !w.wanted(&d) {
		return nil
	}
	if err == nil {
		err = w.finish(name, line, &d)
	}
	if err != nil {
		reason := err.Error()
		var b *badRecord
		if errors.As(err, &b) {
			reason = b.reason
		}
		w.stats.Skipped++
		w.stats.Reasons[reason]++
		if w.problem != nil {
			w.problem(Problem{File: name, Line: line, Reason: err.Error()})
		}
		return nil
	}
	w.seen[d.ID] = struct{}{}
	w.stats.Docs++
	for _, p := range d.problems { // values kept as written: reported, the document kept
		w.stats.Kept++
		if w.problem != nil {
			w.problem(Problem{File: name, Line: line, Reason: p, Kept: true})
		}
	}
	d.problems = nil
	if w.emit == nil {
		return nil
	}
	err = w.emit(d)
	if err != nil && line > 0 {
		err = fmt.Errorf("line %d: %w", line, err)
	}
	return err
}

// finish fills in the kind and id of d and checks it.
func (w *walker) finish(name string, line int, d *Doc) error {
	if d.Title == "" && d.Body == "" {
		return bad("no text", "")
	}
	if d.Kind == "" {
		d.Kind = w.opt.Kind
	}
	if d.Kind == "" {
		d.Kind = KindNews
		if d.Number != "" || d.Delegation != "" || len(d.Units) > 0 {
			d.Kind = KindSuggestion
		}
	}
	finishHandling(d)
	d.ID = cmp.Or(d.ID, fmt.Sprintf("%s-%d", baseName(name), line))
	if _, ok := w.seen[d.ID]; ok {
		return bad("duplicate id", d.ID)
	}
	return nil
}

// progress counts the bytes read through it in n: a file may be read on
// another goroutine than the caller's (readLines), to which the walker
// reports them (reportRead).
type progress struct {
	r io.Reader
	n *atomic.Int64
}

func (p progress) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n.Add(int64(n))
	return n, err
}

// reportRead hands the bytes read since it last did to Options.Progress,
// on the caller's goroutine: before each document or problem, and once a
// file is read.
func (w *walker) reportRead() {
	if n := w.unreported.Swap(0); n > 0 && w.opt.Progress != nil {
		w.opt.Progress(n)
	}
}

// dropNUL removes NUL bytes from a stream.
type dropNUL struct{ r io.Reader }

func (d dropNUL) Read(b []byte) (int, error) {
	for {
		n, err := d.r.Read(b)
		if bytes.IndexByte(b[:n], 0) >= 0 {
			k := 0
			for _, c := range b[:n] {
				if c != 0 {
					b[k] = c
					k++
				}
			}
			n = k
		}
		if n > 0 || err != nil {
			return n, err
		}
	}
}
