//go:build !linux

package search

import index "github.com/blevesearch/bleve_index_api"

// adviseRandom does nothing where madvise is not at hand (see
// advise_linux.go).
func adviseRandom(index.IndexReader) {}
