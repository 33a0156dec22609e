package indexer

import (
	"context"
	"testing"
)

// buildOnce builds a generation of data or fails the test.
func buildOnce(t *testing.T, data string, opt BuildOptions) *Manifest {
	t.Helper()
	man, err := Build(context.Background(), data, opt)
	if err != nil {
		t.Fatal(err)
	}
	return man
}
