package corpus

import (
	"slices"
	"strings"
)

// aliases maps normalised column headers and JSON keys to Doc fields (json
// tags). Every field's own tag maps to itself. Decisions: 分类 and 类别 are
// the source's classification (category); 主题 and 专题 are topics; 类型 is
// the kind.
var aliases = map[string]string{
	"id": "id", "kind": "kind", "title": "title", "body": "body", "date": "date",
	"source": "source", "author": "author", "editor": "editor", "delegation": "delegation",
	"session": "session", "number": "number", "units": "units", "status": "status",
	"key_supervised": "key_supervised", "reply": "reply", "topics": "topics",
	"category": "category", "url": "url",

	"content": "body", "text": "body", "headline": "title",
	"publish_time": "date", "published": "date", "pubdate": "date", "datetime": "date",
	"representative": "author", "proposer": "author", "reporter": "author",
	"unit": "units", "handling_units": "units", "handling_unit": "units",
	"supervised": "key_supervised", "answer": "reply", "response": "reply",
	"topic": "topics", "tags": "topics", "publisher": "source", "link": "url",

	"编号": "number", "建议编号": "number", "提案号": "number", "提案编号": "number", "文号": "number",
	"标题": "title", "题目": "title", "案由": "title",
	"正文": "body", "内容": "body", "建议内容": "body", "全文": "body",
	"日期": "date", "时间": "date", "发布时间": "date", "发布日期": "date", "提出日期": "date", "提交日期": "date",
	"编辑": "editor", "责任编辑": "editor",
	"代表": "author", "提出人": "author", "领衔代表": "author", "作者": "author", "记者": "author", "提案人": "author",
	"代表团": "delegation", "届次": "session", "会议": "session",
	"承办单位": "units", "办理单位": "units",
	"办理状态": "status", "状态": "status",
	"重点督办": "key_supervised", "是否重点督办": "key_supervised",
	"答复": "reply", "答复内容": "reply", "办理答复": "reply",
	"主题": "topics", "专题": "topics",
	"分类": "category", "类别": "category", "类型": "kind",
	"来源": "source", "链接": "url", "网址": "url", "原文链接": "url",
}

// isField reports whether name is the json tag of a Doc field (or
// assisting_units).
func isField(name string) bool {
	return name != "" && (aliases[name] == name || handlingAliases[name] == name)
}

// headerKey normalises a column header or JSON key for lookup.
func headerKey(h string) string {
	return strings.ToLower(headerName(h))
}

// headerName is a column header as written, without a byte order mark or
// surrounding space: as a note names it.
func headerName(h string) string {
	return strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
}

// setField stores vals (one value, or several from a JSON array) in the
// field of d named field, unless that field is already set: when several
// columns map to one field, the first non-empty one wins. Text fields are
// trimmed and line breaks in single-line ones become spaces; body and
// reply keep their line breaks; units and topics are split into items.
func setField(d *Doc, field string, vals []string) error {
	for i, v := range vals {
		vals[i] = strings.ReplaceAll(v, "\x00", "")
	}
	v := strings.Join(vals, "、")
	if setHandling(d, field, v) {
		return nil
	}
	str := func(p *string) {
		if *p == "" {
			*p = strings.TrimSpace(lineBreaks.Replace(v))
		}
	}
	switch field {
	case "id":
		str(&d.ID)
	case "kind":
		if d.Kind == "" {
			d.Kind = kindOf(v)
		}
	case "title":
		str(&d.Title)
	case "body", "reply":
		p := &d.Body
		if field == "reply" {
			p = &d.Reply
		}
		if *p == "" {
			*p = multiline(v)
		}
	case "date":
		t, err := ParseDate(v)
		if err != nil {
			return bad("bad date", strings.TrimSpace(v))
		}
		if d.Date.IsZero() {
			d.Date = t
		}
	case "source":
		str(&d.Source)
	case "author":
		str(&d.Author)
	case "editor":
		str(&d.Editor)
	case "delegation":
		str(&d.Delegation)
	case "session":
		str(&d.Session)
	case "number":
		str(&d.Number)
	case "status":
		str(&d.Status)
	case "category":
		str(&d.Category)
	case "url":
		str(&d.URL)
	case "units", "topics":
		p := &d.Units
		if field == "topics" {
			p = &d.Topics
		}
		if len(*p) == 0 {
			*p = splitList(vals)
		}
	case "key_supervised":
		b, ok := parseBool(v)
		if !ok {
			return bad("bad key_supervised", strings.TrimSpace(v))
		}
		d.KeySupervised = d.KeySupervised || b
	}
	return nil
}

// lineBreaks turns the line breaks in a single-line field into spaces.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ")

// multiline normalises line breaks to \n and trims the text.
func multiline(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.TrimSpace(strings.ReplaceAll(s, "\r", "\n"))
}

// splitList splits values on 、 , ， ; ； | and line breaks, trimmed, with
// empty items dropped.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, s := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune("、,，;；|\n\r", r) }) {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return slices.Clip(out)
}

// parseBool reads a yes/no value; ok is false for anything else. Empty is no.
func parseBool(s string) (v, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "是", "true", "1", "yes", "y", "t", "√", "✓", "重点督办":
		return true, true
	case "否", "false", "0", "no", "n", "f", "", "无":
		return false, true
	}
	return false, false
}
