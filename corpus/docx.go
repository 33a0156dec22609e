package corpus

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"path/filepath"
	"strings"
)

// A .docx is a zip of XML parts; its text is in word/document.xml:
// paragraphs (w:p) of runs of text (w:t), and tables (w:tbl) of rows (w:tr)
// of cells (w:tc), which hold paragraphs and tables again. Suggestions and
// replies reach staff as Word files, often with a header table of fields.
const (
	// maxDocXML caps word/document.xml unpacked: a long suggestion with
	// its reply is well under 1 MiB of XML, and a zip bomb unpacks to
	// gigabytes from a small file.
	maxDocXML = 32 << 20
	// oleMagic starts an old binary Word file (.doc), and many other
	// Office 97-2003 files.
	oleMagic = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
	zipMagic = "PK\x03\x04"
)

var (
	errDocUnsupported = bad("unsupported format", "old binary Word (.doc): save it as .docx")
	errDocxEncrypted  = bad("unsupported format", "an encrypted Word file, or an old binary one named .docx: save it unencrypted as .docx")
	errDocxBomb       = bad("docx too large", "word/document.xml unpacks to over 32 MiB")
)

// readDocx reads a Word file as one document, its id the file's base name.
// A .doc is reported as unsupported, unless it is a .docx misnamed.
func (w *walker) readDocx(ctx context.Context, name string, r io.Reader) error {
	b, err := io.ReadAll(io.LimitReader(r, maxRecord+1))
	if err != nil {
		return err
	}
	var d Doc
	switch {
	case len(b) > maxRecord:
		err = errTooLarge
	case strings.HasPrefix(string(b[:min(len(b), 8)]), oleMagic) && strings.EqualFold(filepath.Ext(name), ".docx"):
		err = errDocxEncrypted // Word stores an encrypted .docx in the old container
	case strings.HasPrefix(string(b[:min(len(b), 8)]), oleMagic):
		err = errDocUnsupported
	default:
		d, err = parseDocx(b)
	}
	d.ID = baseName(name)
	d.Kind = cmp.Or(d.Kind, w.opt.Kind) // a reply says so in its text
	return w.add(ctx, name, 0, d, err)
}

// parseDocx reads a .docx: its paragraphs and tables in order, and the
// fields of its header (see docxDoc). A file that is not a zip, a truncated
// one, one without word/document.xml or one that unpacks too large is a bad
// record.
func parseDocx(b []byte) (Doc, error) {
	if !bytes.HasPrefix(b, []byte(zipMagic)) {
		return Doc{}, bad("broken docx", "not a zip file")
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return Doc{}, bad("broken docx", err.Error())
	}
	var part *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			part = f
			break
		}
	}
	if part == nil {
		return Doc{}, bad("broken docx", "no word/document.xml")
	}
	if part.UncompressedSize64 > maxDocXML {
		return Doc{}, errDocxBomb
	}
	rc, err := part.Open()
	if err != nil {
		return Doc{}, bad("broken docx", err.Error())
	}
	defer rc.Close()
	// archive/zip unpacks no more than the header's size: past it, the
	// read fails with ErrFormat.
	blocks, err := docxBlocks(rc)
	if errors.Is(err, zip.ErrFormat) {
		return Doc{}, bad("broken docx", "word/document.xml unpacks to more than its zip header says")
	}
	if err != nil {
		return Doc{}, bad("broken docx", err.Error())
	}
	d := docxDoc(blocks)
	if d.Title == "" && d.Body == "" {
		return d, bad("no text", "")
	}
	return d, nil
}

// block is a paragraph of a document, or a table when rows is not nil.
type block struct {
	para string
	rows [][]string
}

// docTable is a table being read: its rows so far, the row and the cell.
type docTable struct {
	rows [][]string
	row  []string
	cell strings.Builder
}

// docxBlocks reads word/document.xml into paragraphs and tables in order.
// A table inside a cell becomes text of that cell, a row a line of cells
// joined by tabs. Deleted text (w:delText), field codes (w:instrText) and
// the old copy of a text box (mc:Fallback) are not text. It is one loop over the XML tokens, longer than most
// functions here, so that the reader's state (the paragraph, the stack of
// open tables, whether a w:t is open) is in one place.
func docxBlocks(r io.Reader) ([]block, error) {
	dec := xml.NewDecoder(r)
	var (
		blocks []block
		para   strings.Builder
		tables []*docTable
		inText bool
	)
	out := func() *strings.Builder {
		if len(tables) > 0 {
			return &tables[len(tables)-1].cell
		}
		return &para
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return blocks, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "Fallback":
				// mc:AlternateContent holds a text box twice: for
				// new Word (mc:Choice) and old (mc:Fallback).
				if err := dec.Skip(); err != nil {
					return nil, err
				}
			case "t":
				inText = true
			case "tab":
				out().WriteByte('\t')
			case "br", "cr":
				out().WriteByte('\n')
			case "tbl":
				tables = append(tables, &docTable{})
			case "tr":
				if len(tables) > 0 {
					tables[len(tables)-1].row = nil
				}
			case "tc":
				if len(tables) > 0 {
					tables[len(tables)-1].cell.Reset()
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				if len(tables) > 0 {
					out().WriteByte('\n')
				} else if s := strings.TrimSpace(para.String()); s != "" {
					blocks = append(blocks, block{para: s})
					para.Reset()
				} else {
					para.Reset()
				}
			case "tc":
				if len(tables) > 0 {
					tb := tables[len(tables)-1]
					tb.row = append(tb.row, strings.TrimSpace(tb.cell.String()))
					tb.cell.Reset()
				}
			case "tr":
				if len(tables) > 0 {
					tb := tables[len(tables)-1]
					tb.rows = append(tb.rows, tb.row)
					tb.row = nil
				}
			case "tbl":
				if len(tables) == 0 {
					break
				}
				tb := tables[len(tables)-1]
				tables = tables[:len(tables)-1]
				if len(tables) == 0 && len(tb.rows) > 0 {
					blocks = append(blocks, block{rows: tb.rows})
				} else if len(tables) > 0 {
					out().WriteString(rowsText(tb.rows))
				}
			}
		case xml.CharData:
			if inText {
				out().Write(t)
			}
		}
	}
}

// rowsText writes table rows as lines of tab-separated cells, empty cells
// and rows left out.
func rowsText(rows [][]string) string {
	var lines []string
	for _, row := range rows {
		var cells []string
		for _, c := range row {
			if c = strings.TrimSpace(c); c != "" {
				cells = append(cells, c)
			}
		}
		if len(cells) > 0 {
			lines = append(lines, strings.Join(cells, "\t"))
		}
	}
	return strings.Join(lines, "\n")
}
