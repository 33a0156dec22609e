package web

import (
	"strings"

	"minsheng/corpus"
	"minsheng/errs"
)

// invalidZH says in Chinese what is wrong with a request's parameter,
// for the staff UI, which would otherwise show the API's English. The
// errors of searchRequest and of the search package name the parameter
// first ("page must be 1 or more, not -1", "from: …", "topic_scope \"x\":
// want all or primary"); a filter with fixed values is worded from the
// schema's label.
var invalidZH = map[string]string{
	"page":        "页码应是 1 或更大的整数。",
	"size":        "每页条数应是允许范围内的正整数。",
	"facet_size":  "分面条数应是允许范围内的正整数。",
	"from":        "起始日期无法识别，请写成 2024-01-31 这样的日期。",
	"to":          "截止日期无法识别，请写成 2024-01-31 这样的日期。",
	"year":        "年份应是四位数字，如 2024。",
	"sort":        "排序方式无法识别：只能按相关度、按日期从早到晚或从新到旧排序。",
	"mode":        "匹配方式无法识别：只能是部分匹配（partial）或全部匹配（all）。",
	"topic_scope": "主题范围无法识别：只能是全部主题（all）或主要主题（primary）。",
	"interval":    "统计周期只能是按年（year）或按月（month）。",
	"query":       "检索词过长或过多，请精简后再试。",
	"cache":       "cache 参数只能是 true 或 false。",
}

// invalidPhrases are the invalid requests that a phrase tells rather than
// their first word; they are looked for first.
var invalidPhrases = []struct{ phrase, zh string }{
	{"is deeper than", "页码太靠后：检索结果只能往后翻到一定深度。请缩小检索范围，或导出全部结果。"},
	{"the date range ends", "截止日期早于起始日期，请检查日期范围。"},
	{"the text to compare is empty", "请先粘贴建议草稿的内容。"},
	{"the text is", "草稿太长，请删减后再试。"},
	{"not valid UTF-8", "输入中含有无法识别的字符，请重新输入。"},
}

// invalidMessage is the Chinese sentence of an invalid request (errs.Invalid);
// a request it has none for is asked to be checked in general terms.
// The English stays on the page, folded, for whoever reports it.
func invalidMessage(err error) string {
	msg := err.Error()
	for _, p := range invalidPhrases {
		if strings.Contains(msg, p.phrase) {
			return p.zh
		}
	}
	// "invalid request: page must …", or searchRequest's "from: invalid request: …"
	msg = strings.TrimPrefix(msg, errs.Invalid.Error()+": ")
	name, _, _ := strings.Cut(msg, " ")
	name = strings.TrimSuffix(name, ":")
	if zh, ok := invalidZH[name]; ok {
		return zh
	}
	if f, ok := corpus.FieldNamed(name); ok && f.Filter && f.Label != "" {
		return "筛选条件“" + f.Label + "”的取值无法识别，请从页面上的选项中选择。"
	}
	return "检索条件有误，请检查后再试。"
}
