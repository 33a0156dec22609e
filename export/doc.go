// Package export writes search results and their aggregates as an Excel
// workbook (or CSV) that staff can hand on: every matching document, the
// facet counts, a topic-by-year table with a chart, the handling figures of
// suggestions by unit, and a 说明 sheet that says how the workbook was made
// so that it can be traced and re-run.
//
// An Exporter pages through the index with SearchAfter (never from/size) and
// streams rows through excelize's StreamWriter, so memory stays bounded
// however many documents match; past 1,048,575 rows the results continue on
// a new sheet (结果2, 结果3, …). It knows nothing of HTTP: it writes to an
// io.Writer.
//
//	e := &export.Exporter{Search: s, BaseURL: "https://minsheng.example", Generation: live.Generation}
//	sum, err := e.Write(ctx, w, search.Request{Query: "乡村振兴"}, func(done, total int) {})
//
// Every cell that holds document or query text is written as a text cell,
// so a title like =HYPERLINK("http://x","y") stays that text and never
// becomes a formula; CSV cells starting with = + - @ tab, CR or NUL get the
// ' prefix that OWASP ASVS asks for. Text longer than Excel's 32,767
// characters a cell is cut with a visible marker (TruncMarker).
package export
