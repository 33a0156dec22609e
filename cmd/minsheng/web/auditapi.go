package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"minsheng/audit"
)

// auditRoutes registers GET /audit: the audit trail, newest first, for
// the admin token (reading it is audited too).
func (s *Server) auditRoutes(api gin.IRouter) {
	api.GET("/audit", s.requireAdmin, s.listAudit)
}

// listAudit serves GET /audit?limit=&before=&token=.
func (s *Server) listAudit(c *gin.Context) {
	if s.Audit == nil {
		fail(c, http.StatusServiceUnavailable, "the audit trail is not kept by this server")
		return
	}
	q := audit.Query{Limit: 100, Before: strings.TrimSpace(c.Query("before")), Token: strings.TrimSpace(c.Query("token"))}
	if v := strings.TrimSpace(c.Query("limit")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			fail(c, http.StatusBadRequest, fmt.Sprintf("limit must be a whole number from 1 to 1000, not %q", truncate(v, 40)))
			return
		}
		q.Limit = n
	}
	if q.Before != "" {
		if _, err := strconv.ParseUint(q.Before, 10, 64); err != nil {
			fail(c, http.StatusBadRequest, fmt.Sprintf("before must be a record id, not %q", truncate(q.Before, 40)))
			return
		}
	}
	recs, err := s.Audit.List(q)
	if err != nil {
		s.failErr(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"records": recs, "retention_hours": s.Audit.Retention().Hours()})
}
