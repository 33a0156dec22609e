package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"

	"minsheng/indexer"
	"minsheng/indexer/wal"
)

// logChanges has a build replay the data folder's write-ahead log, read
// without its lock: a server may be appending to it.
func (c *Config) logChanges() func() (*wal.State, error) {
	return func() (*wal.State, error) { return wal.Read(wal.Dir(c.Data)) }
}

// foldLog folds the write-ahead log after `minsheng index` made a new
// generation current, unless a server holds the log: it folds when it
// next serves a generation.
func foldLog(dataDir string, log *slog.Logger) error {
	dir := wal.Dir(dataDir)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	l, err := wal.Open(dir, log)
	if errors.Is(err, wal.ErrLocked) {
		log.Info("write-ahead log held by a running server: it folds the log when it serves a new generation")
		return nil
	}
	if err != nil {
		return err
	}
	return errors.Join(l.Fold(), l.Close())
}

// openLiveDocs opens the write-ahead log of the data folder and serves
// its current generation writable, brought up to the log. close closes
// both.
func openLiveDocs(c *Config, tagger indexer.Tagger, log *slog.Logger) (*indexer.Live, *indexer.Docs, func(), error) {
	wl, err := wal.Open(wal.Dir(c.Data), log)
	if errors.Is(err, wal.ErrLocked) {
		return nil, nil, nil, fmt.Errorf("serve: %w: one server per data folder", err)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("serve: %w", err)
	}
	live, docs, err := indexer.OpenLiveDocs(c.Data, wl, tagger, log)
	if err != nil {
		wl.Close()
		return nil, nil, nil, err
	}
	return live, docs, func() {
		if err := errors.Join(live.Close(), wl.Close()); err != nil {
			log.Error("close index and write-ahead log", "err", err)
		}
	}, nil
}
