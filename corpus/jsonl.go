package corpus

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"unicode/utf8"
)

// readJSON reads JSON Lines, or a JSON array of objects when the first
// non-space character is '['.
func (w *walker) readJSON(ctx context.Context, name string, r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\uFEFF")) {
		br.Discard(3)
	}
	for n := 1; n <= br.Size(); n++ {
		b, _ := br.Peek(n)
		if len(b) < n || b[n-1] == '{' {
			break
		}
		if b[n-1] == '[' {
			return w.readArray(ctx, name, br)
		}
	}
	return w.readLines(ctx, name, br)
}

// readLines reads JSON Lines of any length up to maxRecord.
func (w *walker) readLines(ctx context.Context, name string, br *bufio.Reader) error {
	var buf []byte
	for line := 1; ; line++ {
		rec, big, err := readLine(br, buf[:0])
		if err != nil && err != io.EOF {
			return err
		}
		if buf = rec; big || len(bytes.TrimSpace(rec)) > 0 {
			var d Doc
			why := errTooLarge
			if !big {
				d, why = w.jsonDoc(bytes.TrimSpace(rec))
			}
			if err := w.add(ctx, name, line, d, why); err != nil {
				return err
			}
		}
		if cap(buf) > 1<<20 {
			buf = nil // don't keep one long line's buffer
		}
		if err == io.EOF {
			return nil
		}
	}
}

var errTooLarge = bad("record too large", "over 64 MiB")

// readLine appends the next line to buf. When the line is longer than
// maxRecord it returns big and consumes the rest of the line unbuffered.
func readLine(br *bufio.Reader, buf []byte) ([]byte, bool, error) {
	big := false
	for {
		frag, err := br.ReadSlice('\n')
		if !big && len(buf)+len(bytes.TrimSuffix(frag, []byte("\n"))) > maxRecord {
			big, buf = true, buf[:0]
		}
		if !big {
			buf = append(buf, frag...)
		}
		if err != bufio.ErrBufferFull {
			return buf, big, err
		}
	}
}

// readArray reads a JSON array of objects. A syntax error ends the file,
// since the decoder cannot find the next element after it; it is reported
// at the line where the broken element starts.
func (w *walker) readArray(ctx context.Context, name string, br *bufio.Reader) error {
	lc := &lineCounter{r: br, line: 1}
	dec := json.NewDecoder(lc)
	dec.Token() // '[', seen already
	broken := func(err error) error {
		if lc.err != nil {
			return lc.err // reading or decompressing failed
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			err = errors.New("unexpected end of JSON input")
		}
		return w.add(ctx, name, lc.next(dec.InputOffset()), Doc{}, bad("broken json", err.Error()))
	}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return broken(err)
		}
		line := lc.next(dec.InputOffset() - int64(len(raw)))
		d, err := w.jsonDoc(raw)
		if err := w.add(ctx, name, line, d, err); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return broken(err)
	}
	return nil
}

// lineCounter tells the line numbers of offsets in what was read through it.
type lineCounter struct {
	r    io.Reader
	buf  []byte // bytes from offset base on
	base int64
	line int   // line at base
	err  error // the reader's error other than io.EOF
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.buf = append(c.buf, p[:n]...)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}

// next returns the line of the first byte that is not white space at or
// after offset off, which must not be before the offset of the last call.
func (c *lineCounter) next(off int64) int {
	k := min(int(off-c.base), len(c.buf))
	c.line += bytes.Count(c.buf[:k], []byte("\n"))
	c.buf = c.buf[:copy(c.buf, c.buf[k:])]
	c.base += int64(k)
	line := c.line
	for _, b := range c.buf {
		if b == '\n' {
			line++
		} else if b != ' ' && b != '\t' && b != '\r' {
			break
		}
	}
	return line
}

// jsonDoc decodes one JSON object. Keys are mapped like column headers and
// applied in sorted order; values may be strings, numbers, booleans, null
// or arrays of those.
func (w *walker) jsonDoc(raw []byte) (Doc, error) {
	var d Doc
	if !utf8.Valid(raw) {
		return d, bad("invalid utf-8", "")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return d, bad("broken json", err.Error())
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		field := w.fields[headerKey(k)]
		if field == "" {
			w.unread[k] = true
		}
		if field == "" || field == "-" {
			continue
		}
		vals, err := jsonValues(m[k])
		if err != nil {
			return d, bad("bad field", k+": "+err.Error())
		}
		if err := setField(&d, field, vals); err != nil {
			return d, err
		}
	}
	return d, nil
}

// jsonValues turns a scalar or an array of scalars into text.
func jsonValues(raw json.RawMessage) ([]string, error) {
	var list []json.RawMessage
	if len(raw) > 0 && raw[0] == '[' {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, err
		}
	} else {
		list = []json.RawMessage{raw}
	}
	var vals []string
	for _, v := range list {
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			return nil, err
		}
		switch x := x.(type) {
		case nil:
		case string:
			vals = append(vals, x)
		case bool:
			vals = append(vals, strconv.FormatBool(x))
		case float64:
			vals = append(vals, string(v)) // as written, so 1e3 stays 1e3
		default:
			return nil, errors.New("not text")
		}
	}
	return vals, nil
}
