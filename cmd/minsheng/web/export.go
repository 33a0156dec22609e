package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"minsheng/export"
	"minsheng/search"
)

// Export serves workbooks of search results. Each page an export reads
// takes a search slot, as a search does, so exports share the index with
// interactive searches fairly.
type Export struct {
	Exporter      *export.Exporter
	MaxConcurrent int // exports at once; more get 503; 0 means 2
	// Taxonomy, when set, gives the taxonomy version of the generation
	// being served at the time of each export, overriding
	// Exporter.TaxonomyVersion, which a reindex may have made stale.
	Taxonomy func() string

	once  sync.Once
	slots chan struct{} // counts running exports

	mu      sync.Mutex          // protects clients
	clients map[string]struct{} // addresses with an export running: one each
}

// claim marks client as running an export; false when it already runs one.
func (x *Export) claim(client string) (release func(), ok bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if _, busy := x.clients[client]; busy {
		return nil, false
	}
	if x.clients == nil {
		x.clients = map[string]struct{}{}
	}
	x.clients[client] = struct{}{}
	return func() {
		x.mu.Lock()
		delete(x.clients, client)
		x.mu.Unlock()
	}, true
}

// acquire takes an export slot without waiting.
func (x *Export) acquire() (release func(), ok bool) {
	x.once.Do(func() {
		n := x.MaxConcurrent
		if n <= 0 {
			n = 2
		}
		x.slots = make(chan struct{}, n)
	})
	select {
	case x.slots <- struct{}{}:
		return func() { <-x.slots }, true
	default:
		return nil, false
	}
}

// exportRoutes registers the export routes on the API group:
//
//	GET /export.xlsx             the full workbook of a search
//	GET /export.csv              its results as CSV
//	GET /export/{report}.xlsx    one report (trends, units) and 说明
//
// All take the parameters of /search. The report route is a catch-all:
// gin cannot have a parameter followed by ".xlsx" in one segment.
func (s *Server) exportRoutes(r gin.IRouter) {
	r.GET("/export.xlsx", func(c *gin.Context) { s.export(c, export.Full, ".xlsx") })
	r.GET("/export.csv", func(c *gin.Context) { s.export(c, export.Full, ".csv") })
	r.GET("/export/*file", s.exportReport)
}

func (s *Server) exportReport(c *gin.Context) {
	file := strings.TrimPrefix(c.Param("file"), "/")
	name, ok := strings.CutSuffix(file, ".xlsx")
	report, err := export.ParseReport(name)
	if !ok || err != nil || report == export.Full {
		fail(c, http.StatusNotFound, fmt.Sprintf("no report %q: the reports are trends.xlsx and units.xlsx", truncate(file, 60)))
		return
	}
	s.export(c, report, ".xlsx")
}

// Content types of the exports.
const (
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	csvType  = "text/csv; charset=utf-8"
)

// export writes one export. The workbook is built completely before its
// first byte is sent, so an error is still a JSON error with its status.
// A client that goes away cancels the request context, which stops the
// export between pages; the exporter removes its temp files on every path.
func (s *Server) export(c *gin.Context, report export.Report, ext string) {
	x := s.Export
	if x == nil || x.Exporter == nil {
		fail(c, http.StatusServiceUnavailable, "exports are not configured on this server")
		return
	}
	r, err := searchRequest(c.Request.URL.Query())
	if err != nil {
		s.failErr(c, err)
		return
	}
	// One export at a time per client address, so that one client cannot
	// take every slot; the staff UI waits Retry-After and tries again.
	unclaim, ok := x.claim(c.ClientIP())
	if !ok {
		c.Header("Retry-After", "5")
		fail(c, http.StatusTooManyRequests, "an export from your address is still running; wait until it is done")
		return
	}
	defer unclaim()
	release, ok := x.acquire()
	if !ok {
		c.Header("Retry-After", "10")
		fail(c, http.StatusServiceUnavailable, "too many exports are running; try again in a minute")
		return
	}
	defer release()
	// The server's WriteTimeout is meant for searches; an export may run
	// for minutes (Limits.ExportTimeout, writing included).
	timeout := s.Limits.ExportTimeout
	rc := http.NewResponseController(c.Writer)
	deadline := time.Now().Add(timeout)
	if err := rc.SetWriteDeadline(deadline); err != nil {
		s.Log.Warn("export: cannot extend the write deadline", "err", err)
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), timeout)
	defer cancel()

	e := *x.Exporter // this export's copy: its pages take search slots
	e.Search = slotted{s: s, next: x.Exporter.Search}
	if x.Taxonomy != nil {
		e.TaxonomyVersion = x.Taxonomy()
	}
	now := time.Now()
	if e.Now != nil {
		now = e.Now()
	}
	zh, ascii := export.FileName(report, now, ext)
	ctype := xlsxType
	if ext == ".csv" {
		ctype = csvType
	}
	w := &lazyWriter{w: stallWriter{w: c.Writer, rc: rc, stall: s.Limits.ExportStall, deadline: deadline}, start: func() {
		h := c.Writer.Header()
		h.Set("Content-Type", ctype)
		h.Set("Content-Disposition", contentDisposition(zh, ascii))
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		c.Status(http.StatusOK)
	}}
	var sum export.Summary
	if ext == ".csv" {
		sum, err = e.WriteCSV(ctx, w, r, nil)
	} else {
		sum, err = e.WriteReport(ctx, w, report, r, nil)
	}
	switch {
	case err == nil:
		s.Log.Info("export", "report", string(report), "format", ext, "rows", sum.Rows, "total", sum.Total,
			"truncated", sum.Truncated, "generation", sum.Generation, "seconds", time.Since(now).Seconds())
	case w.started && errors.Is(err, os.ErrDeadlineExceeded):
		// (a failed write also cancels the request's context: this case
		// comes first)
		s.Log.Warn("export dropped: the client stopped reading", "client", c.ClientIP(), "stall", s.Limits.ExportStall.String(), "report", string(report))
		panic(http.ErrAbortHandler)
	case c.Request.Context().Err() != nil:
		s.Log.Info("export stopped: the client went away", "report", string(report), "err", err)
		c.Abort()
	case w.started:
		// Part of the file is out: break the connection so that the
		// client sees a failed download, not a short file.
		s.Log.Error("export failed while sending", "report", string(report), "err", err)
		panic(http.ErrAbortHandler)
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		fail(c, http.StatusServiceUnavailable, fmt.Sprintf("the export took longer than %s; narrow the search", timeout))
	default:
		s.failErr(c, err)
	}
}

// slotted takes a search slot for each page of an export.
type slotted struct {
	s    *Server
	next export.Searcher
}

func (p slotted) Search(ctx context.Context, r search.Request) (*search.Result, error) {
	release, err := p.s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return p.next.Search(ctx, r)
}

// stallWriter writes in pieces of at most 32 KB, each with a write
// deadline stall from its start (never past the export's deadline): a
// client that stops reading fails the write within stall, and the export
// ends, freeing its slot; a slow but steady reader is not dropped.
type stallWriter struct {
	w        io.Writer
	rc       *http.ResponseController
	stall    time.Duration
	deadline time.Time
}

func (s stallWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		k := min(len(p), 32<<10)
		d := time.Now().Add(s.stall)
		if d.After(s.deadline) {
			d = s.deadline
		}
		s.rc.SetWriteDeadline(d) // best effort: export logs when it cannot

		m, err := s.w.Write(p[:k])
		n += m
		if err != nil {
			return n, err
		}
		p = p[k:]
	}
	return n, nil
}

// lazyWriter sends the headers with the first byte, so that the status
// can still be an error until then.
type lazyWriter struct {
	w       io.Writer
	start   func()
	started bool
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		l.start()
	}
	return l.w.Write(p)
}

// contentDisposition names a download: an ASCII filename for old clients
// and the Chinese one as an RFC 6266 / RFC 5987 filename*.
func contentDisposition(name, ascii string) string {
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, rfc5987(name))
}

// rfc5987 percent-encodes s as an RFC 5987 ext-value: every byte but the
// attr-chars.
func rfc5987(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
