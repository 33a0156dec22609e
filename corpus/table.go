package corpus

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Limits for opening .xlsx files: a workbook that unpacks to more is
// rejected before anything is extracted, so a zip bomb costs nothing.
const (
	xlsxUnzipLimit    = 256 << 20
	xlsxUnzipXMLLimit = 64 << 20 // larger sheets are extracted to a temporary file
)

// table turns the rows of a CSV file or a worksheet into documents: the
// first non-blank row is the header, the others are records.
type table struct {
	w        *walker
	name     string
	fields   []string // field of each column, "" when ignored; nil before the header
	serial   bool     // numbers in date columns are Excel serial dates
	date1904 bool     // serial dates count from 1904 (old Mac workbooks)
	skip     bool     // the header has no title or body column: ignore the rows
}

// row takes the cells of row (or line) n and adds it as a record.
func (t *table) row(ctx context.Context, n int, cells []string) error {
	if t.skip || strings.TrimSpace(strings.Join(cells, "")) == "" {
		return nil // blank rows are not records
	}
	if t.fields == nil {
		t.fields = make([]string, len(cells))
		known := false
		for i, c := range cells {
			switch f := t.w.fields[headerKey(c)]; {
			case f == "" && headerName(c) != "":
				t.w.unread[headerName(c)] = true
			case f != "-":
				t.fields[i] = f
				known = known || f == "title" || f == "body"
			}
		}
		if !known {
			t.skip = true
			return t.w.add(ctx, t.name, n, Doc{}, bad("no text columns", "no title or body column in the header"))
		}
		return nil
	}
	var d Doc
	err := func() error {
		for _, c := range cells {
			if !utf8.ValidString(c) {
				return bad("invalid utf-8", "")
			}
		}
		for i, c := range cells[:min(len(cells), len(t.fields))] {
			if f := t.fields[i]; f != "" {
				if (f == "date" || f == "assigned" || f == "due" || f == "replied") && t.serial {
					c = serialDate(c, t.date1904)
				}
				if err := setField(&d, f, []string{c}); err != nil {
					return err
				}
			}
		}
		return nil
	}()
	return t.w.add(ctx, t.name, n, d, err)
}

// readCSV reads UTF-8 CSV, with or without a byte order mark. Records are
// numbered by the line they start on.
func (w *walker) readCSV(ctx context.Context, name string, r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\uFEFF")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	t := &table{w: w, name: name}
	var start int64
	for {
		cells, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		var pe *csv.ParseError
		line := 0
		switch {
		case errors.As(err, &pe):
			err = w.add(ctx, name, pe.StartLine, Doc{}, bad("broken csv", pe.Err.Error()))
		case err != nil:
			return err
		case cr.InputOffset()-start > maxRecord:
			line, _ = cr.FieldPos(0)
			err = w.add(ctx, name, line, Doc{}, errTooLarge)
		default:
			line, _ = cr.FieldPos(0)
			err = t.row(ctx, line, cells)
		}
		if err != nil {
			return err
		}
		start = cr.InputOffset()
	}
}

// readXLSX reads the first worksheet of an .xlsx file, streaming its rows.
// excelize's temporary files go to a private folder removed at the end, so
// none is left behind whatever happens.
func (w *walker) readXLSX(ctx context.Context, name string) error {
	tmp, err := os.MkdirTemp("", "minsheng-xlsx-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	f, err := excelize.OpenFile(name, excelize.Options{UnzipSizeLimit: xlsxUnzipLimit,
		UnzipXMLSizeLimit: xlsxUnzipXMLLimit, RawCellValue: true, TmpDir: tmp})
	if f != nil {
		defer f.Close()
	}
	if err != nil {
		return err
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return errors.New("no worksheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return err
	}
	defer rows.Close()
	t := &table{w: w, name: name, serial: true}
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		t.date1904 = *p.Date1904
	}
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns()
		if err != nil {
			err = w.add(ctx, name, n, Doc{}, bad("broken row", err.Error()))
		} else {
			err = t.row(ctx, n, cells)
		}
		if err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return err
	}
	if w.opt.Progress != nil {
		if fi, err := os.Stat(name); err == nil {
			w.opt.Progress(fi.Size())
		}
	}
	return nil
}

// serialDate turns an Excel serial date (days since 1899-12-30 or, in the
// 1904 date system, since 1904-01-01; a fraction for the time) into text ParseDate reads, and leaves other text
// alone. A cell formatted as a date holds such a number.
func serialDate(s string, date1904 bool) string {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v < 1 || v >= 2958466 { // 9999-12-31; 20230111 is no serial
		return s
	}
	t, err := excelize.ExcelDateToTime(v, date1904)
	if err != nil {
		return s
	}
	return t.Round(time.Second).Format("2006-01-02 15:04:05")
}
