package export

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minsheng/corpus"
	"minsheng/search"
)

// excelizeTemps lists excelize's temporary files in dir.
func excelizeTemps(t testing.TB, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "excelize-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// bigHit is a row of about 1.3 KB of sheet XML, so that a few thousand
// rows pass the 16 MB at which excelize spills a sheet to a temp file.
func bigHit(i int) search.Hit {
	h := synthetic(i)
	h.Doc.Body = strings.Repeat("正文内容较长，用来填满缓冲区。", 20)
	h.Title = strings.Repeat("很长的标题", 20) + strconv.Itoa(i)
	return h
}

func TestCancelLeavesNoTempFiles(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sawTemp := false
	fs := &fakeSearcher{n: 100000, hit: bigHit, onPage: func(_ context.Context, page int) error {
		if page == 16 {
			sawTemp = len(excelizeTemps(t, dir)) > 0
			cancel() // as a client that goes away
		}
		return nil
	}}
	var buf bytes.Buffer
	_, err := (&Exporter{Search: fs}).Write(ctx, &buf, search.Request{}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if !sawTemp {
		t.Error("no excelize temp file existed mid-export: the test does not test the clean-up")
	}
	if n := len(fs.requests()); n > 16 {
		t.Errorf("%d pages asked after the cancel at page 16", n)
	}
	if left := excelizeTemps(t, dir); len(left) > 0 {
		t.Errorf("temp files left: %v", left)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written by a cancelled export", buf.Len())
	}
}

func TestSearchErrorLeavesNoTempFiles(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	boom := errors.New("index went away")
	fs := &fakeSearcher{n: 100000, hit: bigHit, onPage: func(_ context.Context, page int) error {
		if page == 16 {
			return boom
		}
		return nil
	}}
	_, err := (&Exporter{Search: fs}).Write(context.Background(), io.Discard, search.Request{}, nil)
	if !errors.Is(err, boom) {
		t.Fatalf("err %v, want %v", err, boom)
	}
	if left := excelizeTemps(t, dir); len(left) > 0 {
		t.Errorf("temp files left: %v", left)
	}
}

// TestSheetSplitExcelLimit exports 1,100,000 rows: 1,048,575 on 结果 and
// the rest on 结果2. It takes about 20 s without -race and is skipped with
// -race and -short; BenchmarkExportSheetSplit runs it under make bench.
func TestSheetSplitExcelLimit(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("1,100,000 rows: skipped with -short and -race (146 s); make bench runs it as BenchmarkExportSheetSplit")
	}
	checkExcelLimit(t)
}

func checkExcelLimit(t testing.TB) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	const n = 1100000
	fs := &fakeSearcher{n: n, hit: func(i int) search.Hit {
		return search.Hit{ID: strconv.Itoa(i), Kind: corpus.KindNews, Title: "t" + strconv.Itoa(i)}
	}}
	out := filepath.Join(t.TempDir(), "big.xlsx")
	fw, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := (&Exporter{Search: fs, MaxRows: n}).Write(context.Background(), fw, search.Request{}, nil)
	if cerr := fw.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != n || sum.Truncated || !slices.Equal(sum.Sheets[:2], []string{"结果", "结果2"}) {
		t.Fatalf("summary rows %d truncated %v sheets %v", sum.Rows, sum.Truncated, sum.Sheets)
	}
	if left := excelizeTemps(t, dir); len(left) > 0 {
		t.Errorf("temp files left: %v", left)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	// 结果 is sheet1: count its rows without loading it
	for _, zf := range zr.File {
		if zf.Name != "xl/worksheets/sheet1.xml" {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		rowsSeen, last := countRows(t, rc)
		rc.Close()
		if rowsSeen != SheetRows+1 || last != excelize.TotalRows {
			t.Errorf("结果 has %d rows, the last numbered %d; want %d and %d", rowsSeen, last, SheetRows+1, excelize.TotalRows)
		}
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := rows(t, f, "结果2")
	if len(got) != n-SheetRows+1 {
		t.Fatalf("结果2 has %d rows, want %d", len(got), n-SheetRows+1)
	}
	if !slices.Equal(got[0], headerTitles()) || got[1][1] != "t"+strconv.Itoa(SheetRows) || got[len(got)-1][1] != "t"+strconv.Itoa(n-1) {
		t.Errorf("结果2 header %v, first %v, last %v", got[0], got[1], got[len(got)-1])
	}
}

// countRows counts <row elements of sheet XML and returns the last r.
func countRows(t testing.TB, r io.Reader) (n, last int) {
	buf := make([]byte, 1<<20)
	var carry []byte
	for {
		k, err := r.Read(buf)
		chunk := append(carry, buf[:k]...)
		for {
			i := bytes.Index(chunk, []byte(`<row r="`))
			if i < 0 {
				break
			}
			rest := chunk[i+8:]
			j := bytes.IndexByte(rest, '"')
			if j < 0 {
				break
			}
			v, aerr := strconv.Atoi(string(rest[:j]))
			if aerr != nil {
				t.Fatal(aerr)
			}
			n, last, chunk = n+1, v, rest[j:]
		}
		carry = append(carry[:0], chunk[max(0, len(chunk)-32):]...)
		if err == io.EOF {
			return n, last
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
