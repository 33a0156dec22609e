package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"minsheng/search"
)

// Analyst is what the analytics routes need of the search package, as
// *search.Searcher provides it: Options.Analyst; nil, they answer 503.
type Analyst interface {
	Trends(ctx context.Context, r search.Request, interval string) (*search.Trends, error)
	TopKeywords(ctx context.Context, r search.Request, size int) (*search.KeywordStats, error)
	Units(ctx context.Context, r search.Request) (*search.UnitStats, error)
	Topics(ctx context.Context, t search.Taxonomy) (*search.TopicList, error)
}

// TaxonomySource gives the taxonomy documents are tagged with, which
// GET /api/v1/topics lists with its counts: Options.Taxonomy; nil, the
// route lists the topics found in the index only.
type TaxonomySource interface {
	Taxonomy() search.Taxonomy
}

// analyticsRoutes registers the topic list and the analytics under api.
func (s *Server) analyticsRoutes(api gin.IRouter) {
	api.GET("/topics", s.topics)
	api.GET("/analytics/trends", s.trends)
	api.GET("/analytics/keywords", s.keywords)
	api.GET("/analytics/units", s.units)
}

func (s *Server) topics(c *gin.Context) {
	s.analytics(c, func(ctx context.Context, a Analyst, _ search.Request) (any, error) {
		var t search.Taxonomy
		if s.Taxonomy != nil {
			t = s.Taxonomy.Taxonomy()
		}
		return a.Topics(ctx, t)
	})
}

func (s *Server) trends(c *gin.Context) {
	s.analytics(c, func(ctx context.Context, a Analyst, r search.Request) (any, error) {
		return a.Trends(ctx, r, c.Query("interval"))
	})
}

// keywords reads size as the number of keywords, not a page size.
func (s *Server) keywords(c *gin.Context) {
	s.analytics(c, func(ctx context.Context, a Analyst, r search.Request) (any, error) {
		size := r.Size
		r.Size = 0
		return a.TopKeywords(ctx, r, size)
	})
}

func (s *Server) units(c *gin.Context) {
	s.analytics(c, func(ctx context.Context, a Analyst, r search.Request) (any, error) {
		return a.Units(ctx, r)
	})
}

// analytics reads the search parameters, waits for a search slot (an
// aggregation runs several searches) and answers what run returns.
func (s *Server) analytics(c *gin.Context, run func(ctx context.Context, a Analyst, r search.Request) (any, error)) {
	if s.Analyst == nil {
		fail(c, http.StatusServiceUnavailable, "analytics are not available on this server")
		return
	}
	s.withSearch(c, func(ctx context.Context, r search.Request) (any, error) { return run(ctx, s.Analyst, r) })
}
