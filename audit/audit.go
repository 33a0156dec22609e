// Package audit keeps the trail of who did what through the admin and
// editor APIs: one record per request (when, the name of the token, the
// client address, the route and its parameters, the outcome), written
// durably to a bbolt file in the data folder before the answer is sent and
// kept for a configured time.
//
//	log, err := audit.Open(filepath.Join(dataDir, audit.File), 90*24*time.Hour)
//	err = log.Add(audit.Record{Token: "admin", Client: "10.0.0.7", Method: "POST", Route: "/api/v1/reindex", Status: 202})
//	recs, err := log.List(audit.Query{Limit: 100})
package audit

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// File is the audit store's name inside a data folder.
const File = "audit.db"

// DefaultRetention is how long records are kept when Open is given 0,
// and the default of the configuration's audit_retention: a year, long
// enough to answer "who rebuilt the index last spring"; a record is a few
// hundred bytes.
const DefaultRetention = 365 * 24 * time.Hour

var bucket = []byte("records")

// Record is one audited request.
type Record struct {
	ID        string            `json:"id"` // increasing: later records have larger ids
	Time      time.Time         `json:"time"`
	Token     string            `json:"token"` // the token's name ("admin", "editor"), never the token
	Client    string            `json:"client"`
	Method    string            `json:"method"`
	Route     string            `json:"route"` // the route pattern, /api/v1/jobs/:id/cancel
	Path      string            `json:"path"`
	Params    map[string]string `json:"params,omitempty"` // path and query parameters, the body's start
	Status    int               `json:"status"`
	Outcome   string            `json:"outcome"` // ok (2xx, 3xx), refused (4xx), failed (5xx)
	Error     string            `json:"error,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Seconds   float64           `json:"seconds"`
}

// Outcome names what a status means for an audited action.
func Outcome(status int) string {
	switch {
	case status >= 500:
		return "failed"
	case status >= 400:
		return "refused"
	}
	return "ok"
}

// Log is the audit store of a data folder. It is safe for concurrent use.
type Log struct {
	db        *bolt.DB
	retention time.Duration

	mu        sync.Mutex // protects lastPrune
	lastPrune time.Time
}

// Open opens or creates the store at path (mode 0600) and deletes records
// older than retention (0 means DefaultRetention).
func Open(path string, retention time.Duration) (*Log, error) {
	if retention <= 0 {
		retention = DefaultRetention
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("open %s: another process holds it (is another minsheng serve using this data folder?)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("open audit store: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil { // an older file, or a umask that let more through
		db.Close()
		return nil, fmt.Errorf("audit store: %w", err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucket)
		return err
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open audit store %s: %w", path, err)
	}
	l := &Log{db: db, retention: retention}
	if _, err := l.Prune(time.Now()); err != nil {
		db.Close()
		return nil, err
	}
	return l, nil
}

// Close closes the store.
func (l *Log) Close() error { return l.db.Close() }

// Retention is how long records are kept.
func (l *Log) Retention() time.Duration { return l.retention }

// Add stores r, fsynced before it returns, and fills in its ID (and Time
// when zero). Once an hour it also deletes the records past retention.
func (l *Log) Add(r *Record) error {
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	if r.Outcome == "" {
		r.Outcome = Outcome(r.Status)
	}
	err := l.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		n, err := b.NextSequence()
		if err != nil {
			return err
		}
		r.ID = strconv.FormatUint(n, 10)
		v, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return b.Put(key(n), v)
	})
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	l.mu.Lock()
	due := time.Since(l.lastPrune) > time.Hour
	l.mu.Unlock()
	if due {
		_, err = l.Prune(time.Now())
	}
	return err
}

func key(n uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], n)
	return k[:]
}

// Prune deletes the records older than the retention before now and
// returns how many.
func (l *Log) Prune(now time.Time) (int, error) {
	cutoff := now.Add(-l.retention)
	n := 0
	err := l.db.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		for k, v := c.First(); k != nil; k, v = c.First() {
			var r Record
			if err := json.Unmarshal(v, &r); err == nil && !r.Time.Before(cutoff) {
				return nil // records are in time order: the rest are newer
			}
			if err := c.Delete(); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("audit prune: %w", err)
	}
	l.mu.Lock()
	l.lastPrune = now
	l.mu.Unlock()
	return n, nil
}

// Query selects records to list.
type Query struct {
	Limit  int    // at most this many; 0 means 100
	Before string // only records with a smaller id (the next page); "" from the newest
	Token  string // only records of this token name
}

// List returns records newest first.
func (l *Log) List(q Query) ([]Record, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	var before uint64
	if q.Before != "" {
		n, err := strconv.ParseUint(q.Before, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("audit: before %q is not a record id", q.Before)
		}
		before = n
	}
	out := []Record{}
	err := l.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		var k, v []byte
		if before > 0 {
			if at, _ := c.Seek(key(before)); at == nil {
				k, v = c.Last() // every record is older
			} else {
				k, v = c.Prev()
			}
		} else {
			k, v = c.Last()
		}
		for ; k != nil && len(out) < q.Limit; k, v = c.Prev() {
			var r Record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("record %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if q.Token == "" || r.Token == q.Token {
				out = append(out, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return out, nil
}
