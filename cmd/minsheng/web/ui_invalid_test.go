package web

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	alertMsg    = regexp.MustCompile(`<p class="alert-msg">([^<]*)</p>`)
	alertDetail = regexp.MustCompile(`<details class="alert-detail"><summary>[^<]*</summary><code>([^<]*)</code></details>`)
)

// TestUIInvalidInputInChinese: the staff UI says what is wrong with a
// bad page, size, date, year, sort, mode, topic_scope, filter or interval
// in Chinese, with the API's English only folded below it (it showed
// "invalid request: page must be 1 or more, not -1" as the message).
func TestUIInvalidInputInChinese(t *testing.T) {
	_, h := newAPITestServer(t)
	for _, c := range []struct {
		params, zh, en string
	}{
		{"page=-1", "页码应是 1 或更大的整数", "page must be 1 or more, not -1"},
		{"page=0", "页码应是 1 或更大的整数", "page must not be 0"},
		{"page=abc", "页码应是 1 或更大的整数", "page must be a whole number"},
		{"page=100000", "页码太靠后", "deeper than"},
		{"size=1000", "每页条数", "size must be between"},
		{"size=x", "每页条数", "size must be a whole number"},
		{"from=2024-13-45", "起始日期无法识别", `from: invalid request: date "2024-13-45" is not a date`},
		{"to=yesterday", "截止日期无法识别", `to: invalid request: date "yesterday" is not a date`},
		{"from=2024-05-01&to=2024-01-01", "截止日期早于起始日期", "ends (2024-01-01) before it starts"},
		{"year=24", "年份应是四位数字", "year must be four digits"},
		{"sort=title", "排序方式无法识别", "sort must be relevance"},
		{"mode=any", "匹配方式无法识别", "mode must be partial or all"},
		{"topic_scope=main", "主题范围无法识别", "topic_scope"},
		{"overdue=maybe", "筛选条件“逾期”的取值无法识别", "overdue must be"},
	} {
		target := "/?q=" + url.QueryEscape("教育") + "&" + c.params
		checkInvalidPage(t, h, target, c.zh, c.en)
	}
	checkInvalidPage(t, h, "/?q="+url.QueryEscape("教育 year:24"), "年份应是四位数字", "year must be four digits")
	checkInvalidPage(t, h, "/analytics?q="+url.QueryEscape("教育")+"&interval=week", "统计周期只能是按年", "interval must be year or month")
	checkInvalidPage(t, h, "/promises?year=24", "年份应是四位数字", "year must be four digits")
}

// checkInvalidPage wants target to be a 400 page whose alert says zh and
// keeps en folded in its details, and nowhere else.
func checkInvalidPage(t *testing.T, h http.Handler, target, zh, en string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	b, _ := io.ReadAll(w.Body)
	body := string(b)
	msg, detail := alertMsg.FindStringSubmatch(body), alertDetail.FindStringSubmatch(body)
	switch {
	case w.Code != http.StatusBadRequest:
		t.Errorf("%s: status %d, want 400", target, w.Code)
	case msg == nil || !strings.Contains(msg[1], zh):
		t.Errorf("%s: alert message %q, want %q", target, msg, zh)
	case detail == nil || !strings.Contains(html.UnescapeString(detail[1]), en):
		t.Errorf("%s: folded detail %q, want %q", target, detail, en)
	case strings.Count(html.UnescapeString(body), en) != 1:
		t.Errorf("%s: %q shows outside the folded detail", target, en)
	}
}
