package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"minsheng/corpus"
	"minsheng/search"
)

// TestOverdueColumnInServiceZone: the 逾期 column of 结果 and of the CSV
// is reckoned on the calendar day of the exporter's time zone, as search's
// overdue filter is: at 20:00 UTC on the due day, an unreplied suggestion
// is overdue in China (already the next day there) but not yet in UTC.
func TestOverdueColumnInServiceZone(t *testing.T) {
	due := time.Date(2025, 6, 10, 0, 0, 0, 0, corpus.CST())
	hit := func(int) search.Hit {
		d := &corpus.Doc{ID: "s-1", Kind: corpus.KindSuggestion, Title: "关于农村寄递物流的建议", Body: "正文。",
			Date: due.AddDate(0, -3, 0), Due: due}
		return search.Hit{ID: d.ID, Kind: d.Kind, Title: d.Title, Doc: d}
	}
	now := func() time.Time { return time.Date(2025, 6, 10, 20, 0, 0, 0, time.UTC) }
	for _, tt := range []struct {
		zone *time.Location
		want string
	}{{nil, "是"}, {corpus.CST(), "是"}, {time.UTC, "否"}} {
		e := &Exporter{Search: &fakeSearcher{n: 1, hit: hit}, Now: now, Zone: tt.zone}
		var buf bytes.Buffer
		if _, err := e.WriteCSV(context.Background(), &buf, search.Request{}, nil); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\ufeff")))).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("CSV: %v, %d records", err, len(recs))
		}
		if got := columnIn(t, recs, "逾期"); got != tt.want {
			t.Errorf("zone %v: the CSV's 逾期 is %q, want %q", tt.zone, got, tt.want)
		}
		buf.Reset()
		if _, err := e.Write(context.Background(), &buf, search.Request{}, nil); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("结果")
		f.Close()
		if err != nil || len(rows) < 2 {
			t.Fatalf("结果: %v, %d rows", err, len(rows))
		}
		if got := columnIn(t, rows, "逾期"); got != tt.want {
			t.Errorf("zone %v: 结果's 逾期 is %q, want %q", tt.zone, got, tt.want)
		}
	}
}

// columnIn is the value of the column titled title in the second row.
func columnIn(t *testing.T, rows [][]string, title string) string {
	t.Helper()
	i := slices.Index(rows[0], title)
	if i < 0 {
		t.Fatalf("no column %s in %v", title, rows[0])
	}
	if i >= len(rows[1]) {
		return ""
	}
	return rows[1][i]
}
