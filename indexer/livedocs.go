package indexer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"

	"minsheng/corpus"
	"minsheng/errs"
	"minsheng/indexer/analysis"
	"minsheng/indexer/literal"
	"minsheng/indexer/wal"
)

// KeyLogSeq is the internal key under which an index keeps the sequence
// number of the last write-ahead log record it holds. It is written in the
// same batch as the record's documents, so the two agree after any crash.
const KeyLogSeq = "minsheng.wal_seq"

// Errors of live document changes, for the HTTP layer's status table.
var (
	ErrVersionConflict = errs.New(errs.Conflict, "version conflict")
	ErrNoDoc           = errs.New(errs.NotFound, "no such document")
)

// Op says what a change asked of the API does.
type Op int

// Ops.
const (
	OpPut    Op = iota // POST or PUT: the whole document, created or replaced
	OpPatch            // PATCH: the fields given
	OpDelete           // DELETE
)

// DocChange is one change asked of the API.
type DocChange struct {
	Line    int    // line of an NDJSON body; 0 for a single document
	Op      Op     //
	ID      string // the path's id (PUT, PATCH, DELETE); "" for POST, which takes the document's
	Body    []byte // the document (OpPut) or the fields to change (OpPatch)
	IfMatch int64  // the version the client last read; 0: any
	Err     error  // the line could not be read: reported as it is
}

// DocResult is the outcome of one change.
type DocResult struct {
	ID      string `json:"id"`
	Result  string `json:"result"` // created, updated, deleted or error
	Version int64  `json:"version"`
	Line    int    `json:"line,omitempty"`
	Error   string `json:"error,omitempty"`
	Err     error  `json:"-"` // what Error says, for the status of a single change
}

// ResultError is the Result of a change that was not made.
const ResultError = "error"

// Docs writes live documents: each request becomes one record of the
// write-ahead log, fsynced, and is then written to the served generation,
// where it is searchable when Write returns. Every build replays the log
// on top of the sources (BuildOptions.Changes), and a generation that
// starts being served gets the records it lacks first.
type Docs struct {
	logger *slog.Logger
	log    *wal.Log
	live   *Live
	tagger Tagger

	mu sync.Mutex // serializes Write: version checks, the log's order and the index's agree
}

// OpenLiveDocs serves the current generation of dataDir for reading and
// writing live documents logged in log: the generation is brought up to
// the log before it is served, and so is any later one. tagger may be nil.
func OpenLiveDocs(dataDir string, log *wal.Log, tagger Tagger, logger *slog.Logger) (*Live, *Docs, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	d := &Docs{log: log, tagger: tagger, logger: logger}
	l, err := openLive(dataDir, d)
	if err != nil {
		return nil, nil, err
	}
	d.live = l
	return l, d, nil
}

// State is the log's state: what a build replays.
func (d *Docs) State() (*wal.State, error) { return d.log.State(), nil }

// Version is the version of document id: that of its last change through
// the API, or 1 for a document only the sources gave. found is false when
// no such document exists (deleted ones included).
func (d *Docs) Version(ctx context.Context, id string) (version int64, found bool, err error) {
	_, v, ok, err := d.current(ctx, id, nil)
	return v, ok, err
}

// History is the versions of document id changed through the API, oldest
// first; nil when the API never changed it.
func (d *Docs) History(id string) []wal.Version {
	e, ok := d.log.Entry(id)
	if !ok {
		return nil
	}
	return slices.Clone(e.History)
}

// pending is the state of a document after the earlier changes of a request.
type pending struct {
	doc     *corpus.Doc // nil when deleted
	version int64
}

// Write makes changes as token (a token's name: "admin", "editor"). Every
// change that can be made is made, all in one log record; the others are
// error items. It returns the outcome of each change and the record's
// sequence number (0 when nothing was made). An error means the log could
// not be written and nothing was made.
func (d *Docs) Write(ctx context.Context, token string, changes []DocChange) ([]DocResult, uint64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]DocResult, len(changes))
	var logged []wal.Change
	seen := make(map[string]pending)
	for i, c := range changes {
		r := DocResult{ID: c.ID, Line: c.Line}
		wc, err := d.resolve(ctx, c, seen)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return nil, 0, err
			}
			r.Result, r.Err, r.Error = ResultError, err, err.Error()
			if c.Line > 0 {
				r.Error = fmt.Sprintf("line %d: %s", c.Line, r.Error)
			}
			out[i] = r
			continue
		}
		seen[wc.ID] = pending{wc.Doc, wc.Version}
		r.ID, r.Result, r.Version = wc.ID, wc.Result, wc.Version
		out[i] = r
		logged = append(logged, wc)
	}
	if len(logged) == 0 {
		return out, 0, nil
	}
	rec, err := d.log.Append(wal.Record{Token: token, Changes: logged})
	if err != nil {
		return nil, 0, err
	}
	// The change is durable: were indexing to fail, the next start or
	// switch replays it. The answer waits for the index all the same, so
	// that it is searchable once answered.
	if err := d.live.apply(func(idx bleve.Index) error { return d.index(idx, rec.Changes, rec.Seq) }); err != nil {
		return out, rec.Seq, fmt.Errorf("logged as record %d but not yet indexed: %w", rec.Seq, err)
	}
	return out, rec.Seq, nil
}

// resolve turns a change into what the log records.
func (d *Docs) resolve(ctx context.Context, c DocChange, seen map[string]pending) (wal.Change, error) {
	if c.Err != nil {
		return wal.Change{}, c.Err
	}
	var doc *corpus.Doc
	id := c.ID
	if c.Op == OpPut {
		var err error
		if doc, err = ParseDoc(c.Body); err != nil {
			return wal.Change{}, err
		}
		if id == "" {
			id = doc.ID
		} else if doc.ID != id {
			return wal.Change{}, badDoc("id", "%q is not the id of the path, %q", clip(doc.ID, 40), clip(id, 40))
		}
	}
	if err := CheckID(id); err != nil {
		return wal.Change{}, err
	}
	cur, version, exists, err := d.current(ctx, id, seen)
	if err != nil {
		return wal.Change{}, err
	}
	if c.IfMatch != 0 && c.IfMatch != version {
		return wal.Change{}, fmt.Errorf("%w: %s is at version %d, not %d", ErrVersionConflict, id, version, c.IfMatch)
	}
	if !exists && c.Op != OpPut {
		return wal.Change{}, fmt.Errorf("%w: %q", ErrNoDoc, clip(id, 40))
	}
	wc := wal.Change{ID: id, Version: version + 1, Result: wal.Updated}
	switch c.Op {
	case OpPut:
		wc.Doc = doc
		if !exists {
			wc.Result = wal.Created
		}
	case OpPatch:
		if wc.Doc, err = patchDoc(cur, c.Body); err != nil {
			return wal.Change{}, err
		}
	case OpDelete:
		wc.Result = wal.Deleted
	}
	wc.Changed = changedFields(cur, wc.Doc)
	return wc, nil
}

// current is document id as a change of a request finds it: after the
// request's earlier changes, the log's, or the served index's.
func (d *Docs) current(ctx context.Context, id string, seen map[string]pending) (*corpus.Doc, int64, bool, error) {
	if p, ok := seen[id]; ok {
		return p.doc, p.version, p.doc != nil, nil
	}
	if e, ok := d.log.Entry(id); ok {
		return e.Doc, e.Version, !e.Deleted, nil
	}
	doc, err := storedDoc(ctx, d.live.Index(), id)
	if err != nil || doc == nil {
		return nil, 0, false, err
	}
	return doc, 1, true, nil
}

// storedDoc reads document id as the index stores it, untagged (as a
// source or the API gave it), or nil.
func storedDoc(ctx context.Context, idx bleve.Index, id string) (*corpus.Doc, error) {
	d, err := indexedDoc(ctx, idx, id)
	if d != nil {
		untag(d)
	}
	return d, err
}

// untag takes from d what tagging put there: its topics become those the
// source gave.
func untag(d *corpus.Doc) {
	d.Inferred = nil
	if d.PrimaryTopic != "" || d.GivenTopics != nil || d.TopicsCorrected {
		// tagged: Topics holds every topic; the source gave GivenTopics
		d.Topics, d.GivenTopics, d.PrimaryTopic, d.TopicsCorrected = d.GivenTopics, nil, "", false
	}
}

// indexedDoc reads document id as the index stores it, tagged, or nil.
func indexedDoc(ctx context.Context, idx bleve.Index, id string) (*corpus.Doc, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	doc, err := idx.Document(id)
	if err != nil {
		if errors.Is(err, bleve.ErrorAliasEmpty) {
			return nil, nil // nothing served yet
		}
		return nil, fmt.Errorf("read document %s: %w", id, err)
	}
	if doc == nil {
		return nil, nil
	}
	var js []byte
	doc.VisitFields(func(f index.Field) {
		if f.Name() == corpus.FieldStored {
			js = f.Value()
		}
	})
	if js == nil {
		return nil, nil
	}
	var d corpus.Doc
	if err := json.Unmarshal(js, &d); err != nil {
		return nil, fmt.Errorf("read document %s: %w", id, err)
	}
	return &d, nil
}

// index writes changes to idx with their record's seq, in one batch.
func (d *Docs) index(idx bleve.Index, changes []wal.Change, seq uint64) error {
	b := idx.NewBatch()
	for _, c := range changes {
		if c.Doc == nil {
			b.Delete(c.ID)
			continue
		}
		if err := b.Index(c.ID, d.fields(c.Doc)); err != nil {
			return fmt.Errorf("document %s: %w", c.ID, err)
		}
	}
	b.SetInternal([]byte(KeyLogSeq), []byte(strconv.FormatUint(seq, 10)))
	return idx.Batch(b)
}

// fields tags a copy of doc and returns its index fields.
func (d *Docs) fields(doc *corpus.Doc) map[string]any {
	c := cloneDoc(doc)
	if d.tagger != nil {
		d.tagger.Tag(c)
	}
	return IndexFields(c)
}

// cloneDoc copies what IndexFields and a Tagger change of a document.
func cloneDoc(d *corpus.Doc) *corpus.Doc {
	c := *d
	c.Units, c.Topics, c.Inferred, c.GivenTopics = slices.Clone(d.Units), slices.Clone(d.Topics), nil, nil
	return &c
}

// CorrectingTagger is a Tagger that lays the topics staff set on
// documents over what it finds (the taxonomy's Classifier with the store
// of corrections): Corrected lists the documents it has a correction for.
// With one, Docs brings every generation it opens in line with the
// corrections (retagCorrected), and Retag applies a new one to the served
// generation, so that search, facets and reports carry a correction as
// soon as it is made, and after every restart and reindex.
type CorrectingTagger interface {
	Tagger
	Corrected() []string
}

// Retag indexes documents ids again in the served generation, tagged as
// the tagger tags them now (with staff's topic corrections), wherever
// their tags differ from those the generation holds. Their content, their
// version and the log stay as they are, and a document that does not
// exist is skipped. A retag is not logged, and the served index may lose
// it in a crash (see OpenWritable): what makes it last is the store of
// corrections the tagger reads, which every generation opened is brought
// in line with.
func (d *Docs) Retag(ctx context.Context, ids ...string) error {
	d.mu.Lock() // a change of the same document is not lost in between
	defer d.mu.Unlock()
	return d.live.apply(func(idx bleve.Index) error { return d.retag(ctx, idx, ids) })
}

// retagCorrected brings generation name's idx in line with staff's topic
// corrections before it is served: those made since it was built, or lost
// with the retags of a crash. A failure is logged, and the generation
// served all the same: its documents' pages still show the corrections,
// as pending. On news-2023 (63,668 documents), serve was serving 4.1 s
// after it started with 1,000 corrections to apply, 1.74 s with the same
// 1,000 already applied, and 1.76 s with none.
func (d *Docs) retagCorrected(name string, idx bleve.Index) {
	ct, ok := d.tagger.(CorrectingTagger)
	if !ok {
		return
	}
	if err := d.retag(context.Background(), idx, ct.Corrected()); err != nil {
		d.logger.Error("apply the topic corrections", "generation", name, "err", err)
	}
}

// retag indexes again, in batches, the documents of ids whose tags in idx
// differ from the tagger's now.
func (d *Docs) retag(ctx context.Context, idx bleve.Index, ids []string) error {
	if d.tagger == nil {
		return nil
	}
	const batch = 500
	b := idx.NewBatch()
	for _, id := range ids {
		held, err := indexedDoc(ctx, idx, id)
		if err != nil {
			return err
		}
		var doc *corpus.Doc
		if e, ok := d.log.Entry(id); ok {
			doc = e.Doc // as the API last wrote it; nil: deleted
		} else if held != nil {
			u := *held // untag replaces fields, held keeps its own
			untag(&u)
			doc = &u
		}
		if doc == nil {
			continue
		}
		c := cloneDoc(doc)
		d.tagger.Tag(c)
		if held != nil && sameTags(c, held) {
			continue
		}
		if err := b.Index(id, IndexFields(c)); err != nil {
			return fmt.Errorf("document %s: %w", id, err)
		}
		if b.Size() >= batch {
			if err := idx.Batch(b); err != nil {
				return err
			}
			b.Reset()
		}
	}
	if b.Size() == 0 {
		return nil
	}
	return idx.Batch(b)
}

// sameTags reports whether two tagged documents carry the same topics.
func sameTags(a, b *corpus.Doc) bool {
	return slices.Equal(a.Topics, b.Topics) && a.PrimaryTopic == b.PrimaryTopic && a.TopicsCorrected == b.TopicsCorrected
}

// replay brings idx up to the log before it is served: the documents
// changed after the record it holds, by batches, the last one storing the
// log's sequence number. A Write that raced it writes its own again.
func (d *Docs) replay(idx bleve.Index) error {
	held, err := LogSeq(idx)
	if err != nil {
		return err
	}
	st := d.log.State()
	if st.Seq <= held {
		return nil
	}
	entries := st.Since(held)
	const batch = 500
	for start := 0; start < len(entries) || start == 0; start += batch {
		part := entries[start:min(start+batch, len(entries))]
		changes := make([]wal.Change, len(part))
		for i, e := range part {
			changes[i] = wal.Change{ID: e.ID, Doc: e.Doc}
		}
		seq := held
		if start+batch >= len(entries) {
			seq = st.Seq
		}
		if err := d.index(idx, changes, seq); err != nil {
			return fmt.Errorf("replay the write-ahead log: %w", err)
		}
	}
	return nil
}

// served folds the log once a generation holding all of it is served. A
// fold that fails is retried after the next switch; the log is whole.
func (d *Docs) served(name string) {
	if err := d.log.Fold(); err != nil {
		d.logger.Error("fold the write-ahead log", "generation", name, "err", err)
		return
	}
	d.logger.Info("write-ahead log folded into its snapshot", "generation", name, "seq", d.log.Seq())
}

// OpenWritable opens one generation's index for writing live documents.
// Its batches return once applied (searchable), without waiting for bleve
// to persist them (unsafe_batch): the write-ahead log already holds them,
// fsynced, and the log's sequence number is in the same batch, so what
// bleve persisted and the number it persisted agree, whenever a crash (or
// a Close, which may drop batches not yet persisted) comes, and the
// records after it are replayed at the next open. Waiting for bleve's own
// fsyncs as well took a write of 500 news from 4.6 to 5-8 s on a loaded
// machine.
func OpenWritable(path string) (bleve.Index, error) {
	if err := analysis.Register(); err != nil {
		return nil, err
	}
	idx, err := bleve.OpenUsing(path, map[string]any{"bolt_timeout": "1s", "unsafe_batch": true})
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	// the bigram indexes of segments merged away while it was served last
	if err := literal.RemoveOrphans(filepath.Join(path, "store")); err != nil {
		slog.Warn("remove the bigram indexes of merged segments", "index", path, "error", err)
	}
	return idx, nil
}

// LogSeq is the sequence number of the last write-ahead log record that
// idx holds: 0 for an index built before there was a log.
func LogSeq(idx bleve.Index) (uint64, error) {
	v, err := idx.GetInternal([]byte(KeyLogSeq))
	if err != nil || v == nil {
		return 0, err
	}
	n, err := strconv.ParseUint(string(v), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("index key %s: %w", KeyLogSeq, err)
	}
	return n, nil
}
