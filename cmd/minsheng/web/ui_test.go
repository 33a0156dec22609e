package web

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"minsheng/corpus"
	"minsheng/errs"
	"minsheng/search"
)

func TestSafeMarked(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"", true},
		{"乡村振兴", true},
		{"关于<mark>乡村振兴</mark>的建议", true},
		{"<mark>a</mark>b<mark>c</mark>", true},
		{"&lt;script&gt;alert(1)&lt;/script&gt;", true},
		{"&amp; &quot; &apos; &#39; &#34; &#x27;", true},
		{"<mark>&lt;b&gt;</mark>", true},
		{"<script>alert(1)</script>", false},
		{"<b>x</b>", false},
		{"<mark>open", false},
		{"close</mark>", false},
		{"<mark><mark>x</mark></mark>", false},
		{"<MARK>x</MARK>", false},
		{"<mark >x</mark>", false},
		{"<mark>x</mark", false},
		{"<mark onclick=x>y</mark>", false},
		{"a > b", false},
		{"a & b", false},
		{"&foo;", false},
		{"&#;", false},
		{"&#12345678;", false},
		{"&lt", false},
		{`say "hi"`, false},
		{"it's", false},
		{"\x00", false},
	} {
		if got := safeMarked(tc.in); got != tc.want {
			t.Errorf("safeMarked(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestMarkedHTMLEscapesAnythingElse(t *testing.T) {
	for in, want := range map[string]string{
		"<mark>乡村</mark>振兴":               "<mark>乡村</mark>振兴",
		"<img src=x onerror=alert(1)>":    "&lt;img src=x onerror=alert(1)&gt;",
		"<mark>x</mark><script>":          "&lt;mark&gt;x&lt;/mark&gt;&lt;script&gt;",
		"&lt;script&gt;":                  "&lt;script&gt;",
		"<mark>a</mark>\"><svg onload=x>": "&lt;mark&gt;a&lt;/mark&gt;&#34;&gt;&lt;svg onload=x&gt;",
	} {
		if got := string(markedHTML(in)); got != want {
			t.Errorf("markedHTML(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzMarkedHTML: whatever comes in, what goes out has no tag but <mark>
// and </mark>, and the text it shows is the text that came in.
func FuzzMarkedHTML(f *testing.F) {
	for _, s := range []string{"<mark>a</mark>", "<script>", "&lt;", "a<mark>&amp;</mark>b", "<mark><b>", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := string(markedHTML(s))
		rest := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(out)
		if strings.ContainsAny(rest, "<>") {
			t.Fatalf("markedHTML(%q) = %q has another tag", s, out)
		}
		if !safeMarked(out) {
			t.Fatalf("markedHTML(%q) = %q is not safe by its own rule", s, out)
		}
		if safeMarked(s) && out != s {
			t.Fatalf("a safe fragment was changed: %q -> %q", s, out)
		}
		// the escaper shows NUL as U+FFFD
		if !safeMarked(s) && html.UnescapeString(out) != strings.ReplaceAll(s, "\x00", "\uFFFD") {
			t.Fatalf("unsafe %q shows as %q", s, html.UnescapeString(out))
		}
	})
}

func TestFilterLinks(t *testing.T) {
	v := url.Values{"q": {"乡村"}, "topic": {"教育,医疗"}, "page": {"3"}}
	if got, want := with(v, "kind", "news"), "/?kind=news&q="+url.QueryEscape("乡村")+"&topic="+url.QueryEscape("教育,医疗"); got != want {
		t.Errorf("with = %s, want %s", got, want)
	}
	got, _ := url.Parse(without(v, "topic", "教育"))
	if q := got.Query(); q.Get("page") != "" || strings.Join(q["topic"], "|") != "医疗" || q.Get("q") != "乡村" {
		t.Errorf("without topic 教育 = %s", got)
	}
	if got := without(url.Values{"from": {"2024-01-01"}}, "from", ""); got != "/" {
		t.Errorf("without from = %s", got)
	}
	if got := withPage(v, 1); strings.Contains(got, "page=") {
		t.Errorf("page 1 link %s names the page", got)
	}
}

// uiSearcher is a fake search service.
type uiSearcher struct {
	docs     map[string]*corpus.Doc
	err      error // returned by Search and Similar
	lastReq  search.Request
	lastSimi search.SimilarRequest
}

func (f *uiSearcher) Search(_ context.Context, r search.Request) (*search.Result, error) {
	f.lastReq = r
	if f.err != nil {
		return nil, f.err
	}
	res := &search.Result{Total: 2, TookMS: 1.5, Page: max(r.Page, 1), Size: r.Size, Facets: map[string][]search.Count{
		"topic": {{Value: "乡村振兴", Count: 2}, {Value: "教育", Count: 1}},
		"kind":  {{Value: corpus.KindSuggestion, Count: 2}},
	}}
	res.Hits = []search.Hit{{
		ID: "s-1", Kind: corpus.KindSuggestion, Title: "关于乡村振兴的建议", Date: "2024-01-02", Topics: []string{"乡村振兴"},
		Highlights: map[string][]string{"title": {"关于<mark>乡村振兴</mark>的建议"}, "body": {"…推动<mark>乡村振兴</mark>…"}},
		Delegation: "临夏代表团", Status: "已办结",
	}, {
		ID: "evil", Kind: corpus.KindNews, Title: "<b>bold</b>",
		Highlights: map[string][]string{"title": {"<mark>x</mark><img src=x onerror=alert(1)>"}},
	}}
	return res, nil
}

func (f *uiSearcher) Similar(_ context.Context, r search.SimilarRequest) (*search.Result, error) {
	f.lastSimi = r
	if f.err != nil {
		return nil, f.err
	}
	return &search.Result{Total: 2, Hits: []search.Hit{
		{ID: "n-1", Kind: corpus.KindNews, Title: "一则新闻", Shared: []string{"乡村"}},
		{ID: "s-1", Kind: corpus.KindSuggestion, Title: "关于乡村振兴的建议", Shared: []string{"乡村", "振兴"},
			Units: []string{"省农业农村厅", "省财政厅"}, Reply: "已经办理。", Highlights: map[string][]string{}},
	}}, nil
}

func (f *uiSearcher) Document(_ context.Context, id string) (*corpus.Doc, bool, error) {
	d, ok := f.docs[id]
	return d, ok, nil
}

func (f *uiSearcher) Total() (uint64, error) { return uint64(len(f.docs)), nil }

type uiLive struct{}

func (uiLive) Generation() string { return "gen-test" }

func newUIServer(t *testing.T, o Options) (*Server, http.Handler) {
	t.Helper()
	o.Live, o.Log, o.Limits = uiLive{}, slog.New(slog.DiscardHandler), Limits{MaxBodyBytes: 4096, SearchTimeout: time.Second}
	srv := New(o)
	h, err := srv.Handler(nil)
	if err != nil {
		t.Fatal(err)
	}
	return srv, h
}

func get(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

func postForm(t *testing.T, h http.Handler, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// wantPage checks status, content type and that body holds every want.
func wantPage(t *testing.T, w *httptest.ResponseRecorder, status int, wants ...string) {
	t.Helper()
	if w.Code != status {
		t.Errorf("status %d, want %d\n%s", w.Code, status, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("content type %q", ct)
	}
	for _, s := range wants {
		if !strings.Contains(w.Body.String(), s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func TestUISearchPage(t *testing.T) {
	f := &uiSearcher{}
	_, h := newUIServer(t, Options{Search: f})
	w := get(t, h, "/?q=%E4%B9%A1%E6%9D%91&topic=%E4%B9%A1%E6%9D%91%E6%8C%AF%E5%85%B4&page=1")
	wantPage(t, w, http.StatusOK,
		`<html lang="zh-CN">`, `aria-current="page">检索</a>`,
		`关于<mark>乡村振兴</mark>的建议`,                                       // the highlight as HTML
		`&lt;mark&gt;x&lt;/mark&gt;&lt;img src=x onerror=alert(1)&gt;`, // a bad one escaped
		`data-facet="topic" data-value="教育" data-count="1"`,
		`class="fv on"`, // the selected topic
		`aria-label="移除条件 主题：乡村振兴"`,
		`id="total" data-total="2"`,
		`href="/api/v1/export.xlsx?q=`,
		`"精确短语"`, `topic:乡村振兴`) // the help line
	if strings.Contains(w.Body.String(), "<img") || strings.Contains(w.Body.String(), "<b>bold") {
		t.Error("markup from a hit reached the page")
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	if f.lastReq.Size != uiPageSize || len(f.lastReq.Filters.Topic) != 1 {
		t.Errorf("request %+v", f.lastReq)
	}

	// an empty query lists everything newest first
	get(t, h, "/")
	if f.lastReq.Sort != search.SortDateDesc || f.lastReq.Query != "" {
		t.Errorf("empty query searched %+v", f.lastReq)
	}
}

func TestUISearchErrorsShowOnThePage(t *testing.T) {
	_, h := newUIServer(t, Options{Search: &uiSearcher{}})
	w := get(t, h, "/?q=x&from=2024-13-45")
	wantPage(t, w, http.StatusBadRequest, `role="alert"`, "请求有误", "2024-13-45", `name="q"`, `value="x"`)

	w = get(t, h, "/?page=abc")
	wantPage(t, w, http.StatusBadRequest, `role="alert"`, "page must be a whole number")

	_, h = newUIServer(t, Options{Search: &uiSearcher{err: fmt.Errorf("%w: no index is loaded", search.ErrUnavailable)}})
	wantPage(t, get(t, h, "/?q=x"), http.StatusServiceUnavailable, `role="alert"`, "检索服务暂时不可用", "no index is loaded")
}

func TestUIDocumentPage(t *testing.T) {
	f := &uiSearcher{docs: map[string]*corpus.Doc{
		"s-1": {
			ID: "s-1", Kind: corpus.KindSuggestion, Title: `关于<script>alert("x")</script>的建议`, Body: "第一段。\n第二段<b>。",
			Date: time.Date(2024, 1, 2, 0, 0, 0, 0, corpus.CST()), Author: "马文涛", Delegation: "临夏代表团", Session: "十四届二次会议",
			Number: "第12号", Units: []string{"省农业农村厅", "省财政厅"}, Status: "已办结", KeySupervised: true,
			Source: "省人大", Reply: "答复正文。", URL: "javascript:alert(1)",
			Topics:   []string{"三农"},
			Inferred: []corpus.Topic{{Name: "乡村振兴", Score: 12.5, Words: []string{"乡村", "振兴"}}, {Name: "三农", Score: 5, Words: []string{"农业"}}},
		},
	}}
	_, h := newUIServer(t, Options{Search: f})
	w := get(t, h, "/docs/s-1")
	wantPage(t, w, http.StatusOK,
		`关于&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;的建议`,
		"第二段&lt;b&gt;。", "答复正文。", "第12号", "十四届二次会议", "马文涛", "临夏代表团", "省农业农村厅、省财政厅",
		"已办结", "重点督办", "省人大", "2024-01-02",
		"来源标注", "得分 12.5", "<mark>乡村</mark>、<mark>振兴</mark>", "相似文档", "共同词：乡村、振兴")
	body := w.Body.String()
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<b>。") {
		t.Error("document markup reached the page")
	}
	if strings.Contains(body, `href="javascript:`) {
		t.Error("a javascript: URL became a link")
	}
	if f.lastSimi.ID != "s-1" {
		t.Errorf("similar asked %+v", f.lastSimi)
	}

	// similar documents that fail say so, a server's error by its request
	// id: its text may hold server paths
	f.err = errors.New("open /srv/minsheng/data: disk on fire")
	w = get(t, h, "/docs/s-1")
	wantPage(t, w, http.StatusOK, "答复正文。", "相似文档暂时无法获取：服务器内部错误（请求编号 ")
	if strings.Contains(w.Body.String(), "disk on fire") {
		t.Error("the document page shows a server error's text")
	}
	f.err = nil

	w = get(t, h, "/docs/no-such-doc")
	wantPage(t, w, http.StatusNotFound, `role="alert"`, "未找到该文档", "no-such-doc")
}

func TestUIDraftCheck(t *testing.T) {
	f := &uiSearcher{}
	_, h := newUIServer(t, Options{Search: f})
	wantPage(t, get(t, h, "/check"), http.StatusOK, `<textarea id="draft" name="text"`, `aria-current="page">建议查重</a>`)

	w := postForm(t, h, "/check", url.Values{"text": {"关于乡村振兴的建议草稿"}, "n": {"5"}, "only": {"1"}})
	wantPage(t, w, http.StatusOK, "关于乡村振兴的建议草稿", "共同词语（2 个）", "<mark class=\"word\">振兴</mark>",
		"省农业农村厅、省财政厅", "已经办理。", `href="/docs/s-1"`)
	if strings.Contains(w.Body.String(), "一则新闻") {
		t.Error("only suggestions were asked for, a news item is listed")
	}
	if f.lastSimi.Text != "关于乡村振兴的建议草稿" || f.lastSimi.ID != "" {
		t.Errorf("similar asked %+v", f.lastSimi)
	}

	w = postForm(t, h, "/check", url.Values{"text": {"关于乡村振兴的建议草稿"}, "n": {"10"}})
	wantPage(t, w, http.StatusOK, "一则新闻")

	wantPage(t, postForm(t, h, "/check", url.Values{"text": {"  "}}), http.StatusBadRequest, `role="alert"`, "请先粘贴")
	// a body past the limit without a length (chunked) is cut while read
	r := httptest.NewRequest(http.MethodPost, "/check", strings.NewReader(url.Values{"text": {strings.Repeat("长", 5000)}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.ContentLength = -1
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	wantPage(t, w, http.StatusRequestEntityTooLarge, `role="alert"`, "4096 字节")

	f.err = fmt.Errorf("%w: the text is 60000 characters long; the limit is 50000", errs.Invalid)
	wantPage(t, postForm(t, h, "/check", url.Values{"text": {"x"}, "n": {"5"}}), http.StatusBadRequest, "the limit is 50000")
}

func TestUIAdminPage(t *testing.T) {
	srv, h := newUIServer(t, Options{Search: &uiSearcher{}})
	wantPage(t, get(t, h, "/admin"), http.StatusOK, "管理功能未开启", "MINSHENG_ADMIN_TOKEN")
	srv.AdminToken = "x"
	w := get(t, h, "/admin")
	wantPage(t, w, http.StatusOK, `id="login"`, `type="password"`, "立即重建索引", "添加计划", "回滚")
	if strings.Contains(w.Body.String(), "管理功能未开启") {
		t.Error("admin page says it is off")
	}
}

func TestUIAnalyticsWithoutAnalytics(t *testing.T) {
	_, h := newUIServer(t, Options{Search: &uiSearcher{}})
	w := get(t, h, "/analytics")
	wantPage(t, w, http.StatusServiceUnavailable, `role="alert"`, "本服务器未提供统计分析")
	wantPage(t, get(t, h, "/analytics?from=nope"), http.StatusBadRequest, `role="alert"`, "nope")
}

// uiAnalyst is a fake search service with analytics.
type uiAnalyst struct {
	uiSearcher
	unitsErr error
}

func (a *uiAnalyst) Trends(_ context.Context, r search.Request, interval string) (*search.Trends, error) {
	return &search.Trends{Interval: "year", Periods: []string{"2023", "2024"}, Total: []int{3, 5}, Matched: 8,
		Topics: []search.TopicSeries{{Topic: "乡村<振兴>", Counts: []int{1, 4}, Total: 5}, {Topic: "教育", Counts: []int{2, 1}, Total: 3}}}, nil
}

func (a *uiAnalyst) TopKeywords(_ context.Context, r search.Request, size int) (*search.KeywordStats, error) {
	return &search.KeywordStats{Matched: 8, Sampled: 8, Keywords: []search.KeywordStat{{Word: "养老", Docs: 3}}}, nil
}

func (a *uiAnalyst) Units(_ context.Context, r search.Request) (*search.UnitStats, error) {
	if a.unitsErr != nil {
		return nil, a.unitsErr
	}
	return &search.UnitStats{Suggestions: 4, Completed: 3, Share: 0.75, Units: []search.UnitStat{
		{Unit: "省农业农村厅", Count: 3, Completed: 2, Share: 0.6667}, {Unit: "省财政厅", Count: 1, Completed: 1, Share: 1},
	}}, nil
}

func (a *uiAnalyst) Topics(_ context.Context, t search.Taxonomy) (*search.TopicList, error) {
	return &search.TopicList{}, nil
}

func TestUIAnalyticsCharts(t *testing.T) {
	a := &uiAnalyst{}
	_, h := newUIServer(t, Options{Search: a, Analyst: a})
	w := get(t, h, "/analytics?kind=suggestion&interval=year")
	wantPage(t, w, http.StatusOK, `aria-current="page">统计分析</a>`,
		"<svg class=\"chart\"", "<polyline", "乡村&lt;振兴&gt;（5）", // a topic name is escaped
		"省农业农村厅", "3 件 · 办结 67%", "75.0%",
		`href="/api/v1/export/trends.xlsx?interval=year&amp;kind=suggestion"`,
		`href="/api/v1/export/units.xlsx?kind=suggestion"`,
		`href="/?q=`+strings.ToLower(url.QueryEscape("养老"))+`"`)
	if strings.Contains(w.Body.String(), "乡村<振兴>") {
		t.Error("a topic name reached the chart unescaped")
	}

	a.unitsErr = errors.New("disk on fire")
	w = get(t, h, "/analytics")
	// one part fails, the others show; a server's error is told by its
	// request id, its text (which may hold server paths) kept for the log
	wantPage(t, w, http.StatusOK, "<polyline", `role="alert"`, "服务器内部错误（请求编号 ")
	if strings.Contains(w.Body.String(), "disk on fire") {
		t.Error("the analytics page shows a server error's text")
	}
}

func TestUIStaticAssets(t *testing.T) {
	_, h := newUIServer(t, Options{Search: &uiSearcher{}})
	for name, ctype := range map[string]string{"ui.css": "text/css", "ui.js": "text/javascript"} {
		w := get(t, h, "/static/"+name+"?v="+uiAssets[name].hash)
		if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), ctype) {
			t.Errorf("%s: %d %s", name, w.Code, w.Header().Get("Content-Type"))
		}
		if !strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
			t.Errorf("%s: versioned asset not cached: %q", name, w.Header().Get("Cache-Control"))
		}
	}
	if w := get(t, h, "/static/nope.js"); w.Code != http.StatusNotFound {
		t.Errorf("unknown asset: %d", w.Code)
	}
	// no page, stylesheet or script refers to another host
	for name, a := range uiAssets {
		if strings.Contains(string(a.body), "http://") || strings.Contains(string(a.body), "https://") || strings.Contains(string(a.body), "@import") {
			t.Errorf("%s refers to the network", name)
		}
	}
	for _, target := range []string{"/", "/check", "/admin", "/analytics", "/docs/x"} {
		body := get(t, h, target).Body.String()
		for _, s := range []string{`src="http`, `href="http`, "//cdn", "fonts.googleapis"} {
			if strings.Contains(body, s) {
				t.Errorf("%s refers to the network: %q", target, s)
			}
		}
	}
}

func TestNiceCeil(t *testing.T) {
	for in, want := range map[int]int{0: 1, 1: 1, 2: 2, 3: 5, 7: 10, 10: 10, 11: 20, 48: 50, 51: 100, 230: 500} {
		if got := niceCeil(in); got != want {
			t.Errorf("niceCeil(%d) = %d, want %d", in, got, want)
		}
	}
}
