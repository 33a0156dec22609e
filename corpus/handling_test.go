package corpus

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestParseReplyClass(t *testing.T) {
	want := map[string][]string{
		ClassA: {"A", "a", "Ａ", "A类", "Ａ类", " A 类 ", "甲", "甲类", "1", "1类", "１类", "一类", "第一类", "A类（已经解决或基本解决）", "甲类:已解决", "已经解决或基本解决", "基本解决"},
		ClassB: {"B", "b", "B类", "乙", "乙类", "2", "2类", "二类", "B类（正在解决或工作已启动）", "正在解决或工作已启动", "工作已启动"},
		ClassC: {"C", "c", "C类", "丙", "丙类", "3", "3类", "三类", "已列入规划计划逐步解决", "C类(已列入规划计划逐步解决)"},
		ClassD: {"D", "d", "D类", "丁", "丁类", "4", "4类", "四类", "因条件限制暂时难以解决、留作参考", "留作参考"},
	}
	for class, ins := range want {
		for _, in := range ins {
			if got, ok := ParseReplyClass(in); !ok || got != class {
				t.Errorf("ParseReplyClass(%q) = %q, %v; want %s", in, got, ok, class)
			}
		}
	}
	for _, in := range []string{"", "E", "E类", "5类", "0", "戊类", "已撤回", "AB", "甲乙"} {
		if got, ok := ParseReplyClass(in); ok {
			t.Errorf("ParseReplyClass(%q) = %q, want not ok", in, got)
		}
	}
}

func TestParseSatisfaction(t *testing.T) {
	for in, want := range map[string]string{
		"满意": Satisfied, " 满意 ": Satisfied, "满意。": Satisfied, "非常满意": Satisfied, "Satisfied": Satisfied,
		"基本满意": FairlySatisfied, "比较满意": FairlySatisfied, "basically satisfied": FairlySatisfied,
		"不满意": Dissatisfied, "dissatisfied": Dissatisfied,
	} {
		if got, ok := ParseSatisfaction(in); !ok || got != want {
			t.Errorf("ParseSatisfaction(%q) = %q, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "还行", "一般", "满意满意"} {
		if got, ok := ParseSatisfaction(in); ok {
			t.Errorf("ParseSatisfaction(%q) = %q, want not ok", in, got)
		}
	}
}

// handlingSample is a value for each handling field, and what the
// document holds after reading it.
var handlingSample = map[string]struct {
	in    string
	check func(d *Doc) bool
}{
	"reply_class":      {"乙类", func(d *Doc) bool { return d.ReplyClass == ClassB && d.ReplyClassText == "乙类" }},
	"reply_class_text": {"乙类", func(d *Doc) bool { return d.ReplyClassText == "乙类" }},
	"satisfaction":     {"基本满意", func(d *Doc) bool { return d.Satisfaction == FairlySatisfied }},
	"lead_unit": {"省教育厅", func(d *Doc) bool {
		return d.LeadUnit == "省教育厅" && slices.Equal(d.Units, []string{"省教育厅"})
	}},
	"assisting_units": {"省财政厅、省民政厅", func(d *Doc) bool { return slices.Equal(d.Units, []string{"省财政厅", "省民政厅"}) }},
	"assigned":        {"2024-02-01", func(d *Doc) bool { return Day(d.Assigned) == "2024-02-01" }},
	"due":             {"2024年5月1日", func(d *Doc) bool { return Day(d.Due) == "2024-05-01" }},
	"replied":         {"2024/4/30", func(d *Doc) bool { return Day(d.Replied) == "2024-04-30" }},
}

// TestHandlingHeaders reads every spelling of every handling field's
// header (handlingAliases) as a CSV header, an XLSX header and a JSON key.
func TestHandlingHeaders(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", t.TempDir())
	n := 0
	for header, field := range handlingAliases {
		s, ok := handlingSample[field]
		if !ok {
			t.Fatalf("no sample value for %s", field)
		}
		n++
		js, _ := json.Marshal(map[string]string{"title": "标题", header: s.in})
		paths := map[string]string{
			"csv":  writeFile(t, dir, filepath.Join(header, "a.csv"), "标题,"+header+"\n标题,"+s.in+"\n"),
			"xlsx": writeXLSX(t, dir, filepath.Join(header, "a.xlsx"), [][]any{{"标题", header}, {"标题", s.in}}),
			"json": writeFile(t, dir, filepath.Join(header, "a.jsonl"), string(js)+"\n"),
		}
		for format, p := range paths {
			r := walk(t, Options{}, p)
			if r.err != nil || len(r.docs) != 1 || len(r.probs) != 0 {
				t.Errorf("%s %q: %v %+v %v", format, header, r.err, r.docs, r.probs)
				continue
			}
			if !s.check(&r.docs[0]) {
				t.Errorf("%s %q=%q read as %+v", format, header, s.in, r.docs[0])
			}
		}
	}
	for _, h := range []string{"答复类别", "办理结果分类", "解决程度", "满意度", "代表评价", "测评结果", "主办单位", "协办单位",
		"交办日期", "办理期限", "答复期限", "答复日期", "办复日期", "reply_class", "satisfaction", "lead_unit", "assigned", "due", "replied"} {
		if handlingAliases[h] == "" {
			t.Errorf("header %s is not read", h)
		}
	}
	if n < 40 {
		t.Errorf("only %d spellings", n)
	}
}

// TestHandlingXLSXDates: dates of an XLSX cell formatted as a date are
// Excel serial numbers.
func TestHandlingXLSXDates(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	p := writeXLSX(t, t.TempDir(), "d.xlsx", [][]any{{"标题", "交办日期", "办理期限", "办复日期"}, {"标题", at, at, at}})
	r := walk(t, Options{}, p)
	if len(r.docs) != 1 || Day(r.docs[0].Assigned) != "2024-05-01" || Day(r.docs[0].Due) != "2024-05-01" || Day(r.docs[0].Replied) != "2024-05-01" {
		t.Errorf("%+v %v", r.docs, r.probs)
	}
}

// TestHandlingUnits: the lead unit comes first in units, the assisting
// ones after the others, each once.
func TestHandlingUnits(t *testing.T) {
	p := writeFile(t, t.TempDir(), "u.csv", "标题,协办单位,承办单位,主办单位\n标题,省财政厅、省民政厅,省财政厅；省教育厅,省教育厅\n")
	r := walk(t, Options{}, p)
	if len(r.docs) != 1 {
		t.Fatal(r.probs)
	}
	d := r.docs[0]
	if d.LeadUnit != "省教育厅" || !slices.Equal(d.Units, []string{"省教育厅", "省财政厅", "省民政厅"}) || d.Lead() != "省教育厅" {
		t.Errorf("lead %q units %v", d.LeadUnit, d.Units)
	}
	if d.Kind != KindSuggestion {
		t.Errorf("kind %q", d.Kind)
	}
}

// TestHandlingBadValues: an unknown class or satisfaction is kept as
// written and a bad date left out; each is reported with its line, and
// the document is kept, not skipped.
func TestHandlingBadValues(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "bad.csv", "标题,答复类别,满意度,办理期限,答复日期\n"+
		"一,E类,还行,2024-13-40,2024-05-01\n"+
		"二,丙类,满意,2024-05-01,\n")
	r := walk(t, Options{}, p)
	if r.err != nil || len(r.docs) != 2 || r.stats.Skipped != 0 || r.stats.Kept != 3 {
		t.Fatalf("%v docs %d stats %+v", r.err, len(r.docs), r.stats)
	}
	d := r.docs[0]
	if d.ReplyClass != "E类" || d.ReplyClassText != "E类" || d.Satisfaction != "还行" || !d.Due.IsZero() || Day(d.Replied) != "2024-05-01" {
		t.Errorf("kept %+v", d)
	}
	if r.docs[1].ReplyClass != ClassC || r.docs[1].Satisfaction != Satisfied {
		t.Errorf("second %+v", r.docs[1])
	}
	checkProbs(t, r.probs,
		`bad.csv:2: unknown reply_class “E类”, kept as written`,
		`bad.csv:2: unknown satisfaction “还行”, kept as written`,
		`bad.csv:2: bad due “2024-13-40”, left out`)
	for _, pr := range r.probs {
		if !pr.Kept {
			t.Errorf("%v: not marked kept", pr)
		}
	}
	// JSON the same
	p = writeFile(t, dir, "bad.jsonl", `{"title":"一","reply_class":"5类","satisfaction":"一般"}`+"\n")
	r = walk(t, Options{}, p)
	if len(r.docs) != 1 || r.docs[0].ReplyClass != "5类" || r.docs[0].Satisfaction != "一般" || len(r.probs) != 2 {
		t.Errorf("%+v %v", r.docs, r.probs)
	}
}

// TestNormalizeHandling: a document decoded from JSON (no reader) ends
// with the handling fields a reader gives the same values, and
// normalising it again changes nothing.
func TestNormalizeHandling(t *testing.T) {
	p := writeFile(t, t.TempDir(), "h.jsonl", `{"title":"一","reply_class":"乙类","satisfaction":"比较满意","lead_unit":"省教育厅、省民政厅","units":["省财政厅","省教育厅"]}`+"\n")
	r := walk(t, Options{}, p)
	if len(r.docs) != 1 {
		t.Fatal(r.probs)
	}
	read := r.docs[0]
	d := Doc{Title: "一", Kind: read.Kind, ReplyClass: "乙类", Satisfaction: "比较满意", LeadUnit: "省教育厅、省民政厅", Units: []string{"省财政厅", "省教育厅"}}
	d.ID = read.ID
	NormalizeHandling(&d)
	if d.ReplyClass != ClassB || d.ReplyClassText != "乙类" || d.Satisfaction != FairlySatisfied || d.LeadUnit != "省教育厅" ||
		!slices.Equal(d.Units, []string{"省教育厅", "省财政厅", "省民政厅"}) {
		t.Errorf("normalised: %+v", d)
	}
	a, _ := json.Marshal(&d)
	b, _ := json.Marshal(&read)
	if string(a) != string(b) {
		t.Errorf("normalised:\n%s\nthe reader's:\n%s", a, b)
	}
	NormalizeHandling(&d)
	if again, _ := json.Marshal(&d); string(again) != string(a) {
		t.Errorf("normalised twice:\n%s\nonce:\n%s", again, a)
	}
	u := Doc{ReplyClass: "E类", Satisfaction: "还行"}
	NormalizeHandling(&u)
	if u.ReplyClass != "E类" || u.ReplyClassText != "E类" || u.Satisfaction != "还行" || len(u.problems) != 0 {
		t.Errorf("unknown values: %+v", u)
	}
}

func TestOverdue(t *testing.T) {
	day := func(s string) time.Time { t, _ := ParseDate(s); return t }
	for _, c := range []struct {
		due, replied, today string
		overdue, known      bool
		state               string
	}{
		{"", "", "2024-06-01", false, false, DeadlineNone},
		{"2024-05-01", "2024-05-01", "2024-06-01", false, true, DeadlineOnTime},
		{"2024-05-01", "2024-05-02", "2024-06-01", true, true, DeadlineLate},
		{"2024-05-01", "", "2024-05-01", false, true, DeadlineOpen},
		{"2024-05-01", "", "2024-05-02", true, true, DeadlineOpen},
		{"2024-05-01", "2024-05-01T23:30:00+08:00", "2024-06-01", false, true, DeadlineOnTime},
	} {
		d := Doc{Due: day(c.due), Replied: day(c.replied)}
		o, k := d.Overdue(c.today)
		if o != c.overdue || k != c.known || d.DeadlineState() != c.state {
			t.Errorf("%+v: %v %v %s", c, o, k, d.DeadlineState())
		}
	}
	utc := time.Date(2024, 5, 1, 20, 0, 0, 0, time.UTC) // 5月2日 in Shanghai
	if Today(utc, nil) != "2024-05-02" || Today(utc, time.UTC) != "2024-05-01" {
		t.Errorf("today %s %s", Today(utc, nil), Today(utc, time.UTC))
	}
}
