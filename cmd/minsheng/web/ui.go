package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"minsheng/search"
)

// The staff web UI: server-rendered pages in Chinese (html/template), one
// stylesheet and one small script, all embedded. Pages call the same
// services as the JSON API, in process; the admin page alone talks to the
// admin JSON API from the browser, with the token the user typed.

//go:embed ui/*.html ui/static
var uiFiles embed.FS

// uiPageSize is how many hits a results page shows unless size says.
const uiPageSize = 20

// uiPages are the page templates by name, each the layout plus the page.
// They are parsed from the embedded files once; a template that does not
// parse fails every test of this package, like a compile error.
var uiPages = mustParsePages("search", "doc", "check", "analytics", "promises", "admin", "error", "newdoc")

// uiAssets are the embedded static files by name, with a content hash
// that versions their URLs (so they can be cached for long).
var uiAssets = mustLoadAssets()

type asset struct {
	body  []byte
	hash  string
	ctype string
}

func mustLoadAssets() map[string]asset {
	sub, err := fs.Sub(uiFiles, "ui/static")
	if err != nil {
		panic(err)
	}
	out := map[string]asset{}
	ents, err := fs.ReadDir(sub, ".")
	if err != nil {
		panic(err)
	}
	for _, e := range ents {
		b, err := fs.ReadFile(sub, e.Name())
		if err != nil {
			panic(err)
		}
		h := sha256.Sum256(b)
		ct := "application/octet-stream"
		switch path.Ext(e.Name()) {
		case ".css":
			ct = "text/css; charset=utf-8"
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".svg":
			ct = "image/svg+xml"
		}
		out[e.Name()] = asset{body: b, hash: hex.EncodeToString(h[:6]), ctype: ct}
	}
	return out
}

func mustParsePages(names ...string) map[string]*template.Template {
	funcs := template.FuncMap{
		"asset": func(name string) string {
			a, ok := uiAssets[name]
			if !ok {
				return "/static/" + name
			}
			return "/static/" + name + "?v=" + a.hash
		},
		"docURL": docURL,
		"join":   strings.Join,
		"paras":  paragraphs,
		"num":    func(n any) string { return groupDigits(fmt.Sprint(n)) },
		"ms":     func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
		"score":  func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
		"cut":    cutRunes,
		"inc":    func(i int) int { return i + 1 },
		"pct":    func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" },
		"sub":    func(a, b any) float64 { return toFloat(a) - toFloat(b) },
		"slice2": func(a, b *shareChart) []*shareChart { return []*shareChart{a, b} },
	}
	out := make(map[string]*template.Template, len(names))
	for _, n := range names {
		t := template.Must(template.New(n).Funcs(funcs).ParseFS(uiFiles, "ui/layout.html", "ui/"+n+".html"))
		out[n] = t
	}
	return out
}

// uiRoutes registers the pages of the staff UI on the root router.
func (s *Server) uiRoutes(r gin.IRouter) {
	ui := r.Group("", uiHeaders)
	ui.Match(getAndHead, "/", s.uiSearch)
	ui.Match(getAndHead, "/docs/:id", s.uiDoc)
	ui.Match(getAndHead, "/check", s.uiCheck)
	ui.POST("/check", s.uiCheck)
	ui.Match(getAndHead, "/analytics", s.uiAnalytics)
	ui.Match(getAndHead, "/promises", s.uiPromises)
	ui.Match(getAndHead, "/admin", s.uiAdmin)
	ui.Match(getAndHead, "/new", s.uiNewDoc)
	r.Match(getAndHead, "/static/:file", serveAsset)
}

// uiHeaders are the security headers of every page: nothing but this
// server's own scripts, styles and connections.
func uiHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
		"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	c.Next()
}

func serveAsset(c *gin.Context) {
	a, ok := uiAssets[c.Param("file")]
	if !ok {
		fail(c, http.StatusNotFound, "no such file: "+c.Request.URL.Path)
		return
	}
	c.Header("X-Content-Type-Options", "nosniff")
	if c.Query("v") == a.hash {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "no-cache")
	}
	c.Header("ETag", `"`+a.hash+`"`)
	if c.GetHeader("If-None-Match") == `"`+a.hash+`"` {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, a.ctype, a.body)
}

// page is what the layout of every page needs.
type page struct {
	Title      string
	Nav        string // the active item of the top nav
	Alert      *alert // an error to show; nil when all went well
	Generation string
}

// alert is an error shown on a page.
type alert struct {
	Title   string
	Message string
	Detail  string // the error in the API's English, folded under the message; may be ""
}

func (s *Server) newPage(title, nav string) page {
	p := page{Title: title, Nav: nav}
	if s.Live != nil {
		p.Generation = s.Live.Generation()
	}
	return p
}

// alertOf turns a service error into what the page shows, with its
// status from the one table, statusOf. 5xx errors are logged.
func (s *Server) alertOf(c *gin.Context, err error) (*alert, int) {
	st := statusOf(err)
	if st >= 500 {
		s.Log.Error("page failed", "path", c.Request.URL.Path, "status", st, "err", err, "request_id", requestID(c))
	}
	switch st {
	case http.StatusInternalServerError: // the cause may hold server paths: it stays in the log
		return &alert{Title: statusTitle(st), Message: "服务器内部错误（请求编号 " + requestID(c) + "）"}, st
	case http.StatusBadRequest: // staff read Chinese; the English is kept for whoever they report it to
		return &alert{Title: statusTitle(st), Message: invalidMessage(err), Detail: err.Error()}, st
	}
	return &alert{Title: statusTitle(st), Message: err.Error()}, st
}

func statusTitle(st int) string {
	switch st {
	case http.StatusBadRequest:
		return "请求有误，请检查输入"
	case http.StatusNotFound:
		return "未找到"
	case http.StatusRequestEntityTooLarge:
		return "提交的内容过长"
	case http.StatusServiceUnavailable:
		return "检索服务暂时不可用，请稍后再试"
	case http.StatusConflict:
		return "操作冲突"
	}
	return "服务器出错"
}

// render writes a page; when the template fails the user still gets a
// page that says so, never a blank one.
func (s *Server) render(c *gin.Context, status int, name string, data any) {
	var buf bytes.Buffer
	if err := uiPages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.Log.Error("render page", "page", name, "err", err)
		c.Data(http.StatusInternalServerError, "text/html; charset=utf-8", []byte(
			`<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>出错了</title>`+
				`<p role="alert">页面生成失败，请稍后再试或联系管理员。</p><p><a href="/">返回检索</a></p></html>`))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// searchOnce runs a search within the server's concurrency limit.
func (s *Server) searchOnce(ctx context.Context, r search.Request) (*search.Result, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return s.Search.Search(ctx, r)
}

// similarOnce finds similar documents within the concurrency limit.
func (s *Server) similarOnce(ctx context.Context, r search.SimilarRequest) (*search.Result, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return s.Search.Similar(ctx, r)
}

func (s *Server) renderError(c *gin.Context, status int, a *alert) {
	p := s.newPage(a.Title, "")
	p.Alert = a
	s.render(c, status, "error", p)
}
