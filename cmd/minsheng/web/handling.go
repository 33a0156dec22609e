package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"minsheng/search"
)

// HandlingAnalyst is what the handling routes need of the search package:
// the yearly handling figures and promise tracking, as *search.Searcher
// provides them: Options.Handling; nil, they answer 503.
type HandlingAnalyst interface {
	Handling(ctx context.Context, r search.Request) (*search.HandlingStats, error)
	Promises(ctx context.Context, r search.Request) (*search.Promises, error)
}

// handlingRoutes registers the handling analytics under api.
func (s *Server) handlingRoutes(api gin.IRouter) {
	api.GET("/analytics/handling", s.handling)
	api.GET("/analytics/promises", s.promises)
}

func (s *Server) handling(c *gin.Context) {
	s.withHandling(c, func(ctx context.Context, a HandlingAnalyst, r search.Request) (any, error) { return a.Handling(ctx, r) })
}

func (s *Server) promises(c *gin.Context) {
	s.withHandling(c, func(ctx context.Context, a HandlingAnalyst, r search.Request) (any, error) { return a.Promises(ctx, r) })
}

// withHandling reads the search parameters and answers what run returns,
// in a search slot.
func (s *Server) withHandling(c *gin.Context, run func(ctx context.Context, a HandlingAnalyst, r search.Request) (any, error)) {
	if s.Handling == nil {
		fail(c, http.StatusServiceUnavailable, "handling analytics are not available on this server")
		return
	}
	s.withSearch(c, func(ctx context.Context, r search.Request) (any, error) { return run(ctx, s.Handling, r) })
}
