package export

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"minsheng/corpus"
	"minsheng/search"
)

// Handling is the yearly handling report: 汇总 with the standard figures
// in sentences and two charts, 按主题, 按单位, 逾期, 重点督办, 承诺跟踪
// and 说明.
const Handling Report = "handling"

// HandlingSearcher is what the handling report needs besides Search;
// *search.Searcher is one.
type HandlingSearcher interface {
	Handling(ctx context.Context, r search.Request) (*search.HandlingStats, error)
	Promises(ctx context.Context, r search.Request) (*search.Promises, error)
}

// Sheets of the handling report.
const (
	sheetSummary  = "汇总"
	sheetByTopic  = "按主题"
	sheetByUnit   = "按单位"
	sheetOverdue  = "逾期"
	sheetKey      = "重点督办"
	sheetPromises = "承诺跟踪"
)

// writeHandling writes the handling report of the suggestions r matches.
func (e *Exporter) writeHandling(ctx context.Context, b *book, r search.Request, progress func(done, total int)) (*scanned, error) {
	if e.Handling == nil {
		return nil, fmt.Errorf("%w: the handling report is not available here", search.ErrUnavailable)
	}
	st, err := e.Handling.Handling(ctx, r)
	if err != nil {
		return nil, err
	}
	pr, err := e.Handling.Promises(ctx, r)
	if err != nil {
		return nil, err
	}
	docs := map[string]*corpus.Doc{}
	sc, err := e.scan(ctx, r, false, progress, func(h *search.Hit) error {
		docs[h.ID] = docOf(h)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := b.summary(st); err != nil {
		return nil, err
	}
	pct := column{width: 12, style: b.percent}
	var rows [][]any
	for _, g := range st.ByTopic {
		rows = append(rows, []any{cellText(g.Topic), g.Count, g.OnTimeRate, g.AShare, g.SatisfiedShare})
	}
	if err := b.table(sheetByTopic, []column{{title: "主题", width: 22}, {title: "建议数", width: 9},
		withTitle(pct, "按期答复率"), withTitle(pct, "A类占比"), withTitle(pct, "满意率")}, rows,
		[][]any{{"一件建议有多个主题时，在每个主题各计一次；满意率含“满意”和“基本满意”。"}}); err != nil {
		return nil, err
	}
	rows = nil
	for _, g := range st.ByUnit {
		rows = append(rows, []any{cellText(g.Unit), g.Lead, g.Assisting, g.Count, g.OnTimeRate, g.AShare, g.SatisfiedShare})
	}
	if err := b.table(sheetByUnit, []column{{title: "办理单位", width: 26}, {title: "主办件数", width: 9}, {title: "协办件数", width: 9},
		{title: "合计", width: 9}, withTitle(pct, "按期答复率"), withTitle(pct, "A类占比"), withTitle(pct, "满意率")}, rows,
		[][]any{{"比率按单位主办和协办的全部建议计算。"}}); err != nil {
		return nil, err
	}
	if err := b.docList(sheetOverdue, st.Overdue, docs, "今天（"+st.Today+"）没有逾期的建议。"); err != nil {
		return nil, err
	}
	if err := b.docList(sheetKey, st.KeyIDs, docs, "没有重点督办的建议。"); err != nil {
		return nil, err
	}
	if err := b.promises(pr); err != nil {
		return nil, err
	}
	return sc, nil
}

func withTitle(c column, title string) column { c.title = title; return c }

// percentText writes a fraction as staff write a share: 62.5%.
func percentText(f float64) string {
	return strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
}

// handlingSentences state the standard figures as staff write them.
func handlingSentences(st *search.HandlingStats) []string {
	count := func(l []search.Share, v string) search.Share {
		for _, s := range l {
			if s.Value == v {
				return s
			}
		}
		return search.Share{Value: v}
	}
	var cls []string
	for _, c := range corpus.ReplyClasses() {
		s := count(st.ReplyClass, c)
		cls = append(cls, fmt.Sprintf("%s类（%s）%d件，占%s", c, corpus.ClassMeaning(c), s.Count, percentText(s.Share)))
	}
	var sat []string
	for _, v := range corpus.Satisfactions() {
		s := count(st.Satisfaction, v)
		sat = append(sat, fmt.Sprintf("%s%d件，占%s", v, s.Count, percentText(s.Share)))
	}
	return []string{
		fmt.Sprintf("共收到代表建议%d件，交由%d家单位办理，已答复%d件，按期答复%d件，按期答复率%s，办结率%s。",
			st.Total, st.UnitsCount, st.Replied, st.OnTime, percentText(st.OnTimeRate), percentText(st.CompletedRate)),
		"其中" + strings.Join(cls, "；") + "。",
		"代表评价：" + strings.Join(sat, "；") + "。",
		fmt.Sprintf("重点督办建议%d件；截至%s逾期%d件。", st.KeySupervised, st.Today, len(st.Overdue)),
	}
}

// summary writes 汇总: the sentences, the figures, the reply classes and
// satisfaction with their shares, and a chart of each.
func (b *book) summary(st *search.HandlingStats) error {
	const name = sheetSummary
	var rows [][]any
	add := func(item string, n any, share any) { rows = append(rows, []any{item, n, share}) }
	add("建议总数", st.Total, nil)
	add("办理单位数", st.UnitsCount, nil)
	add("已答复", st.Replied, fraction(st.Replied, st.Total))
	add("按期答复", st.OnTime, st.OnTimeRate)
	add("已办结", st.Completed, st.CompletedRate)
	add("重点督办", st.KeySupervised, fraction(st.KeySupervised, st.Total))
	add("逾期", len(st.Overdue), fraction(len(st.Overdue), st.Total))
	classAt := len(rows) + 2
	for _, s := range st.ReplyClass {
		add("答复类别 "+cellText(s.Value)+"类", s.Count, s.Share)
	}
	satAt := len(rows) + 2
	for _, s := range st.Satisfaction {
		add("满意度 "+cellText(s.Value), s.Count, s.Share)
	}
	var extra [][]any
	for _, s := range handlingSentences(st) {
		extra = append(extra, []any{s})
	}
	if err := b.table(name, []column{{title: "指标", width: 22}, {title: "件数", width: 10}, {title: "占比", width: 10, style: b.percent}},
		rows, extra); err != nil {
		return err
	}
	chart := func(title string, from, to int, at string, typ excelize.ChartType) error {
		ref := "'" + name + "'!"
		c := &excelize.Chart{Type: typ,
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: title}}},
			Legend:    excelize.ChartLegend{Position: "right"},
			Dimension: excelize.ChartDimension{Width: 480, Height: 300},
			PlotArea:  excelize.ChartPlotArea{ShowVal: true},
			Series: []excelize.ChartSeries{{Name: title,
				Categories: fmt.Sprintf("%s$A$%d:$A$%d", ref, from, to),
				Values:     fmt.Sprintf("%s$B$%d:$B$%d", ref, from, to)}},
		}
		if err := b.f.AddChart(name, at, c); err != nil {
			return fmt.Errorf("sheet %s chart: %w", name, err)
		}
		return nil
	}
	if err := chart("答复类别", classAt, satAt-1, "E2", excelize.Col); err != nil {
		return err
	}
	return chart("代表满意度", satAt, len(rows)+1, "E18", excelize.Pie)
}

func fraction(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// docList writes a sheet listing suggestions by id.
func (b *book) docList(name string, ids []string, docs map[string]*corpus.Doc, none string) error {
	var rows [][]any
	for _, id := range ids {
		d := docs[id]
		if d == nil {
			d = &corpus.Doc{ID: id}
		}
		rows = append(rows, []any{text(d.Number), text(d.Title), text(d.Session), text(d.Lead()), text(d.Status),
			text(corpus.Day(d.Assigned)), text(corpus.Day(d.Due)), text(corpus.Day(d.Replied)), text(d.ReplyClass),
			text(d.Satisfaction), text(id)})
	}
	var extra [][]any
	if len(rows) == 0 {
		extra = [][]any{{none}}
	}
	return b.table(name, []column{{title: "编号", width: 12}, {title: "标题", width: 44}, {title: "届次", width: 16},
		{title: "主办单位", width: 20}, {title: "办理状态", width: 10}, {title: "交办日期", width: 12}, {title: "办理期限", width: 12},
		{title: "答复日期", width: 12}, {title: "答复类别", width: 9}, {title: "满意度", width: 9}, {title: "文档编号", width: 14}}, rows, extra)
}

// promises writes 承诺跟踪: each B or C reply with its later suggestions.
func (b *book) promises(pr *search.Promises) error {
	var rows [][]any
	for _, p := range pr.Promises {
		first := []any{text(p.Number), text(p.Title), text(p.Session), text(p.ReplyClass), text(p.LeadUnit)}
		if len(p.Later) == 0 {
			rows = append(rows, append(first, "（无后续建议）"))
		}
		for _, c := range p.Later {
			flag := ""
			if c.Repeated {
				flag = "再次提出"
			}
			var lift any = ""
			if c.Lift > 0 {
				lift = math.Round(c.Lift*10) / 10
			}
			rows = append(rows, append(first[:5:5], text(c.Number), text(c.Title), text(c.Session), text(c.ReplyClass), c.Similarity, lift, flag))
		}
	}
	extra := [][]any{{fmt.Sprintf("答复为B类或C类的建议%d件，其中%d件的事项在之后的会议上被再次提出。每件列出之后最相似的 %d 件建议；"+
		"相似度为后续建议对该建议（含答复）关键词（地名、人名按五分之一计）的得分与该建议自身得分之比，"+
		"突出度为其得分与之后最相似的 %d 件建议得分中位数之比；相似度达到 %.2f、突出度达到 %g（或之后的相似建议不足以计算突出度），"+
		"且来源或人工所定的主题不相矛盾时，标为“再次提出”。",
		pr.Total, pr.Repeated, search.PromiseCandidates, search.PromiseCrowd, search.RepeatShare, float64(search.RepeatLift))}}
	return b.table(sheetPromises, []column{{title: "编号", width: 12}, {title: "标题", width: 40}, {title: "届次", width: 16},
		{title: "答复类别", width: 9}, {title: "主办单位", width: 18}, {title: "后续建议编号", width: 12}, {title: "后续建议标题", width: 40},
		{title: "后续届次", width: 16}, {title: "后续答复类别", width: 11}, {title: "相似度", width: 9, style: b.percent},
		{title: "突出度", width: 9}, {title: "再次提出", width: 10}}, rows, extra)
}

// handlingNow is the file name stamp of the handling report.
func handlingName(stamp, ext string) (chinese, ascii string) {
	return "民声建议办理年度报告-" + stamp + ext, "minsheng-handling-" + stamp + ext
}
