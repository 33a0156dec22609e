package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"minsheng/indexer"
	"minsheng/indexer/wal"
)

// DocWriter is what the live documents API needs: indexer.Docs.
type DocWriter interface {
	Write(ctx context.Context, token string, changes []indexer.DocChange) ([]indexer.DocResult, uint64, error)
	Version(ctx context.Context, id string) (version int64, found bool, err error)
	History(id string) []wal.Version
	// Retag indexes documents again with the topics staff set on them,
	// so that search carries a correction at once
	Retag(ctx context.Context, ids ...string) error
}

// docsRoutes registers the live documents API: writes need the editor or
// the admin token (and are audited); history is read like documents.
func (s *Server) docsRoutes(api *gin.RouterGroup) {
	api.GET("/docs/:id/history", s.docHistory)
	w := api.Group("", s.requireEditor, s.liveDocs)
	w.POST("/docs", s.postDocs)
	w.PUT("/docs/:id", s.changeDoc(indexer.OpPut))
	w.PATCH("/docs/:id", s.changeDoc(indexer.OpPatch))
	w.DELETE("/docs/:id", s.changeDoc(indexer.OpDelete))
}

// liveDocs answers 503 when the server has no live documents.
func (s *Server) liveDocs(c *gin.Context) {
	if s.Docs == nil {
		fail(c, http.StatusServiceUnavailable, "live documents are not available on this server")
		return
	}
	c.Next()
}

// postDocs takes one JSON document, or NDJSON (application/x-ndjson) with
// up to MaxBulkDocs documents, one a line.
func (s *Server) postDocs(c *gin.Context) {
	body, err := readBody(c)
	if err != nil {
		s.failErr(c, err)
		return
	}
	if !isNDJSON(c.ContentType()) {
		s.writeDocs(c, []indexer.DocChange{{Op: indexer.OpPut, Body: body}})
		return
	}
	var changes []indexer.DocChange
	for n, line := range bytes.Split(body, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if len(changes) == s.Limits.MaxBulkDocs {
			fail(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("line %d: more than %d documents in one request (limits.max_bulk_docs)", n+1, s.Limits.MaxBulkDocs))
			return
		}
		changes = append(changes, indexer.DocChange{Line: n + 1, Op: indexer.OpPut, Body: line})
	}
	if len(changes) == 0 {
		fail(c, http.StatusBadRequest, "no documents: send one JSON document a line")
		return
	}
	s.writeDocs(c, changes)
}

func isNDJSON(ct string) bool {
	t, _, _ := mime.ParseMediaType(ct)
	return t == "application/x-ndjson" || t == "application/ndjson" || t == "application/jsonl"
}

// changeDoc handles PUT, PATCH and DELETE of /docs/{id}, with If-Match.
func (s *Server) changeDoc(op indexer.Op) gin.HandlerFunc {
	return func(c *gin.Context) {
		ch := indexer.DocChange{Op: op, ID: c.Param("id")}
		if m := strings.TrimSpace(c.GetHeader("If-Match")); m != "" && m != "*" {
			v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(m, "W/"), `"`), 10, 64)
			if err != nil || v <= 0 {
				fail(c, http.StatusBadRequest, fmt.Sprintf("If-Match: %q is not a document version (a positive number)", truncate(m, 40)))
				return
			}
			ch.IfMatch = v
		}
		if op != indexer.OpDelete {
			var err error
			if ch.Body, err = readBody(c); err != nil {
				s.failErr(c, err)
				return
			}
		}
		s.writeDocs(c, []indexer.DocChange{ch})
	}
}

// readBody reads a whole request body: 413 past the limit.
func readBody(c *gin.Context) ([]byte, error) {
	b, err := io.ReadAll(c.Request.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, fmt.Errorf("%w: over %d bytes (limits.max_body_bytes)", errTooLarge, mbe.Limit)
	}
	return b, err
}

// docsAnswer is the answer of a write: an item per change, and the log
// record's sequence number.
type docsAnswer struct {
	Items []indexer.DocResult `json:"items"`
	Seq   uint64              `json:"seq"`
	Error string              `json:"error,omitempty"`
}

// writeDocs makes changes and answers once they are durable: 200 when any
// was made; when none was, the status of the first error.
func (s *Server) writeDocs(c *gin.Context, changes []indexer.DocChange) {
	token := c.GetString(ctxToken)
	items, seq, err := s.Docs.Write(c.Request.Context(), token, changes)
	if err != nil && items == nil {
		s.failErr(c, err)
		return
	}
	if err != nil { // logged, durable, but the index did not take it
		s.Log.Error("live documents: indexing after the log", "seq", seq, "err", err)
	}
	ans := docsAnswer{Items: items, Seq: seq}
	status := http.StatusOK
	if seq == 0 {
		for _, it := range items {
			if it.Err != nil {
				ans.Error, status = it.Error, statusOf(it.Err)
				break
			}
		}
	}
	c.JSON(status, ans)
}

// docHistory answers GET /docs/{id}/history: each version changed through
// the API with when, by which token and what changed.
func (s *Server) docHistory(c *gin.Context) {
	if s.Docs == nil {
		fail(c, http.StatusServiceUnavailable, "live documents are not available on this server")
		return
	}
	id := c.Param("id")
	v, found, err := s.Docs.Version(c.Request.Context(), id)
	if err != nil {
		s.failErr(c, err)
		return
	}
	h := s.Docs.History(id)
	if !found && len(h) == 0 {
		fail(c, http.StatusNotFound, fmt.Sprintf("no document with id %q", truncate(id, 100)))
		return
	}
	if h == nil {
		h = []wal.Version{}
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "version": v, "exists": found, "history": h})
}

// setVersion sends a document's version as its ETag, for If-Match.
func (s *Server) setVersion(c *gin.Context, id string) {
	if s.Docs == nil {
		return
	}
	if v, ok, err := s.Docs.Version(c.Request.Context(), id); err == nil && ok {
		c.Header("ETag", strconv.Quote(strconv.FormatInt(v, 10)))
	}
}
