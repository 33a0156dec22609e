package reindex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// JobsFile is the job history and schedule store inside a data folder.
const JobsFile = "jobs.db"

var (
	bucketJobs      = []byte("jobs")
	bucketSchedules = []byte("schedules")
)

// store keeps job records and schedules in a bbolt file, as JSON under
// their ids. Job ids sort by time, so the newest job is the last key.
type store struct {
	db *bolt.DB
}

// openStore opens or creates the store. bbolt locks the file: a second
// process gets an error after a second instead of waiting for ever.
func openStore(path string) (*store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("open %s: another process holds it (is another minsheng serve using this data folder?)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketJobs, bucketSchedules} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &store{db: db}, nil
}

func (s *store) close() error { return s.db.Close() }

// nextSeq returns the next number of bucket's sequence.
func (s *store) nextSeq(bucket []byte) (uint64, error) {
	var n uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.Bucket(bucket).NextSequence()
		return err
	})
	return n, err
}

func (s *store) put(bucket []byte, id string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put([]byte(id), b) })
}

// get reads the record id into v; false when there is none.
func (s *store) get(bucket []byte, id string, v any) (bool, error) {
	var b []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if x := tx.Bucket(bucket).Get([]byte(id)); x != nil {
			b = bytes.Clone(x)
		}
		return nil
	})
	if err != nil || b == nil {
		return false, err
	}
	return true, json.Unmarshal(b, v)
}

// delete removes the record id; false when there was none.
func (s *store) delete(bucket []byte, id string) (bool, error) {
	found := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if b.Get([]byte(id)) == nil {
			return nil
		}
		found = true
		return b.Delete([]byte(id))
	})
	return found, err
}

// jobs returns up to limit job records, newest first; limit <= 0 means all.
func (s *store) jobs(limit int) ([]Job, error) {
	var out []Job
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketJobs).Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			var j Job
			if err := json.Unmarshal(v, &j); err != nil {
				return fmt.Errorf("job %s: %w", k, err)
			}
			out = append(out, j)
		}
		return nil
	})
	return out, err
}

// schedules returns every schedule in the order they were created.
func (s *store) schedules() ([]Schedule, error) {
	var out []Schedule
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSchedules).ForEach(func(k, v []byte) error {
			var sc Schedule
			if err := json.Unmarshal(v, &sc); err != nil {
				return fmt.Errorf("schedule %s: %w", k, err)
			}
			out = append(out, sc)
			return nil
		})
	})
	return out, err
}

// trimJobs deletes the oldest job records beyond keep.
func (s *store) trimJobs(keep int) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobs)
		extra := b.Stats().KeyN - keep
		if extra <= 0 {
			return nil
		}
		var old [][]byte
		c := b.Cursor()
		for k, _ := c.First(); k != nil && len(old) < extra; k, _ = c.Next() {
			old = append(old, bytes.Clone(k))
		}
		for _, k := range old {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// interrupted marks the jobs left queued or running by a process that
// stopped, and returns them.
func (s *store) interrupted(now time.Time) ([]Job, error) {
	var out []Job
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobs)
		var fixed []Job
		err := b.ForEach(func(k, v []byte) error {
			var j Job
			if err := json.Unmarshal(v, &j); err != nil {
				return fmt.Errorf("job %s: %w", k, err)
			}
			if j.State == StateRunning || j.State == StateQueued {
				j.State, j.Error, j.End = StateFailed, ErrInterrupted.Error(), now
				j.ETASeconds = 0
				fixed = append(fixed, j)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, j := range fixed {
			v, err := json.Marshal(j)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(j.ID), v); err != nil {
				return err
			}
		}
		out = fixed
		return nil
	})
	return out, err
}
