package indexer

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	index "github.com/blevesearch/bleve_index_api"

	"minsheng/corpus"
	"minsheng/indexer/analysis"
	"minsheng/indexer/literal"
)

// BuildConfig is the scorch configuration of an index being built,
// given when it is opened and never stored with it: a generation that
// serves merges as scorch does by default. A build writes each batch's
// segment to disk as it is and merges nothing while documents come in;
// compact then merges all the segments into one at once, so that each
// document's postings are merged once, instead of once in memory by the
// persister, once or twice by the merger's tiers while the build runs and
// again by compact. Outside a build, it opens an index whose segments
// scorch never merges: those a test writes stay as written, deleted
// documents in them.
func BuildConfig() map[string]any {
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
// merged nothing (BuildConfig): one ForceMerge merges every segment at
// once, which took half the CPU the merges took before (12,000 news,
// 2.8 s against 5.5 s in BenchmarkIndexNews's profiles).
func compact(ctx context.Context, path string, log *slog.Logger) error {
	if err := analysis.Register(); err != nil {
		return err
	}
	idx, err := bleve.OpenUsing(path, BuildConfig())
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
	err = mergeSegments(ctx, idx, s, path, log)
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

// mergeSegments merges the segments of s, the index idx at path, into one,
// writes the bigram index and the folded texts of each segment left
// (writeMergedLiterals) and waits for the files of the merged segments to
// be removed.
//
// The merge keeps one core busy (6-6.5 s of a build of news-2023), and
// the bigram index took the two cores another 3 s after it: so the bigram
// index of the segment the merge will make is built meanwhile from the
// segments it merges (mergeOrder), and written if the merge made that
// segment (sameMerge), else built again from the merged segment.
func mergeSegments(ctx context.Context, idx bleve.Index, s *scorch.Scorch, path string, log *slog.Logger) error {
	start := time.Now()
	r, segs, err := snapshotSegments(idx)
	if err != nil {
		return err
	}
	// the segments merged stay open until their bigram index is built
	order := mergeOrder(segs)
	type built struct {
		b   *literal.Builder
		err error
	}
	done := make(chan built, 1)
	go func() {
		b, err := literal.BuildMergedFolded(ctx, partsOf(order), max(1, runtime.GOMAXPROCS(0)-1), filepath.Join(path, "store"))
		if err == nil {
			err = b.Encode()
		}
		done <- built{b, err}
	}()
	for round := 0; err == nil && round < maxMergeRounds && segments(s) > 1; round++ {
		log.Info("merging index segments", "segments", segments(s))
		err = s.ForceMerge(ctx, mergeAll())
	}
	lit := <-done
	if err == nil {
		log.Info("index segments merged", "segments", segments(s), "seconds", time.Since(start).Seconds())
		err = writeMergedLiterals(ctx, idx, order, lit.b, lit.err, log)
	}
	if lit.b != nil {
		lit.b.DiscardFolded() // what was not written, after an error
	}
	r.Close()
	if err != nil {
		return err
	}
	return awaitRemoval(ctx, s, path, log)
}

// mergeOrder is the order in which compact's merge (one task of every
// segment: mergeAll) puts segments in the merged one: scorch's planner
// sorts them by live documents, the most first, then by id.
func mergeOrder(segs []*scorch.SegmentSnapshot) []*scorch.SegmentSnapshot {
	order := slices.Clone(segs)
	slices.SortStableFunc(order, func(a, b *scorch.SegmentSnapshot) int {
		if c := cmp.Compare(b.LiveSize(), a.LiveSize()); c != 0 {
			return c
		}
		return cmp.Compare(a.Id(), b.Id())
	})
	return order
}

// partsOf are the segments in order, as BuildMerged takes them.
func partsOf(order []*scorch.SegmentSnapshot) []literal.Part {
	parts := make([]literal.Part, len(order))
	for i, ss := range order {
		parts[i] = literal.Part{Seg: ss.Segment(), Deleted: ss.Deleted()}
	}
	return parts
}

// writeMergedLiterals writes b, the bigram index and folded texts built
// from the segments merged in order (berr: the error building it), beside
// the segment the merge made, if the merge made one segment of them in
// that order, and else the bigram index and folded texts of each segment
// idx has now, built from it.
func writeMergedLiterals(ctx context.Context, idx bleve.Index, order []*scorch.SegmentSnapshot, b *literal.Builder, berr error, log *slog.Logger) error {
	r, merged, err := snapshotSegments(idx)
	if err != nil {
		return err
	}
	same, err := sameMerge(order, merged)
	if err == nil && same && berr == nil {
		path := literal.PathOf(merged[0].Segment())
		if path == "" {
			err = fmt.Errorf("literal fields: a segment not on disk")
		} else if err = b.WriteFile(path); err == nil {
			err = b.WriteFolded(literal.FoldedPathOf(merged[0].Segment()))
		}
		r.Close()
		if err == nil {
			log.Info("literal fields and folded texts written, built during the merge", "segments", len(order))
		}
		return err
	}
	r.Close()
	if err != nil || berr != nil {
		return errors.Join(err, berr)
	}
	b.DiscardFolded()
	log.Info("the merge did not make the segment its literal fields were built for: building them again")
	return writeLiterals(ctx, idx, log)
}

// sameMerge reports whether merged is the one segment that merging order,
// in that order, makes: as many documents, and each segment's first and
// last document kept at their place in it (a merge keeps each segment's
// documents in their order).
func sameMerge(order, merged []*scorch.SegmentSnapshot) (bool, error) {
	if len(merged) != 1 {
		return false, nil
	}
	m := merged[0]
	var base uint64
	for _, ss := range order {
		live := ss.DocNumbersLive()
		if live.IsEmpty() {
			continue
		}
		n := live.GetCardinality()
		for _, at := range [][2]uint64{{uint64(live.Minimum()), base}, {uint64(live.Maximum()), base + n - 1}} {
			if at[1] >= m.Count() {
				return false, nil
			}
			want, err := ss.DocID(at[0])
			if err != nil {
				return false, err
			}
			got, err := m.DocID(at[1])
			if err != nil {
				return false, err
			}
			if !bytes.Equal(want, got) {
				return false, nil
			}
		}
		base += n
	}
	return base == m.Count(), nil
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

// writeLiterals writes the bigram index and the folded texts of each
// segment of idx beside it (indexer/literal): the literal fields a build
// left out of its documents, and the texts a phrase's candidates are
// verified against.
func writeLiterals(ctx context.Context, idx bleve.Index, log *slog.Logger) error {
	r, segs, err := snapshotSegments(idx)
	if err != nil {
		return err
	}
	defer r.Close()
	start := time.Now()
	for _, ss := range segs {
		seg := ss.Segment()
		path := literal.PathOf(seg)
		if path == "" {
			return fmt.Errorf("literal fields: a segment not on disk")
		}
		// one read of its stored documents for both files
		b, err := literal.BuildMergedFolded(ctx, []literal.Part{{Seg: seg}}, runtime.GOMAXPROCS(0), filepath.Dir(path))
		if err != nil {
			return err
		}
		if err = b.WriteFile(path); err == nil {
			err = b.WriteFolded(literal.FoldedPathOf(seg))
		}
		if err != nil {
			b.DiscardFolded()
			return err
		}
	}
	log.Info("literal fields and folded texts written", "segments", len(segs), "seconds", time.Since(start).Seconds())
	return nil
}

// maxMergeRounds bounds compact's rounds of ForceMerge.
const maxMergeRounds = 8

// segments is the number of file segments of an index's current snapshot.
func segments(s *scorch.Scorch) uint64 {
	n, _ := s.StatsMap()["TotFileSegmentsAtRoot"].(uint64)
	return n
}

// snapshotSegments opens a reader of idx's current snapshot, and returns
// its segments; the caller closes it.
func snapshotSegments(idx bleve.Index) (index.IndexReader, []*scorch.SegmentSnapshot, error) {
	r, err := snapshot(idx)
	if err != nil {
		return nil, nil, err
	}
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		r.Close()
		return nil, nil, fmt.Errorf("a snapshot of %T", r)
	}
	return r, is.Segments(), nil
}

// snapshot opens a reader of idx's current snapshot; the caller closes it.
func snapshot(idx bleve.Index) (index.IndexReader, error) {
	ai, err := idx.Advanced()
	if err != nil {
		return nil, err
	}
	return ai.Reader()
}
