package corpus

import (
	"cmp"
	"regexp"
	"strings"
	"unicode/utf8"
)

// A suggestion or reply written in Word gives its fields in a header table
// (标题 | 关于…的建议; 代表 | 张三 | 代表团 | 兰州代表团) or in its first lines
// (建议编号：第12号, 代表：张三　代表团：兰州代表团); a reply's title says
// which suggestion it answers (关于省十四届人大二次会议第123号建议的答复).
var (
	// docLabels maps the labels of a Word file's header to fields.
	docLabels = map[string]string{
		"标题": "title", "题目": "title", "案由": "title", "建议标题": "title", "建议题目": "title",
		"建议编号": "number", "编号": "number", "建议号": "number", "案号": "number",
		"代表": "author", "领衔代表": "author", "提出人": "author", "代表姓名": "author", "提出代表": "author",
		"代表团": "delegation", "所在代表团": "delegation",
		"承办单位": "units", "主办单位": "units", "办理单位": "units",
		"会办单位": "units+", "协办单位": "units+",
		"届次": "session", "会议": "session", "届次会议": "session",
		"日期": "date", "提出日期": "date", "提交日期": "date", "提出时间": "date",
		"类别": "category", "分类": "category",
	}
	// docLabelLine finds the labels in a header line: 代表：张三 代表团：兰州代表团.
	docLabelLine = regexp.MustCompile(`(建议标题|建议题目|标题|题目|案由|建议编号|建议号|编号|案号|领衔代表|提出代表|代表姓名|所在代表团|代表团|代表|提出人|` +
		`承办单位|主办单位|办理单位|会办单位|协办单位|届次会议|届次|会议|提出日期|提交日期|提出时间|日期|类别|分类)\s*[:：]`)
	// docNumber is a suggestion's number in a title or line: 第0123号.
	docNumber = regexp.MustCompile(`第\s*[0-9０-９]+\s*号`)
	// docNumberLine is a line that is only a suggestion's number.
	docNumberLine = regexp.MustCompile(`^(建议)?第\s*[0-9０-９]+\s*号$`)
	// docSession names a session of a congress: 十四届人大二次会议,
	// 十四届人民代表大会第二次会议 → 十四届二次会议.
	docSession = regexp.MustCompile(`([一二三四五六七八九十]+)届(?:人大|人民代表大会)?第?([一二三四五六七八九十]+)次会议`)
	// docAddressee is a reply's salutation: 张三代表： or 尊敬的张三代表：.
	docAddressee = regexp.MustCompile(`^(?:尊敬的)?(\p{Han}{2,4}?)(?:代表|委员)(?:您好)?[：:，,]$`)
	// docTitle is a line that reads as a title.
	docTitle = regexp.MustCompile(`^关于|(建议|答复|意见|的函|报告)$`)
)

// docHead is how many lines from the top a Word file's header may take.
const docHead = 12

// docxDoc makes a document of a Word file's blocks: the fields of its
// header table rows and header lines, the title (the 标题 field, else the
// first of its first lines that reads as a title, else its first line), the
// number (建议编号, else a first line 第×号, else 第×号 in the title), the
// session (届次, else 十四届人大二次会议 in the title), the kind (a reply
// when the title says 答复, its author the representative it addresses,
// 张三代表：; a suggestion when it says 建议 or has a suggestion's fields)
// and the rest as the body, paragraphs and table rows in order.
func docxDoc(blocks []block) Doc {
	var d Doc
	var lines []string
	for _, b := range blocks {
		if b.rows == nil {
			lines = append(lines, b.para)
			continue
		}
		for _, row := range b.rows {
			if !headerRow(&d, row) {
				if s := rowsText([][]string{row}); s != "" {
					lines = append(lines, s)
				}
			}
		}
	}
	var body []string
	for i, l := range lines {
		if i < docHead && headerLine(&d, l) {
			continue
		}
		if i < docHead && d.Number == "" && docNumberLine.MatchString(l) {
			d.Number = strings.TrimPrefix(compact(l), "建议")
			continue
		}
		body = append(body, l)
	}
	if d.Title == "" {
		t := -1
		for i, l := range body[:min(len(body), docHead)] {
			if utf8.RuneCountInString(l) > 80 || strings.Contains(l, "。") {
				break
			}
			if docTitle.MatchString(l) {
				t = i
				break
			}
		}
		if t < 0 && len(body) > 0 && utf8.RuneCountInString(body[0]) <= 80 {
			t = 0
		}
		if t >= 0 {
			d.Title = oneLine(body[t])
			body = append(body[:t:t], body[t+1:]...)
		}
	}
	if d.Number == "" {
		d.Number = compact(docNumber.FindString(d.Title))
	}
	if m := docSession.FindStringSubmatch(d.Title); m != nil && d.Session == "" {
		d.Session = m[1] + "届" + m[2] + "次会议"
	}
	switch {
	case strings.Contains(d.Title, "答复"):
		d.Kind = KindReply
		d.Author = cmp.Or(d.Author, addressee(body[:min(len(body), docHead)]))
	case strings.Contains(d.Title, "建议") || d.Delegation != "" || len(d.Units) > 0:
		d.Kind = KindSuggestion
	}
	d.Body = strings.Join(body, "\n")
	return d
}

// addressee returns the representative a reply's salutation addresses
// (张三代表：), not 各位代表：.
func addressee(lines []string) string {
	for _, l := range lines {
		if m := docAddressee.FindStringSubmatch(l); m != nil && !strings.HasPrefix(m[1], "各位") {
			return m[1]
		}
	}
	return ""
}

// headerRow takes the fields of a table row made of label and value cells
// (代表 | 张三 | 代表团 | 兰州代表团) and reports whether it was one.
func headerRow(d *Doc, row []string) bool {
	var cells []string
	for _, c := range row {
		if c = strings.TrimSpace(c); c != "" {
			cells = append(cells, c)
		}
	}
	if len(cells) == 0 || len(cells)%2 != 0 {
		return false
	}
	for i := 0; i < len(cells); i += 2 {
		if docLabels[labelKey(cells[i])] == "" {
			return false
		}
	}
	for i := 0; i < len(cells); i += 2 {
		setDocField(d, docLabels[labelKey(cells[i])], cells[i+1])
	}
	return true
}

// headerLine takes the fields of a line that starts with a label
// (建议编号：第12号 代表：张三) and reports whether it was one.
func headerLine(d *Doc, l string) bool {
	keys := docLabelLine.FindAllStringSubmatchIndex(l, -1)
	if len(keys) == 0 || strings.TrimSpace(l[:keys[0][0]]) != "" || utf8.RuneCountInString(l) > 150 {
		return false
	}
	for i, k := range keys {
		end := len(l)
		if i+1 < len(keys) {
			end = keys[i+1][0]
		}
		setDocField(d, docLabels[l[k[2]:k[3]]], strings.TrimSpace(l[k[1]:end]))
	}
	return true
}

// labelKey is a header cell as a label: spaces and a final colon dropped
// (代  表： → 代表).
func labelKey(s string) string {
	return strings.TrimRight(compact(s), ":：")
}

// setDocField sets a field from a header; further units (会办单位) follow
// the lead ones, and a date that does not parse is left out.
func setDocField(d *Doc, field, v string) {
	v = strings.Trim(v, " \t\u3000")
	switch field {
	case "":
	case "units+":
		d.Units = append(d.Units, splitList([]string{v})...)
	case "units":
		d.Units = append(splitList([]string{v}), d.Units...)
	default:
		_ = setField(d, field, []string{v}) // an unreadable date is no reason to drop the file
	}
}
