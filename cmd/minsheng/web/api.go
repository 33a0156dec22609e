package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"minsheng/corpus"
	"minsheng/errs"
	"minsheng/search"
)

func (s *Server) health(c *gin.Context) {
	gen := s.Live.Generation()
	n, err := s.Search.Total()
	if gen == "" || err != nil {
		msg := "no index generation is loaded"
		if err != nil && gen != "" {
			msg = err.Error()
		}
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "error": msg, "generation": gen})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "generation": gen, "docs": n})
}

// filterFields are the schema's filters, read by every search request
// (corpus.Filters copies the schema each call: 5 KB a request); never
// changed.
var filterFields = corpus.Filters()

// searchRequest reads the search parameters of a query string. Values that
// cannot be read are errors (400), never silently defaults.
func searchRequest(v url.Values) (search.Request, error) {
	var r search.Request
	for k, vals := range v {
		for _, x := range vals {
			if !utf8.ValidString(x) {
				return r, fmt.Errorf("%w: parameter %s is not valid UTF-8", errs.Invalid, k)
			}
		}
	}
	r.Query = v.Get("q")
	var err error
	if r.Page, err = intParam(v, "page"); err != nil {
		return r, err
	}
	if r.Size, err = intParam(v, "size"); err != nil {
		return r, err
	}
	if r.FacetSize, err = intParam(v, "facet_size"); err != nil {
		return r, err
	}
	r.Sort = v.Get("sort")
	r.Mode = v.Get("mode")
	r.TopicScope = strings.TrimSpace(v.Get("topic_scope"))
	if c := strings.TrimSpace(v.Get("cache")); c != "" {
		on, err := strconv.ParseBool(c)
		if err != nil {
			return r, fmt.Errorf("%w: cache must be true or false, not %q", errs.Invalid, truncate(c, 40))
		}
		r.NoCache = !on
	}
	f := &r.Filters
	for _, fd := range filterFields {
		f.Set(fd.Name, list(v, fd.Name))
	}
	for _, d := range []struct {
		name string
		to   *search.Filters
	}{{"from", f}, {"to", f}} {
		s := strings.TrimSpace(v.Get(d.name))
		if s == "" {
			continue
		}
		t, err := search.ParseDay(s)
		if err != nil {
			return r, fmt.Errorf("%s: %w", d.name, err)
		}
		if d.name == "from" {
			f.From = t
		} else {
			f.To = t
		}
	}
	if a := v["after"]; len(a) > 0 {
		r.After = a
	}
	return r, nil
}

// list returns the non-empty values of a repeatable parameter; one value
// may also hold several separated by commas.
func list(v url.Values, name string) []string {
	var out []string
	for _, x := range v[name] {
		for _, p := range strings.Split(x, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// intParam reads an optional integer parameter; 0 when absent.
func intParam(v url.Values, name string) (int, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %s must be a whole number, not %q", errs.Invalid, name, truncate(s, 40))
	}
	if n == 0 {
		return 0, zeroParam(name)
	}
	return n, nil
}

// zeroParam is the error of a parameter given as 0, where the services
// read 0 as "the default": a client that sends 0 means something else.
func zeroParam(name string) error {
	return fmt.Errorf("%w: %s must not be 0", errs.Invalid, name)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func (s *Server) search(c *gin.Context) {
	s.withSearch(c, func(ctx context.Context, r search.Request) (any, error) {
		r.NoDocs = true // the answer shows the hits' own fields
		return s.Search.Search(ctx, r)
	})
}

// withSearch reads the search parameters of the query string, waits for a
// search slot, and answers what run returns for them.
func (s *Server) withSearch(c *gin.Context, run func(ctx context.Context, r search.Request) (any, error)) {
	r, err := searchRequest(c.Request.URL.Query())
	if err != nil {
		s.failErr(c, err)
		return
	}
	release, err := s.acquire(c.Request.Context())
	if err != nil {
		s.failErr(c, err)
		return
	}
	defer release()
	res, err := run(c.Request.Context(), r)
	if err != nil {
		s.failErr(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *Server) doc(c *gin.Context) {
	d, ok, err := s.Search.Document(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.failErr(c, err)
		return
	}
	if !ok {
		fail(c, http.StatusNotFound, fmt.Sprintf("no document with id %q", truncate(c.Param("id"), 100)))
		return
	}
	s.setVersion(c, d.ID)
	s.withCorrection(d)
	c.JSON(http.StatusOK, d)
}

func (s *Server) similarTo(c *gin.Context) {
	size, err := intParam(c.Request.URL.Query(), "size")
	if err != nil {
		s.failErr(c, err)
		return
	}
	s.similar(c, search.SimilarRequest{ID: c.Param("id"), Size: size})
}

// similarBody is the body of POST /similar. Size is a pointer so that an
// explicit 0 is told from an absent size: absent is the default, and 0 is
// refused, as GET /docs/{id}/similar?size=0 is.
type similarBody struct {
	Text string `json:"text"`
	Size *int   `json:"size"`
}

func (s *Server) similarDraft(c *gin.Context) {
	var b similarBody
	if err := decodeJSON(c, &b, `{"text": "...", "size": 10}`); err != nil {
		s.failErr(c, err)
		return
	}
	r := search.SimilarRequest{Text: b.Text}
	if b.Size != nil {
		if *b.Size == 0 {
			s.failErr(c, zeroParam("size"))
			return
		}
		r.Size = *b.Size
	}
	s.similar(c, r)
}

func (s *Server) similar(c *gin.Context, r search.SimilarRequest) {
	release, err := s.acquire(c.Request.Context())
	if err != nil {
		s.failErr(c, err)
		return
	}
	defer release()
	res, err := s.Search.Similar(c.Request.Context(), r)
	if err != nil {
		s.failErr(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
