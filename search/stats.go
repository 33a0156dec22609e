package search

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"minsheng/corpus"
)

// BM25 divides a field's length by the field's average length. bleve takes
// for that average the field's count of distinct terms over the number of
// documents: 39 tokens for the bodies of eval/ncp, whose true average is
// 819, so that long documents were discounted twenty times too hard, and
// only a length normalization b near 0 ranked well there. A build stores
// each field's length in tokens (corpus.KeyFieldLengths); every search
// hands them to bleve as its BM25 statistics, the way bleve itself hands
// statistics across the indexes of an alias, and b is bleve's (and the
// textbook's) 0.75. On eval/ncp: nDCG@10 0.903 with the true lengths at
// b 0.75, against 0.868 with bleve's at 0.75 and 0.902 at the 0.1 that
// a sweep on the set itself had picked.

// readStats reads a snapshot's field lengths into bleve's BM25 statistics.
func readStats(r index.IndexReader, m mapping.IndexMapping) (*bsearch.BM25Stats, error) {
	raw, err := r.GetInternal([]byte(corpus.KeyFieldLengths))
	if err != nil || raw == nil {
		return nil, err
	}
	var lengths map[string]uint64
	if err := json.Unmarshal(raw, &lengths); err != nil {
		return nil, fmt.Errorf("field lengths: %w", err)
	}
	n, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	st := &bsearch.BM25Stats{DocCount: float64(n), FieldCardinality: make(map[string]int, len(lengths))}
	for f, l := range lengths {
		st.FieldCardinality[f] = int(l)
	}
	// a field the build did not measure keeps bleve's own figure (0 for a
	// field no document has): bleve fails a search of a field missing from
	// the statistics, "*" among them, which its optimized disjunctions and
	// conjunctions read
	fields, err := r.Fields()
	if err != nil {
		return nil, err
	}
	fields = append(fields, "*")
	if im, ok := m.(*mapping.IndexMappingImpl); ok && im.DefaultMapping != nil {
		for f := range im.DefaultMapping.Properties {
			fields = append(fields, f)
		}
	}
	for _, f := range fields {
		if _, ok := st.FieldCardinality[f]; ok {
			continue
		}
		if br, ok := r.(index.BM25Reader); ok {
			if st.FieldCardinality[f], err = br.FieldCardinality(f); err != nil {
				return nil, err
			}
		}
	}
	return st, nil
}

// HasFieldLengths reports whether the index being served stores the field
// lengths BM25 is given (an index built before they were stored does not,
// and ranks by bleve's own figures until it is rebuilt).
func (s *Searcher) HasFieldLengths() (bool, error) {
	raw, err := s.Index.GetInternal([]byte(corpus.KeyFieldLengths))
	return raw != nil, err
}

// withStats is a query run with its snapshot's BM25 statistics: nil for an
// index built before builds stored field lengths, which bleve scores by its
// own.
type withStats struct {
	q     query.Query
	cache *snapshotCache[*bsearch.BM25Stats]
}

// Searcher implements query.Query.
func (q *withStats) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o bsearch.SearcherOptions) (bsearch.Searcher, error) {
	holdSnapshot(ctx, r) // for the hits' stored documents (hold.go)
	st, err := q.cache.get(r, func() (*bsearch.BM25Stats, error) { return readStats(r, m) })
	if err != nil {
		return nil, err
	}
	if st != nil {
		ctx = context.WithValue(ctx, bsearch.BM25StatsKey, st)
	}
	return q.q.Searcher(ctx, r, m, o)
}

// Validate implements query.ValidatableQuery, as the query it wraps does.
func (q *withStats) Validate() error {
	if v, ok := q.q.(query.ValidatableQuery); ok {
		return v.Validate()
	}
	return nil
}
