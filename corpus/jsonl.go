package corpus

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"sync"
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

// readLines reads JSON Lines of any length up to maxRecord. The records
// are decoded a batch at a time on every core and added in their order:
// decoding is most of a walk's time, and a build reads its sources twice,
// the first time (to learn its topics) with nothing else to do.
func (w *walker) readLines(ctx context.Context, name string, br *bufio.Reader) error {
	workers := runtime.GOMAXPROCS(0)
	var (
		work    = make(chan *lineBatch, workers)
		order   = make(chan *lineBatch, workers)
		stop    = make(chan struct{})
		readErr error // the reader's, read once order is closed
		wg      sync.WaitGroup
	)
	wg.Go(func() { // the reader
		defer close(work)
		defer close(order)
		readErr = w.batchLines(br, work, order, stop)
	})
	for range workers {
		wg.Go(func() {
			for b := range work {
				b.decode(w)
			}
		})
	}
	var err error
	for b := range order {
		if err != nil {
			continue // draining, the reader stopped
		}
		<-b.done
		for k := range b.unread {
			w.unread[k] = true
		}
		for i := range b.lines {
			if err = w.add(ctx, name, b.lines[i], b.docs[i], b.whys[i]); err != nil {
				close(stop)
				break
			}
		}
	}
	wg.Wait()
	if err != nil {
		return err
	}
	return readErr
}

// lineBatch is records of JSON Lines and, once done is closed, their
// documents (or why not) and the keys no field takes.
type lineBatch struct {
	lines  []int    // each record's line
	recs   [][]byte // nil: longer than maxRecord
	docs   []Doc
	whys   []error
	unread map[string]bool
	done   chan struct{}
}

// A lineBatch holds lineBatchSize records, or fewer of lineBatchBytes
// together; the batches read and not yet added are at most order's
// capacity and two more.
const (
	lineBatchSize  = 64
	lineBatchBytes = 1 << 20
)

// batchLines reads the records of br into batches, each sent to work, to
// be decoded, and to order, to be added, until br ends or stop is closed.
func (w *walker) batchLines(br *bufio.Reader, work, order chan<- *lineBatch, stop <-chan struct{}) error {
	b, size := &lineBatch{done: make(chan struct{})}, 0
	send := func() bool {
		select {
		case work <- b:
		case <-stop:
			return false
		}
		select {
		case order <- b:
		case <-stop:
			return false
		}
		b, size = &lineBatch{done: make(chan struct{})}, 0
		return true
	}
	for line := 1; ; line++ {
		rec, big, err := readLine(br, nil)
		if err != nil && err != io.EOF {
			if len(b.lines) > 0 {
				send() // the records before the error are added first, as they were read
			}
			return err
		}
		if big || len(bytes.TrimSpace(rec)) > 0 {
			if big {
				rec = nil
			}
			b.lines, b.recs, size = append(b.lines, line), append(b.recs, rec), size+len(rec)
		}
		if len(b.lines) == lineBatchSize || size >= lineBatchBytes || err == io.EOF && len(b.lines) > 0 {
			if !send() {
				return nil
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// decode decodes the batch's records, then closes done.
func (b *lineBatch) decode(w *walker) {
	defer close(b.done)
	b.docs, b.whys, b.unread = make([]Doc, len(b.recs)), make([]error, len(b.recs)), map[string]bool{}
	var low []byte
	for i, rec := range b.recs {
		if rec == nil {
			b.whys[i] = errTooLarge
			continue
		}
		if !w.mayHave(rec, &low) {
			b.whys[i] = errLeftOut
			continue
		}
		b.docs[i], b.whys[i] = w.jsonDoc(bytes.TrimSpace(rec), b.unread)
	}
}

var (
	errTooLarge = bad("record too large", "over 64 MiB")
	// errLeftOut is a record left out undecoded (Options.Only)
	errLeftOut = errors.New("left out")
)

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
		d, err := w.jsonDoc(raw, w.unread)
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
// or arrays of those. The keys no field takes are added to unread.
func (w *walker) jsonDoc(raw []byte, unread map[string]bool) (Doc, error) {
	var d Doc
	if !utf8.Valid(raw) {
		return d, bad("invalid utf-8", "")
	}
	m, err := jsonObject(raw)
	if err != nil {
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
			unread[k] = true
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

// jsonObject decodes a record, an object, in one pass: its values as
// encoding/json decodes them into any, numbers as written (json.Number).
// Decoding the object into raw values first and each value then read it
// all twice more (each pass, encoding/json's check and its decoding, over
// the whole body): the walk of news-2023 spent a tenth of its CPU there.
// A record that is not an object is an error that says what it is.
func jsonObject(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	err := dec.Decode(&m)
	if err == nil {
		if _, end := dec.Token(); end == io.EOF {
			return m, nil
		}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field == "" {
		return nil, fmt.Errorf("a record must be an object, not %s", withArticle(te.Value))
	}
	// encoding/json's own words for a syntax error (unexpected end of
	// JSON input, an invalid character after the object): the decoder's
	// differ (unexpected EOF)
	if uerr := json.Unmarshal(raw, new(any)); uerr != nil {
		return nil, uerr
	}
	return nil, err
}

// withArticle puts a or an before a JSON kind (array, number, string, bool).
func withArticle(kind string) string {
	if kind == "array" {
		return "an array"
	}
	return "a " + kind
}

// jsonValues turns a scalar or an array of scalars, as jsonObject decodes
// them, into text.
func jsonValues(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var vals []string
	for _, x := range list {
		switch x := x.(type) {
		case nil:
		case string:
			vals = append(vals, x)
		case bool:
			vals = append(vals, strconv.FormatBool(x))
		case json.Number:
			vals = append(vals, x.String()) // as written, so 1e3 stays 1e3
		default:
			return nil, errors.New("not text")
		}
	}
	return vals, nil
}
