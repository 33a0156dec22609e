// Package web is Minsheng's HTTP layer: the JSON API under /api/v1, the
// staff web UI, /healthz and /metrics. Handlers only translate: they bind a
// request, call the search, export or job services they were given, and
// write the answer; every error is JSON {"error": "..."} with the status
// from one table (statusOf).
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"minsheng/audit"
	"minsheng/corpus"
	"minsheng/errs"
	"minsheng/search"
)

// Searcher is what the API needs of the search package.
type Searcher interface {
	Search(ctx context.Context, r search.Request) (*search.Result, error)
	Similar(ctx context.Context, r search.SimilarRequest) (*search.Result, error)
	Document(ctx context.Context, id string) (*corpus.Doc, bool, error)
	Total() (uint64, error)
}

// Live tells which index generation is being served.
type Live interface {
	Generation() string
}

// Options are what a Server is made of: the services its handlers call,
// given once here rather than discovered by type assertion, and its
// limits. A nil service turns its feature off: its routes answer 503 with
// a message saying so, and the UI's pages say it in their place.
type Options struct {
	Search   Searcher        // the search API and the UI's pages
	Analyst  Analyst         // analytics routes and page; nil: off
	Handling HandlingAnalyst // handling figures and promise tracking; nil: off
	// Taxonomy is the taxonomy documents are tagged with: GET
	// /api/v1/topics lists it with its counts and topic corrections are
	// checked against it. nil: the topics found in the index only, and
	// corrections are refused.
	Taxonomy TaxonomySource
	Live     Live
	Log      *slog.Logger // nil: discarded
	Limits   Limits
	DataDir  string // for the index size metric

	Jobs        Jobs       // reindex jobs, schedules, generations; nil: admin routes answer 503
	AdminToken  string     // bearer token of the admin routes; "" turns them off (403)
	EditorToken string     // bearer token of the document writes (the admin token works too)
	Audit       *audit.Log // where admin and editor requests are recorded; nil records nothing

	Export *Export // workbook exports; nil: export routes answer 503

	Docs     DocWriter               // live documents; nil: their routes answer 503
	Topics   TopicCorrections        // staff's topic corrections; nil: the topics routes answer 503
	Synonyms func() *search.Synonyms // those searches use now, for GET /api/v1/synonyms; nil: none
	// ResultCache gives the figures of the searches' result cache, for
	// /metrics; nil: none there
	ResultCache func() search.CacheStats
}

// Server holds the dependencies of the handlers.
type Server struct {
	Options

	slots   chan struct{} // counts running searches
	metrics *metrics

	throttleOnce sync.Once
	throttle     *throttle // failed authentications by address
}

// New returns a server of o, its zero limits set to their defaults. Call
// Handler for its routes.
func New(o Options) *Server {
	o.Limits.SetDefaults()
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Server{Options: o, slots: make(chan struct{}, o.Limits.MaxConcurrent), metrics: newMetrics()}
}

// Handler returns the routes. trusted lists the proxies whose
// X-Forwarded-For is believed; nil trusts none.
func (s *Server) Handler(trusted []string) (http.Handler, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if err := r.SetTrustedProxies(trusted); err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	r.Use(withRequestID, s.recover, s.observe, s.limitBody, s.limitParams)
	r.HandleMethodNotAllowed = true
	r.NoRoute(func(c *gin.Context) { fail(c, http.StatusNotFound, "no such page: "+c.Request.URL.Path) })
	r.NoMethod(func(c *gin.Context) { fail(c, http.StatusMethodNotAllowed, c.Request.Method+" is not allowed here") })
	s.Routes(r)
	return r, nil
}

// Routes registers every route on r.
func (s *Server) Routes(r gin.IRouter) {
	r.Match(getAndHead, "/healthz", s.health)
	r.GET("/metrics", s.guardMetrics, s.serveMetrics)
	api := r.Group("/api/v1")
	api.GET("/openapi.json", serveOpenAPI)
	api.GET("/search", s.search)
	api.GET("/docs/:id", s.doc)
	api.GET("/docs/:id/similar", s.similarTo)
	api.POST("/similar", s.similarDraft)
	s.adminRoutes(api)
	s.topicRoutes(api)
	s.auditRoutes(api)
	s.docsRoutes(api)
	s.exportRoutes(api)
	s.analyticsRoutes(api)
	s.handlingRoutes(api)
	s.synonymsRoutes(api)
	s.uiRoutes(r)
}

// getAndHead are the methods of /healthz and the UI's pages: gin, unlike
// net/http's ServeMux, does not answer HEAD for a GET route, and load
// balancers and link checkers probe with HEAD. net/http writes no body
// for HEAD, so the GET handler serves it as it is. The API's GET routes
// stay GET only: a HEAD of a search or an export would do all of its
// work to send nothing.
var getAndHead = []string{http.MethodGet, http.MethodHead}

// statusOf maps errors of the services to HTTP status: the one table.
func statusOf(err error) int {
	switch {
	case errors.Is(err, errs.Conflict):
		return http.StatusConflict
	case errors.Is(err, errs.Invalid):
		return http.StatusBadRequest
	case errors.Is(err, errs.NotFound):
		return http.StatusNotFound
	case errors.Is(err, errs.Unavailable), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return http.StatusServiceUnavailable
	case errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// fail answers {"error": msg} with status; a 5xx answer also carries the
// request id. A 500 never says more than "internal error": its message
// may hold server paths or other internals, so it goes to the log only
// (failErr and recover log it), under the same request id.
func fail(c *gin.Context, status int, msg string) {
	c.Set(ctxError, msg)
	switch {
	case status == http.StatusInternalServerError:
		c.AbortWithStatusJSON(status, gin.H{"error": "internal error", "request_id": requestID(c)})
	case status >= 500:
		c.AbortWithStatusJSON(status, gin.H{"error": msg, "request_id": requestID(c)})
	default:
		c.AbortWithStatusJSON(status, gin.H{"error": msg})
	}
}

// failErr answers err with the status of statusOf; 5xx errors are logged
// with the request id.
func (s *Server) failErr(c *gin.Context, err error) {
	st := statusOf(err)
	if st >= 500 {
		s.Log.Error("request failed", "path", c.Request.URL.Path, "status", st, "err", err, "request_id", requestID(c))
	}
	fail(c, st, err.Error())
}

var errTooLarge = errors.New("request body too large")

// recover turns a panic in a handler into a JSON 500; the process lives on.
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.Log.Error("handler panic", "path", c.Request.URL.Path, "panic", fmt.Sprint(v), "request_id", requestID(c))
			fail(c, http.StatusInternalServerError, "internal error")
		}
	}()
	c.Next()
}

// limitBody caps request bodies; reading past the cap fails with 413.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.ContentLength > s.Limits.MaxBodyBytes {
		fail(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", s.Limits.MaxBodyBytes))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.Limits.MaxBodyBytes)
	c.Next()
}

// acquire waits for a search slot, at most the search budget.
func (s *Server) acquire(ctx context.Context) (release func(), err error) {
	t := time.NewTimer(s.Limits.SearchTimeout)
	defer t.Stop()
	select {
	case s.slots <- struct{}{}:
		return func() { <-s.slots }, nil
	case <-t.C:
		return nil, fmt.Errorf("%w: too many searches at once; try again", search.ErrUnavailable)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
