package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minsheng/corpus"
	"minsheng/indexer/taxonomy"
)

// TopicCorrections is the store of the topics staff set on documents
// (taxonomy.Corrections).
type TopicCorrections interface {
	Get(id string) ([]string, bool)
	Set(id string, before, after []string, now time.Time) (taxonomy.Correction, error)
	Audit(id string) ([]taxonomy.Correction, error)
}

// maxCorrectedTopics is the most topics staff may set on one document.
const maxCorrectedTopics = 10

// The notes of a correction say when it reaches search: at once, where
// the server writes live documents (DocWriter.Retag indexes the document
// again with it); else, or when that fails, once the generation served
// next opens (a restart, a reindex), or the next build applies it.
const (
	correctionNote  = "stored; search, facets and reports show it now"
	correctionLater = "stored; the document shows it now, search, facets and reports after the next restart or reindex"
)

// topicRoutes registers the topic corrections: reading one document's
// (anyone) and setting them (admin token).
func (s *Server) topicRoutes(api *gin.RouterGroup) {
	api.GET("/docs/:id/topics", s.docTopics)
	api.PUT("/docs/:id/topics", s.requireAdmin, s.putDocTopics)
}

// withCorrection lays staff's correction of d's topics over what the
// served generation holds, so that a correction shows at once.
func (s *Server) withCorrection(d *corpus.Doc) {
	if s.Topics == nil || d == nil {
		return
	}
	if ts, ok := s.Topics.Get(d.ID); ok {
		d.Topics, d.TopicsCorrected, d.PrimaryTopic = ts, true, ""
		if len(ts) > 0 {
			d.PrimaryTopic = ts[0]
		}
	}
}

// topicsView is the answer of the topics routes.
type topicsView struct {
	ID           string                `json:"id"`
	Topics       []string              `json:"topics"`
	PrimaryTopic string                `json:"primary_topic,omitempty"`
	GivenTopics  []string              `json:"given_topics,omitempty"`
	Inferred     []corpus.Topic        `json:"inferred,omitempty"`
	Corrected    bool                  `json:"topics_corrected"`
	Note         string                `json:"note,omitempty"`
	Audit        []taxonomy.Correction `json:"audit"`
}

func (s *Server) topicsOf(c *gin.Context) (*corpus.Doc, *topicsView, bool) {
	if s.Topics == nil {
		fail(c, http.StatusServiceUnavailable, "topic corrections are not available in this server")
		return nil, nil, false
	}
	id := c.Param("id")
	d, ok, err := s.Search.Document(c.Request.Context(), id)
	if err != nil {
		s.failErr(c, err)
		return nil, nil, false
	}
	if !ok {
		fail(c, http.StatusNotFound, fmt.Sprintf("no document with id %q", truncate(id, 100)))
		return nil, nil, false
	}
	s.withCorrection(d)
	audit, err := s.Topics.Audit(d.ID)
	if err != nil {
		s.failErr(c, err)
		return nil, nil, false
	}
	if audit == nil {
		audit = []taxonomy.Correction{}
	}
	v := &topicsView{ID: d.ID, Topics: d.AllTopics(), GivenTopics: d.GivenTopics, Inferred: d.Inferred,
		Corrected: d.TopicsCorrected, Audit: audit}
	if v.Topics == nil {
		v.Topics = []string{}
	}
	if len(v.Topics) > 0 {
		v.PrimaryTopic = v.Topics[0]
	}
	return d, v, true
}

// docTopics is GET /api/v1/docs/{id}/topics: the document's topics, and
// the audit of staff's corrections, newest first.
func (s *Server) docTopics(c *gin.Context) {
	if _, v, ok := s.topicsOf(c); ok {
		c.JSON(http.StatusOK, v)
	}
}

// putDocTopics is PUT /api/v1/docs/{id}/topics {"topics": [...]}: staff
// set the document's topics, primary first; [] removes them all.
func (s *Server) putDocTopics(c *gin.Context) {
	var req struct {
		Topics *[]string `json:"topics"`
	}
	if err := decodeJSON(c, &req, `{"topics": ["主题", ...]}`); err != nil {
		s.failErr(c, err)
		return
	}
	if req.Topics == nil {
		fail(c, http.StatusBadRequest, `send {"topics": ["主题", ...]}: the document's topics, primary first ([] removes them all)`)
		return
	}
	if s.Taxonomy == nil {
		fail(c, http.StatusServiceUnavailable, "no taxonomy is configured in this server: topics cannot be checked")
		return
	}
	topics, msg := s.validTopics(*req.Topics)
	if msg != "" {
		fail(c, http.StatusBadRequest, msg)
		return
	}
	d, v, ok := s.topicsOf(c)
	if !ok {
		return
	}
	entry, err := s.Topics.Set(d.ID, v.Topics, topics, time.Now())
	if err != nil {
		s.failErr(c, err)
		return
	}
	v.Note = correctionLater
	if s.Docs != nil {
		// not cancelled with the request: the correction is stored, and
		// indexing one document is short
		if err := s.Docs.Retag(context.WithoutCancel(c.Request.Context()), d.ID); err != nil {
			s.Log.Error("index a topic correction", "id", d.ID, "err", err)
		} else {
			v.Note = correctionNote
		}
	}
	v.Topics, v.Corrected, v.PrimaryTopic = topics, true, ""
	if len(topics) > 0 {
		v.PrimaryTopic = topics[0]
	}
	v.Audit = append([]taxonomy.Correction{entry}, v.Audit...)
	c.JSON(http.StatusOK, v)
}

// validTopics checks topics against the taxonomy (a topic's alias stands
// for it) and drops repeats; the message says what is wrong.
func (s *Server) validTopics(in []string) ([]string, string) {
	if len(in) > maxCorrectedTopics {
		return nil, fmt.Sprintf("%d topics; a document carries at most %d", len(in), maxCorrectedTopics)
	}
	names := map[string]string{}
	var all []string
	for _, t := range s.Taxonomy.Taxonomy().Topics { // putDocTopics checked it is set
		names[t.Name] = t.Name
		all = append(all, t.Name)
		for _, a := range t.Aliases {
			names[a] = t.Name
		}
	}
	out := []string{}
	for _, t := range in {
		name, ok := names[strings.TrimSpace(t)]
		if !ok {
			return nil, fmt.Sprintf("unknown topic %q; the topics are %s", truncate(t, 50), strings.Join(all, ", "))
		}
		if !containsName(out, name) {
			out = append(out, name)
		}
	}
	return out, ""
}

func containsName(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// correctionView is what the document page shows of staff's corrections.
type correctionView struct {
	Enabled   bool   // the server stores corrections: the form is shown
	Corrected bool   // the document's topics are staff's
	Pending   bool   // stored, not yet in the served generation
	Current   string // the topics, comma-separated, for the form
	Audit     []auditView
}

type auditView struct{ Time, Before, After string }

// correctionView lays staff's correction over d, as withCorrection does,
// and fills the page's view of it; a pending correction is one the served
// generation does not carry yet.
func (s *Server) correctionView(p *docPage, d *corpus.Doc) {
	if s.Topics == nil {
		return
	}
	indexed := d.AllTopics()
	wasCorrected := d.TopicsCorrected
	s.withCorrection(d)
	v := correctionView{Enabled: true, Corrected: d.TopicsCorrected, Current: strings.Join(d.AllTopics(), ", ")}
	v.Pending = d.TopicsCorrected && (!wasCorrected || strings.Join(indexed, ",") != strings.Join(d.Topics, ","))
	audit, err := s.Topics.Audit(d.ID)
	if err != nil {
		s.Log.Warn("topic corrections audit", "id", d.ID, "err", err)
	}
	none := func(l []string) string {
		if len(l) == 0 {
			return "（无）"
		}
		return strings.Join(l, "、")
	}
	for _, a := range audit {
		v.Audit = append(v.Audit, auditView{Time: a.Time.In(corpus.CST()).Format("2006-01-02 15:04"), Before: none(a.Before), After: none(a.After)})
	}
	p.Correction = v
}
