package web

import (
	"net/url"
	"strings"
	"testing"
)

// The search page says what a partial hit lacks (缺少：), offers mode all,
// whose export keeps it, and a did-you-mean link for a pinyin typo.
func TestSearchPageMatching(t *testing.T) {
	_, h := newAPITestServer(t)
	page := func(query string) string {
		t.Helper()
		code, body := do(t, h, "GET", "/?"+query, nil)
		if code != 200 {
			t.Fatalf("%s: status %d", query, code)
		}
		return string(body)
	}
	q := "q=" + url.QueryEscape("乡村振兴 教育 医疗")
	partial := page(q)
	for _, want := range []string{`<p class="missing">缺少：<s>`, `id="total-exact"`, `<option value="all">必须包含全部检索词</option>`} {
		if !strings.Contains(partial, want) {
			t.Errorf("default mode: no %s", want)
		}
	}
	all := page(q + "&mode=all")
	if strings.Contains(all, `class="missing"`) || !strings.Contains(all, `<option value="all" selected>`) {
		t.Errorf("mode all: a hit lacks words, or the mode is not selected")
	}
	if !strings.Contains(all, `href="/api/v1/export.xlsx?mode=all&amp;q=`) {
		t.Errorf("mode all: the export does not keep the mode")
	}
	typo := page("q=" + url.QueryEscape("乡村振新"))
	if !strings.Contains(typo, `您是不是要找：<a href="/?q=%E4%B9%A1%E6%9D%91%E6%8C%AF%E5%85%B4">乡村振兴</a>`) {
		i := strings.Index(typo, "您是不是要找")
		t.Errorf("typo: no suggestion of 乡村振兴: %.300s", typo[max(0, i):])
	}
	if strings.Contains(page("q="+url.QueryEscape("乡村振兴")), "您是不是要找") {
		t.Errorf("a fine query has a suggestion")
	}
}
