package export

import (
	"fmt"
	"strings"
	"time"

	"minsheng/corpus"
	"minsheng/search"
)

// about is what 说明 says about one export.
type about struct {
	report          Report
	r               search.Request
	sc              *scanned
	autoKind        bool // the units report added the kind filter
	at              time.Time
	baseURL         string
	maxRows         int
	taxonomyVersion string
	plainLinks      int // result rows whose address is text only
	maxLinks        int // hyperlinks per results sheet
}

func (e *Exporter) notes(report Report, r search.Request, sc *scanned, autoKind bool, at time.Time) *about {
	return &about{report: report, r: r, sc: sc, autoKind: autoKind, at: at, baseURL: strings.TrimRight(e.BaseURL, "/"),
		maxRows: e.maxRows(), taxonomyVersion: e.TaxonomyVersion}
}

func (a *about) title() string {
	switch a.report {
	case Trends:
		return "民声主题趋势报表"
	case Units:
		return "民声代表建议办理情况报表"
	case Handling:
		return "民声代表建议办理年度报告"
	}
	return "民声检索结果"
}

func orNone(s, none string) string {
	if strings.TrimSpace(s) == "" {
		return none
	}
	return s
}

// topicScopeLabel says which topics of a document the topic filter and
// the counts by topic took (Request.TopicScope).
func topicScopeLabel(scope string) string {
	if scope == search.TopicsPrimary {
		return "只计主要主题：主题筛选和按主题的计数只看每篇文档的主要主题（topic_scope=primary）"
	}
	return "全部主题：一篇文档计入它的每个主题（主要主题及其他主题）"
}

// note is a line of 说明: an item and its text or number.
type note struct {
	item  string
	value any
}

// rows are the lines of 说明.
func (a *about) rows() []note {
	sc := a.sc
	q := orNone(a.r.Query, "（无：全部文档）")
	filters := strings.Join(filterLabels(a.r.Filters), "；")
	if a.autoKind {
		filters += "（类型筛选由办理情况报表自动加上：只统计代表建议）"
	}
	out := []note{
		{"报表", a.title()},
		{"检索词", q},
		{"筛选条件", orNone(filters, "（无）")},
		{"主题口径", topicScopeLabel(a.r.TopicScope)},
		{"排序", sortLabel(a.r)},
		{"结果总数", sc.total},
		{"导出行数", sc.rows},
	}
	if sc.truncated {
		out = append(out, note{"行数上限", fmt.Sprintf("结果共 %d 条，超过每次导出的上限 %d 条，只导出了排序在前的 %d 条。"+
			"请缩小检索范围或分批导出（例如按年份筛选）；上限可由管理员在配置 export_max_rows 中调整。", sc.total, a.maxRows, sc.rows)})
	} else {
		out = append(out, note{"行数上限", fmt.Sprintf("未超过（上限 %d 条）：已导出全部结果。", a.maxRows)})
	}
	switch {
	case sc.mode == search.ModeAll:
		out = append(out, note{"匹配方式", "全部检索词：只导出包含每个检索词的文档。"})
	case sc.mode != "" && a.r.Query != "":
		out = append(out, note{"匹配方式", fmt.Sprintf("部分匹配（与检索页相同）：先列出包含全部检索词的 %d 条，其后是缺少部分次要检索词的文档。", sc.exact)})
	}
	if sc.relaxed {
		out = append(out, note{"宽松匹配", "没有文档包含全部检索词，结果为包含部分检索词的文档，按匹配程度排序。"})
	}
	gen := orNone(sc.genStart, "（未知）")
	if sc.genEnd != sc.genStart {
		gen += fmt.Sprintf("（导出过程中索引切换为 %s，后面的行来自新版本）", orNone(sc.genEnd, "（无）"))
	}
	out = append(out,
		note{"索引版本", gen},
		note{"分类体系版本", orNone(a.taxonomyVersion, "（未记录）")},
		note{"导出时间", a.at.In(corpus.CST()).Format("2006-01-02 15:04:05") + "（北京时间，UTC+8）"},
	)
	out = append(out, a.sheetNotes()...)
	return append(out, a.reexportNotes()...)
}

// sheetNotes are the lines of 说明 that describe the report's sheets, what
// their figures count, and (for the full report) its links and text.
func (a *about) sheetNotes() []note {
	sc := a.sc
	var out []note
	switch a.report {
	case Full:
		out = append(out, note{"工作表", "结果：每条匹配的文档（超过 1,048,575 行时续写在 结果2、结果3 …）；" +
			"统计：全部结果按主题、类型、年份等维度的计数；趋势：主题×年份文档数及折线图；" +
			"办理情况：代表建议按承办单位的办理情况；说明：本页。"})
		if sc.truncated {
			out = append(out, note{"统计口径", "统计表覆盖全部结果；趋势和办理情况只计算已导出的行。"})
		}
	case Trends:
		out = append(out, note{"工作表", "趋势：主题×年份文档数及折线图；说明：本页。"})
	case Units:
		out = append(out, note{"工作表", "办理情况：代表建议按承办单位的建议数、已办结数（含已答复）、办结率和重点督办数；说明：本页。"})
	case Handling:
		out = append(out, note{"工作表", "汇总：建议数、办理单位数、按期答复率、办结率、答复类别（A/B/C/D类）和代表满意度及其图表；" +
			"按主题、按单位：各自的建议数和比率；逾期：答复晚于办理期限或期限已过仍未答复的建议；重点督办：重点督办的建议；" +
			"承诺跟踪：答复为B类、C类的建议及之后被再次提出的情况；说明：本页。"},
			note{"统计口径", "只统计代表建议；比率均以建议总数（或该主题、该单位的建议数）为分母；按期答复指答复日期不晚于办理期限（未设期限的已答复建议计为按期）；" +
				"满意率含“满意”和“基本满意”；逾期按服务所在时区的日期计算。"})
	}
	if a.report == Full {
		link := "“链接”列为文档在民声网页中的地址，可点击打开。"
		if a.baseURL == "" {
			link = "“链接”列为文档编号（未配置网页地址 base_url）。"
		} else if a.plainLinks > 0 {
			link += fmt.Sprintf("每个结果工作表只有前 %d 行的链接可点击（Excel 每个工作表的超链接数有限）；其余 %d 行的地址为文本，可复制到浏览器打开。",
				a.maxLinks, a.plainLinks)
		}
		out = append(out, note{"链接", link},
			note{"文本处理", fmt.Sprintf("所有文本按原样写成文本单元格，不会被当作公式；超过 %d 个字符的文本被截断，并以“%s”标出。", MaxCellChars, TruncMarker)})
	}
	return out
}

// reexportNotes are the last lines of 说明: how to export the same report
// again, by the web API and on the command line.
func (a *about) reexportNotes() []note {
	var out []note
	path := "/api/v1/export.xlsx"
	if a.report != Full {
		path = "/api/v1/export/" + string(a.report) + ".xlsx"
	}
	r := a.r
	if a.autoKind {
		r.Filters.Kind = nil
	}
	query := Params(r).Encode()
	if query != "" {
		query = "?" + query
	}
	out = append(out, note{"如何重新导出", "用相同的检索词、筛选条件和排序再导出一次即可得到同样口径的报表；" +
		"若索引版本已不同，结果会反映新数据。网页接口和命令行见下两行。"})
	if a.baseURL != "" {
		out = append(out, note{"重新导出（网址）", a.baseURL + path + query})
	} else {
		out = append(out, note{"重新导出（接口）", "GET " + path + query})
	}
	out = append(out, note{"重新导出（命令行）", command(a.report, r)})
	return out
}
