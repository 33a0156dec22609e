package web

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"minsheng/audit"
)

// Token names: the audit trail records which token acted, never the token.
const (
	TokenAdmin  = "admin"
	TokenEditor = "editor"
)

// ctxToken is the gin context key of the name of the token a request
// authenticated with.
const ctxToken = "minsheng.token"

// requireToken lets a request through only with the bearer token of one
// of names (tried in order): none is 401, a wrong one 403, and with none
// of them configured the routes are off (403). A valid token of another
// role (the editor token on an admin route) is 403 too, saying which token
// the route needs, but it is no wrong token. An address with
// Limits.AuthFailures wrong tokens in the last minute gets 429 until the
// minute is over, whatever token it sends. The requests let through are
// audited: see audited.
func (s *Server) requireToken(names ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.authenticate(c, names...) {
			s.audited(c)
		}
	}
}

// authenticate checks the bearer token of c against names (see
// requireToken); when it fails, it has answered and aborted c.
func (s *Server) authenticate(c *gin.Context, names ...string) bool {
	configured := false
	for _, n := range names {
		configured = configured || s.token(n) != ""
	}
	if !configured {
		fail(c, http.StatusForbidden, fmt.Sprintf("the %s API is disabled until MINSHENG_%s_TOKEN (or %s_token_file in the configuration) is set",
			names[0], strings.ToUpper(names[0]), names[0]))
		return false
	}
	client := c.ClientIP()
	if wait := s.authThrottle().blocked(client, time.Now()); wait > 0 {
		c.Header("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		fail(c, http.StatusTooManyRequests, fmt.Sprintf("too many wrong tokens from %s; try again in %s", client, wait.Round(time.Second)))
		return false
	}
	scheme, tok, _ := strings.Cut(strings.TrimSpace(c.GetHeader("Authorization")), " ")
	tok = strings.TrimSpace(tok)
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		c.Header("WWW-Authenticate", `Bearer realm="minsheng `+names[0]+`"`)
		fail(c, http.StatusUnauthorized, names[0]+" route: send the header Authorization: Bearer <token>")
		return false
	}
	name := ""
	for _, n := range names {
		if want := s.token(n); want != "" && sameToken(tok, want) {
			name = n
			break
		}
	}
	if name == "" {
		// A valid token of another role is a mistake of the caller, not a
		// guess: counting it would throttle an editor (and the admin behind
		// the same address) for a minute after ten clicks on an admin page.
		if other := s.otherToken(tok, names); other != "" {
			s.Log.Info("token of another role refused", "client", client, "method", c.Request.Method, "route", routeOf(c),
				"token", other, "request_id", requestID(c))
			fail(c, http.StatusForbidden, fmt.Sprintf("this route needs the %s token; the %s token does not open it", names[0], other))
			return false
		}
		n := s.authThrottle().fail(client, time.Now())
		s.Log.Warn("authentication failed", "client", client, "method", c.Request.Method, "route", routeOf(c),
			"token_hint", tokenHint(tok), "failures_this_minute", n, "request_id", requestID(c))
		if n == s.authThrottle().limit {
			s.Log.Warn("client throttled: its authenticated requests get 429 for the rest of the minute", "client", client, "failures", n)
		}
		fail(c, http.StatusForbidden, "wrong "+names[0]+" token")
		return false
	}
	c.Set(ctxToken, name)
	return true
}

// otherToken returns the name of the configured token tok is when that
// token is not one of names, and "" when tok is no configured token.
func (s *Server) otherToken(tok string, names []string) string {
	for _, n := range []string{TokenAdmin, TokenEditor} {
		if slices.Contains(names, n) {
			continue
		}
		if want := s.token(n); want != "" && sameToken(tok, want) {
			return n
		}
	}
	return ""
}

// token returns the configured token of name.
func (s *Server) token(name string) string {
	switch name {
	case TokenAdmin:
		return s.AdminToken
	case TokenEditor:
		return s.EditorToken
	}
	return ""
}

// sameToken compares in constant time, also for different lengths.
func sameToken(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// tokenHint tells wrong tokens apart in the log without saying them: the
// length and the first 8 hex digits of the SHA-256.
func tokenHint(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return fmt.Sprintf("len=%d sha256=%s", len(tok), hex.EncodeToString(h[:4]))
}

func routeOf(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// auditBodyBytes is how much of a request body an audit record keeps.
const auditBodyBytes = 1024

// audited runs the rest of the chain and records it in the audit trail:
// token name, client, route, path and query parameters, the start of the
// body, status and, for a refusal or failure, its message. A record that
// cannot be written is an error in the log; the action has happened.
func (s *Server) audited(c *gin.Context) {
	start := time.Now()
	body := &headBuffer{max: auditBodyBytes}
	if c.Request.Body != nil {
		c.Request.Body = struct {
			io.Reader
			io.Closer
		}{io.TeeReader(c.Request.Body, body), c.Request.Body}
	}
	c.Next()
	if s.Audit == nil {
		return
	}
	r := &audit.Record{
		Time: start, Token: c.GetString(ctxToken), Client: c.ClientIP(),
		Method: c.Request.Method, Route: routeOf(c), Path: c.Request.URL.Path,
		Status: c.Writer.Status(), RequestID: requestID(c), Seconds: time.Since(start).Seconds(),
	}
	params := map[string]string{}
	for _, p := range c.Params {
		params[p.Key] = truncate(p.Value, 200)
	}
	for k, v := range c.Request.URL.Query() {
		params["query."+truncate(k, 40)] = truncate(strings.Join(v, ","), 200)
	}
	if body.Len() > 0 {
		b := bytes.ToValidUTF8(body.Bytes(), []byte("?"))
		params["body"] = string(b)
		if body.cut {
			params["body"] += "…"
		}
	}
	if len(params) > 0 {
		r.Params = params
	}
	if msg, ok := c.Get(ctxError); ok && r.Status >= 400 {
		r.Error = truncate(fmt.Sprint(msg), 300)
	}
	if err := s.Audit.Add(r); err != nil {
		s.Log.Error("audit record not written", "err", err, "route", r.Route, "token", r.Token, "client", r.Client, "status", r.Status)
	}
}

// headBuffer keeps the first max bytes written to it.
type headBuffer struct {
	bytes.Buffer
	max int
	cut bool
}

func (h *headBuffer) Write(p []byte) (int, error) {
	if room := h.max - h.Len(); room > 0 {
		keep := p[:min(room, len(p))]
		for len(keep) > 0 && len(keep) < len(p) && !utf8.Valid(keep) { // do not cut a character
			keep = keep[:len(keep)-1]
		}
		h.Buffer.Write(keep)
		h.cut = h.cut || len(keep) < len(p)
	} else if len(p) > 0 {
		h.cut = true
	}
	return len(p), nil
}

// throttle counts failed authentications per client address in windows
// of a minute.
type throttle struct {
	limit int // failures a minute before 429
	max   int // addresses remembered; a full table is cleared of old windows first

	mu sync.Mutex // protects seen
	// seen holds each address's window: its start and failures in it.
	seen map[string]window
}

type window struct {
	start time.Time
	n     int
}

func newThrottle(limit int) *throttle {
	return &throttle{limit: limit, max: 100000, seen: map[string]window{}}
}

// blocked returns how long addr must wait, 0 when it may try.
func (t *throttle) blocked(addr string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	w, ok := t.seen[addr]
	if !ok || now.Sub(w.start) >= time.Minute {
		return 0
	}
	if w.n >= t.limit {
		return w.start.Add(time.Minute).Sub(now)
	}
	return 0
}

// fail counts a failure of addr and returns the failures of its window.
func (t *throttle) fail(addr string, now time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	w, ok := t.seen[addr]
	if !ok || now.Sub(w.start) >= time.Minute {
		if !ok && len(t.seen) >= t.max {
			for a, w := range t.seen {
				if now.Sub(w.start) >= time.Minute {
					delete(t.seen, a)
				}
			}
		}
		w = window{start: now}
	}
	w.n++
	if len(t.seen) < t.max || ok {
		t.seen[addr] = w
	}
	return w.n
}

// authThrottle returns the server's throttle, made on first use.
func (s *Server) authThrottle() *throttle {
	s.throttleOnce.Do(func() {
		s.throttle = newThrottle(s.Limits.AuthFailures)
	})
	return s.throttle
}

// requireEditor guards the document writes: the editor token, or the
// admin token, which may do everything. Requests let through are audited.
func (s *Server) requireEditor(c *gin.Context) {
	s.requireToken(TokenEditor, TokenAdmin)(c)
}
