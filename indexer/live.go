package indexer

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/blevesearch/bleve/v2"

	"minsheng/indexer/literal"
)

// Live is the generation being served, behind a bleve IndexAlias: Switch
// opens another generation and swaps it in atomically. A search holds the
// alias's read lock for its whole run and Swap takes the write lock, so
// once Swap returns nobody searches the old index and it can be closed.
// The served generation's manifest is held under a shared lock, so pruning
// (in this process or another) never deletes it.
type Live struct {
	dataDir string
	alias   bleve.IndexAlias

	mu       sync.Mutex // protects name, idx, hold and onSwitch, and serializes Switch
	name     string
	idx      bleve.Index
	hold     *os.File          // shared lock on the served generation's manifest
	onSwitch func(name string) // called, in its own goroutine, after each switch
	switched sync.WaitGroup    // the onSwitch goroutines running; Close waits for them
	docs     *Docs             // live documents: generations opened writable and replayed; nil: read-only
}

// OnSwitch has f called, in a goroutine of its own, each time a new
// generation starts being served: the server warms its caches with it.
// Close waits for the calls to return, so f should stop when the server
// stops (the server's f stops with its context).
func (l *Live) OnSwitch(f func(name string)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.onSwitch = f
}

// OpenLive serves the current generation of dataDir, if there is one yet.
func OpenLive(dataDir string) (*Live, error) { return openLive(dataDir, nil) }

func openLive(dataDir string, docs *Docs) (*Live, error) {
	l := &Live{dataDir: dataDir, alias: bleve.NewIndexAlias(), docs: docs}
	name, err := Current(dataDir)
	if err != nil {
		return nil, err
	}
	if name != "" {
		if err := l.Switch(name); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// Index is the alias to search. It is empty until a generation exists.
func (l *Live) Index() bleve.Index { return l.alias }

// Generation is the name of the generation being served, or "".
func (l *Live) Generation() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.name
}

// Switch serves generation name. The old one is closed after the swap.
func (l *Live) Switch(name string) error {
	if !ValidName(name) {
		return fmt.Errorf("%q is not a generation name", name)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if name == l.name {
		return nil
	}
	hold, err := holdGeneration(l.dataDir, name)
	if err != nil {
		return err
	}
	idx, err := l.open(name)
	if err != nil {
		hold.Close()
		return err
	}
	var out []bleve.Index
	if l.idx != nil {
		out = []bleve.Index{l.idx}
	}
	l.alias.Swap([]bleve.Index{idx}, out)
	if l.idx != nil {
		l.idx.Close()
		l.hold.Close()
		literal.Forget(IndexPath(l.dataDir, l.name))
	}
	l.idx, l.name, l.hold = idx, name, hold
	if l.docs != nil {
		l.docs.served(name)
	}
	if f := l.onSwitch; f != nil {
		l.switched.Go(func() { f(name) })
	}
	return nil
}

// open opens generation name: read-only, or for live documents writable
// and brought up to their log and to staff's topic corrections.
func (l *Live) open(name string) (bleve.Index, error) {
	if l.docs == nil {
		return Open(IndexPath(l.dataDir, name))
	}
	idx, err := OpenWritable(IndexPath(l.dataDir, name))
	if err != nil {
		return nil, err
	}
	if err := l.docs.replay(idx); err != nil {
		idx.Close()
		return nil, err
	}
	l.docs.retagCorrected(name, idx)
	return idx, nil
}

// apply has f write to the served index, if there is one, with no switch
// in between.
func (l *Live) apply(f func(bleve.Index) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.idx == nil {
		return nil
	}
	return f(l.idx)
}

// Reload serves whatever CURRENT names now, if it changed.
func (l *Live) Reload() error {
	name, err := Current(l.dataDir)
	if err != nil || name == "" {
		return err
	}
	return l.Switch(name)
}

// Close waits for the OnSwitch calls running, then closes the served
// index. Nothing may Switch once Close has been called.
func (l *Live) Close() error {
	l.switched.Wait() // before the lock: f may ask for Generation
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.idx == nil {
		return nil
	}
	err := errors.Join(l.idx.Close(), l.hold.Close())
	literal.Forget(IndexPath(l.dataDir, l.name))
	l.idx, l.name, l.hold = nil, "", nil
	return err
}
