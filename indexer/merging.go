package indexer

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	index "github.com/blevesearch/bleve_index_api"

	"minsheng/corpus"
	"minsheng/indexer/analysis"
	"minsheng/indexer/literal"
)

// buildConfig is the scorch configuration of an index being built,
// given when it is opened and never stored with it: a generation that
// serves merges as scorch does by default. A build writes each batch's
// segment to disk as it is and merges nothing while documents come in;
// compact then merges all the segments into one at once, so that each
// document's postings are merged once, instead of once in memory by the
// persister, once or twice by the merger's tiers while the build runs and
// again by compact.
func buildConfig() map[string]any {
	return map[string]any{
		// below this many goroutines blocked on the persister, it merges
		// the segments waiting in memory before it writes them; 0: never
		"scorchPersisterOptions": map[string]any{"MemoryPressurePauseThreshold": 0},
		// no segment is ever eligible for a merge: none is smaller than
		// half of MaxSegmentSize documents
		"scorchMergePlanOptions": map[string]any{
			"MaxSegmentsPerTier": 1, "MaxSegmentSize": 1, "TierGrowth": 1.0,
			"SegmentsPerMergeTask": 2, "FloorSegmentSize": 1, "ReclaimDeletesWeight": 2.0,
		},
	}
}

// mergeAll is the plan of compact: every segment into one, in one task.
func mergeAll() *mergeplan.MergePlanOptions {
	return &mergeplan.MergePlanOptions{
		MaxSegmentsPerTier:   1,
		MaxSegmentSize:       1 << 30,
		MaxSegmentFileSize:   1 << 40,
		TierGrowth:           1.0,
		SegmentsPerMergeTask: 1 << 16,
		FloorSegmentSize:     1 << 30,
		ReclaimDeletesWeight: 2.0,
		FloorSegmentFileSize: 1 << 40,
	}
}

// compact merges a finished index into one segment, and stores its field
// lengths. A search looks every term up in each segment and walks postings
// across them: BenchmarkQueryMix takes a sixth to a quarter less time on
// one segment than on the dozen scorch's own merging leaves. The build
// merged nothing (buildConfig): one ForceMerge merges every segment at
// once, which took half the CPU the merges took before (12,000 news,
// 2.8 s against 5.5 s in BenchmarkIndexNews's profiles).
func compact(ctx context.Context, path string, log *slog.Logger) error {
	if err := analysis.Register(); err != nil {
		return err
	}
	idx, err := bleve.OpenUsing(path, buildConfig())
	if err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	ai, err := idx.Advanced()
	if err != nil {
		idx.Close()
		return fmt.Errorf("compact: %w", err)
	}
	s, ok := ai.(*scorch.Scorch)
	if !ok {
		return idx.Close()
	}
	stop := unmapSegments(idx, false)
	err = mergeSegments(ctx, s, path, log)
	if err == nil {
		err = writeLiterals(idx, log)
	}
	stop()
	if err != nil {
		idx.Close()
		return fmt.Errorf("compact: %w", err)
	}
	if err := idx.Close(); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	return nil
}

// mergeSegments merges the segments of s, the index at path, into one,
// and waits for the files of the merged segments to be removed.
func mergeSegments(ctx context.Context, s *scorch.Scorch, path string, log *slog.Logger) error {
	start := time.Now()
	for round := 0; round < maxMergeRounds && segments(s) > 1; round++ {
		log.Info("merging index segments", "segments", segments(s))
		if err := s.ForceMerge(ctx, mergeAll()); err != nil {
			return err
		}
	}
	log.Info("index segments merged", "segments", segments(s), "seconds", time.Since(start).Seconds())
	return awaitRemoval(ctx, s, path, log)
}

// awaitRemoval waits, at most removalWait, until the segment files of the
// index at path are only those of its snapshot: scorch removes the files
// of merged segments once its persister has recorded the merge and is
// idle, and an index closed before then keeps them on disk (news-2023's
// generation: 1,164 MB instead of 371). Left over, they only take space:
// the next writer of the index removes them.
//
// scorch marks a snapshot removable when its last reference is released,
// in a goroutine of its own, and removes the files of removable snapshots
// when its persister goes idle: a release that comes after that (a
// reader, or under load the merge's own references) leaves the files
// until the index changes again. So when they outlast nudgeAfter,
// awaitRemoval changes the index, every nudgeEvery: it deletes an
// internal key that no one writes (nudgeKey), which makes a new snapshot
// for the persister to record, and it cleans up once idle again.
func awaitRemoval(ctx context.Context, s *scorch.Scorch, path string, log *slog.Logger) error {
	deadline := time.Now().Add(removalWait)
	nudge := time.Now().Add(nudgeAfter)
	for {
		files, err := filepath.Glob(filepath.Join(path, "store", "*.zap"))
		if err != nil {
			return err
		}
		if uint64(len(files)) <= segments(s) {
			return nil
		}
		if time.Now().After(nudge) {
			if err := s.DeleteInternal([]byte(nudgeKey)); err != nil {
				return fmt.Errorf("ask the index to remove merged segments: %w", err)
			}
			nudge = time.Now().Add(nudgeEvery)
		}
		if time.Now().After(deadline) {
			log.Warn("merged segment files not removed yet; they stay on disk until the index is next written",
				"files", len(files), "segments", segments(s))
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// removalWait is how long awaitRemoval waits; nudgeAfter, how long before
// it makes the index change so that scorch cleans up again, and
// nudgeEvery, how often after that.
const (
	removalWait = time.Minute
	nudgeAfter  = 500 * time.Millisecond
	nudgeEvery  = 2 * time.Second
)

// nudgeKey is the internal key awaitRemoval deletes: no one writes it.
const nudgeKey = "minsheng.nudge"

// storeFieldLengths stores every field's length in tokens, summed over the
// documents (corpus.KeyFieldLengths). bleve's BM25 divides a field's length
// by what it calls the average length, the field's count of distinct terms
// over the documents: 39 for the bodies of eval/ncp, whose true average is
// 819 tokens. Long documents are then discounted twenty times too hard.
//
// The lengths are summed as the documents are analysed (writeBatches): a
// build indexes each document once (the walk skips a repeated id, the log's
// changes replace what the sources say), so they are those of the
// documents the index holds. Reading them back from every posting of the
// merged index took 4.7 s for news-2023 with its pages cached, more once
// the build had dropped them: without it, the build took 71-74 s instead
// of 79-87 s.
//
// A field of the index no document has a token of (_all, a field only
// stored) is stored with length 0, as it was read back before.
func storeFieldLengths(idx bleve.Index, lengths map[string]uint64) error {
	r, err := snapshot(idx)
	if err != nil {
		return err
	}
	fields, err := r.Fields()
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	for _, f := range fields {
		lengths[f] += 0
	}
	js, err := json.Marshal(lengths)
	if err != nil {
		return err
	}
	return idx.SetInternal([]byte(corpus.KeyFieldLengths), js)
}

// writeLiterals writes the bigram index of each segment of idx beside it
// (indexer/literal): the literal fields a build left out of its documents.
func writeLiterals(idx bleve.Index, log *slog.Logger) error {
	r, err := snapshot(idx)
	if err != nil {
		return err
	}
	defer r.Close()
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return fmt.Errorf("literal fields: a %T", r)
	}
	start := time.Now()
	for _, ss := range is.Segments() {
		seg := ss.Segment()
		path := literal.PathOf(seg)
		if path == "" {
			return fmt.Errorf("literal fields: a segment not on disk")
		}
		b, err := literal.BuildSegment(seg)
		if err != nil {
			return err
		}
		if err := b.WriteFile(path); err != nil {
			return err
		}
	}
	log.Info("literal fields written", "segments", len(is.Segments()), "seconds", time.Since(start).Seconds())
	return nil
}

// maxMergeRounds bounds compact's rounds of ForceMerge.
const maxMergeRounds = 8

// segments is the number of file segments of an index's current snapshot.
func segments(s *scorch.Scorch) uint64 {
	n, _ := s.StatsMap()["TotFileSegmentsAtRoot"].(uint64)
	return n
}

// snapshot opens a reader of idx's current snapshot; the caller closes it.
func snapshot(idx bleve.Index) (index.IndexReader, error) {
	ai, err := idx.Advanced()
	if err != nil {
		return nil, err
	}
	return ai.Reader()
}
