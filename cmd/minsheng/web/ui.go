package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minsheng/corpus"
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
var uiPages = mustParsePages("search", "doc", "check", "analytics", "admin", "error")

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
	ui.GET("/", s.uiSearch)
	ui.GET("/docs/:id", s.uiDoc)
	ui.GET("/check", s.uiCheck)
	ui.POST("/check", s.uiCheck)
	ui.GET("/analytics", s.uiAnalytics)
	ui.GET("/admin", s.uiAdmin)
	r.GET("/static/:file", serveAsset)
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
		s.Log.Error("page failed", "path", c.Request.URL.Path, "status", st, "err", err)
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

// ---- search page ----

type searchPage struct {
	page
	Query, From, To string
	Hidden          []hidden // current filters, kept when the form is sent again
	Chips           []chip
	ClearURL        string
	Result          *search.Result
	Hits            []hitView
	Facets          []facetView
	Sorts           []option
	Pages           []pageLink
	Prev, Next      string
	ExportURL       string
	First, Last     int // positions of the hits shown
}

type hidden struct{ Name, Value string }

// chip is a selected filter, with the address that removes it.
type chip struct{ Label, URL string }

type option struct {
	Value, Label string
	Selected     bool
}

type pageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool // an ellipsis instead of a link
}

type facetView struct {
	Name, Label string
	Values      []facetValue
	More        []facetValue // shown folded
}

type facetValue struct {
	Facet        string
	Value, Label string
	Count        int
	Selected     bool
	URL          string // adds the filter, or removes it when selected
}

type hitView struct {
	search.Hit
	KindLabel string
	TitleHTML template.HTML
	Fragments []template.HTML
}

// filterParams are the query-string names of the filters, in the order
// the facets are shown.
var filterParams = search.FacetFields

func (s *Server) uiSearch(c *gin.Context) {
	v := c.Request.URL.Query()
	p := &searchPage{page: s.newPage("检索", "search"),
		Query: v.Get("q"), From: v.Get("from"), To: v.Get("to")}
	if p.Query != "" {
		p.Title = p.Query + " - 检索"
	}
	status := http.StatusOK
	r, err := searchRequest(v)
	if err == nil {
		if r.Size == 0 {
			r.Size = uiPageSize
		}
		if r.Query == "" && v.Get("sort") == "" {
			r.Sort = search.SortDateDesc // an empty query lists everything newest first
		}
		p.Result, err = s.searchOnce(c.Request.Context(), r)
	}
	if err != nil {
		p.Alert, status = s.alertOf(c, err)
	}
	p.fill(v)
	s.render(c, status, "search", p)
}

// fill builds the view of the form, the chips, the facets, the hits and
// the page links from the query string and the result.
func (p *searchPage) fill(v url.Values) {
	selected := map[string][]string{}
	for _, f := range filterParams {
		selected[f] = list(v, f)
		for _, val := range selected[f] {
			p.Hidden = append(p.Hidden, hidden{f, val})
			p.Chips = append(p.Chips, chip{facetName(f) + "：" + valueLabel(f, val), without(v, f, val)})
		}
	}
	for _, d := range []struct{ name, label string }{{"from", "起"}, {"to", "止"}} {
		if x := strings.TrimSpace(v.Get(d.name)); x != "" {
			p.Chips = append(p.Chips, chip{d.label + "：" + x, without(v, d.name, "")})
		}
	}
	if len(p.Chips) > 0 {
		keep := url.Values{}
		if p.Query != "" {
			keep.Set("q", p.Query)
		}
		p.ClearURL = "/" + encodeQuery(keep)
	}
	// The default order is by relevance, or newest first when there is
	// no query; it is sent as no sort at all, so that a query typed on
	// the page of everything is ranked by relevance.
	sortNow := v.Get("sort")
	if sortNow == search.SortRelevance {
		sortNow = ""
	}
	def := "默认（相关度）"
	if p.Query == "" {
		def = "默认（最新在前）"
	}
	for _, o := range []option{{Value: "", Label: def}, {Value: search.SortDateDesc, Label: "最新在前"}, {Value: search.SortDate, Label: "最早在前"}} {
		o.Selected = o.Value == sortNow
		p.Sorts = append(p.Sorts, o)
	}
	ex := clone(v)
	for _, k := range []string{"page", "size", "after", "facet_size"} {
		ex.Del(k)
	}
	p.ExportURL = "/api/v1/export.xlsx" + encodeQuery(ex)
	res := p.Result
	if res == nil {
		return
	}
	p.Hits = hitViews(res.Hits)
	for _, f := range filterParams {
		fv := facetView{Name: f, Label: facetName(f)}
		counts := res.Facets[f]
		for i, cnt := range counts {
			sel := slices.Contains(selected[f], cnt.Value)
			val := facetValue{Facet: f, Value: cnt.Value, Label: valueLabel(f, cnt.Value), Count: cnt.Count, Selected: sel}
			if sel {
				val.URL = without(v, f, cnt.Value)
			} else {
				val.URL = with(v, f, cnt.Value)
			}
			if i < 8 || sel {
				fv.Values = append(fv.Values, val)
			} else {
				fv.More = append(fv.More, val)
			}
		}
		if len(counts) > 0 {
			p.Facets = append(p.Facets, fv)
		}
	}
	size := max(res.Size, 1)
	if len(res.Hits) > 0 {
		p.First = (res.Page-1)*size + 1
		p.Last = p.First + len(res.Hits) - 1
	}
	// pages beyond the default page depth of the search are not offered
	last := int(min(uint64(math.Ceil(float64(res.Total)/float64(size))), uint64(10000/size)))
	if last <= 1 {
		return
	}
	cur := res.Page
	if cur > 1 {
		p.Prev = withPage(v, cur-1)
	}
	if cur < last {
		p.Next = withPage(v, cur+1)
	}
	gap := false
	for n := 1; n <= last; n++ {
		if n == 1 || n == last || (n >= cur-2 && n <= cur+2) {
			p.Pages = append(p.Pages, pageLink{N: n, URL: withPage(v, n), Current: n == cur})
			gap = false
		} else if !gap {
			p.Pages = append(p.Pages, pageLink{Gap: true})
			gap = true
		}
	}
}

func clone(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vals := range v {
		out[k] = slices.Clone(vals)
	}
	return out
}

// encodeQuery is "?"+v.Encode(), or "" for no values.
func encodeQuery(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// with is the search address of v plus the filter key=val, from page 1.
func with(v url.Values, key, val string) string {
	out := clone(v)
	out.Del("page")
	out.Del("after")
	out.Add(key, val)
	return "/" + encodeQuery(out)
}

// without is the search address of v less the filter key=val (or all of
// key when val is ""), from page 1. A value may sit in a comma list.
func without(v url.Values, key, val string) string {
	out := clone(v)
	out.Del("page")
	out.Del("after")
	if val == "" {
		out.Del(key)
	} else {
		rest := slices.DeleteFunc(list(v, key), func(x string) bool { return x == val })
		out.Del(key)
		for _, x := range rest {
			out.Add(key, x)
		}
	}
	return "/" + encodeQuery(out)
}

func withPage(v url.Values, n int) string {
	out := clone(v)
	out.Del("after")
	if n <= 1 {
		out.Del("page")
	} else {
		out.Set("page", strconv.Itoa(n))
	}
	return "/" + encodeQuery(out)
}

// ---- document page ----

type docPage struct {
	page
	Doc        *corpus.Doc
	DocTitle   string
	KindLabel  string
	Date       string
	Fields     []field
	Topics     []topicView
	Similar    []hitView
	SimilarErr string
}

type field struct {
	Label, Value, URL string
	Wide              bool // takes a whole row
}

type topicView struct {
	Name     string
	URL      string
	Given    bool // 来源标注: given by the source
	Inferred bool
	Score    float64
	Words    []string
}

func (s *Server) uiDoc(c *gin.Context) {
	id := c.Param("id")
	p := &docPage{page: s.newPage("文档", "search")}
	d, ok, err := s.Search.Document(c.Request.Context(), id)
	if err != nil {
		a, st := s.alertOf(c, err)
		s.renderError(c, st, a)
		return
	}
	if !ok {
		s.renderError(c, http.StatusNotFound, &alert{Title: "未找到该文档",
			Message: fmt.Sprintf("没有编号为 %q 的文档。它可能已被删除，或链接有误。", truncate(id, 100))})
		return
	}
	p.Doc = d
	p.DocTitle = d.Title
	if p.DocTitle == "" {
		p.DocTitle = corpus.DeriveTitle(d.Body)
	}
	p.Title = p.DocTitle
	p.KindLabel = kindName(d.Kind)
	if !d.Date.IsZero() {
		p.Date = d.Date.In(search.CST).Format(time.DateOnly)
	}
	add := func(label, value, u string) {
		if value != "" {
			p.Fields = append(p.Fields, field{Label: label, Value: value, URL: u, Wide: len([]rune(value)) > 10})
		}
	}
	add("类型", p.KindLabel, "/?kind="+url.QueryEscape(d.Kind))
	add("编号", d.Number, "")
	add("届次/会议", d.Session, "")
	person := "代表"
	if d.Kind != corpus.KindSuggestion && d.Kind != corpus.KindProposal {
		person = "作者"
	}
	add(person, d.Author, "")
	add("代表团", d.Delegation, "/?delegation="+url.QueryEscape(d.Delegation))
	add("承办单位", strings.Join(d.Units, "、"), "")
	add("办理状态", d.Status, "/?status="+url.QueryEscape(d.Status))
	if d.Kind == corpus.KindSuggestion || d.KeySupervised {
		ks := "否"
		if d.KeySupervised {
			ks = "是"
		}
		add("重点督办", ks, "")
	}
	add("来源", d.Source, "/?source="+url.QueryEscape(d.Source))
	add("日期", p.Date, "")
	add("分类", d.Category, "")
	link := ""
	if u, err := url.Parse(d.URL); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		link = d.URL
	}
	add("原文链接", d.URL, link)
	add("文档编号", d.ID, "")
	p.Topics = topicViews(d)
	res, err := s.similarOnce(c.Request.Context(), search.SimilarRequest{ID: d.ID, Size: 5})
	if err != nil {
		if statusOf(err) >= 500 {
			s.Log.Error("similar documents", "id", d.ID, "err", err)
		}
		p.SimilarErr = "相似文档暂时无法获取：" + err.Error()
	} else {
		p.Similar = hitViews(res.Hits)
	}
	s.render(c, http.StatusOK, "doc", p)
}

// topicViews lists a document's topics: those given by the source first,
// then those the classifier assigned, with its score and the words that
// decided it.
func topicViews(d *corpus.Doc) []topicView {
	var out []topicView
	idx := map[string]int{}
	for _, t := range d.Topics {
		if _, dup := idx[t]; t == "" || dup {
			continue
		}
		idx[t] = len(out)
		out = append(out, topicView{Name: t, Given: true})
	}
	for _, t := range d.Inferred {
		i, ok := idx[t.Name]
		if !ok {
			i = len(out)
			idx[t.Name] = i
			out = append(out, topicView{Name: t.Name})
		}
		out[i].Inferred, out[i].Score, out[i].Words = true, t.Score, t.Words
	}
	for i := range out {
		out[i].URL = "/?topic=" + url.QueryEscape(out[i].Name)
	}
	return out
}

func hitViews(hits []search.Hit) []hitView {
	out := make([]hitView, 0, len(hits))
	for _, h := range hits {
		hv := hitView{Hit: h, KindLabel: kindName(h.Kind), TitleHTML: markedHTML(h.Title)}
		if t := h.Highlights["title"]; len(t) > 0 {
			hv.TitleHTML = markedHTML(t[0])
		}
		for _, f := range h.Highlights["body"] {
			hv.Fragments = append(hv.Fragments, markedHTML(f))
		}
		if len(hv.Fragments) == 0 && h.Snippet != "" {
			hv.Fragments = []template.HTML{markedHTML(h.Snippet)}
		}
		out = append(out, hv)
	}
	return out
}

func (s *Server) renderError(c *gin.Context, status int, a *alert) {
	p := s.newPage(a.Title, "")
	p.Alert = a
	s.render(c, status, "error", p)
}

// ---- 建议查重 (draft check) ----

type checkPage struct {
	page
	Text       string
	N          int
	Sizes      []option
	OnlySugg   bool
	Checked    bool // a draft was sent
	Hits       []hitView
	TookMS     float64
	Considered int // hits before the kind filter
}

// checkSizes are the numbers of similar suggestions one may ask for.
var checkSizes = []int{5, 10, 20}

func (s *Server) uiCheck(c *gin.Context) {
	p := &checkPage{page: s.newPage("建议查重", "check"), N: 5, OnlySugg: true}
	status := http.StatusOK
	if c.Request.Method == http.MethodPost {
		if err := c.Request.ParseForm(); err != nil {
			var mbe *http.MaxBytesError
			st := http.StatusBadRequest
			msg := "表单无法读取：" + err.Error()
			if errors.As(err, &mbe) {
				st, msg = http.StatusRequestEntityTooLarge, fmt.Sprintf("提交的内容超过 %d 字节，请删减后再试。", s.Limits.MaxBodyBytes)
			}
			p.Alert, status = &alert{Title: statusTitle(st), Message: msg}, st
		} else {
			status = s.check(c, p)
		}
	}
	for _, n := range checkSizes {
		p.Sizes = append(p.Sizes, option{Value: strconv.Itoa(n), Label: strconv.Itoa(n) + " 条", Selected: n == p.N})
	}
	s.render(c, status, "check", p)
}

// check runs the draft of the posted form and fills the page; it
// returns the status of the page.
func (s *Server) check(c *gin.Context, p *checkPage) int {
	f := c.Request.PostForm
	p.Text = f.Get("text")
	p.OnlySugg = f.Get("only") == "1"
	if n, err := strconv.Atoi(f.Get("n")); err == nil && slices.Contains(checkSizes, n) {
		p.N = n
	}
	if strings.TrimSpace(p.Text) == "" {
		p.Alert = &alert{Title: statusTitle(http.StatusBadRequest), Message: "请先粘贴建议草稿的内容。"}
		return http.StatusBadRequest
	}
	p.Checked = true
	size := p.N
	if p.OnlySugg {
		size = p.N * 5 // other kinds are dropped below
	}
	res, err := s.similarOnce(c.Request.Context(), search.SimilarRequest{Text: p.Text, Size: size})
	if err != nil && p.OnlySugg && errors.Is(err, search.ErrInvalid) && size != p.N {
		res, err = s.similarOnce(c.Request.Context(), search.SimilarRequest{Text: p.Text, Size: p.N})
	}
	if err != nil {
		a, st := s.alertOf(c, err)
		p.Alert, p.Checked = a, false
		return st
	}
	hits := res.Hits
	p.Considered = len(hits)
	if p.OnlySugg {
		hits = slices.DeleteFunc(slices.Clone(hits), func(h search.Hit) bool { return h.Kind != corpus.KindSuggestion })
	}
	if len(hits) > p.N {
		hits = hits[:p.N]
	}
	p.Hits, p.TookMS = hitViews(hits), res.TookMS
	return http.StatusOK
}

// ---- admin ----

type adminPage struct {
	page
	Enabled bool // an admin token is configured
}

func (s *Server) uiAdmin(c *gin.Context) {
	p := &adminPage{page: s.newPage("管理", "admin"), Enabled: s.AdminToken != ""}
	if !p.Enabled {
		p.Alert = &alert{Title: "管理功能未开启",
			Message: "服务器未设置管理令牌。请在启动服务前设置环境变量 MINSHENG_ADMIN_TOKEN（或配置文件中的 admin_token）。"}
	}
	s.render(c, http.StatusOK, "admin", p)
}

// ---- helpers of the templates ----

// markedHTML returns a highlighted fragment of the search package as HTML
// when it holds nothing but escaped text and <mark>…</mark>; anything
// else is escaped whole, so a fragment can never carry markup of its own.
func markedHTML(s string) template.HTML {
	if safeMarked(s) {
		return template.HTML(s)
	}
	return template.HTML(template.HTMLEscapeString(s))
}

// safeMarked reports whether s is escaped text with balanced, unnested
// <mark> and </mark> tags and no other markup: no other tag, no bare '<'
// '>' or quote, and '&' only as a character reference.
func safeMarked(s string) bool {
	open := false
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			switch {
			case !open && strings.HasPrefix(s[i:], "<mark>"):
				open, i = true, i+len("<mark>")
			case open && strings.HasPrefix(s[i:], "</mark>"):
				open, i = false, i+len("</mark>")
			default:
				return false
			}
		case '>', '"', '\'', 0:
			return false
		case '&':
			n := charRef(s[i:])
			if n == 0 {
				return false
			}
			i += n
		default:
			i++
		}
	}
	return !open
}

// charRef returns the length of the character reference s starts with
// (&lt; &gt; &amp; &quot; &apos; &#39; &#x27;), or 0.
func charRef(s string) int {
	for _, named := range []string{"&lt;", "&gt;", "&amp;", "&quot;", "&apos;"} {
		if strings.HasPrefix(s, named) {
			return len(named)
		}
	}
	if !strings.HasPrefix(s, "&#") {
		return 0
	}
	i, hex := 2, false
	if i < len(s) && (s[i] == 'x' || s[i] == 'X') {
		i, hex = i+1, true
	}
	start := i
	for i < len(s) && i-start < 7 && (isDigit(s[i]) || hex && isHexLetter(s[i])) {
		i++
	}
	if i == start || i >= len(s) || s[i] != ';' {
		return 0
	}
	return i + 1
}

func isDigit(b byte) bool     { return '0' <= b && b <= '9' }
func isHexLetter(b byte) bool { return 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F' }

var kindNames = map[string]string{
	corpus.KindSuggestion: "代表建议", corpus.KindReply: "答复", corpus.KindNews: "新闻",
	corpus.KindProposal: "政协提案", corpus.KindPolicy: "政策文件", corpus.KindReport: "工作报告",
}

// kindName is the Chinese name of a kind of document.
func kindName(k string) string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	if k == "" {
		return "其他"
	}
	return k
}

var facetNames = map[string]string{
	"topic": "主题", "kind": "类型", "year": "年份", "delegation": "代表团",
	"unit": "承办单位", "status": "办理状态", "source": "来源",
}

// facetName is the Chinese name of a facet.
func facetName(f string) string {
	if n, ok := facetNames[f]; ok {
		return n
	}
	return f
}

// valueLabel is how a facet value reads: kinds by their Chinese name.
func valueLabel(facet, v string) string {
	if facet == "kind" {
		return kindName(v)
	}
	return v
}

func docURL(id string) string { return "/docs/" + url.PathEscape(id) }

// paragraphs splits a text into its non-empty lines.
func paragraphs(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// cutRunes shortens s to n characters, with an ellipsis.
func cutRunes(n int, s string) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

// groupDigits writes 12345 as 12,345.
func groupDigits(s string) string {
	if len(s) <= 3 || strings.ContainsAny(s, ".-e") {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	b.WriteString(s[:pre])
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// ---- analytics ----

type analyticsPage struct {
	page
	Query, From, To, Kind, Interval string
	Kinds                           []option
	Intervals                       []option
	Hidden                          []hidden
	Trends                          *search.Trends
	TrendChart                      *lineChart
	TrendErr                        string
	Units                           *search.UnitStats
	UnitChart                       *barChart
	UnitErr                         string
	Keywords                        *search.KeywordStats
	KeywordErr                      string
	TrendsXLSX, UnitsXLSX           string
}

// chartColors tell the series of a chart apart; they stay readable on
// white and for the commonest colour blindness.
var chartColors = []string{"#a4161a", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"}

func (s *Server) uiAnalytics(c *gin.Context) {
	v := c.Request.URL.Query()
	p := &analyticsPage{page: s.newPage("统计分析", "analytics"), Query: v.Get("q"), From: v.Get("from"),
		To: v.Get("to"), Kind: v.Get("kind"), Interval: v.Get("interval")}
	if p.Interval == "" {
		p.Interval = search.IntervalYear
	}
	for _, o := range []option{{Value: "", Label: "全部类型"}, {Value: corpus.KindSuggestion}, {Value: corpus.KindReply},
		{Value: corpus.KindNews}, {Value: corpus.KindProposal}, {Value: corpus.KindPolicy}, {Value: corpus.KindReport}} {
		if o.Label == "" {
			o.Label = kindName(o.Value)
		}
		o.Selected = o.Value == p.Kind
		p.Kinds = append(p.Kinds, o)
	}
	for _, o := range []option{{Value: search.IntervalYear, Label: "按年"}, {Value: search.IntervalMonth, Label: "按月"}} {
		o.Selected = o.Value == p.Interval
		p.Intervals = append(p.Intervals, o)
	}
	for _, f := range filterParams {
		if f == "kind" {
			continue
		}
		for _, val := range list(v, f) {
			p.Hidden = append(p.Hidden, hidden{f, val})
		}
	}
	ex := clone(v)
	for _, k := range []string{"page", "size", "after", "facet_size"} {
		ex.Del(k)
	}
	p.TrendsXLSX = "/api/v1/export/trends.xlsx" + encodeQuery(ex)
	ex.Del("interval")
	p.UnitsXLSX = "/api/v1/export/units.xlsx" + encodeQuery(ex)

	status := http.StatusOK
	r, err := searchRequest(v)
	if err != nil {
		p.Alert, status = s.alertOf(c, err)
		s.render(c, status, "analytics", p)
		return
	}
	a, ok := s.Search.(Analyst)
	if !ok {
		p.Alert, status = &alert{Title: statusTitle(http.StatusServiceUnavailable), Message: "本服务器未提供统计分析。"}, http.StatusServiceUnavailable
		s.render(c, status, "analytics", p)
		return
	}
	ctx := c.Request.Context()
	// each part fails alone: its message shows in its place
	section := func(run func() error) string {
		release, err := s.acquire(ctx)
		if err == nil {
			err = run()
			release()
		}
		if err == nil {
			return ""
		}
		al, st := s.alertOf(c, err)
		if st == http.StatusBadRequest {
			// a bad request is the same for every part: say it once, on top
			p.Alert, status = al, st
		}
		return al.Title + "：" + err.Error()
	}
	p.TrendErr = section(func() (err error) {
		p.Trends, err = a.Trends(ctx, r, v.Get("interval"))
		return err
	})
	if p.Alert != nil {
		s.render(c, status, "analytics", p)
		return
	}
	p.UnitErr = section(func() (err error) {
		p.Units, err = a.Units(ctx, r)
		return err
	})
	p.KeywordErr = section(func() (err error) {
		p.Keywords, err = a.TopKeywords(ctx, r, 30)
		return err
	})
	if p.Trends != nil {
		p.TrendChart = trendChart(p.Trends, 8)
	}
	if p.Units != nil {
		p.UnitChart = unitChart(p.Units, 15)
	}
	s.render(c, status, "analytics", p)
}

// lineChart is an SVG line chart laid out on the server: every number
// below is in the units of its viewBox.
type lineChart struct {
	W, H           int
	Left, Right    float64
	Top, Bottom    float64
	XLabels        []chartLabel
	YTicks         []chartLabel
	Series         []chartSeries
	Desc           string
	Periods        []string   // for the data table
	Table          [][]string // topic, counts…, total
	PeriodsShown   int
	TopicsShown    int
	TopicsInAll    int
	TruncatedTopic bool
}

type chartLabel struct {
	X, Y float64
	Text string
}

type chartSeries struct {
	Name, Color string
	Points      string // for <polyline points>
	Dots        []chartDot
	Total       int
}

type chartDot struct {
	X, Y  float64
	Title string
}

// niceCeil rounds n up to 1, 2 or 5 times a power of ten, at least 1.
func niceCeil(n int) int {
	if n <= 1 {
		return 1
	}
	p := 1
	for p*10 < n {
		p *= 10
	}
	for _, m := range []int{1, 2, 5, 10} {
		if m*p >= n {
			return m * p
		}
	}
	return 10 * p
}

// trendChart draws the documents of the top topics per period.
func trendChart(t *search.Trends, topics int) *lineChart {
	ch := &lineChart{W: 800, H: 320, Left: 48, Right: 16, Top: 16, Bottom: 44,
		Periods: t.Periods, PeriodsShown: len(t.Periods), TopicsInAll: len(t.Topics)}
	if len(t.Periods) == 0 {
		return ch
	}
	shown := t.Topics
	if len(shown) > topics {
		shown, ch.TruncatedTopic = shown[:topics], true
	}
	ch.TopicsShown = len(shown)
	maxN := 1
	for _, ts := range shown {
		for _, n := range ts.Counts {
			maxN = max(maxN, n)
		}
	}
	top := niceCeil(maxN)
	plotW, plotH := float64(ch.W)-ch.Left-ch.Right, float64(ch.H)-ch.Top-ch.Bottom
	x := func(i int) float64 {
		if len(t.Periods) == 1 {
			return ch.Left + plotW/2
		}
		return ch.Left + plotW*float64(i)/float64(len(t.Periods)-1)
	}
	y := func(n int) float64 { return ch.Top + plotH*(1-float64(n)/float64(top)) }
	ticks := 5
	if top < ticks {
		ticks = top
	}
	for i := 0; i <= ticks; i++ {
		n := top * i / ticks
		ch.YTicks = append(ch.YTicks, chartLabel{X: ch.Left - 8, Y: y(n), Text: strconv.Itoa(n)})
	}
	every := max(1, int(math.Ceil(float64(len(t.Periods))/12))) // at most 12 labels
	for i, pname := range t.Periods {
		if i%every == 0 || i == len(t.Periods)-1 {
			ch.XLabels = append(ch.XLabels, chartLabel{X: x(i), Y: float64(ch.H) - ch.Bottom + 20, Text: pname})
		}
	}
	var desc []string
	for si, ts := range shown {
		se := chartSeries{Name: ts.Topic, Color: chartColors[si%len(chartColors)], Total: ts.Total}
		var pts []string
		for i, n := range ts.Counts {
			px, py := x(i), y(n)
			pts = append(pts, strconv.FormatFloat(px, 'f', 1, 64)+","+strconv.FormatFloat(py, 'f', 1, 64))
			se.Dots = append(se.Dots, chartDot{X: px, Y: py, Title: fmt.Sprintf("%s %s：%d 篇", t.Periods[i], ts.Topic, n)})
		}
		se.Points = strings.Join(pts, " ")
		ch.Series = append(ch.Series, se)
		desc = append(desc, fmt.Sprintf("%s 共 %d 篇", ts.Topic, ts.Total))
	}
	ch.Desc = fmt.Sprintf("%s 至 %s 各主题文档数：%s", t.Periods[0], t.Periods[len(t.Periods)-1], strings.Join(desc, "，"))
	for _, ts := range t.Topics {
		row := []string{ts.Topic}
		for _, n := range ts.Counts {
			row = append(row, strconv.Itoa(n))
		}
		ch.Table = append(ch.Table, append(row, strconv.Itoa(ts.Total)))
	}
	return ch
}

// barChart is an SVG horizontal bar chart of handling units: each bar is
// the unit's suggestions, its darker part the completed ones.
type barChart struct {
	W, H      int
	LabelW    float64
	Bars      []chartBar
	Desc      string
	Shown     int
	InAll     int
	Completed string // colours
	Open      string
}

type chartBar struct {
	Y, H         float64
	Label, Full  string
	LabelY       float64
	X, W, DoneW  float64
	ValueX       float64
	Value, Title string
}

func unitChart(u *search.UnitStats, rows int) *barChart {
	ch := &barChart{W: 800, LabelW: 210, InAll: len(u.Units), Completed: "#a4161a", Open: "#f1c3c4"}
	units := u.Units
	if len(units) > rows {
		units = units[:rows]
	}
	ch.Shown = len(units)
	const rowH, barH, top = 30.0, 18.0, 8.0
	ch.H = int(top + rowH*float64(len(units)) + 8)
	maxN := 1
	for _, x := range units {
		maxN = max(maxN, x.Count)
	}
	plotW := float64(ch.W) - ch.LabelW - 120 // room for the value text
	var desc []string
	for i, x := range units {
		yy := top + rowH*float64(i)
		w := plotW * float64(x.Count) / float64(maxN)
		done := plotW * float64(x.Completed) / float64(maxN)
		pct := strconv.FormatFloat(x.Share*100, 'f', 0, 64) + "%"
		ch.Bars = append(ch.Bars, chartBar{
			Y: yy + (rowH-barH)/2, H: barH, LabelY: yy + rowH/2 + 4,
			Label: cutRunes(12, x.Unit), Full: x.Unit,
			X: ch.LabelW, W: math.Max(w, 1), DoneW: done, ValueX: ch.LabelW + w + 6,
			Value: fmt.Sprintf("%d 件 · 办结 %s", x.Count, pct),
			Title: fmt.Sprintf("%s：建议 %d 件，已办结/已答复 %d 件（%s），重点督办 %d 件", x.Unit, x.Count, x.Completed, pct, x.KeySupervised),
		})
		desc = append(desc, fmt.Sprintf("%s %d 件", x.Unit, x.Count))
	}
	ch.Desc = "各承办单位建议件数：" + strings.Join(desc, "，")
	return ch
}
