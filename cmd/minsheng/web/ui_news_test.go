package web

import (
	"net/http"
	"testing"

	"minsheng/corpus"
)

// TestUINewsDocumentPage: a news page read from a saved page shows its
// reporter, editor, source and the address it was saved from.
func TestUINewsDocumentPage(t *testing.T) {
	f := &uiSearcher{docs: map[string]*corpus.Doc{
		"t01": {ID: "t01", Kind: corpus.KindNews, Title: "河西走廊新建三座抽水蓄能电站", Body: "正文。",
			Author: "张明远", Editor: "李晓燕", Source: "陇原日报", URL: "https://www.example.cn/news/1.html"},
	}}
	_, h := newUIServer(t, Options{Search: f})
	wantPage(t, get(t, h, "/docs/t01"), http.StatusOK, "<dt>作者</dt><dd>张明远</dd>", "<dt>责任编辑</dt><dd>李晓燕</dd>",
		"陇原日报", `<a href="https://www.example.cn/news/1.html" rel="noopener noreferrer" target="_blank">`)
}
