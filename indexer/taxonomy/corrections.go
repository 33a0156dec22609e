package taxonomy

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"time"

	"minsheng/internal/atomicfile"
)

// The corrections store's files, under DATA/topics/.
const (
	correctionsDir   = "topics"
	correctionsFile  = "corrections.json" // id -> topics, rewritten whole (atomic rename)
	correctionsAudit = "audit.jsonl"      // one Correction a line, appended
)

// Correction is one change of a document's topics by staff, as the audit
// keeps it.
type Correction struct {
	Time   time.Time `json:"time"`
	ID     string    `json:"id"`
	Before []string  `json:"before"` // the topics the document carried
	After  []string  `json:"after"`  // the topics staff set
}

// Corrections is the durable store of the topics staff set on documents,
// under DATA/topics. Every build reads it: a corrected document carries
// what staff set, whatever the classifier says, and teaches the model
// (see Classifier.Example). Each change is fsynced to the audit trail,
// then the whole map is written to a temporary file, fsynced and renamed
// over the old one, so a crash leaves either map, never half of one.
// It is safe for concurrent use; other processes (a build of `minsheng
// index`) read it with LoadCorrections.
type Corrections struct {
	dir string

	mu sync.Mutex // protects m and the files
	m  map[string][]string
}

// OpenCorrections opens, creating it when needed, the store of dataDir.
func OpenCorrections(dataDir string) (*Corrections, error) {
	dir := filepath.Join(dataDir, correctionsDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("topic corrections: %w", err)
	}
	m, err := LoadCorrections(dataDir)
	if err != nil {
		return nil, err
	}
	return &Corrections{dir: dir, m: m}, nil
}

// LoadCorrections reads the corrections of dataDir: document id -> topics.
// A data folder without any gives an empty map.
func LoadCorrections(dataDir string) (map[string][]string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, correctionsDir, correctionsFile))
	if errors.Is(err, os.ErrNotExist) {
		return map[string][]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("topic corrections: %w", err)
	}
	m := map[string][]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("topic corrections %s: %w", correctionsFile, err)
	}
	return m, nil
}

// Get returns the topics staff set on document id, if they did.
func (s *Corrections) Get(id string) ([]string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.m[id]
	return slices.Clone(t), ok
}

// Len returns the number of documents staff corrected.
func (s *Corrections) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// IDs returns the ids of the documents staff corrected, sorted.
func (s *Corrections) IDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.m))
}

// Map returns a copy of every correction: document id -> topics.
func (s *Corrections) Map() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]string, len(s.m))
	for id, t := range s.m {
		out[id] = slices.Clone(t)
	}
	return out
}

// Set records that staff set document id's topics from before to after
// (none: the document carries no topic) at time now, durably, and returns
// the audit's entry.
func (s *Corrections) Set(id string, before, after []string, now time.Time) (Correction, error) {
	if before == nil {
		before = []string{}
	}
	if after == nil {
		after = []string{}
	}
	c := Correction{Time: now.UTC(), ID: id, Before: slices.Clone(before), After: slices.Clone(after)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.appendAudit(c); err != nil {
		return Correction{}, err
	}
	m := make(map[string][]string, len(s.m)+1)
	for k, v := range s.m {
		m[k] = v
	}
	m[id] = c.After
	if err := writeFileSync(filepath.Join(s.dir, correctionsFile), m); err != nil {
		return Correction{}, fmt.Errorf("topic corrections: %w", err)
	}
	s.m = m
	return c, nil
}

func (s *Corrections) appendAudit(c Correction) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(s.dir, correctionsAudit), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("topic corrections audit: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("topic corrections audit: %w", err)
	}
	return nil
}

// Audit returns the corrections of document id (every document's when id
// is ""), newest first. A torn last line, left by a crash while it was
// written, is skipped.
func (s *Corrections) Audit(id string) ([]Correction, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.Open(filepath.Join(s.dir, correctionsAudit))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("topic corrections audit: %w", err)
	}
	defer f.Close()
	var out []Correction
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var c Correction
		if json.Unmarshal(sc.Bytes(), &c) != nil {
			continue
		}
		if id == "" || c.ID == id {
			out = append(out, c)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("topic corrections audit: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	return out, nil
}

// writeFileSync writes v as JSON to path atomically and durably.
func writeFileSync(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, b)
}
