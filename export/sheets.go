package export

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"minsheng/corpus"
	"minsheng/search"
)

// Labels of rows and columns for documents without a topic, unit or date.
const (
	noTopic = "（未分类）"
	noUnit  = "（未列承办单位）"
	noDate  = "日期不详"
)

// chartSeries is the most topics 趋势's chart draws: the largest.
const chartSeries = 8

// trends counts documents by topic and year while the rows stream by.
type trends struct {
	counts map[string]map[int]int // topic -> year (0: undated) -> documents
	years  map[int]bool
	scope  string // the request's topic scope (search.ScopedTopics)
}

// newTrends counts by the topics of the request's scope: each document
// under every topic it carries, or under its primary topic alone, as
// search counts the topic facet.
func newTrends(r search.Request) *trends {
	return &trends{counts: map[string]map[int]int{}, years: map[int]bool{}, scope: r.TopicScope}
}

func (t *trends) add(h *search.Hit) {
	y := yearOf(h)
	t.years[y] = true
	topics := search.ScopedTopics(t.scope, h.Topics)
	if len(topics) == 0 {
		topics = []string{noTopic}
	}
	for _, tp := range topics {
		m := t.counts[tp]
		if m == nil {
			m = map[int]int{}
			t.counts[tp] = m
		}
		m[y]++
	}
}

// trends writes 趋势: one row per topic, one column per year (ascending),
// 日期不详 when some documents have no date, and 合计; topics with the most
// documents first and the unclassified last. A line chart (column chart
// for a single year) draws the largest topics over the years.
func (b *book) trends(t *trends) error {
	const name = "趋势"
	years := t.datedYears()
	cols := []column{{title: "主题", width: 22}}
	for _, y := range years {
		cols = append(cols, column{title: strconv.Itoa(y) + "年", width: 9})
	}
	if t.years[0] {
		cols = append(cols, column{title: noDate, width: 10})
	}
	cols = append(cols, column{title: "合计", width: 9})
	lines := t.lines()
	rows := make([][]any, len(lines))
	for i, l := range lines {
		row := []any{cellText(l.topic)}
		for _, y := range years {
			row = append(row, t.counts[l.topic][y])
		}
		if t.years[0] {
			row = append(row, t.counts[l.topic][0])
		}
		rows[i] = append(row, l.total)
	}
	var extra [][]any
	if len(lines) == 0 {
		extra = [][]any{{"没有结果"}}
	}
	extra = append(extra, []any{"一篇文档有多个主题时，在每个主题各计一次；合计为各主题的文档数。"})
	if err := b.table(name, cols, rows, extra); err != nil {
		return err
	}
	if len(years) == 0 || len(lines) == 0 || lines[0].topic == noTopic {
		return nil // nothing to draw
	}
	at, _ := excelize.CoordinatesToCellName(len(cols)+2, 2)
	if err := b.f.AddChart(name, at, trendsChart(name, years, lines)); err != nil {
		return fmt.Errorf("sheet %s chart: %w", name, err)
	}
	return nil
}

// datedYears is the years counted, undated (0) excepted, ascending.
func (t *trends) datedYears() []int {
	var years []int
	for y := range t.years {
		if y != 0 {
			years = append(years, y)
		}
	}
	sort.Ints(years)
	return years
}

// trendLine is one topic's row of 趋势: its topic and its documents.
type trendLine struct {
	topic string
	total int
}

// lines is the rows of 趋势: topics with the most documents first and the
// unclassified last.
func (t *trends) lines() []trendLine {
	var lines []trendLine
	for tp, m := range t.counts {
		n := 0
		for _, c := range m {
			n += c
		}
		lines = append(lines, trendLine{tp, n})
	}
	sort.Slice(lines, func(i, j int) bool { // the unclassified last
		if (lines[i].topic == noTopic) != (lines[j].topic == noTopic) {
			return lines[j].topic == noTopic
		}
		if lines[i].total != lines[j].total {
			return lines[i].total > lines[j].total
		}
		return lines[i].topic < lines[j].topic
	})
	return lines
}

// trendsChart is the chart of the sheet name (趋势) of years and lines:
// the largest topics over the years, as lines, or as columns for a single
// year.
func trendsChart(name string, years []int, lines []trendLine) *excelize.Chart {
	lastYear, _ := excelize.ColumnNumberToName(1 + len(years))
	ref := "'" + name + "'!"
	chart := &excelize.Chart{
		Type:      excelize.Line,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "各主题文档数（按年份）"}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Dimension: excelize.ChartDimension{Width: 720, Height: 420},
		XAxis:     excelize.ChartAxis{Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "年份"}}}},
		YAxis: excelize.ChartAxis{MajorGridLines: true,
			Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "文档数"}}}},
	}
	if len(years) == 1 {
		chart.Type = excelize.Col
	}
	for i := range min(len(lines), chartSeries) {
		if lines[i].topic == noTopic {
			break // the chart draws topics, not the unclassified rest
		}
		r := strconv.Itoa(i + 2)
		s := excelize.ChartSeries{
			Name:       ref + "$A$" + r,
			Categories: ref + "$B$1:$" + lastYear + "$1",
			Values:     ref + "$B$" + r + ":$" + lastYear + "$" + r,
		}
		if chart.Type == excelize.Line {
			s.Marker = excelize.ChartMarker{Symbol: "circle", Size: 5}
		}
		chart.Series = append(chart.Series, s)
	}
	return chart
}

// units counts suggestions by handling unit while the rows stream by.
type units struct {
	by  map[string]*unitCount
	all unitCount // every suggestion once
}

type unitCount struct{ docs, done, key int }

func (c *unitCount) add(done, key bool) {
	c.docs++
	if done {
		c.done++
	}
	if key {
		c.key++
	}
}

func newUnits() *units { return &units{by: map[string]*unitCount{}} }

func (u *units) add(h *search.Hit) {
	if h.Kind != corpus.KindSuggestion {
		return
	}
	done := search.Completed(strings.TrimSpace(h.Status))
	u.all.add(done, h.KeySupervised)
	seen := make(map[string]bool, len(h.Units))
	for _, name := range h.Units {
		if name = strings.TrimSpace(name); name == "" || seen[name] {
			continue
		}
		seen[name] = true
		u.count(name).add(done, h.KeySupervised)
	}
	if len(seen) == 0 {
		u.count(noUnit).add(done, h.KeySupervised)
	}
}

func (u *units) count(name string) *unitCount {
	c := u.by[name]
	if c == nil {
		c = &unitCount{}
		u.by[name] = c
	}
	return c
}

func share(c unitCount) float64 {
	if c.docs == 0 {
		return 0
	}
	return float64(c.done) / float64(c.docs)
}

// units writes 办理情况: per handling unit the suggestions it handles, how
// many are completed (search.Completed: 已办结 or 已答复, as
// /api/v1/analytics/units counts them), their share, and how many are
// key-supervised; units with the most suggestions first. A total row below
// the filtered range counts each suggestion once.
func (b *book) units(u *units) error {
	cols := []column{
		{title: "承办单位", width: 30}, {title: "建议数", width: 9}, {title: "已办结（含已答复）", width: 18},
		{title: "办结率", width: 9, style: b.percent}, {title: "重点督办", width: 9},
	}
	names := make([]string, 0, len(u.by))
	for n := range u.by {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, c := u.by[names[i]], u.by[names[j]]
		if a.docs != c.docs {
			return a.docs > c.docs
		}
		return names[i] < names[j]
	})
	rows := make([][]any, len(names))
	for i, n := range names {
		c := *u.by[n]
		rows[i] = []any{cellText(n), c.docs, c.done, share(c), c.key}
	}
	extra := [][]any{{"合计（每件建议计一次）", u.all.docs, u.all.done, share(u.all), u.all.key}}
	if u.all.docs == 0 {
		extra = append(extra, []any{"结果中没有代表建议"})
	}
	extra = append(extra, []any{"一件建议有多个承办单位时，在每个单位各计一次；已办结包括办理状态为“" +
		strings.Join(search.CompletedStatuses(), "”和“") + "”的建议。"})
	return b.table("办理情况", cols, rows, extra)
}

// stats writes 统计: the facet counts of the whole result set, as the
// index counted them, facet by facet.
func (b *book) stats(facets map[string][]search.Count, size int) error {
	var rows [][]any
	for _, name := range search.FacetFields() {
		for _, c := range facets[name] {
			rows = append(rows, []any{facetLabels[name], cellText(corpus.ValueLabel(name, c.Value)), c.Count})
		}
	}
	extra := [][]any{{fmt.Sprintf("计数覆盖全部检索结果（不受导出行数上限影响）；每个维度最多列出前 %d 个取值。", size)}}
	return b.table("统计", []column{{title: "维度", width: 12}, {title: "取值", width: 36}, {title: "文档数", width: 10}}, rows, extra)
}

// notes writes 说明: what the workbook holds and how to make it again.
func (b *book) notes(rows []note) error {
	out := make([][]any, len(rows))
	for i, r := range rows {
		v := r.value
		if s, ok := v.(string); ok {
			v = cellText(s)
		}
		out[i] = []any{r.item, v}
	}
	return b.table("说明", []column{{title: "项目", width: 18}, {title: "内容", width: 100, style: b.wrap}}, out, nil)
}
