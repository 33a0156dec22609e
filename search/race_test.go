//go:build race

package search_test

// raceEnabled: the race detector slows indexing the real corpora tenfold;
// the corpus-wide tests run in make test's step without -race instead.
const raceEnabled = true
