package export

import (
	"slices"
	"strings"
	"testing"

	"minsheng/corpus"
	"minsheng/search"
)

// TestSchemaReachesTheExport goes through the schema of fields: each
// export column of the schema is a column of 结果 and of the CSV, each
// filter is named in 说明 by its Chinese label, asked for again by the
// API's parameters and the command line. An entry added to the schema is
// tested here with no change to this test.
func TestSchemaReachesTheExport(t *testing.T) {
	titles := headerTitles()
	for _, f := range corpus.Columns() {
		if !slices.Contains(titles, f.Column.Title) || f.Text == nil && f.TextOn == nil && f.Name != corpus.FieldBody {
			t.Errorf("column %s (%s) missing from %v, or without Text", f.Name, f.Column.Title, titles)
		}
	}
	for _, f := range corpus.Filters() {
		var r search.Request
		r.Filters.Set(f.Name, []string{"甲"})
		labels := filterLabels(r.Filters)
		if !slices.Contains(labels, f.Label+"："+corpus.ValueLabel(f.Name, "甲")) {
			t.Errorf("filter %s reads %v in 说明", f.Name, labels)
		}
		if got := Params(r)[f.Name]; !slices.Equal(got, []string{"甲"}) {
			t.Errorf("filter %s: parameters %v", f.Name, Params(r))
		}
		if c := command(Full, r); !strings.Contains(c, "--"+f.Name+" 甲") {
			t.Errorf("filter %s: command %s", f.Name, c)
		}
	}
}
