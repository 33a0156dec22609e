package export

import (
	"net/url"
	"strings"
	"time"
	"unicode"

	"minsheng/corpus"
	"minsheng/search"
)

// snippetRunes is how many characters of the body 摘要 shows.
const snippetRunes = 200

// cellText fits s into one cell: text longer than MaxCellChars UTF-16
// code units (Excel's measure) is cut at a character boundary and ends
// with TruncMarker, the whole within the limit.
func cellText(s string) string {
	if len(s) <= MaxCellChars { // UTF-16 units never outnumber UTF-8 bytes
		return s
	}
	limit := MaxCellChars - utf16Len(TruncMarker)
	n := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n+w > limit {
			if n+utf16Len(s[i:]) <= MaxCellChars {
				return s
			}
			return s[:i] + TruncMarker
		}
		n += w
	}
	return s
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// snippet is the start of a body on one line: runs of white space become
// one space, and at most snippetRunes characters are kept, with … when
// more follow. Only the characters kept are looked at.
func snippet(body string) string {
	var b strings.Builder
	n, space := 0, false
	for _, r := range body {
		if unicode.IsSpace(r) { // includes the ideographic space U+3000
			space = n > 0
			continue
		}
		if space && n < snippetRunes {
			b.WriteByte(' ')
			n++
			space = false
		}
		if n >= snippetRunes {
			b.WriteString("…")
			break
		}
		b.WriteRune(r) // invalid bytes come out as U+FFFD
		n++
	}
	return b.String()
}

// sortLabel says how results were ordered.
func sortLabel(r search.Request) string {
	switch r.Sort {
	case search.SortDate:
		return "日期从早到晚"
	case search.SortDateDesc:
		return "日期从新到旧"
	}
	if strings.TrimSpace(r.Query) == "" {
		return "日期从新到旧（没有检索词时的默认排序）"
	}
	return "相关度（默认）"
}

// filterLabels describes each filter of r that is set, in Chinese.
func filterLabels(f search.Filters) []string {
	var out []string
	for _, fd := range corpus.Filters() {
		if vals := f.Values(fd.Name); len(vals) > 0 {
			out = append(out, fd.Label+"："+joinLabels(fd.Name, vals))
		}
	}
	if !f.From.IsZero() || !f.To.IsZero() {
		from, to := "不限", "不限"
		if !f.From.IsZero() {
			from = f.From.In(corpus.CST()).Format(time.DateOnly)
		}
		if !f.To.IsZero() {
			to = f.To.In(corpus.CST()).Format(time.DateOnly)
		}
		out = append(out, "日期："+from+" 至 "+to)
	}
	return out
}

// Params are the query parameters of the API that ask for r again (the
// parameters of GET /api/v1/search and the export routes).
func Params(r search.Request) url.Values {
	v := url.Values{}
	if r.Query != "" {
		v.Set("q", r.Query)
	}
	if r.Sort != "" && r.Sort != search.SortRelevance {
		v.Set("sort", r.Sort)
	}
	if r.Mode != "" && r.Mode != search.ModePartial {
		v.Set("mode", r.Mode)
	}
	if r.TopicScope != "" && r.TopicScope != search.TopicsAll {
		v.Set("topic_scope", r.TopicScope)
	}
	f := r.Filters
	for _, fd := range corpus.Filters() {
		for _, x := range f.Values(fd.Name) {
			v.Add(fd.Name, x)
		}
	}
	if !f.From.IsZero() {
		v.Set("from", f.From.In(corpus.CST()).Format(time.DateOnly))
	}
	if !f.To.IsZero() {
		v.Set("to", f.To.In(corpus.CST()).Format(time.DateOnly))
	}
	return v
}

// command is the minsheng export command line that asks for r again.
func command(report Report, r search.Request) string {
	args := []string{"minsheng", "export", "--data", "DATA"}
	if report != Full {
		args = append(args, "--report", string(report))
	}
	// the CLI's flags are named as the API's parameters
	v := Params(r)
	names := []string{"q", "sort", "mode", "topic_scope"}
	for _, fd := range corpus.Filters() {
		names = append(names, fd.Name)
	}
	for _, name := range append(names, "from", "to") {
		for _, x := range v[name] {
			args = append(args, "--"+name, shellQuote(x))
		}
	}
	args = append(args, "-o", "FILE.xlsx")
	return strings.Join(args, " ")
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r == ':' || r >= 0x80 && unicode.IsLetter(r) ||
			'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// FileName is the name a workbook of the report is saved under, in
// Chinese and in ASCII (for clients without RFC 6266 filename*), with the
// time of t in China Standard Time: 民声检索结果-20261127-1530.xlsx.
func FileName(report Report, t time.Time, ext string) (chinese, ascii string) {
	stamp := t.In(corpus.CST()).Format("20060102-1504")
	switch report {
	case Trends:
		return "民声主题趋势-" + stamp + ext, "minsheng-trends-" + stamp + ext
	case Units:
		return "民声办理情况-" + stamp + ext, "minsheng-units-" + stamp + ext
	case Handling:
		return handlingName(stamp, ext)
	}
	return "民声检索结果-" + stamp + ext, "minsheng-export-" + stamp + ext
}

// csvField guards a CSV field against formula injection as OWASP ASVS
// asks: a field starting with = + - @ tab, CR or NUL gets a leading '.
func csvField(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', 0:
		return "'" + s
	}
	return s
}
