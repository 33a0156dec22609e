package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"minsheng/corpus"
	"minsheng/search"
)

// The handling of suggestions in the staff UI: the figures of 统计分析
// for the chosen session, and the page 承诺跟踪.

// shareChart is a bar chart of shares (reply classes, satisfaction),
// laid out on the server in the units of its viewBox.
type shareChart struct {
	W, H   int
	LabelW float64
	Bars   []shareBar
	Desc   string
}

type shareBar struct {
	Label, Value, Title, Color string
	X, Y, W, H, LabelY, ValueX float64
}

// shareChartOf lays out one bar per value, its length its share.
func shareChartOf(what string, shares []search.Share, label func(string) string) *shareChart {
	const (
		w, labelW, barH, gap, top = 560.0, 150.0, 24.0, 10.0, 8.0
		valueW                    = 110.0
	)
	c := &shareChart{W: int(w), LabelW: labelW}
	var desc []string
	for i, s := range shares {
		y := top + float64(i)*(barH+gap)
		l := label(s.Value)
		v := fmt.Sprintf("%d 件（%.1f%%）", s.Count, s.Share*100)
		c.Bars = append(c.Bars, shareBar{Label: l, Value: v, Title: l + "：" + v, Color: chartColors[i%len(chartColors)],
			X: labelW, Y: y, W: max(s.Share*(w-labelW-valueW), 0), H: barH, LabelY: y + barH/2 + 5,
			ValueX: labelW + s.Share*(w-labelW-valueW) + 6})
		desc = append(desc, l+" "+v)
	}
	c.H = int(top*2 + float64(len(shares))*(barH+gap))
	c.Desc = what + "：" + strings.Join(desc, "，")
	return c
}

// classLabel is how a reply class reads in the UI: A类（已经解决或基本解决）.
func classLabel(v string) string {
	if m := corpus.ClassMeaning(v); m != "" {
		return v + "类（" + m + "）"
	}
	return v
}

// handlingView is the handling part of 统计分析.
type handlingView struct {
	Stats                *search.HandlingStats
	Err                  string
	ClassChart, SatChart *shareChart
	XLSX                 string
	Sessions             []option
}

// sessionOptions are the sessions of the indexed suggestions, for a
// select, with "all sessions" first.
func (s *Server) sessionOptions(ctx context.Context, selected string) []option {
	out := []option{{Value: "", Label: "全部届次", Selected: selected == ""}}
	res, err := s.searchOnce(ctx, search.Request{Size: 1, FacetSize: 100, NoHighlight: true,
		Filters: search.Filters{Kind: []string{corpus.KindSuggestion}}})
	if err != nil {
		return out
	}
	for _, c := range res.Facets[corpus.FieldSession] {
		out = append(out, option{Value: c.Value, Label: c.Value, Selected: c.Value == selected})
	}
	return out
}

// uiHandling fills the handling part of 统计分析 for r.
func (s *Server) uiHandling(ctx context.Context, a HandlingAnalyst, r search.Request, v url.Values) (*handlingView, error) {
	h := &handlingView{}
	ex := clone(v)
	for _, k := range []string{"page", "size", "after", "facet_size", "interval"} {
		ex.Del(k)
	}
	h.XLSX = "/api/v1/export/handling.xlsx" + encodeQuery(ex)
	release, err := s.acquire(ctx)
	if err != nil {
		return h, err
	}
	defer release()
	if h.Stats, err = a.Handling(ctx, r); err != nil {
		return h, err
	}
	h.ClassChart = shareChartOf("答复类别", h.Stats.ReplyClass, classLabel)
	h.SatChart = shareChartOf("代表满意度", h.Stats.Satisfaction, func(v string) string { return v })
	return h, nil
}

// promisesPage is the page 承诺跟踪.
type promisesPage struct {
	page
	Query    string
	Sessions []option
	Result   *search.Promises
	OnlyRep  bool // only the promises raised again
	Shown    []search.Promise
	JSON     string
}

// uiPromises shows, for each B or C reply of the chosen suggestions, the
// later suggestions most like it, and whether the matter came back.
func (s *Server) uiPromises(c *gin.Context) {
	v := c.Request.URL.Query()
	p := &promisesPage{page: s.newPage("承诺跟踪", "promises"), Query: v.Get("q"), OnlyRep: v.Get("repeated") == "1"}
	p.Sessions = s.sessionOptions(c.Request.Context(), v.Get(corpus.FieldSession))
	ex := clone(v)
	ex.Del("repeated")
	p.JSON = "/api/v1/analytics/promises" + encodeQuery(ex)
	status := http.StatusOK
	a := s.Handling
	if a == nil {
		p.Alert, status = &alert{Title: statusTitle(http.StatusServiceUnavailable), Message: "本服务器未提供承诺跟踪。"}, http.StatusServiceUnavailable
		s.render(c, status, "promises", p)
		return
	}
	r, err := searchRequest(v)
	if err == nil {
		var release func()
		if release, err = s.acquire(c.Request.Context()); err == nil {
			p.Result, err = a.Promises(c.Request.Context(), r)
			release()
		}
	}
	if err != nil {
		p.Alert, status = s.alertOf(c, err)
		s.render(c, status, "promises", p)
		return
	}
	for _, pr := range p.Result.Promises {
		if !p.OnlyRep || pr.Repeated {
			p.Shown = append(p.Shown, pr)
		}
	}
	s.render(c, status, "promises", p)
}
