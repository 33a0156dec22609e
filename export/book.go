package export

import (
	"fmt"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"minsheng/corpus"
	"minsheng/search"
)

// book is a workbook being written: its sheets so far and its styles.
type book struct {
	f      *excelize.File
	sheets []string

	header, date, link, percent, wrap int // style ids
}

func newBook(f *excelize.File) (*book, error) {
	b := &book{f: f}
	var err error
	style := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(s)
		return id
	}
	dateFmt, pctFmt := "yyyy-mm-dd", "0.0%"
	b.header = style(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Vertical: "center"},
		Border:    []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}},
	})
	b.date = style(&excelize.Style{CustomNumFmt: &dateFmt})
	b.link = style(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}})
	b.percent = style(&excelize.Style{CustomNumFmt: &pctFmt})
	b.wrap = style(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, fmt.Errorf("workbook styles: %w", err)
	}
	return b, nil
}

// addSheet adds a sheet after the others; the first takes the place of the
// new file's Sheet1.
func (b *book) addSheet(name string) error {
	var err error
	if len(b.sheets) == 0 {
		err = b.f.SetSheetName(b.f.GetSheetName(0), name)
	} else {
		_, err = b.f.NewSheet(name)
	}
	if err != nil {
		return fmt.Errorf("sheet %s: %w", name, err)
	}
	b.sheets = append(b.sheets, name)
	return nil
}

// column of a table: its header and width in characters.
type column struct {
	title string
	width float64
	style int // style of the data cells; 0 for none
}

// frozenHeader keeps row 1 in view.
func frozenHeader() *excelize.Panes {
	return &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}
}

// table writes a small sheet with the normal API: a bold header, frozen
// and with filters, the rows, then extra rows below the filtered range
// (totals, notes). Strings are written as text cells, never formulas.
func (b *book) table(name string, cols []column, rows, extra [][]any) error {
	if err := b.addSheet(name); err != nil {
		return err
	}
	f := b.f
	var err error
	do := func(e error) {
		if err == nil && e != nil {
			err = e
		}
	}
	for i, c := range cols {
		col, _ := excelize.ColumnNumberToName(i + 1)
		do(f.SetColWidth(name, col, col, c.width))
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = c.title
	}
	do(f.SetSheetRow(name, "A1", &header))
	lastCol, _ := excelize.ColumnNumberToName(len(cols))
	do(f.SetCellStyle(name, "A1", lastCol+"1", b.header))
	for i, row := range rows {
		do(f.SetSheetRow(name, "A"+strconv.Itoa(i+2), &row))
	}
	for i, row := range extra {
		do(f.SetSheetRow(name, "A"+strconv.Itoa(len(rows)+3+i), &row))
	}
	end := len(rows) + 1 // last row written
	if len(extra) > 0 {
		end += 1 + len(extra)
	}
	for i, c := range cols {
		if c.style != 0 && end > 1 {
			col, _ := excelize.ColumnNumberToName(i + 1)
			do(f.SetCellStyle(name, col+"2", col+strconv.Itoa(end), c.style))
		}
	}
	do(f.SetSheetDimension(name, "A1:"+lastCol+strconv.Itoa(end))) // excelize leaves A1
	do(f.SetPanes(name, frozenHeader()))
	do(f.AutoFilter(name, "A1:"+lastCol+strconv.Itoa(len(rows)+1), nil))
	if err != nil {
		return fmt.Errorf("sheet %s: %w", name, err)
	}
	return nil
}

// results streams the result rows: 结果, then 结果2, 结果3, … when a sheet
// is full. Only one sheet is open at a time.
type results struct {
	b        *book
	link     func(id string) string
	today    string // the day of the export, in the service's time zone
	perSheet int
	maxLinks int

	sw         *excelize.StreamWriter
	name       string
	row        int // last row written on the open sheet
	links      int // hyperlinks on the open sheet
	count      int // sheets opened
	plainLinks int // rows whose address is text only (past MaxLinks)
	cells      []any
	texts      []string
}

// add writes one hit as the next row.
func (rs *results) add(h *search.Hit) error {
	if rs.sw == nil || rs.row > rs.perSheet {
		if err := rs.next(); err != nil {
			return err
		}
	}
	rs.row++
	if rs.cells == nil {
		rs.cells = make([]any, len(resultCols))
	}
	c := rs.cells
	clear(c)
	rs.texts = cellTexts(h, rs.link, rs.today, rs.texts)
	linked, url := false, ""
	for i, f := range resultFields {
		v := rs.texts[i]
		switch {
		case f.Type == corpus.TypeDate:
			if d, ok := dayIn(f, h); ok {
				c[i] = excelize.Cell{StyleID: rs.b.date, Value: d}
			}
		case f.Name == corpus.FieldID:
			url = rs.link(h.ID)
			switch {
			case url == "":
				c[i] = text(h.ID)
			case rs.links < rs.maxLinks && len(url) <= maxURLLen:
				c[i] = excelize.Cell{StyleID: rs.b.link, Value: cellText(url)}
				linked = true
			default:
				c[i] = cellText(url)
				rs.plainLinks++
			}
		default:
			c[i] = text(v)
		}
	}
	ref := linkCol + strconv.Itoa(rs.row)
	if err := rs.sw.SetRow("A"+strconv.Itoa(rs.row), c); err != nil {
		return fmt.Errorf("sheet %s row %d: %w", rs.name, rs.row, err)
	}
	if linked {
		tip := "在民声中打开"
		if err := rs.b.f.SetCellHyperLink(rs.name, ref, url, "External", excelize.HyperlinkOpts{Tooltip: &tip}); err != nil {
			return fmt.Errorf("sheet %s link %s: %w", rs.name, ref, err)
		}
		rs.links++
	}
	return nil
}

// maxURLLen is the longest address Excel accepts in a hyperlink.
const maxURLLen = 2079

// text is a cell value for text from a document: nil for none (no cell),
// else the text cut to fit a cell. A string is always a text cell.
func text(s string) any {
	if s == "" {
		return nil
	}
	return cellText(s)
}

// dayOf is the hit's date as a calendar day (China Standard Time) at
// midnight UTC, which excelize turns into a whole Excel date number.
func dayOf(h *search.Hit) (time.Time, bool) {
	var t time.Time
	switch {
	case h.Doc != nil && !h.Doc.Date.IsZero():
		t = h.Doc.Date.In(corpus.CST())
	case h.Date != "":
		var err error
		if t, err = time.Parse(time.DateOnly, h.Date); err != nil {
			return time.Time{}, false
		}
	default:
		return time.Time{}, false
	}
	return calendarDay(t)
}

// calendarDay is t's calendar day at midnight UTC, which excelize turns
// into a whole Excel date number; none before Excel's calendar.
func calendarDay(t time.Time) (time.Time, bool) {
	if t.Year() < 1900 { // before Excel's calendar
		return time.Time{}, false
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
}

// yearOf is the hit's year in China Standard Time, or 0 when undated.
func yearOf(h *search.Hit) int {
	if d, ok := dayOf(h); ok {
		return d.Year()
	}
	return 0
}

// next closes the open results sheet and opens the next, with its header.
func (rs *results) next() error {
	if rs.sw != nil {
		if err := rs.close(); err != nil {
			return err
		}
	}
	rs.count++
	name := "结果"
	if rs.count > 1 {
		name += strconv.Itoa(rs.count)
	}
	if err := rs.b.addSheet(name); err != nil {
		return err
	}
	// The new sheet's dimension says A1, and the streamed rows do not
	// change it; readers that trust it (openpyxl's read-only mode, which
	// pandas uses) would see the header alone. Without one they count.
	if err := rs.b.f.SetSheetDimension(name, ""); err != nil {
		return fmt.Errorf("sheet %s: %w", name, err)
	}
	sw, err := rs.b.f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("sheet %s: %w", name, err)
	}
	// Widths and panes go before the first row. excelize puts each width
	// before the ones set earlier, so set them last column first: Excel
	// wants the columns in ascending order.
	for i := len(resultCols) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, resultCols[i].width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(frozenHeader()); err != nil {
		return err
	}
	header := make([]any, len(resultCols))
	for i, c := range resultCols {
		header[i] = excelize.Cell{StyleID: rs.b.header, Value: c.title}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	rs.sw, rs.name, rs.row, rs.links = sw, name, 1, 0
	return nil
}

// close sets the filter over the open sheet's rows and flushes it.
func (rs *results) close() error {
	lastCol, _ := excelize.ColumnNumberToName(len(resultCols))
	if err := rs.b.f.AutoFilter(rs.name, "A1:"+lastCol+strconv.Itoa(rs.row), nil); err != nil {
		return fmt.Errorf("sheet %s filter: %w", rs.name, err)
	}
	if err := rs.sw.Flush(); err != nil {
		return fmt.Errorf("sheet %s: %w", rs.name, err)
	}
	rs.sw = nil
	return nil
}

// finish closes the last sheet. A search without results still gets a
// 结果 sheet with its header.
func (rs *results) finish() error {
	if rs.sw == nil && rs.count == 0 {
		if err := rs.next(); err != nil {
			return err
		}
	}
	if rs.sw == nil {
		return nil
	}
	return rs.close()
}
