package corpus

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The schema of fields: one entry per field of a document that search
// filters or counts, that the query language selects, or that an export
// shows. Search derives its facets, filters and field:value prefixes from
// it, the indexer its keyword fields, the HTTP layer its parameters,
// labels and OpenAPI description, the export its columns and filter
// labels. Adding a facet is one entry here (and, for a new kind of value,
// the Doc field it reads).

// Type is the kind of value a field holds.
type Type string

// Types of fields.
const (
	TypeText     Type = "text"     // analysed words: searched, not filtered
	TypeKeyword  Type = "keyword"  // exact values: facets, filters, field:value
	TypeDate     Type = "date"     // a day
	TypeBool     Type = "bool"     // yes or no
	TypeComputed Type = "computed" // a keyword search computes at query time from other fields
)

// Field is one entry of the schema.
type Field struct {
	Name  string // index field, API parameter, facet and JSON name
	Label string // Chinese name in the UI, workbooks and query prefixes
	Type  Type
	Facet bool // counted in every search's facets
	// Filter makes it a filter of searches: the API's and the CLI's
	// parameter Name, repeatable, values of one filter alternatives.
	Filter bool
	// Prefixes are further words that select it in the query language
	// (Name and Label always do): 状态:已办结.
	Prefixes []string
	// Allowed, when set, are the only values a filter takes.
	Allowed []string
	Doc     string // OpenAPI description of the parameter
	// Column places the field in the export's columns; its zero value
	// leaves it out.
	Column Column
	// Values are the keyword values of a document (keyword fields).
	Values func(*Doc) []string
	// Time is the value of a date field.
	Time func(*Doc) time.Time
	// Text is the field of a document as an export cell shows it.
	Text func(*Doc) string
	// ValuesOn and TextOn are Values and Text of a computed field, whose
	// values depend on the calendar day today (2006-01-02, in the
	// service's time zone: see Today).
	ValuesOn func(d *Doc, today string) []string
	TextOn   func(d *Doc, today string) string
	// Normalize, when set, turns a value as staff type it (in a filter or
	// after a query prefix) into the value indexed: 甲类 -> A.
	Normalize func(string) string
	// NoPrefix keeps a keyword field out of the query language.
	NoPrefix bool
}

// Column is a field's column in an export.
type Column struct {
	Pos   int    // 1-based position among the columns; 0: no column
	Title string // header, Label when empty
	Width float64
}

// fields is the schema. It is built by Fields for each caller, so that
// nobody can change another's copy. It is long because it is a table: one
// entry per field, each a few lines, and splitting it would scatter the
// one list of fields this file exists to be.
func fields() []Field {
	one := func(get func(*Doc) string) func(*Doc) []string {
		return func(d *Doc) []string {
			if v := get(d); v != "" {
				return []string{v}
			}
			return nil
		}
	}
	joined := func(get func(*Doc) []string) func(*Doc) string {
		return func(d *Doc) string { return strings.Join(get(d), "、") }
	}
	topics := func(d *Doc) []string { return d.AllTopics() }
	primary := func(d *Doc) string {
		if t := d.AllTopics(); len(t) > 0 {
			return t[0]
		}
		return ""
	}
	units := func(d *Doc) []string { return d.Units }
	year := func(d *Doc) string {
		if d.Date.IsZero() {
			return ""
		}
		return strconv.Itoa(d.Date.In(cst).Year())
	}
	return []Field{
		{Name: FieldTopic, Label: "主题", Type: TypeKeyword, Facet: true, Filter: true, Doc: "topic (repeatable)",
			Column: Column{5, "", 20}, Values: topics, Text: joined(topics)},
		{Name: FieldPrimaryTopic, Label: "主要主题", Type: TypeKeyword, Facet: true, Filter: true,
			Doc: "primary topic: what a document is mainly about (repeatable)", Values: one(primary), Text: primary},
		{Name: FieldKind, Label: "类型", Type: TypeKeyword, Facet: true, Filter: true, Doc: "kind: suggestion, news, ... (repeatable)",
			Column: Column{3, "", 10}, Values: one(func(d *Doc) string { return d.Kind }), Text: func(d *Doc) string { return KindLabel(d.Kind) }},
		{Name: FieldYear, Label: "年份", Type: TypeKeyword, Facet: true, Filter: true, Doc: "year, four digits (repeatable)",
			Values: one(year), Text: year},
		{Name: FieldDelegation, Label: "代表团", Type: TypeKeyword, Facet: true, Filter: true, Doc: "delegation 代表团 (repeatable)",
			Column: Column{7, "", 14}, Values: one(func(d *Doc) string { return d.Delegation }), Text: func(d *Doc) string { return d.Delegation }},
		{Name: FieldUnit, Label: "承办单位", Type: TypeKeyword, Facet: true, Filter: true, Doc: "handling unit 承办单位 (repeatable)",
			Column: Column{8, "", 30}, Values: units, Text: joined(units)},
		{Name: FieldStatus, Label: "办理状态", Type: TypeKeyword, Facet: true, Filter: true, Prefixes: []string{"状态"},
			Doc: "handling status 办理状态 (repeatable)", Column: Column{10, "", 10},
			Values: one(func(d *Doc) string { return d.Status }), Text: func(d *Doc) string { return d.Status }},
		{Name: FieldSource, Label: "来源", Type: TypeKeyword, Facet: true, Filter: true, Doc: "source (repeatable)",
			Column: Column{18, "", 22}, Values: one(func(d *Doc) string { return d.Source }), Text: func(d *Doc) string { return d.Source }},
		{Name: FieldSession, Label: "届次", Type: TypeKeyword, Facet: true, Filter: true, Prefixes: []string{"会议"},
			Doc:    "session 届次, e.g. 十四届二次会议 (repeatable)",
			Values: one(func(d *Doc) string { return d.Session }), Text: func(d *Doc) string { return d.Session }},
		{Name: FieldReplyClass, Label: "答复类别", Type: TypeKeyword, Facet: true, Filter: true, Prefixes: []string{"答复分类", "办理结果分类"},
			Doc:    "reply class 答复类别: A, B, C or D; 甲乙丙丁 and 1-4 read as A-D (repeatable)",
			Column: Column{12, "", 12},
			Values: one(func(d *Doc) string { return d.ReplyClass }), Text: replyClassText, Normalize: normalizeWith(ParseReplyClass)},
		{Name: FieldSatisfaction, Label: "满意度", Type: TypeKeyword, Facet: true, Filter: true, Prefixes: []string{"代表评价"},
			Doc:    "satisfaction 满意度: 满意, 基本满意 or 不满意 (repeatable)",
			Column: Column{13, "", 10},
			Values: one(func(d *Doc) string { return d.Satisfaction }), Text: func(d *Doc) string { return d.Satisfaction },
			Normalize: normalizeWith(ParseSatisfaction)},
		{Name: FieldLeadUnit, Label: "主办单位", Type: TypeKeyword, Facet: true, Filter: true,
			Doc: "lead unit 主办单位 (repeatable)", Column: Column{9, "", 20},
			Values: one(func(d *Doc) string { return d.Lead() }), Text: func(d *Doc) string { return d.Lead() }},
		{Name: FieldOverdue, Label: "逾期", Type: TypeComputed, Facet: true, Filter: true, Allowed: []string{"true", "false"},
			Prefixes: []string{"超期"}, Normalize: normalizeOverdue,
			Doc: "overdue 逾期: true for suggestions replied after their due date, or unreplied with it passed " +
				"(days in the service's time zone); false for the others with a due date",
			Column: Column{17, "", 7},
			ValuesOn: func(d *Doc, today string) []string {
				if o, ok := d.Overdue(today); ok {
					return []string{strconv.FormatBool(o)}
				}
				return nil
			},
			TextOn: func(d *Doc, today string) string {
				switch o, ok := d.Overdue(today); {
				case !ok:
					return ""
				case o:
					return "是"
				}
				return "否"
			}},
		{Name: FieldDeadline, Label: "办理时限", Type: TypeKeyword, NoPrefix: true,
			Values: func(d *Doc) []string {
				if s := d.DeadlineState(); s != DeadlineNone {
					return []string{s}
				}
				return nil
			}},
		{Name: FieldAssigned, Label: "交办日期", Type: TypeDate, Column: Column{14, "", 12},
			Time: func(d *Doc) time.Time { return d.Assigned }, Text: func(d *Doc) string { return Day(d.Assigned) }},
		{Name: FieldDue, Label: "办理期限", Type: TypeDate, Column: Column{15, "", 12},
			Time: func(d *Doc) time.Time { return d.Due }, Text: func(d *Doc) string { return Day(d.Due) }},
		{Name: FieldReplied, Label: "答复日期", Type: TypeDate, Column: Column{16, "", 12},
			Time: func(d *Doc) time.Time { return d.Replied }, Text: func(d *Doc) string { return Day(d.Replied) }},
		{Name: FieldOpenDue, Label: "未答复的办理期限", Type: TypeDate,
			Time: func(d *Doc) time.Time {
				if d.Replied.IsZero() {
					return d.Due
				}
				return time.Time{}
			}},
		{Name: FieldAuthor, Label: "代表", Type: TypeKeyword, Column: Column{6, "代表/作者", 12},
			Values: one(func(d *Doc) string { return d.Author }), Text: func(d *Doc) string { return d.Author }},
		{Name: FieldNumber, Label: "编号", Type: TypeKeyword, Column: Column{1, "", 14},
			Values: one(func(d *Doc) string { return d.Number }), Text: func(d *Doc) string { return d.Number }},
		{Name: FieldTitle, Label: "标题", Type: TypeText, Column: Column{2, "", 44}, Text: func(d *Doc) string {
			if d.Title == "" {
				return DeriveTitle(d.Body)
			}
			return d.Title
		}},
		{Name: FieldDate, Label: "日期", Type: TypeDate, Column: Column{4, "", 12},
			Time: func(d *Doc) time.Time { return d.Date }, Text: func(d *Doc) string { return Day(d.Date) }},
		{Name: FieldKey, Label: "重点督办", Type: TypeBool, Column: Column{11, "", 9}, Text: func(d *Doc) string {
			switch {
			case d.KeySupervised:
				return "是"
			case d.Kind == KindSuggestion:
				return "否"
			}
			return ""
		}},
		// the export shows the start of the body and a link to the document
		{Name: FieldBody, Label: "正文", Type: TypeText, Column: Column{19, "摘要", 70}, Text: func(d *Doc) string { return d.Body }},
		{Name: FieldID, Label: "编号（系统）", Type: TypeKeyword, Column: Column{20, "链接", 40}, Text: func(d *Doc) string { return d.ID }},
	}
}

// Fields of the handling of suggestions, and the session.
const (
	FieldSession      = "session"
	FieldReplyClass   = "reply_class"
	FieldSatisfaction = "satisfaction"
	FieldLeadUnit     = "lead_unit"
	FieldOverdue      = "overdue"  // computed from deadline and open_due with today
	FieldDeadline     = "deadline" // DeadlineState, except none
	FieldAssigned     = "assigned"
	FieldDue          = "due"
	FieldReplied      = "replied"
	FieldOpenDue      = "open_due" // the due date of a suggestion not replied to
)

// replyClassText is a reply class as a cell shows it: B, or B（乙类） when
// the source wrote it otherwise.
func replyClassText(d *Doc) string {
	if d.ReplyClassText == "" || d.ReplyClassText == d.ReplyClass {
		return d.ReplyClass
	}
	return d.ReplyClass + "（" + d.ReplyClassText + "）"
}

// normalizeWith normalizes a value by a parser, leaving what it cannot
// read as it is.
func normalizeWith(parse func(string) (string, bool)) func(string) string {
	return func(s string) string {
		if v, ok := parse(s); ok {
			return v
		}
		return s
	}
}

// normalizeOverdue reads yes and no as true and false.
func normalizeOverdue(s string) string {
	if v, ok := parseBool(s); ok && strings.TrimSpace(s) != "" {
		return strconv.FormatBool(v)
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// FieldID is the document's id: not an index field (bleve keeps it), but
// the export's link column.
const FieldID = "id"

// schema is the schema, built once: its closures are made once, not for
// every document the indexer reads (Keywords and Dates together took 44
// allocations a call before, 2 after). Callers get copies of it.
var schema = sync.OnceValue(fields)

// Fields returns the schema, in the order facets and filters are shown.
func Fields() []Field { return slices.Clone(schema()) }

// FieldNamed returns the schema's field of that name.
func FieldNamed(name string) (Field, bool) {
	for _, f := range schema() {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Facets returns the names of the facets every search counts, in order.
func Facets() []string {
	var out []string
	for _, f := range schema() {
		if f.Facet {
			out = append(out, f.Name)
		}
	}
	return out
}

// Filters returns the fields that filter searches, in order.
func Filters() []Field {
	return slices.DeleteFunc(Fields(), func(f Field) bool { return !f.Filter })
}

// Columns returns the fields an export shows, in the order of its columns.
func Columns() []Field {
	out := slices.DeleteFunc(Fields(), func(f Field) bool { return f.Column.Pos == 0 })
	slices.SortFunc(out, func(a, b Field) int { return a.Column.Pos - b.Column.Pos })
	for i := range out {
		if out[i].Column.Title == "" {
			out[i].Column.Title = out[i].Label
		}
	}
	return out
}

// Keywords returns the keyword fields the indexer writes.
func Keywords() []Field {
	return slices.DeleteFunc(Fields(), func(f Field) bool { return f.Type != TypeKeyword || f.Values == nil })
}

// Dates returns the date fields the indexer writes.
func Dates() []Field {
	return slices.DeleteFunc(Fields(), func(f Field) bool { return f.Type != TypeDate || f.Time == nil })
}

// Label is the Chinese name of a field, or the name itself when the schema
// has none.
func Label(name string) string {
	if f, ok := FieldNamed(name); ok {
		return f.Label
	}
	return name
}

// ValueLabel is how a value of a field reads: kinds by their Chinese name,
// other values as they are.
func ValueLabel(field, v string) string {
	if field == FieldKind {
		return KindLabel(v)
	}
	return v
}

// Prefixes returns the words that select a keyword field in the query
// language (its name, its label and its further prefixes, lower-cased),
// each with the field it selects.
func Prefixes() map[string]string {
	out := map[string]string{}
	for _, f := range schema() {
		if f.Type != TypeKeyword && f.Type != TypeComputed || f.Name == FieldID || f.NoPrefix {
			continue
		}
		for _, p := range append([]string{f.Name, f.Label}, f.Prefixes...) {
			out[strings.ToLower(p)] = f.Name
		}
	}
	return out
}

// CST returns China Standard Time, the zone of dates written without one
// and of the days the service counts in.
func CST() *time.Location { return cst }

// Day is the calendar day of t in China Standard Time, 2006-01-02, or ""
// for the zero time.
func Day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cst).Format(time.DateOnly)
}

// kindNames are the kinds with their Chinese names; the first is the
// label, the others are read as the kind too.
var kindNames = [][]string{
	{KindSuggestion, "代表建议", "建议"},
	{KindReply, "答复"},
	{KindNews, "新闻"},
	{KindProposal, "政协提案", "提案"},
	{KindPolicy, "政策文件", "政策"},
	{KindReport, "工作报告", "报告"},
}

// KindLabel is the Chinese name of a kind of document, or k itself for a
// kind without one.
func KindLabel(k string) string {
	for _, n := range kindNames {
		if n[0] == k {
			return n[1]
		}
	}
	return k
}

// kindOf reads a kind as a source writes it: a Kind constant or one of its
// Chinese names; anything else is kept, lower-cased.
func kindOf(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, n := range kindNames {
		if slices.Contains(n[1:], s) {
			return n[0]
		}
	}
	return s
}
