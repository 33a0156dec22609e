package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"minsheng/corpus"
)

// TestExportFlagsFollowTheSchema: every filter of the schema of fields is
// a flag of minsheng export named as the API's parameter. The command
// fails later, for want of an index, not on the flags.
func TestExportFlagsFollowTheSchema(t *testing.T) {
	for _, f := range corpus.Filters() {
		err := runExport(context.Background(), []string{"--data", t.TempDir(), "--log-level", "error",
			"--" + f.Name, "x", "-o", t.TempDir() + "/x.xlsx"}, &bytes.Buffer{})
		if err == nil || strings.Contains(err.Error(), "flag") {
			t.Errorf("--%s: %v", f.Name, err)
		}
	}
}
