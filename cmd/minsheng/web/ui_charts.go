package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"minsheng/search"
)

// The charts of the analytics page: SVG laid out on the server, so the
// page needs no script to draw them.

// chartColors tell the series of a chart apart; they stay readable on
// white and for the commonest colour blindness.
var chartColors = []string{"#a4161a", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"}

// lineChart is an SVG line chart laid out on the server: every number
// below is in the units of its viewBox.
type lineChart struct {
	W, H           int
	Left, Right    float64
	Top, Bottom    float64
	XLabels        []chartLabel
	YTicks         []chartLabel
	Series         []chartSeries
	Desc           string
	Periods        []string   // for the data table
	Table          [][]string // topic, counts…, total
	PeriodsShown   int
	TopicsShown    int
	TopicsInAll    int
	TruncatedTopic bool
}

type chartLabel struct {
	X, Y float64
	Text string
}

type chartSeries struct {
	Name, Color string
	Points      string // for <polyline points>
	Dots        []chartDot
	Total       int
}

type chartDot struct {
	X, Y  float64
	Title string
}

// niceCeil rounds n up to 1, 2 or 5 times a power of ten, at least 1.
func niceCeil(n int) int {
	if n <= 1 {
		return 1
	}
	p := 1
	for p*10 < n {
		p *= 10
	}
	for _, m := range []int{1, 2, 5, 10} {
		if m*p >= n {
			return m * p
		}
	}
	return 10 * p
}

// trendChart draws the documents of the top topics per period.
func trendChart(t *search.Trends, topics int) *lineChart {
	ch := &lineChart{W: 800, H: 320, Left: 48, Right: 16, Top: 16, Bottom: 44,
		Periods: t.Periods, PeriodsShown: len(t.Periods), TopicsInAll: len(t.Topics)}
	if len(t.Periods) == 0 {
		return ch
	}
	shown := t.Topics
	if len(shown) > topics {
		shown, ch.TruncatedTopic = shown[:topics], true
	}
	ch.TopicsShown = len(shown)
	maxN := 1
	for _, ts := range shown {
		for _, n := range ts.Counts {
			maxN = max(maxN, n)
		}
	}
	top := niceCeil(maxN)
	plotW, plotH := float64(ch.W)-ch.Left-ch.Right, float64(ch.H)-ch.Top-ch.Bottom
	x := func(i int) float64 {
		if len(t.Periods) == 1 {
			return ch.Left + plotW/2
		}
		return ch.Left + plotW*float64(i)/float64(len(t.Periods)-1)
	}
	y := func(n int) float64 { return ch.Top + plotH*(1-float64(n)/float64(top)) }
	ticks := 5
	if top < ticks {
		ticks = top
	}
	for i := 0; i <= ticks; i++ {
		n := top * i / ticks
		ch.YTicks = append(ch.YTicks, chartLabel{X: ch.Left - 8, Y: y(n), Text: strconv.Itoa(n)})
	}
	every := max(1, int(math.Ceil(float64(len(t.Periods))/12))) // at most 12 labels
	for i, pname := range t.Periods {
		if i%every == 0 || i == len(t.Periods)-1 {
			ch.XLabels = append(ch.XLabels, chartLabel{X: x(i), Y: float64(ch.H) - ch.Bottom + 20, Text: pname})
		}
	}
	var desc []string
	for si, ts := range shown {
		se := chartSeries{Name: ts.Topic, Color: chartColors[si%len(chartColors)], Total: ts.Total}
		var pts []string
		for i, n := range ts.Counts {
			px, py := x(i), y(n)
			pts = append(pts, strconv.FormatFloat(px, 'f', 1, 64)+","+strconv.FormatFloat(py, 'f', 1, 64))
			se.Dots = append(se.Dots, chartDot{X: px, Y: py, Title: fmt.Sprintf("%s %s：%d 篇", t.Periods[i], ts.Topic, n)})
		}
		se.Points = strings.Join(pts, " ")
		ch.Series = append(ch.Series, se)
		desc = append(desc, fmt.Sprintf("%s 共 %d 篇", ts.Topic, ts.Total))
	}
	ch.Desc = fmt.Sprintf("%s 至 %s 各主题文档数：%s", t.Periods[0], t.Periods[len(t.Periods)-1], strings.Join(desc, "，"))
	for _, ts := range t.Topics {
		row := []string{ts.Topic}
		for _, n := range ts.Counts {
			row = append(row, strconv.Itoa(n))
		}
		ch.Table = append(ch.Table, append(row, strconv.Itoa(ts.Total)))
	}
	return ch
}

// barChart is an SVG horizontal bar chart of handling units: each bar is
// the unit's suggestions, its darker part the completed ones.
type barChart struct {
	W, H      int
	LabelW    float64
	Bars      []chartBar
	Desc      string
	Shown     int
	InAll     int
	Completed string // colours
	Open      string
}

type chartBar struct {
	Y, H         float64
	Label, Full  string
	LabelY       float64
	X, W, DoneW  float64
	ValueX       float64
	Value, Title string
}

func unitChart(u *search.UnitStats, rows int) *barChart {
	ch := &barChart{W: 800, LabelW: 210, InAll: len(u.Units), Completed: "#a4161a", Open: "#f1c3c4"}
	units := u.Units
	if len(units) > rows {
		units = units[:rows]
	}
	ch.Shown = len(units)
	const rowH, barH, top = 30.0, 18.0, 8.0
	ch.H = int(top + rowH*float64(len(units)) + 8)
	maxN := 1
	for _, x := range units {
		maxN = max(maxN, x.Count)
	}
	plotW := float64(ch.W) - ch.LabelW - 120 // room for the value text
	var desc []string
	for i, x := range units {
		yy := top + rowH*float64(i)
		w := plotW * float64(x.Count) / float64(maxN)
		done := plotW * float64(x.Completed) / float64(maxN)
		pct := strconv.FormatFloat(x.Share*100, 'f', 0, 64) + "%"
		ch.Bars = append(ch.Bars, chartBar{
			Y: yy + (rowH-barH)/2, H: barH, LabelY: yy + rowH/2 + 4,
			Label: cutRunes(12, x.Unit), Full: x.Unit,
			X: ch.LabelW, W: math.Max(w, 1), DoneW: done, ValueX: ch.LabelW + w + 6,
			Value: fmt.Sprintf("%d 件 · 办结 %s", x.Count, pct),
			Title: fmt.Sprintf("%s：建议 %d 件，已办结/已答复 %d 件（%s），重点督办 %d 件", x.Unit, x.Count, x.Completed, pct, x.KeySupervised),
		})
		desc = append(desc, fmt.Sprintf("%s %d 件", x.Unit, x.Count))
	}
	ch.Desc = "各承办单位建议件数：" + strings.Join(desc, "，")
	return ch
}
