package export

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"time"

	"minsheng/corpus"
	"minsheng/search"
)

// WriteCSV writes the documents r matches as CSV (UTF-8 with a byte order
// mark, so that Excel reads the Chinese, CRLF line ends), with the columns
// of 结果 and up to MaxRows rows. Every field from a document that starts
// with = + - @ tab, CR or NUL is prefixed with ' (OWASP ASVS) so that a
// spreadsheet never runs it as a formula.
//
// Unlike Write, rows go to w as they are read: an error after the first
// page leaves a partial file, and the error says so.
func (e *Exporter) WriteCSV(ctx context.Context, w io.Writer, r search.Request, progress func(done, total int)) (Summary, error) {
	if e.Search == nil {
		return Summary{}, errors.New("export: no searcher")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("\ufeff")
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	header := make([]string, len(resultCols))
	for i, c := range resultCols {
		header[i] = c.title
	}
	cw.Write(header)
	rec := make([]string, len(resultCols))
	today := corpus.Today(e.now(), e.Zone)
	sc, err := e.scan(ctx, r, false, progress, func(h *search.Hit) error {
		rec = cellTexts(h, e.link, today, rec)
		for i, f := range resultFields {
			if f.Type == corpus.TypeDate {
				if d, ok := dayIn(f, h); ok {
					rec[i] = d.Format(time.DateOnly)
				}
			}
			rec[i] = csvField(rec[i])
		}
		return cw.Write(rec)
	})
	if err != nil { // what is still buffered stays unwritten
		return Summary{}, fmt.Errorf("csv export: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return Summary{}, fmt.Errorf("csv export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return Summary{}, fmt.Errorf("csv export: %w", err)
	}
	return sc.summary(nil), nil
}
