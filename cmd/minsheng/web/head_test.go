package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"minsheng/corpus"
)

// TestHeadOfPages: HEAD of /healthz, each UI page and a static file
// answers as GET does (status and content type) without a body; gin
// answered every HEAD 405.
func TestHeadOfPages(t *testing.T) {
	f := &uiSearcher{docs: map[string]*corpus.Doc{"s-1": {ID: "s-1", Kind: corpus.KindSuggestion, Title: "关于乡村振兴的建议", Body: "正文"}}}
	_, h := newUIServer(t, Options{Search: f})
	ts := httptest.NewServer(h)
	defer ts.Close()
	for _, target := range []string{"/healthz", "/", "/?q=教育", "/docs/s-1", "/docs/no-such-doc", "/check", "/analytics", "/promises", "/admin", "/new", "/static/ui.css"} {
		get, err := http.Get(ts.URL + target)
		if err != nil {
			t.Fatal(err)
		}
		get.Body.Close()
		head, err := http.Head(ts.URL + target)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(head.Body)
		head.Body.Close()
		if head.StatusCode == http.StatusMethodNotAllowed || head.StatusCode != get.StatusCode ||
			head.Header.Get("Content-Type") != get.Header.Get("Content-Type") || len(body) != 0 {
			t.Errorf("HEAD %s: %d %q with %d bytes; GET: %d %q", target, head.StatusCode, head.Header.Get("Content-Type"), len(body),
				get.StatusCode, get.Header.Get("Content-Type"))
		}
	}
}
