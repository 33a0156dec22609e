package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"minsheng/corpus"
	"minsheng/errs"
	"minsheng/search"
)

// Searcher is what an export needs of the search package; *search.Searcher
// is one. It must accept pages of the Exporter's PageSize and honour
// Request.After, Request.NoFacets and Request.NoHighlight.
type Searcher interface {
	Search(ctx context.Context, r search.Request) (*search.Result, error)
}

// Limits and defaults of an export.
const (
	DefaultMaxRows  = 200000
	DefaultPageSize = 1000
	// SheetRows is the most data rows on one results sheet: Excel's
	// 1,048,576 rows less the header. More continue on 结果2, 结果3, ….
	SheetRows = excelize.TotalRows - 1
	// MaxCellChars is the most characters (UTF-16 code units) Excel keeps
	// in a cell.
	MaxCellChars = excelize.TotalCellChars
	// TruncMarker ends text that was cut to fit MaxCellChars.
	TruncMarker = "…[已截断]"
	// MaxLinks is how many rows of each results sheet get a clickable
	// hyperlink. Excel allows 65,530 hyperlinks a sheet, and excelize adds
	// each one in time proportional to the ones before it (10,000 links
	// take about 1.6 s, 65,000 take 70 s), so rows past MaxLinks carry the
	// address as plain text. 说明 says so when it happens.
	MaxLinks = 10000
	// statsFacetSize is how many values of each facet 统计 lists when the
	// request does not say.
	statsFacetSize = 100
)

// Exporter writes workbooks of search results. Every field but Search may
// be left zero.
type Exporter struct {
	Search          Searcher
	BaseURL         string           // public address of the web UI, for links to documents; "" writes document ids instead
	MaxRows         int              // most documents one export reads; 0 means DefaultMaxRows
	PageSize        int              // hits per search page; 0 means DefaultPageSize
	Generation      func() string    // the index generation being served; may be nil
	TaxonomyVersion string           // version of the topic taxonomy the index was built with
	Now             func() time.Time // the clock; nil means time.Now
	// Zone is the service's time zone, whose calendar day tells what the
	// 逾期 column says (as search's Options.Zone does for the overdue
	// filter); nil means China Standard Time.
	Zone     *time.Location
	Handling HandlingSearcher // the handling report's figures and promises; nil refuses that report

	sheetRows int // data rows per results sheet; 0 means SheetRows (tests lower it)
	maxLinks  int // hyperlinks per results sheet; 0 means MaxLinks (tests lower it)
}

// Report is a kind of workbook.
type Report string

// Report kinds. Full is every sheet; the others are one aggregate sheet
// and 说明.
const (
	Full   Report = ""
	Trends Report = "trends" // 趋势: topics by year, with a chart
	Units  Report = "units"  // 办理情况: suggestions by handling unit
)

// ParseReport reads a report kind as routes and flags name it.
func ParseReport(s string) (Report, error) {
	switch r := Report(s); r {
	case Full, Trends, Units, Handling:
		return r, nil
	case "results", "full":
		return Full, nil
	}
	return "", fmt.Errorf("%w: report must be trends, units or handling, not %q", errs.Invalid, s)
}

// Summary says what an export wrote.
type Summary struct {
	Total      uint64   // documents the search matched
	Rows       int      // documents read into the workbook
	Truncated  bool     // Total was more than MaxRows: only the first MaxRows were read
	Sheets     []string // the sheets, in order
	Generation string   // index generation when the export started
}

// Write writes the full workbook of the documents r matches to w:
// 结果 (and 结果2, … past SheetRows), 统计, 趋势, 办理情况 and 说明.
// r's Page and Size are ignored: every matching document is read, up to
// MaxRows. progress, which may be nil, is called after each page with the
// documents read so far and the number that will be read.
func (e *Exporter) Write(ctx context.Context, w io.Writer, r search.Request, progress func(done, total int)) (Summary, error) {
	return e.WriteReport(ctx, w, Full, r, progress)
}

// WriteReport writes a workbook of the given kind; see Write. The units
// report counts suggestions only, so when r has no kind filter it gets one.
//
// Nothing is written to w until the workbook is complete, so a failed or
// cancelled export writes nothing. excelize's temporary files are removed
// on every path.
func (e *Exporter) WriteReport(ctx context.Context, w io.Writer, report Report, r search.Request, progress func(done, total int)) (Summary, error) {
	if e.Search == nil {
		return Summary{}, errors.New("export: no searcher")
	}
	if _, err := ParseReport(string(report)); err != nil {
		return Summary{}, err
	}
	at := e.now() // the time of export is when it started
	autoKind := false
	if (report == Units || report == Handling) && len(r.Filters.Kind) == 0 {
		r.Filters.Kind = []string{corpus.KindSuggestion}
		autoKind = true
	}
	f := excelize.NewFile()
	defer f.Close() // removes the stream writers' temporary files
	b, err := newBook(f)
	if err != nil {
		return Summary{}, err
	}
	if report == Handling {
		sc, err := e.writeHandling(ctx, b, r, progress)
		if err != nil {
			return Summary{}, err
		}
		return e.finishBook(ctx, w, b, report, r, sc, autoKind, at)
	}
	var rs *results
	if report == Full {
		rs = &results{b: b, link: e.link, today: corpus.Today(at, e.Zone), perSheet: e.perSheet(), maxLinks: e.linksPerSheet()}
	}
	tr, un := newTrends(r), newUnits()
	sc, err := e.scan(ctx, r, report == Full, progress, func(h *search.Hit) error {
		tr.add(h)
		un.add(h)
		if rs != nil {
			return rs.add(h)
		}
		return nil
	})
	if err != nil {
		return Summary{}, err
	}
	if rs != nil {
		if err := rs.finish(); err != nil {
			return Summary{}, err
		}
		if err := b.stats(sc.facets, sc.facetSize); err != nil {
			return Summary{}, err
		}
	}
	if report != Units {
		if err := b.trends(tr); err != nil {
			return Summary{}, err
		}
	}
	if report != Trends {
		if err := b.units(un); err != nil {
			return Summary{}, err
		}
	}
	n := e.notes(report, r, sc, autoKind, at)
	if rs != nil {
		n.plainLinks, n.maxLinks = rs.plainLinks, rs.maxLinks
	}
	return e.finishBookWith(ctx, w, b, n, r, sc, at)
}

// finishBook writes 说明 and the workbook.
func (e *Exporter) finishBook(ctx context.Context, w io.Writer, b *book, report Report, r search.Request, sc *scanned, autoKind bool, at time.Time) (Summary, error) {
	return e.finishBookWith(ctx, w, b, e.notes(report, r, sc, autoKind, at), r, sc, at)
}

// finishBookWith writes 说明 as n says and the workbook.
func (e *Exporter) finishBookWith(ctx context.Context, w io.Writer, b *book, n *about, r search.Request, sc *scanned, at time.Time) (Summary, error) {
	f := b.f
	if err := b.notes(n.rows()); err != nil {
		return Summary{}, err
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:       n.title(),
		Creator:     "民声 Minsheng",
		Created:     at.UTC().Format(time.RFC3339),
		Modified:    at.UTC().Format(time.RFC3339),
		Description: "检索词：" + r.Query,
	}); err != nil {
		return Summary{}, err
	}
	if err := ctx.Err(); err != nil {
		return Summary{}, err
	}
	if err := f.Write(w); err != nil {
		return Summary{}, fmt.Errorf("write workbook: %w", err)
	}
	return sc.summary(b.sheets), nil
}

// scanned is what one pass over the results saw.
type scanned struct {
	total     uint64
	rows      int
	truncated bool
	relaxed   bool
	exact     uint64 // matches with every word (search.Result.TotalExact)
	mode      string
	facets    map[string][]search.Count
	facetSize int
	genStart  string
	genEnd    string
}

func (sc *scanned) summary(sheets []string) Summary {
	return Summary{Total: sc.total, Rows: sc.rows, Truncated: sc.truncated, Sheets: sheets, Generation: sc.genStart}
}

// scan pages through every document r matches, up to MaxRows, with
// SearchAfter, and calls each for each hit in order. Facets are asked for
// on the first page only, when facets is set. ctx is checked between pages.
func (e *Exporter) scan(ctx context.Context, r search.Request, facets bool, progress func(done, total int), each func(*search.Hit) error) (*scanned, error) {
	maxRows := e.maxRows()
	req := r
	req.Page, req.Size, req.After = 1, e.pageSize(), nil
	req.NoHighlight, req.NoFacets = true, !facets
	if facets && req.FacetSize == 0 {
		req.FacetSize = statsFacetSize
	}
	sc := &scanned{genStart: e.generation(), facetSize: req.FacetSize}
	want := 0
	for first := true; ; first = false {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res, err := e.Search.Search(ctx, req)
		if err != nil {
			if first {
				return nil, err
			}
			return nil, fmt.Errorf("export: page after %d rows: %w", sc.rows, err)
		}
		if first {
			sc.total, sc.relaxed, sc.facets = res.Total, res.Relaxed, res.Facets
			sc.exact, sc.mode = res.TotalExact, res.Mode
			want = int(min(res.Total, uint64(maxRows)))
		}
		for i := range res.Hits {
			if sc.rows >= maxRows {
				break
			}
			if err := each(&res.Hits[i]); err != nil {
				return nil, err
			}
			sc.rows++
		}
		if progress != nil {
			progress(sc.rows, max(want, sc.rows))
		}
		if len(res.Hits) < req.Size || sc.rows >= maxRows || uint64(sc.rows) >= sc.total {
			break
		}
		last := res.Hits[len(res.Hits)-1].Sort
		if len(last) == 0 {
			return nil, errors.New("export: the searcher gave no sort values to continue after")
		}
		req.After, req.NoFacets = last, true
	}
	sc.truncated = sc.rows >= maxRows && sc.total > uint64(sc.rows)
	sc.genEnd = e.generation()
	return sc, nil
}

func (e *Exporter) maxRows() int {
	if e.MaxRows <= 0 {
		return DefaultMaxRows
	}
	return e.MaxRows
}

func (e *Exporter) pageSize() int {
	if e.PageSize <= 0 {
		return DefaultPageSize
	}
	return e.PageSize
}

func (e *Exporter) perSheet() int {
	if e.sheetRows <= 0 || e.sheetRows > SheetRows {
		return SheetRows
	}
	return e.sheetRows
}

func (e *Exporter) linksPerSheet() int {
	if e.maxLinks <= 0 || e.maxLinks > MaxLinks {
		return MaxLinks
	}
	return e.maxLinks
}

func (e *Exporter) generation() string {
	if e.Generation == nil {
		return ""
	}
	return e.Generation()
}

func (e *Exporter) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// link is the web UI's address of a document, or "" without a BaseURL.
func (e *Exporter) link(id string) string {
	if e.BaseURL == "" || id == "" {
		return ""
	}
	return strings.TrimRight(e.BaseURL, "/") + "/docs/" + url.PathEscape(id)
}
