package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minsheng/corpus"
	"minsheng/errs"
	"minsheng/search"
)

// The handlers of the staff UI's pages: each reads its request, calls the
// services in process and renders its view model (ui_views.go).

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
		r.NoDocs = true // the page shows the hits' own fields
		p.Result, err = s.searchOnce(c.Request.Context(), r)
	}
	if err != nil {
		p.Alert, status = s.alertOf(c, err)
	}
	p.fill(v)
	s.render(c, status, "search", p)
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
	s.correctionView(p, d)
	p.Edit = s.docEditView(c, d)
	p.Doc = d
	p.DocTitle = d.Title
	if p.DocTitle == "" {
		p.DocTitle = corpus.DeriveTitle(d.Body)
	}
	p.Title = p.DocTitle
	p.KindLabel = kindName(d.Kind)
	if !d.Date.IsZero() {
		p.Date = d.Date.In(corpus.CST()).Format(time.DateOnly)
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
	add("责任编辑", d.Editor, "")
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
		msg := err.Error()
		if statusOf(err) == http.StatusInternalServerError { // its cause may hold server paths: it stays in the log
			msg = "服务器内部错误（请求编号 " + requestID(c) + "）"
		}
		p.SimilarErr = "相似文档暂时无法获取：" + msg
	} else {
		p.Similar = hitViews(res.Hits)
	}
	s.render(c, http.StatusOK, "doc", p)
}

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
	if err != nil && p.OnlySugg && errors.Is(err, errs.Invalid) && size != p.N {
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

func (s *Server) uiAdmin(c *gin.Context) {
	p := &adminPage{page: s.newPage("管理", "admin"), Enabled: s.AdminToken != ""}
	if !p.Enabled {
		p.Alert = &alert{Title: "管理功能未开启",
			Message: "服务器未设置管理令牌。请在启动服务前设置环境变量 MINSHENG_ADMIN_TOKEN（或配置文件中的 admin_token）。"}
	}
	s.render(c, http.StatusOK, "admin", p)
}

// uiAnalytics serves the analytics page: trends, handling units, keywords
// and handling figures of the query, each part showing its own error.
func (s *Server) uiAnalytics(c *gin.Context) {
	v := c.Request.URL.Query()
	p := s.analyticsForm(v)
	status := http.StatusOK
	r, err := searchRequest(v)
	if err != nil {
		p.Alert, status = s.alertOf(c, err)
		s.render(c, status, "analytics", p)
		return
	}
	a := s.Analyst
	if a == nil {
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
			return al.Title + "：" + al.Message
		}
		return al.Title + "：" + al.Message // a server's error stays in the log, as on a page of its own
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
	p.Sessions = s.sessionOptions(ctx, v.Get(corpus.FieldSession))
	if s.Handling != nil {
		var err error
		if p.Handling, err = s.uiHandling(ctx, s.Handling, r, v); err != nil {
			al, _ := s.alertOf(c, err)
			p.Handling.Err = al.Title + "：" + al.Message
		}
	}
	if p.Trends != nil {
		p.TrendChart = trendChart(p.Trends, 8)
	}
	if p.Units != nil {
		p.UnitChart = unitChart(p.Units, 15)
	}
	s.render(c, status, "analytics", p)
}

// analyticsForm is the analytics page of the query v before anything is
// counted: its form (query, dates, kind, interval, the other filters kept
// hidden) and the links of its two workbooks.
func (s *Server) analyticsForm(v url.Values) *analyticsPage {
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
		if f == "kind" || f == corpus.FieldSession { // chosen in the form
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
	return p
}
