package literal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"minsheng/corpus"
)

// Ext is the extension of a segment's bigram index, written beside the
// segment's file (NAME.zap.lit): scorch removes only .zap files from its
// folder.
const Ext = ".lit"

// Fields are the literal fields a bigram index holds, and FoldedFields the
// stored fields each is built from.
var (
	Fields       = []string{corpus.FieldTitleLit, corpus.FieldBodyLit, corpus.FieldReplyLit, corpus.FieldMetaLit}
	FoldedFields = []string{corpus.FoldedOf(corpus.FieldTitle), corpus.FoldedOf(corpus.FieldBody), corpus.FoldedOf(corpus.FieldReply), corpus.FoldedOf(corpus.FieldMeta)}
)

// FieldOf returns the literal field built from a stored folded field.
func FieldOf(folded string) (string, bool) {
	i := slices.Index(FoldedFields, folded)
	if i < 0 {
		return "", false
	}
	return Fields[i], true
}

// apart reports whether seg holds documents whose literal fields are left
// to a bigram index (corpus.FieldLiteralApart): a build's documents, and
// any segment a merge made of them.
func apart(seg segment.Segment) (bool, error) {
	d, err := seg.Dictionary(corpus.FieldLiteralApart)
	if err != nil {
		return false, err
	}
	return d.Cardinality() > 0, nil
}

// PathOf is the file of seg's bigram index, or "" when seg is not on disk.
func PathOf(seg segment.Segment) string {
	if ps, ok := seg.(segment.PersistedSegment); ok && ps.Path() != "" {
		return ps.Path() + Ext
	}
	return ""
}

// BuildSegment builds the bigram index of every document of seg from the
// folded text it stores.
func BuildSegment(seg segment.Segment) (*Builder, error) {
	return BuildMerged(context.Background(), []Part{{Seg: seg}}, runtime.GOMAXPROCS(0))
}

// A Part is a segment whose documents a merge puts one after another in
// the merged segment, in order, leaving out the deleted ones (nil: none).
type Part struct {
	Seg     segment.Segment
	Deleted *roaring.Bitmap
}

// live is the number of documents of p that a merge keeps.
func (p Part) live() uint64 {
	n := p.Seg.Count()
	if p.Deleted != nil {
		n -= p.Deleted.GetCardinality()
	}
	return n
}

// maxBuildWorkers bounds the builders of one bigram index: each holds
// its share of the postings and the chunk it sorts, and they are joined
// at the end. A build of news-2023 peaked at 766, 808 and 1,109 MB of
// anonymous memory, during the merge, with GOMAXPROCS 2, 4 and 8 (1, 3
// and 7 builders beside the merge), above the 1 GB a build may take; the
// merge that the builders run beside takes longer than 3 of them need.
const maxBuildWorkers = 3

// BuildMerged builds the bigram index of the segment that merging parts in
// their order makes, from the folded text the parts store: the documents
// of each part that a merge keeps, in order, numbered from the documents
// of the parts before it. A part of the documents is built on each of
// cores cores, at most maxBuildWorkers (a single builder took 12 of the
// 57 s of a build of news-2023 at its end, with one core busy). It stops
// early when ctx is done.
func BuildMerged(ctx context.Context, parts []Part, cores int) (*Builder, error) {
	return buildMerged(ctx, parts, cores, "")
}

// BuildMergedFolded is BuildMerged, and also writes the folded texts of
// the merged segment (FoldedFields, as its documents store them) in parts
// in folder dir (the segments' folder) as the builders read them: written
// to their file by Builder.WriteFolded, removed by Builder.DiscardFolded.
// Reading the merged segment's stored documents again once merged took a
// build of news-2023 3.5 s more (BenchmarkIndexNews's child build, 2 runs
// each); the builders have them in hand. A single part of the segment
// itself builds its bigram index and folded texts from it alike.
func BuildMergedFolded(ctx context.Context, parts []Part, cores int, dir string) (*Builder, error) {
	return buildMerged(ctx, parts, cores, dir)
}

func buildMerged(ctx context.Context, parts []Part, cores int, foldDir string) (*Builder, error) {
	var n uint64
	for _, p := range parts {
		n += p.live()
	}
	if n >= 1<<32 {
		return nil, fmt.Errorf("literal: a segment of %d documents", n)
	}
	workers := max(1, min(cores, maxBuildWorkers, int(n/1000)))
	builders := make([]*Builder, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := n*uint64(w)/uint64(workers), n*uint64(w+1)/uint64(workers)
		builders[w] = NewBuilder(uint32(n), Fields)
		if foldDir != "" {
			fw, err := newFoldedPart(foldDir, lo, hi)
			if err != nil {
				for _, b := range builders[:w] {
					b.DiscardFolded()
				}
				return nil, err
			}
			builders[w].folds = []*FoldedWriter{fw}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[w] = addParts(ctx, builders[w], parts, lo, hi); errs[w] == nil {
				builders[w].flush() // its last chunk, here rather than in append, on one core
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, b := range builders {
			b.DiscardFolded()
		}
		return nil, err
	}
	b := builders[0]
	for _, p := range builders[1:] {
		b.append(p)
	}
	return b, nil
}

// addParts adds to b the folded text of the documents numbered lo to hi
// (excluded) in the merge of parts.
func addParts(ctx context.Context, b *Builder, parts []Part, lo, hi uint64) error {
	slot := make(map[string]int, len(FoldedFields))
	for i, f := range FoldedFields {
		slot[f] = i
	}
	var texts [][]byte // a document's folded texts, when b writes them
	if b.folds != nil {
		texts = make([][]byte, len(FoldedFields))
	}
	var base uint64 // the number of the part's first document kept
	for _, p := range parts {
		if base >= hi {
			break
		}
		live := p.live()
		if base+live <= lo {
			base += live
			continue
		}
		num := base
		for doc := range p.Seg.Count() {
			if p.Deleted != nil && p.Deleted.Contains(uint32(doc)) {
				continue
			}
			if num >= lo && num < hi {
				if num%1024 == 0 && ctx.Err() != nil {
					return ctx.Err()
				}
				if err := addStored(b, p.Seg, doc, uint32(num), slot, texts); err != nil {
					return err
				}
			}
			if num++; num >= hi {
				break
			}
		}
		base += live
	}
	return nil
}

// addStored adds the folded text that document doc of seg stores to b, as
// document num, and to b's folded texts if it writes them (texts: room
// for each field's, in FoldedFields' order, as zap lists them in another).
func addStored(b *Builder, seg segment.Segment, doc uint64, num uint32, slot map[string]int, texts [][]byte) error {
	for i := range texts {
		texts[i] = texts[i][:0]
	}
	var err error
	verr := seg.VisitStoredFields(doc, func(field string, _ byte, value []byte, _ []uint64) bool {
		if i, ok := slot[field]; ok {
			err = b.Add(num, i, value)
			if texts != nil {
				texts[i] = append(texts[i], value...)
			}
		}
		return err == nil
	})
	for i, text := range texts {
		if err == nil && verr == nil {
			err = b.folds[0].Add(uint64(num), i, text)
		}
	}
	if err = errors.Join(err, verr); err != nil {
		return fmt.Errorf("literal: document %d: %w", doc, err)
	}
	return nil
}

// Ensure returns seg's bigram index: the one written beside it, or else
// (none, of another version, damaged) built from it now, and written
// beside it when seg is on disk and its folder writable, else kept in
// memory; nil when seg's literal fields are its own (no document of a
// build's is in it).
func Ensure(seg segment.Segment) (*Index, error) {
	isApart, err := apart(seg)
	if err != nil || !isApart {
		return nil, err
	}
	path := PathOf(seg)
	if path != "" {
		// one of another version, or damaged, is written again
		x, err := OpenFile(path)
		if err == nil || !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, ErrFormat) {
			return x, err
		}
	}
	b, err := BuildSegment(seg)
	if err != nil {
		return nil, err
	}
	if path != "" {
		if err := b.WriteFile(path); err == nil {
			return OpenFile(path)
		}
		// a folder this process cannot write: kept in memory
	}
	data, err := b.Bytes()
	if err != nil {
		return nil, err
	}
	return Open(bytes.NewReader(data), int64(len(data)))
}

// RemoveOrphans removes from dir, an index's segment folder, the bigram
// indexes and folded texts whose segment is gone (merged away while the
// index was served).
func RemoveOrphans(dir string) error {
	var errs []error
	for _, ext := range []string{Ext, FoldedExt} {
		files, err := filepath.Glob(filepath.Join(dir, "*"+ext))
		if err != nil {
			return err
		}
		for _, f := range files {
			if _, err := os.Stat(strings.TrimSuffix(f, ext)); errors.Is(err, fs.ErrNotExist) {
				if err := os.Remove(f); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return errors.Join(errs...)
}
