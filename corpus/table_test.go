package corpus

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestCSV(t *testing.T) {
	const in = "\uFEFF编号, 标题 ,正文,日期,代表,代表团,承办单位,是否重点督办,ID,未知列\n" + // 1
		"0001,关于A的建议,\"第一段\r\n第二段\",2023/1/11,张三,兰州代表团,省交通运输厅、省财政厅,是,,x\n" + // 2-3
		"0002,\"坏\"引号,正文,2023-01-11\n" + // 4
		"0003,,,2023-01-11\n" + // 5
		"0004,标题,正文,2023-13-45\n" + // 6
		"0005,\xff,正文\n" + // 7
		",,,,,,,,,\n" + // 8: blank
		"\n" + // 9: empty
		"0006,只有标题,,,,,,否,dup\n" + // 10
		"0007,重复,,,,,,,dup\n" + // 11
		"0008,多余的列,正文,,,,,,,,,extra\n" + // 12
		"0009,短行\n" + // 13
		"0010,\"没有结束的引号,正文\n" // 14
	dir := t.TempDir()
	r := walk(t, Options{}, writeFile(t, dir, "t.csv", in))
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := []Doc{
		{ID: "t-2", Kind: KindSuggestion, Number: "0001", Title: "关于A的建议", Body: "第一段\n第二段",
			Date: time.Date(2023, 1, 11, 0, 0, 0, 0, cst), Author: "张三", Delegation: "兰州代表团",
			Units: []string{"省交通运输厅", "省财政厅"}, KeySupervised: true},
		{ID: "dup", Kind: KindSuggestion, Number: "0006", Title: "只有标题"},
		{ID: "t-12", Kind: KindSuggestion, Number: "0008", Title: "多余的列", Body: "正文"},
		{ID: "t-13", Kind: KindSuggestion, Number: "0009", Title: "短行"},
	}
	if !reflect.DeepEqual(r.docs, want) {
		t.Errorf("docs:\n got %+v\nwant %+v", r.docs, want)
	}
	checkProbs(t, r.probs,
		`t.csv:4: broken csv: extraneous or missing " in quoted-field`,
		"t.csv:5: no text",
		"t.csv:6: bad date: 2023-13-45",
		"t.csv:7: invalid utf-8",
		"t.csv:11: duplicate id: dup",
		`t.csv:14: broken csv: extraneous or missing " in quoted-field`,
		"t.csv: columns not read: 未知列"+unreadHint, // noted once, for the file
	)
	if r.stats.Docs != 4 || r.stats.Skipped != 6 || r.stats.Reasons["broken csv"] != 2 {
		t.Errorf("stats %+v", r.stats)
	}
}

func TestCSVHeader(t *testing.T) {
	dir := t.TempDir()
	r := walk(t, Options{}, writeFile(t, dir, "h.csv", "a,b\n1,2\n3,4\n"), writeFile(t, dir, "empty.csv", ""))
	checkProbs(t, r.probs, "h.csv:1: no text columns: no title or body column in the header", "h.csv: columns not read: a, b"+unreadHint)
	if r.err != nil || len(r.docs) != 0 || r.stats.Skipped != 1 || r.stats.Files != 2 {
		t.Errorf("%v %+v", r.err, r.stats)
	}
	// Options.Mapping makes the columns known.
	r = walk(t, Options{Mapping: map[string]string{"A": "title", "b": "body"}}, filepath.Join(dir, "h.csv"))
	if len(r.docs) != 2 || r.docs[1].Title != "3" || r.docs[1].Body != "4" || r.docs[1].ID != "h-3" {
		t.Errorf("%+v", r.docs)
	}
	// a column mapped to "-" is ignored on purpose: no note
	r = walk(t, Options{Mapping: map[string]string{"A": "-", "b": "body"}}, filepath.Join(dir, "h.csv"))
	checkProbs(t, r.probs)
	if len(r.docs) != 2 || r.docs[1].Body != "4" {
		t.Errorf("%+v", r.docs)
	}
}

// writeXLSX writes rows to the first sheet of a new workbook.
func writeXLSX(t *testing.T, dir, name string, rows [][]any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, name)
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestXLSX(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", t.TempDir())
	at := time.Date(2023, 1, 11, 10, 10, 23, 0, time.UTC)
	p := writeXLSX(t, dir, "x.xlsx", [][]any{
		{nil},
		{"建议编号", "案由", "建议内容", "提出日期", "领衔代表", "承办单位", "重点督办", "类型"}, // 2: header
		{"0001", "关于A的建议", "第一段\n第二段", at, "张三", "省交通运输厅；省财政厅", true, "建议"},
		{"0002", "", "", "2023-01-11"}, // 4: no text
		{"0003", "标题", "正文", "去年"},     // 5: bad date
		{nil},                          // 6: blank
		{"0004", "数字日期", "正文", 20230111, nil, nil, "否"},
	})
	// A gap in the rows and a sheet after the first one, which is not read.
	f, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	f.SetSheetRow("Sheet1", "A10", &[]any{"0005", "隔行", "正文", "2023.1.11"})
	f.NewSheet("Sheet2")
	f.SetSheetRow("Sheet2", "A1", &[]any{"标题"})
	f.SetSheetRow("Sheet2", "A2", &[]any{"不读"})
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	r := walk(t, Options{}, p)
	if r.err != nil {
		t.Fatal(r.err)
	}
	day := time.Date(2023, 1, 11, 0, 0, 0, 0, cst)
	want := []Doc{
		{ID: "x-3", Kind: KindSuggestion, Number: "0001", Title: "关于A的建议", Body: "第一段\n第二段",
			Date: day.Add(10*time.Hour + 10*time.Minute + 23*time.Second), Author: "张三",
			Units: []string{"省交通运输厅", "省财政厅"}, KeySupervised: true},
		{ID: "x-7", Kind: KindSuggestion, Number: "0004", Title: "数字日期", Body: "正文", Date: day},
		{ID: "x-10", Kind: KindSuggestion, Number: "0005", Title: "隔行", Body: "正文", Date: day},
	}
	if !reflect.DeepEqual(r.docs, want) {
		t.Errorf("docs:\n got %+v\nwant %+v", r.docs, want)
	}
	checkProbs(t, r.probs, "x.xlsx:4: no text", "x.xlsx:5: bad date: 去年")

	// A workbook in the 1904 date system.
	f = excelize.NewFile()
	yes := true
	if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
		t.Fatal(err)
	}
	f.SetSheetRow("Sheet1", "A1", &[]any{"标题", "日期"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"1904", at})
	if err := f.SaveAs(filepath.Join(dir, "1904.xlsx")); err != nil {
		t.Fatal(err)
	}
	f.Close()
	r = walk(t, Options{}, filepath.Join(dir, "1904.xlsx"))
	if len(r.docs) != 1 || !r.docs[0].Date.Equal(want[0].Date) {
		t.Errorf("1904 date system: %+v %v", r.docs, r.err)
	}
	checkEmpty(t, os.Getenv("TMPDIR"))
}

// checkEmpty fails unless dir is empty: no temporary files were left.
func checkEmpty(t *testing.T, dir string) {
	t.Helper()
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("left in %s: %v", dir, left)
	}
}

// TestXLSXZipBomb: a workbook of a few hundred kilobytes whose sheet
// unpacks to 300 MB is rejected at once, leaving no temporary file.
func TestXLSXZipBomb(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	p := writeBomb(t, filepath.Join(t.TempDir(), "bomb.xlsx"))
	start := time.Now()
	r := walk(t, Options{}, p)
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v", took)
	}
	if r.err == nil || !strings.Contains(r.err.Error(), p) || !strings.Contains(r.err.Error(), "unzip size") {
		t.Errorf("err = %v", r.err)
	}
	checkEmpty(t, os.Getenv("TMPDIR"))
}

// writeBomb writes a workbook of half a megabyte whose sheet unpacks to 300 MB.
func writeBomb(t *testing.T, p string) string {
	t.Helper()
	out, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(out)
	parts := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"xl/workbook.xml":     `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>`,
	}
	for name, s := range parts {
		w, _ := zw.Create(name)
		io.WriteString(w, s)
	}
	// The sheet is a chunk deflated once and repeated: a deflate stream of
	// flushed, self-contained blocks can be concatenated, and a final empty
	// block ends it. This is much faster than deflating 300 MB.
	chunk := []byte(strings.Repeat("<row>", 1<<18)) // 1.25 MB
	var block, end bytes.Buffer
	fw, _ := flate.NewWriter(&block, flate.BestCompression)
	fw.Write(chunk)
	fw.Flush()
	fw, _ = flate.NewWriter(&end, flate.BestCompression)
	fw.Close()
	const n = 240 // 300 MB
	h := &zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CompressedSize64: uint64(n*block.Len() + end.Len()), UncompressedSize64: uint64(n * len(chunk))}
	for range n {
		h.CRC32 = crc32.Update(h.CRC32, crc32.IEEETable, chunk)
	}
	w, err := zw.CreateRaw(h)
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		w.Write(block.Bytes())
	}
	w.Write(end.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}
