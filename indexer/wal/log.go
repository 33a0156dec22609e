package wal

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Dir is the log's folder under a data folder.
func Dir(dataDir string) string { return filepath.Join(dataDir, "wal") }

const (
	lockName     = "wal.lock"
	snapshotName = "snapshot"
	segPrefix    = "log-"
)

// ErrLocked is returned by Open when another process appends to the log.
var ErrLocked = errors.New("the write-ahead log is held by another process (a running server)")

// Log is the write-ahead log, open for appending by this process alone.
type Log struct {
	dir  string
	log  *slog.Logger
	lock *os.File

	mu    sync.Mutex // protects f, size, state, now
	f     *os.File   // the segment appended to
	size  int64      // of f, up to its last whole record
	state State
	now   func() time.Time
}

// Open opens the log in dir (made if missing) for appending, taking its
// lock: ErrLocked when another process holds it. A torn record at the end
// of the log is cut off, and said so in the log.
func Open(dir string, log *slog.Logger) (*Log, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(filepath.Join(dir, lockName), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("lock %s: %w", lock.Name(), err)
	}
	l := &Log{dir: dir, log: log, lock: lock, now: time.Now}
	if err := l.open(); err != nil {
		lock.Close()
		return nil, err
	}
	return l, nil
}

// open loads the snapshot and the segments, cuts a torn tail off the last
// segment and opens it (or a first one) for appending.
func (l *Log) open() error {
	os.Remove(filepath.Join(l.dir, snapshotName+".tmp")) // a fold the crash interrupted
	st, segs, err := load(l.dir)
	if err != nil {
		return err
	}
	l.state = st
	if len(segs) == 0 {
		return l.newSegment(st.Seq + 1)
	}
	last := segs[len(segs)-1]
	if last.torn {
		l.log.Warn("write-ahead log: dropping a torn record at its end (a write the crash interrupted, never acknowledged)",
			"file", last.path, "offset", last.good, "bytes", last.size-last.good)
		if err := os.Truncate(last.path, last.good); err != nil {
			return fmt.Errorf("cut torn record off %s: %w", last.path, err)
		}
	}
	f, err := os.OpenFile(last.path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	l.f, l.size = f, last.good
	return nil
}

// newSegment starts the segment whose first record will be seq.
func (l *Log) newSegment(seq uint64) error {
	path := filepath.Join(l.dir, segName(seq))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if err := syncDir(l.dir); err != nil {
		f.Close()
		return err
	}
	if l.f != nil {
		l.f.Close()
	}
	l.f, l.size = f, 0
	return nil
}

func segName(seq uint64) string { return fmt.Sprintf("%s%020d", segPrefix, seq) }

// Append writes r as one record and fsyncs it: when Append returns nil,
// the record survives a crash. It assigns r's Seq and Time and returns it.
// A failed write is cut off again, so the log never holds half a record.
func (l *Log) Append(r Record) (Record, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return Record{}, errors.New("write-ahead log closed")
	}
	r.Seq = l.state.Seq + 1
	r.Time = l.now().UTC()
	frame, err := appendFrame(nil, &r)
	if err != nil {
		return Record{}, err
	}
	if _, err := l.f.Write(frame); err != nil {
		return Record{}, l.undo(err)
	}
	if err := l.f.Sync(); err != nil {
		return Record{}, l.undo(err)
	}
	l.size += int64(len(frame))
	l.state.apply(&r)
	return r, nil
}

// undo cuts a failed write off the segment.
func (l *Log) undo(err error) error {
	if terr := l.f.Truncate(l.size); terr != nil {
		// the segment may now end in a partial record: reading it drops
		// it as torn, and appending after it would hide later records
		l.f.Close()
		l.f = nil
		return fmt.Errorf("write-ahead log: %w (and cutting it off: %v)", err, terr)
	}
	return fmt.Errorf("write-ahead log: %w", err)
}

// Entry returns the last state of document id, if the log changed it.
func (l *Log) Entry(id string) (*Entry, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.state.Entries[id]
	return e, ok
}

// State returns a copy of the state: entries are shared, never modified.
func (l *Log) State() *State {
	l.mu.Lock()
	defer l.mu.Unlock()
	return &State{Seq: l.state.Seq, Entries: maps.Clone(l.state.Entries)}
}

// Seq is the sequence number of the last record.
func (l *Log) Seq() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state.Seq
}

// Close closes the log and releases its lock.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var err error
	if l.f != nil {
		err = l.f.Close()
		l.f = nil
	}
	if l.lock != nil {
		err = errors.Join(err, l.lock.Close())
		l.lock = nil
	}
	return err
}

// Fold writes the whole state as a new snapshot and removes the segments
// it replaces. A crash at any point leaves either the old snapshot and
// every segment, or the new snapshot and segments whose records it already
// holds (skipped when read): nothing lost, nothing applied twice.
func (l *Log) Fold() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return errors.New("write-ahead log closed")
	}
	old, err := segments(l.dir)
	if err != nil {
		return err
	}
	if err := writeSnapshot(l.dir, &l.state); err != nil {
		return err
	}
	if err := l.newSegment(l.state.Seq + 1); err != nil {
		return err
	}
	for _, s := range old {
		if s == filepath.Join(l.dir, segName(l.state.Seq+1)) {
			continue
		}
		if err := os.Remove(s); err != nil {
			return err
		}
	}
	return syncDir(l.dir)
}

// writeSnapshot writes st to the snapshot file: a temporary file, fsynced,
// renamed over the old one, and the folder fsynced.
func writeSnapshot(dir string, st *State) error {
	tmp := filepath.Join(dir, snapshotName+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // gone after the rename
	w := bufio.NewWriterSize(f, 1<<20)
	ids := make([]string, 0, len(st.Entries))
	for id := range st.Entries {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	buf, err := appendFrame(nil, snapshotHeader{Seq: st.Seq, Entries: len(ids)})
	if err != nil {
		f.Close()
		return err
	}
	for _, id := range ids {
		if buf, err = appendFrame(buf, st.Entries[id]); err != nil {
			f.Close()
			return err
		}
		if len(buf) > 1<<20 {
			if _, err := w.Write(buf); err != nil {
				f.Close()
				return err
			}
			buf = buf[:0]
		}
	}
	if _, err := w.Write(buf); err != nil {
		f.Close()
		return err
	}
	if err := errors.Join(w.Flush(), f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, snapshotName)); err != nil {
		return err
	}
	return syncDir(dir)
}

type snapshotHeader struct {
	Seq     uint64 `json:"seq"`
	Entries int    `json:"entries"`
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// segments lists the segment files of dir in order.
func segments(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if name, ok := strings.CutPrefix(e.Name(), segPrefix); ok {
			if _, err := strconv.ParseUint(name, 10, 64); err == nil {
				out = append(out, filepath.Join(dir, e.Name()))
			}
		}
	}
	sort.Strings(out) // zero-padded numbers sort as numbers
	return out, nil
}

// segment is what reading one segment found.
type segment struct {
	path       string
	good, size int64 // bytes of whole records; of the file
	torn       bool  // it ends in a torn record
}

// load reads the snapshot and every segment of dir. Only the last segment
// may end in a torn record; one anywhere else is corruption, an error.
func load(dir string) (State, []segment, error) {
	st, err := readSnapshot(dir)
	if err != nil {
		return State{}, nil, err
	}
	paths, err := segments(dir)
	if err != nil {
		return State{}, nil, err
	}
	segs := make([]segment, 0, len(paths))
	for i, p := range paths {
		s, err := readSegment(p, &st)
		if err != nil {
			return State{}, nil, err
		}
		if s.torn && i < len(paths)-1 {
			return State{}, nil, fmt.Errorf("write-ahead log %s: corrupt record at offset %d, before the last segment", p, s.good)
		}
		segs = append(segs, s)
	}
	return st, segs, nil
}

// readSnapshot reads the snapshot, or an empty state when there is none.
func readSnapshot(dir string) (State, error) {
	st := State{Entries: make(map[string]*Entry)}
	f, err := os.Open(filepath.Join(dir, snapshotName))
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	defer f.Close()
	bad := func(err error) (State, error) {
		return State{}, fmt.Errorf("snapshot %s: %w", f.Name(), err)
	}
	fi, err := f.Stat()
	if err != nil {
		return bad(err)
	}
	rest := fi.Size()
	r := bufio.NewReaderSize(f, 1<<20)
	b, err := readFrame(r, nil, rest)
	if err != nil {
		return bad(err)
	}
	rest -= int64(frameHeader + len(b))
	var h snapshotHeader
	if err := decode(b, &h); err != nil {
		return bad(err)
	}
	for range h.Entries {
		if b, err = readFrame(r, b, rest); err != nil {
			return bad(err)
		}
		rest -= int64(frameHeader + len(b))
		var e Entry
		if err := decode(b, &e); err != nil {
			return bad(err)
		}
		st.Entries[e.ID] = &e
	}
	st.Seq = h.Seq
	return st, nil
}

// readSegment applies a segment's records after st.Seq to st.
func readSegment(path string, st *State) (segment, error) {
	s := segment{path: path}
	f, err := os.Open(path)
	if err != nil {
		return s, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return s, err
	}
	s.size = fi.Size()
	r := bufio.NewReaderSize(f, 1<<20)
	var b []byte
	for {
		b, err = readFrame(r, b, s.size-s.good)
		if err == io.EOF {
			return s, nil
		}
		var rec Record
		if err == nil {
			err = decode(b, &rec)
		}
		if errors.Is(err, errTorn) {
			s.torn = true
			return s, nil
		}
		if err != nil {
			return s, fmt.Errorf("read %s: %w", path, err)
		}
		if rec.Seq > st.Seq {
			if rec.Seq != st.Seq+1 {
				return s, fmt.Errorf("write-ahead log %s: record %d follows %d", path, rec.Seq, st.Seq)
			}
			st.apply(&rec)
		}
		s.good += int64(frameHeader + len(b))
	}
}

// Read reads the log of dir without taking its lock, as a build in another
// process does while a server appends: a record being written (torn) is
// left out. A fold racing the read makes it read again.
func Read(dir string) (*State, error) {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return &State{Entries: make(map[string]*Entry)}, nil
	}
	for range 10 {
		before, err := os.Stat(filepath.Join(dir, snapshotName))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		st, _, err := load(dir)
		after, aerr := os.Stat(filepath.Join(dir, snapshotName))
		same := (before == nil && aerr != nil) || (before != nil && aerr == nil && os.SameFile(before, after))
		if !same {
			continue
		}
		if errors.Is(err, os.ErrNotExist) {
			continue // a segment removed by a fold between listing and reading
		}
		if err != nil {
			return nil, err
		}
		return &st, nil
	}
	return nil, errors.New("write-ahead log: folded while being read ten times in a row")
}
