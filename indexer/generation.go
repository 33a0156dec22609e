package indexer

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"minsheng/internal/atomicfile"
)

// Layout of a data folder:
//
//	DATA/CURRENT                 name of the generation being served
//	DATA/generations/NAME/       a complete generation: index/ and manifest.json
//	                             (index/store/NNN.zap.lit: a segment's literal
//	                             fields, indexer/literal)
//	DATA/generations/NAME.tmp/   a build in progress (or left by a crash)
//	DATA/build.lock              held while a build runs
const (
	genDir       = "generations"
	tmpSuffix    = ".tmp"
	currentFile  = "CURRENT"
	manifestFile = "manifest.json"
	lockFile     = "build.lock"
)

// Manifest describes a complete generation.
type Manifest struct {
	Name            string         `json:"name"`
	Created         time.Time      `json:"created"`
	Docs            int            `json:"docs"`
	Skipped         int            `json:"skipped"`
	Reasons         map[string]int `json:"skipped_reasons,omitempty"`
	Sources         []string       `json:"sources"`
	Bytes           int64          `json:"bytes"`                // source bytes (compressed for .gz): the share read, not a rate's measure
	TextBytes       int64          `json:"text_bytes,omitempty"` // the indexed documents' text as read (decompressed): title, body, reply; 0 before it was recorded
	Seconds         float64        `json:"seconds"`
	DictHash        string         `json:"dict_hash"`
	TaxonomyVersion string         `json:"taxonomy_version,omitempty"`
	ModelHash       string         `json:"model_hash,omitempty"` // of the topic model learned from labelled documents
	// Layout is the index's layout: LayoutFolded, LayoutLiteralApart, or 0
	// for an index whose literal fields are in its segments (each read as
	// it is).
	Layout  int  `json:"layout,omitempty"`
	Current bool `json:"current"`
}

// LayoutLiteralApart is the layout of an index whose build wrote the
// literal fields of its documents beside each segment (indexer/literal);
// LayoutFolded, of one whose build also wrote each segment's folded texts
// beside it (literal.BuildMergedFolded), which phrases are verified against
// (without them, against the documents' stored fields).
const (
	LayoutLiteralApart = 2
	LayoutFolded       = 3
)

// IndexPath is the bleve index of generation name.
func IndexPath(dataDir, name string) string {
	return filepath.Join(dataDir, genDir, name, "index")
}

// ManifestPath is the manifest of generation name: it exists once the
// generation is complete.
func ManifestPath(dataDir, name string) string {
	return filepath.Join(dataDir, genDir, name, manifestFile)
}

var genName = regexp.MustCompile(`^gen-\d{8}-\d{6}-\d{3}$`)

// ValidName reports whether name can be a generation: it never leaves the
// generations folder.
func ValidName(name string) bool { return genName.MatchString(name) }

func newGenName(t time.Time) string {
	return "gen-" + strings.Replace(t.UTC().Format("20060102-150405.000"), ".", "-", 1)
}

// lockBuild takes the data folder's build lock without waiting. The lock is
// an flock on a file, so the kernel drops it when a process dies.
func lockBuild(dataDir string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Join(dataDir, genDir), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dataDir, lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrBuildRunning
		}
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// removePartial deletes the partial folders of builds that did not finish.
// The caller holds the build lock, so none of them is in progress.
func removePartial(dataDir string, log *slog.Logger) error {
	ents, err := os.ReadDir(filepath.Join(dataDir, genDir))
	if err != nil {
		return err
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), tmpSuffix) {
			log.Info("removing partial generation", "name", e.Name())
			if err := os.RemoveAll(filepath.Join(dataDir, genDir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// Current returns the name of the generation being served, or "" when
// there is none yet.
func Current(dataDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, currentFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	name := strings.TrimSpace(string(b))
	if !ValidName(name) {
		return "", fmt.Errorf("%s: %q is not a generation name", filepath.Join(dataDir, currentFile), name)
	}
	return name, nil
}

// setCurrent points CURRENT at name atomically.
func setCurrent(dataDir, name string) error {
	if _, err := os.Stat(filepath.Join(dataDir, genDir, name, manifestFile)); err != nil {
		return fmt.Errorf("generation %s: %w", name, err)
	}
	return atomicfile.Write(filepath.Join(dataDir, currentFile), []byte(name+"\n"))
}

// Activate makes a complete generation current (rollback).
func Activate(dataDir, name string) error {
	if !ValidName(name) {
		return fmt.Errorf("%q is not a generation name", name)
	}
	return setCurrent(dataDir, name)
}

// List returns the complete generations, newest first.
func List(dataDir string) ([]Manifest, error) {
	ents, err := os.ReadDir(filepath.Join(dataDir, genDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cur, err := Current(dataDir)
	if err != nil {
		return nil, err
	}
	var out []Manifest
	for _, e := range ents {
		if !e.IsDir() || !ValidName(e.Name()) {
			continue
		}
		var m Manifest
		b, err := os.ReadFile(filepath.Join(dataDir, genDir, e.Name(), manifestFile))
		if err != nil {
			continue // not complete
		}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("generation %s: %w", e.Name(), err)
		}
		m.Name, m.Current = e.Name(), e.Name() == cur
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name > out[j].Name })
	return out, nil
}

// prune deletes complete generations beyond the newest keep, never the
// current one, never one named in protect (the generation served before
// the last swap, kept for rollback however many builds followed), and
// never one that is being served: a Live holds a shared
// lock on the manifest of the generation it serves (see holdGeneration), in
// this process or another, and prune skips a generation whose manifest it
// cannot lock exclusively. The exclusive lock is held while the folder is
// removed, so a Switch cannot start serving it meanwhile.
func prune(dataDir string, keep int, log *slog.Logger, protect ...string) error {
	gens, err := List(dataDir)
	if err != nil {
		return err
	}
	for i, g := range gens {
		if i < keep || g.Current || slices.Contains(protect, g.Name) {
			continue
		}
		if err := RemoveUnused(dataDir, g.Name, log); err != nil {
			return err
		}
	}
	return nil
}

// RemoveUnused deletes generation name unless it is being served: a
// failed job discards the generation it built with it.
func RemoveUnused(dataDir, name string, log *slog.Logger) error {
	f, err := os.Open(filepath.Join(dataDir, genDir, name, manifestFile))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			log.Info("keeping old generation: it is being served", "name", name)
			return nil
		}
		return fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	log.Info("deleting old generation", "name", name)
	return os.RemoveAll(filepath.Join(dataDir, genDir, name))
}

// holdGeneration takes a shared lock on the manifest of generation name
// and keeps it until the returned file is closed: prune never deletes a
// generation held so.
func holdGeneration(dataDir, name string) (*os.File, error) {
	f, err := os.Open(filepath.Join(dataDir, genDir, name, manifestFile))
	if err != nil {
		return nil, fmt.Errorf("generation %s: %w", name, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("generation %s is being deleted", name)
		}
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return f, nil
}

// Prune deletes complete generations beyond the newest keep (0 means 3),
// never the current one, one named in protect, or one being served. It
// takes the build lock, so it returns ErrBuildRunning while a build runs.
func Prune(dataDir string, keep int, log *slog.Logger, protect ...string) error {
	if keep <= 0 {
		keep = 3
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	unlock, err := lockBuild(dataDir)
	if err != nil {
		return err
	}
	defer unlock()
	return prune(dataDir, keep, log, protect...)
}

// Cleanup removes the partial folders that builds stopped by a crash left
// behind, under the build lock; it returns ErrBuildRunning, and removes
// nothing, while a build runs.
func Cleanup(dataDir string, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	unlock, err := lockBuild(dataDir)
	if err != nil {
		return err
	}
	defer unlock()
	return removePartial(dataDir, log)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}
