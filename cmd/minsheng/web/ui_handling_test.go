package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minsheng/export"
	"minsheng/search"
)

// TestAnalyticsPageHandling: 统计分析 shows the handling figures of the
// chosen session as charts, with the report's download, and the figures
// are the API's.
func TestAnalyticsPageHandling(t *testing.T) {
	_, h := newAPITestServer(t)
	var st struct {
		Total      int `json:"total"`
		UnitsCount int `json:"units_count"`
	}
	getJSON(t, h, "/api/v1/analytics/handling?session="+url.QueryEscape("十四届二次会议"), &st)
	code, body := do(t, h, "GET", "/analytics?session="+url.QueryEscape("十四届二次会议"), nil)
	page := string(body)
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, page)
	}
	for _, want := range []string{
		`id="handling"`, "建议办理情况",
		`href="/api/v1/export/handling.xlsx?session=` + url.QueryEscape("十四届二次会议") + `"`,
		"共收到代表建议 " + strconv.Itoa(st.Total) + " 件，交由 " + strconv.Itoa(st.UnitsCount) + " 家单位办理",
		"A类（已经解决或基本解决）", "基本满意", `<option value="十四届二次会议" selected>`,
		`aria-current="page">统计分析</a>`, `href="/promises"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if n := strings.Count(page, `<svg class="chart"`); n < 4 { // trends, units, classes, satisfaction
		t.Errorf("%d charts", n)
	}
}

// TestPromisesPage: 承诺跟踪 lists the B and C replies with their later
// suggestions and flags the planted repeats; bad input is a 400 page.
func TestPromisesPage(t *testing.T) {
	_, h := newAPITestServer(t)
	code, body := do(t, h, "GET", "/promises", nil)
	page := string(body)
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, page)
	}
	for _, want := range []string{`aria-current="page">承诺跟踪</a>`, `id="promises"`, "再次提出",
		"关于减轻城乡居民医保缴费负担的建议", "关于优化城乡居民基本医疗保险个人缴费政策的建议", `href="/api/v1/analytics/promises"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	code, body = do(t, h, "GET", "/promises?repeated=1&session="+url.QueryEscape("十三届三次会议"), nil)
	if code != http.StatusOK || strings.Count(string(body), `<tr class="repeated">`) == 0 ||
		strings.Contains(string(body), "关于加快马铃薯种薯繁育体系建设的建议") {
		t.Errorf("only repeated, one session: %d", code)
	}
	code, body = do(t, h, "GET", "/promises?overdue=perhaps", nil)
	if code != http.StatusBadRequest || !strings.Contains(string(body), `role="alert"`) {
		t.Errorf("a bad filter: %d", code)
	}
}

// TestHandlingReportRoute: GET /api/v1/export/handling.xlsx serves the
// yearly report whose 汇总 states the figures of
// GET /api/v1/analytics/handling for the same filters, with its file name.
func TestHandlingReportRoute(t *testing.T) {
	live, s := sampleSearcher(t)
	srv := New(Options{Search: s, Analyst: s, Handling: s, Live: live, Log: slog.New(slog.DiscardHandler)})
	es := search.New(live.Index(), search.Options{Limits: search.Limits{MaxSize: export.DefaultPageSize}, Keywords: s.Keywords})
	srv.Export = &Export{Exporter: &export.Exporter{Search: es, Handling: es, Generation: live.Generation}}
	h, err := srv.Handler(nil)
	if err != nil {
		t.Fatal(err)
	}
	q := "?session=" + url.QueryEscape("十四届三次会议")
	var st struct {
		Total      int `json:"total"`
		UnitsCount int `json:"units_count"`
		OnTime     int `json:"on_time"`
		ReplyClass []struct {
			Value string
			Count int
		} `json:"reply_class"`
		Overdue []string `json:"overdue"`
	}
	getJSON(t, h, "/api/v1/analytics/handling"+q, &st)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/export/handling.xlsx"+q, nil))
	if w.Code != 200 || !strings.Contains(w.Header().Get("Content-Disposition"), "minsheng-handling-") {
		t.Fatalf("status %d %q: %.300s", w.Code, w.Header().Get("Content-Disposition"), w.Body.Bytes())
	}
	x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows("汇总")
	got := map[string]string{}
	for _, r := range rows {
		if len(r) >= 2 {
			got[r[0]] = r[1]
		}
	}
	want := map[string]int{"建议总数": st.Total, "办理单位数": st.UnitsCount, "按期答复": st.OnTime, "逾期": len(st.Overdue)}
	for _, c := range st.ReplyClass {
		want["答复类别 "+c.Value+"类"] = c.Count
	}
	for k, n := range want {
		if got[k] != strconv.Itoa(n) {
			t.Errorf("汇总 %s = %q, the API %d", k, got[k], n)
		}
	}
	if st.Total == 0 || len(st.Overdue) == 0 {
		t.Errorf("the session gives too little to compare: %+v", st)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/export/handling.xlsx?overdue=maybe", nil))
	if w.Code != 400 {
		t.Errorf("overdue=maybe: %d", w.Code)
	}
}
