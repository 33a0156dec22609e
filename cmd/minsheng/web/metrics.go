package web

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"minsheng/search"
)

// metrics are the server's Prometheus collectors, in a registry of its own.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minsheng_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "minsheng_http_request_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
	}
	m.reg.MustRegister(m.requests, m.latency, prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// observe counts every request and its latency by route pattern.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	s.metrics.requests.WithLabelValues(route, strconv.Itoa(c.Writer.Status())).Inc()
	s.metrics.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
}

// guardMetrics lets /metrics of the main address through only with the
// admin token: the metrics tell the Go version, memory and the admin
// routes' use. Scrapes are not audited (one every 15 s would bury the
// trail); a Prometheus without the token scrapes metrics_addr instead.
func (s *Server) guardMetrics(c *gin.Context) {
	if s.authenticate(c, TokenAdmin) {
		c.Next()
	}
}

// MetricsHandler serves /metrics without a token, for a listener of its
// own (metrics_addr, on the loopback by default); every other path is 404.
func (s *Server) MetricsHandler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(withRequestID, s.recover)
	r.GET("/metrics", s.serveMetrics)
	r.NoRoute(func(c *gin.Context) { fail(c, http.StatusNotFound, "this address serves /metrics only") })
	return r
}

func (s *Server) serveMetrics(c *gin.Context) {
	gens := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "minsheng_index_generation_info", Help: "The index generation being served (value 1).",
	}, []string{"generation"})
	docs := prometheus.NewGauge(prometheus.GaugeOpts{Name: "minsheng_index_documents", Help: "Documents in the served index."})
	size := prometheus.NewGauge(prometheus.GaugeOpts{Name: "minsheng_index_bytes", Help: "Bytes on disk of the served index generation."})
	gen := s.Live.Generation()
	if gen != "" {
		gens.WithLabelValues(gen).Set(1)
		if n, err := s.Search.Total(); err == nil {
			docs.Set(float64(n))
		}
		if s.DataDir != "" {
			size.Set(float64(dirSize(filepath.Join(s.DataDir, "generations", gen))))
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(gens, docs, size)
	if s.ResultCache != nil {
		reg.MustRegister(resultCacheMetrics(s.ResultCache())...)
	}
	promhttp.HandlerFor(prometheus.Gatherers{s.metrics.reg, reg}, promhttp.HandlerOpts{}).ServeHTTP(c.Writer, c.Request)
}

// resultCacheMetrics tell whether searches that come again are answered
// from the result cache: its hits and misses since the server started,
// and what it holds now.
func resultCacheMetrics(st search.CacheStats) []prometheus.Collector {
	counter := func(name, help string, v int) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(v) })
	}
	gauge := func(name, help string, v int64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return float64(v) })
	}
	return []prometheus.Collector{
		counter("minsheng_result_cache_hits_total", "Searches answered from the result cache.", st.Hits),
		counter("minsheng_result_cache_misses_total", "Searches the result cache could have answered and did not hold: computed.", st.Misses),
		gauge("minsheng_result_cache_entries", "Results the cache holds now.", int64(st.Entries)),
		gauge("minsheng_result_cache_bytes", "Their size, as the cache reckons it.", st.Bytes),
		gauge("minsheng_result_cache_max_bytes", "What they may take (result_cache_mb); 0: the cache is off.", st.Max),
	}
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
