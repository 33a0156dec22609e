package corpus

import (
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/width"
)

// Handling of suggestions (办理): the reply's class, the representative's
// satisfaction, the lead unit and the dates a suggestion was assigned,
// was due and was replied to.

// Reply classes (答复类别): what became of the problem a suggestion raised.
const (
	ClassA = "A" // 已经解决或基本解决
	ClassB = "B" // 正在解决或工作已启动
	ClassC = "C" // 已列入规划计划逐步解决
	ClassD = "D" // 因条件限制暂时难以解决、留作参考
)

// Satisfaction of the representative with the handling (代表评价).
const (
	Satisfied       = "满意"
	FairlySatisfied = "基本满意"
	Dissatisfied    = "不满意"
)

// ReplyClasses are the reply classes in order; Satisfactions the
// satisfaction values, most satisfied first.
func ReplyClasses() []string  { return []string{ClassA, ClassB, ClassC, ClassD} }
func Satisfactions() []string { return []string{Satisfied, FairlySatisfied, Dissatisfied} }

// ClassMeaning is what a reply class means, in the words staff use.
func ClassMeaning(c string) string {
	switch c {
	case ClassA:
		return "已经解决或基本解决"
	case ClassB:
		return "正在解决或工作已启动"
	case ClassC:
		return "已列入规划计划逐步解决"
	case ClassD:
		return "因条件限制暂时难以解决、留作参考"
	}
	return ""
}

// handlingAliases map column headers and JSON keys of the handling fields.
// assisting_units (协办单位) is no field of its own: its units follow the
// lead unit in units.
var handlingAliases = map[string]string{
	"reply_class": "reply_class", "reply_class_text": "reply_class_text", "satisfaction": "satisfaction",
	"lead_unit": "lead_unit", "assisting_units": "assisting_units",
	"assigned": "assigned", "due": "due", "replied": "replied",

	"reply_category": "reply_class", "result_class": "reply_class", "resolution": "reply_class", "class": "reply_class",
	"答复类别": "reply_class", "答复分类": "reply_class", "办理结果分类": "reply_class", "办理结果类别": "reply_class",
	"解决程度": "reply_class", "办理类别": "reply_class",
	"evaluation": "satisfaction", "rating": "satisfaction",
	"满意度": "satisfaction", "代表评价": "satisfaction", "测评结果": "satisfaction", "代表满意度": "satisfaction",
	"满意度测评": "satisfaction", "评价": "satisfaction",
	"lead": "lead_unit", "main_unit": "lead_unit", "host_unit": "lead_unit", "主办单位": "lead_unit", "牵头单位": "lead_unit",
	"assisting": "assisting_units", "co_units": "assisting_units", "协办单位": "assisting_units", "会办单位": "assisting_units",
	"assigned_date": "assigned", "assigned_at": "assigned", "交办日期": "assigned", "交办时间": "assigned",
	"due_date": "due", "deadline": "due", "办理期限": "due", "答复期限": "due", "办结期限": "due",
	"replied_date": "replied", "reply_date": "replied", "replied_at": "replied", "answered": "replied",
	"答复日期": "replied", "办复日期": "replied", "答复时间": "replied", "办复时间": "replied",
}

// classNames are the ways sources write each class: letters, 甲乙丙丁 and
// 1-4, with or without 类, and the meanings themselves.
var classNames = map[string]string{
	"a": ClassA, "甲": ClassA, "1": ClassA, "一": ClassA, "已经解决或基本解决": ClassA, "已解决": ClassA, "基本解决": ClassA, "已经解决": ClassA,
	"b": ClassB, "乙": ClassB, "2": ClassB, "二": ClassB, "正在解决或工作已启动": ClassB, "正在解决": ClassB, "工作已启动": ClassB,
	"c": ClassC, "丙": ClassC, "3": ClassC, "三": ClassC, "已列入规划计划逐步解决": ClassC, "列入规划逐步解决": ClassC, "列入计划逐步解决": ClassC,
	"d": ClassD, "丁": ClassD, "4": ClassD, "四": ClassD, "因条件限制暂时难以解决、留作参考": ClassD, "暂时难以解决": ClassD, "留作参考": ClassD,
}

// ParseReplyClass reads a reply class as sources write it: A, a, Ａ, A类,
// 甲, 甲类, 1, 1类, 一类, "A类（已经解决或基本解决）", or the meaning. ok
// is false for anything else, and for "".
func ParseReplyClass(s string) (class string, ok bool) {
	k := strings.ToLower(width.Fold.String(strings.TrimSpace(s)))
	k = strings.TrimSuffix(strings.TrimPrefix(k, "第"), "。")
	if i := strings.IndexAny(k, "(（:：-—"); i > 0 { // A类（已经解决或基本解决）
		k = strings.TrimSpace(k[:i])
	}
	k = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(k), "类"))
	if c, ok := classNames[k]; ok {
		return c, true
	}
	return "", false
}

// ParseSatisfaction reads a satisfaction as sources write it: 满意,
// 基本满意, 不满意 (also 比较满意, 非常满意 and English). ok is false for
// anything else, and for "".
func ParseSatisfaction(s string) (string, bool) {
	k := strings.ToLower(strings.TrimFunc(width.Fold.String(s), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r)
	}))
	switch k {
	case "满意", "非常满意", "satisfied", "very satisfied":
		return Satisfied, true
	case "基本满意", "比较满意", "fairly satisfied", "basically satisfied", "partly satisfied":
		return FairlySatisfied, true
	case "不满意", "dissatisfied", "unsatisfied", "not satisfied":
		return Dissatisfied, true
	}
	return "", false
}

// setHandling stores a handling field, when field is one. An unknown
// class or satisfaction is kept as written and a date that cannot be read
// is left out; either is noted among the document's problems, so that the
// reader reports it and keeps the document.
func setHandling(d *Doc, field, v string) (handled bool) {
	v = strings.TrimSpace(lineBreaks.Replace(v))
	switch field {
	case "reply_class":
		if d.ReplyClass != "" || v == "" {
			return true
		}
		d.ReplyClass = d.normalizeOrKeep(field, v, ParseReplyClass)
		if d.ReplyClassText == "" {
			d.ReplyClassText = v
		}
	case "reply_class_text":
		d.ReplyClassText = v
	case "satisfaction":
		if d.Satisfaction != "" || v == "" {
			return true
		}
		d.Satisfaction = d.normalizeOrKeep(field, v, ParseSatisfaction)
	case "lead_unit":
		if d.LeadUnit == "" {
			if l := splitList([]string{v}); len(l) > 0 {
				d.LeadUnit = l[0]
				d.assisting = append(d.assisting, l[1:]...)
			}
		}
	case "assisting_units":
		d.assisting = append(d.assisting, splitList([]string{v})...)
	case "assigned", "due", "replied":
		p := map[string]*time.Time{"assigned": &d.Assigned, "due": &d.Due, "replied": &d.Replied}[field]
		t, err := ParseDate(v)
		switch {
		case err != nil:
			d.problems = append(d.problems, "bad "+field+" "+quoteValue(v)+", left out")
		case p.IsZero():
			*p = t
		}
	default:
		return false
	}
	return true
}

// normalizeOrKeep is v as parse normalizes it, or v as written, noted among
// the document's problems, when parse does not know it.
func (d *Doc) normalizeOrKeep(field, v string, parse func(string) (string, bool)) string {
	if n, ok := parse(v); ok {
		return n
	}
	d.problems = append(d.problems, "unknown "+field+" "+quoteValue(v)+", kept as written")
	return v
}

func quoteValue(v string) string {
	if r := []rune(v); len(r) > 40 {
		v = string(r[:40]) + "…"
	}
	return "“" + v + "”"
}

// NormalizeHandling normalises the handling fields of a document that no
// reader read (one of the API, decoded from JSON) as a reader does: the
// reply class becomes A-D (ReplyClassText keeping it as written, when
// empty), the satisfaction one of Satisfactions, an unknown value of
// either is kept as written, and the lead unit comes first in Units (a
// lead unit of several names is the first, the others assisting). A
// document already normalised is left as it is.
func NormalizeHandling(d *Doc) {
	n := len(d.problems)
	class, sat, lead := d.ReplyClass, d.Satisfaction, d.LeadUnit
	d.ReplyClass, d.Satisfaction, d.LeadUnit = "", "", ""
	setHandling(d, "reply_class", class)
	setHandling(d, "satisfaction", sat)
	setHandling(d, "lead_unit", lead)
	finishHandling(d)
	// Nobody reports the values kept as written of a document outside
	// a walk: they are in the document itself.
	d.problems = d.problems[:n]
}

// finishHandling puts the lead unit first in Units and the assisting units
// after the others, each once.
func finishHandling(d *Doc) {
	if d.LeadUnit == "" && len(d.assisting) == 0 {
		return
	}
	var units []string
	add := func(u string) {
		if u != "" && !slices.Contains(units, u) {
			units = append(units, u)
		}
	}
	add(d.LeadUnit)
	for _, u := range d.Units {
		add(u)
	}
	for _, u := range d.assisting {
		add(u)
	}
	d.Units, d.assisting = units, nil
}

// Lead is the unit that leads the handling of a suggestion: LeadUnit, else
// the first of Units.
func (d *Doc) Lead() string {
	if d.LeadUnit != "" || len(d.Units) == 0 {
		return d.LeadUnit
	}
	return d.Units[0]
}

// Late reports whether a suggestion was replied to after it was due (on a
// later calendar day in China Standard Time).
func (d *Doc) Late() bool {
	return !d.Due.IsZero() && !d.Replied.IsZero() && Day(d.Replied) > Day(d.Due)
}

// Overdue reports whether a suggestion is overdue on the day today (a
// calendar day, 2006-01-02, in the service's time zone): replied after it
// was due, or not replied and due before today. known is false when it has
// no due date.
func (d *Doc) Overdue(today string) (overdue, known bool) {
	if d.Due.IsZero() {
		return false, false
	}
	if !d.Replied.IsZero() {
		return d.Late(), true
	}
	return Day(d.Due) < today, true
}

// Today is the calendar day of now in the time zone loc (nil: China
// Standard Time), as Overdue takes it.
func Today(now time.Time, loc *time.Location) string {
	if loc == nil {
		loc = cst
	}
	return now.In(loc).Format(time.DateOnly)
}

// Deadline states of a suggestion, indexed so that a search can tell
// overdue ones without reading them: what the index knows without today.
const (
	DeadlineNone   = "none"    // no due date
	DeadlineOnTime = "on_time" // replied on or before the due day
	DeadlineLate   = "late"    // replied after the due day
	DeadlineOpen   = "open"    // not replied; overdue once the due day has passed
)

// DeadlineState is the deadline state of a document.
func (d *Doc) DeadlineState() string {
	switch {
	case d.Due.IsZero():
		return DeadlineNone
	case d.Replied.IsZero():
		return DeadlineOpen
	case d.Late():
		return DeadlineLate
	}
	return DeadlineOnTime
}
