package web

import (
	"html/template"
	"math"
	"net/url"
	"slices"
	"strings"

	"minsheng/corpus"
	"minsheng/search"
)

// The view models of the staff UI's pages, and the labels and formats
// their templates use.

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
	Modes           []option // how many words a document needs
	SuggestURL      string   // the search of the result's suggestion
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
	Others    []labeledHTML // the other texts with a match: the reply, units ...
}

// labeledHTML is a highlighted text and what the page calls it.
type labeledHTML struct {
	Label string
	HTML  template.HTML
}

// filterParams are the query-string names of the filters, in the order
// the facets are shown.
var filterParams = search.FacetFields()

// fill builds the view of the form, the chips, the facets, the hits and
// the page links from the query string and the result.
func (p *searchPage) fill(v url.Values) {
	selected := p.fillForm(v)
	p.fillMatching(v)
	ex := clone(v) // the export follows the search's mode too
	for _, k := range []string{"page", "size", "after", "facet_size"} {
		ex.Del(k)
	}
	p.ExportURL = "/api/v1/export.xlsx" + encodeQuery(ex)
	res := p.Result
	if res == nil {
		return
	}
	p.Hits = hitViews(res.Hits)
	p.fillFacets(v, res, selected)
	p.fillPages(v, res)
}

// fillForm builds the chips of the filters and dates of the query string
// v and the sort options, and returns the values selected of each filter.
func (p *searchPage) fillForm(v url.Values) (selected map[string][]string) {
	selected = map[string][]string{}
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
	return selected
}

// fillFacets builds the facets of the result, the first values of each
// and those selected shown, the rest behind "more"; each value links to
// the query string v with it added or, if selected, removed.
func (p *searchPage) fillFacets(v url.Values, res *search.Result, selected map[string][]string) {
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
}

// fillPages sets the range of hits shown and the links to the previous,
// next and nearby pages of the result.
func (p *searchPage) fillPages(v url.Values, res *search.Result) {
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

type docPage struct {
	page
	Doc        *corpus.Doc
	DocTitle   string
	KindLabel  string
	Date       string
	Fields     []field
	Topics     []topicView
	Correction correctionView
	Edit       *docEdit // 编辑; nil without live documents
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

// topicViews lists a document's topics: those given by the source first,
// then those the classifier assigned, with its score and the words that
// decided it.
func topicViews(d *corpus.Doc) []topicView {
	var out []topicView
	idx := map[string]int{}
	given := d.Topics // as indexed before Topics held every topic
	if d.PrimaryTopic != "" || d.GivenTopics != nil || d.TopicsCorrected {
		given = d.GivenTopics
	}
	for _, t := range d.AllTopics() {
		if _, dup := idx[t]; t == "" || dup {
			continue
		}
		idx[t] = len(out)
		out = append(out, topicView{Name: t, Given: slices.Contains(given, t)})
	}
	for _, t := range d.Inferred {
		i, ok := idx[t.Name]
		if !ok && d.TopicsCorrected {
			continue // staff removed it
		}
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
		for _, o := range search.OtherHighlights {
			frags := h.OtherHighlight(o.Key)
			var b strings.Builder
			for i, f := range frags {
				if i > 0 {
					b.WriteString("、")
				}
				b.WriteString(string(markedHTML(f)))
			}
			if b.Len() > 0 {
				hv.Others = append(hv.Others, labeledHTML{o.Label, template.HTML(b.String())})
			}
		}
		out = append(out, hv)
	}
	return out
}

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

type adminPage struct {
	page
	Enabled bool // an admin token is configured
}

// kindName is the Chinese name of a kind of document.
func kindName(k string) string {
	if k == "" {
		return "其他"
	}
	return corpus.KindLabel(k)
}

// facetName is the Chinese name of a facet.
func facetName(f string) string { return corpus.Label(f) }

// valueLabel is how a facet value reads: kinds by their Chinese name.
func valueLabel(facet, v string) string {
	if facet == corpus.FieldKind {
		return kindName(v)
	}
	return v
}

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
	Sessions                        []option      // the sessions to choose from
	Handling                        *handlingView // the handling figures, nil when the server has none
}

// fillMatching builds the mode options and the link of the result's
// did-you-mean suggestion.
func (p *searchPage) fillMatching(v url.Values) {
	modeNow := v.Get("mode")
	if modeNow == search.ModePartial {
		modeNow = ""
	}
	for _, o := range []option{{Value: "", Label: "全部词优先，其次部分匹配"}, {Value: search.ModeAll, Label: "必须包含全部检索词"}} {
		o.Selected = o.Value == modeNow
		p.Modes = append(p.Modes, o)
	}
	if p.Result == nil || p.Result.Suggestion == "" {
		return
	}
	sv := clone(v)
	sv.Set("q", p.Result.Suggestion)
	for _, k := range []string{"page", "after"} {
		sv.Del(k)
	}
	p.SuggestURL = "/" + encodeQuery(sv)
}
