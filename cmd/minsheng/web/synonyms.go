package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minsheng/search"
)

// synonymsRoutes registers GET /api/v1/synonyms: the synonyms searches use
// now (the configured file, re-read on SIGHUP, or the built-in list).
func (s *Server) synonymsRoutes(api gin.IRouter) {
	api.GET("/synonyms", func(c *gin.Context) {
		var syn *search.Synonyms
		if s.Synonyms != nil {
			syn = s.Synonyms()
		}
		if syn == nil {
			c.JSON(http.StatusOK, gin.H{"source": "", "groups": []search.SynonymGroup{}})
			return
		}
		c.JSON(http.StatusOK, gin.H{"source": syn.Source(), "groups": syn.Groups()})
	})
}
