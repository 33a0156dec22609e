package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"minsheng/indexer/reindex"
)

// Jobs is what the admin API needs of the reindex jobs service.
type Jobs interface {
	Start(ctx context.Context, trigger string) (reindex.Job, error)
	Job(id string) (reindex.Job, error)
	List(limit int) ([]reindex.Job, error)
	Cancel(id string) (reindex.Job, error)
	Schedules() ([]reindex.Schedule, error)
	AddSchedule(name, expr string) (reindex.Schedule, error)
	DeleteSchedule(id string) error
	Generations() ([]reindex.Generation, error)
	Activate(name string) (reindex.Generation, error)
}

// adminRoutes registers the admin API: reindex jobs, schedules and
// generations, behind the bearer token.
func (s *Server) adminRoutes(api *gin.RouterGroup) {
	a := api.Group("", s.requireAdmin, s.needJobs)
	a.POST("/reindex", s.reindex)
	a.GET("/jobs", s.listJobs)
	a.GET("/jobs/:id", s.getJob)
	a.POST("/jobs/:id/cancel", s.cancelJob)
	a.GET("/schedules", s.listSchedules)
	a.POST("/schedules", s.addSchedule)
	a.DELETE("/schedules/:id", s.deleteSchedule)
	a.GET("/generations", s.listGenerations)
	// POST /generations/{id}/activate. A catch-all, so that an id holding
	// a slash ("../x", "..%2Fx") reaches the handler and gets 400 instead
	// of falling through to 404.
	a.POST("/generations/*rest", s.activate)
}

// requireAdmin lets a request through only with the admin bearer token
// (see requireToken), and audits it; without a jobs service the admin
// routes answer 503.
func (s *Server) requireAdmin(c *gin.Context) {
	s.requireToken(TokenAdmin)(c)
}

// needJobs answers 503 when the server has no jobs service.
func (s *Server) needJobs(c *gin.Context) {
	if s.Jobs == nil {
		fail(c, http.StatusServiceUnavailable, "reindex jobs are not available in this server")
		return
	}
	c.Next()
}

// failJob answers err with its status and, when there is one, the job it
// concerns (the running job of a 409).
func (s *Server) failJob(c *gin.Context, err error, job reindex.Job) {
	if job.ID == "" {
		s.failErr(c, err)
		return
	}
	st := statusOf(err)
	if st >= 500 {
		s.Log.Error("request failed", "path", c.Request.URL.Path, "status", st, "err", err)
	}
	c.AbortWithStatusJSON(st, gin.H{"error": err.Error(), "job": job})
}

func (s *Server) reindex(c *gin.Context) {
	job, err := s.Jobs.Start(c.Request.Context(), "api")
	if err != nil {
		s.failJob(c, err, job)
		return
	}
	c.Header("Location", "/api/v1/jobs/"+job.ID)
	c.JSON(http.StatusAccepted, job)
}

func (s *Server) listJobs(c *gin.Context) {
	limit := 50
	if v := strings.TrimSpace(c.Query("limit")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			fail(c, http.StatusBadRequest, fmt.Sprintf("limit must be a whole number from 1 to 1000, not %q", truncate(v, 40)))
			return
		}
		limit = n
	}
	jobs, err := s.Jobs.List(limit)
	if err != nil {
		s.failErr(c, err)
		return
	}
	if jobs == nil {
		jobs = []reindex.Job{}
	}
	c.JSON(http.StatusOK, gin.H{"jobs": jobs})
}

func (s *Server) getJob(c *gin.Context) {
	job, err := s.Jobs.Job(c.Param("id"))
	if err != nil {
		s.failErr(c, err)
		return
	}
	c.JSON(http.StatusOK, job)
}

func (s *Server) cancelJob(c *gin.Context) {
	job, err := s.Jobs.Cancel(c.Param("id"))
	if err != nil {
		s.failJob(c, err, job)
		return
	}
	c.JSON(http.StatusAccepted, job)
}

func (s *Server) listSchedules(c *gin.Context) {
	scs, err := s.Jobs.Schedules()
	if err != nil {
		s.failErr(c, err)
		return
	}
	if scs == nil {
		scs = []reindex.Schedule{}
	}
	c.JSON(http.StatusOK, gin.H{"schedules": scs})
}

// scheduleRequest is the body of POST /schedules.
type scheduleRequest struct {
	Cron string `json:"cron"`
	Name string `json:"name"`
}

func (s *Server) addSchedule(c *gin.Context) {
	var r scheduleRequest
	if err := decodeJSON(c, &r, `{"cron": "0 2 * * *", "name": "每天夜间重建"}`); err != nil {
		s.failErr(c, err)
		return
	}
	sc, err := s.Jobs.AddSchedule(r.Name, r.Cron)
	if err != nil {
		s.failErr(c, err)
		return
	}
	c.Header("Location", "/api/v1/schedules/"+sc.ID)
	c.JSON(http.StatusCreated, sc)
}

func (s *Server) deleteSchedule(c *gin.Context) {
	if err := s.Jobs.DeleteSchedule(c.Param("id")); err != nil {
		s.failErr(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"deleted": c.Param("id")})
}

func (s *Server) listGenerations(c *gin.Context) {
	gens, err := s.Jobs.Generations()
	if err != nil {
		s.failErr(c, err)
		return
	}
	if gens == nil {
		gens = []reindex.Generation{}
	}
	c.JSON(http.StatusOK, gin.H{"generations": gens})
}

// activate serves POST /generations/{id}/activate; rest is everything
// after /generations.
func (s *Server) activate(c *gin.Context) {
	id, ok := strings.CutSuffix(strings.TrimPrefix(c.Param("rest"), "/"), "/activate")
	if !ok || id == "" {
		fail(c, http.StatusNotFound, "no such page: "+c.Request.URL.Path+" (use POST /api/v1/generations/{id}/activate)")
		return
	}
	g, err := s.Jobs.Activate(id)
	if err != nil {
		s.failErr(c, err)
		return
	}
	c.JSON(http.StatusOK, g)
}
