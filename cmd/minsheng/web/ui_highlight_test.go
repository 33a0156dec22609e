package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"minsheng/corpus"
	"minsheng/search"
)

// othersSearcher answers with a hit the query matched in its reply and a
// unit only, as the search marks it there.
type othersSearcher struct{ *uiSearcher }

func (f othersSearcher) Search(ctx context.Context, r search.Request) (*search.Result, error) {
	res, err := f.uiSearcher.Search(ctx, r)
	if err != nil {
		return nil, err
	}
	res.Hits[0] = search.Hit{ID: "s-2", Kind: corpus.KindSuggestion, Title: "关于学生心理健康的建议",
		Units: []string{"省卫生健康委", "省教育厅"}, Reply: "省教育厅答复：……",
		Highlights: map[string][]string{"title": {}, "body": {},
			"reply": {"省<mark>教育</mark>厅答复：a &lt; b", "…第二段<mark>教育</mark>…"},
			"units": {"省<mark>教育</mark>厅", "<mark>x</mark><script>"}}}
	return res, nil
}

// TestUISearchOtherHighlights: a hit matched in its reply or units shows
// where, labeled, the reply's first fragment only, escaped as a body's.
func TestUISearchOtherHighlights(t *testing.T) {
	_, h := newUIServer(t, Options{Search: othersSearcher{&uiSearcher{}}})
	w := get(t, h, "/?q=%E6%95%99%E8%82%B2")
	wantPage(t, w, http.StatusOK,
		`<span class="k">答复</span>省<mark>教育</mark>厅答复：a &lt; b</p>`,
		`<span class="k">承办单位</span>省<mark>教育</mark>厅、&lt;mark&gt;x&lt;/mark&gt;&lt;script&gt;</p>`)
	if body := w.Body.String(); strings.Contains(body, "第二段") || strings.Contains(body, "<mark>x</mark><script>") {
		t.Error("more than the reply's first fragment, or markup from a hit, reached the page")
	}
}
