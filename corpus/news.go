package corpus

import (
	"cmp"
	"context"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A news page is a newspaper site's article saved as text: site furniture,
// the title, a line of metadata, the body and a footer. Lines are trimmed and
// blank lines dropped.
var (
	// navLine matches the lines above the title that are site furniture:
	// greetings (欢迎访问…), "you are here" trails (当前位置, 首页 > 新闻) and
	// lone navigation links (首页, 设为首页, English).
	navLine = regexp.MustCompile(`^(欢迎(访问|光临|来到)|(当前|您的|您现在的|你的)位置|首页\s*[>＞›»/|丨])|` +
		`^(首页|网站首页|返回首页|设为首页|加入收藏|无障碍|English|繁體|繁体)$`)
	// footerLine matches footer boilerplate, dropped wherever it is in the
	// body as long as the line has at most footerMax runes: copyright
	// (版权所有, Copyright, ©), registrations (ICP备/ICP证, 公网安备, a
	// 许可证：followed by its number), reprint notices (未经…授权…转载,
	// 禁止转载, 不得转载), staff credits starting a line (编辑：, 责任编辑：,
	// 审核：, 校对：, 监制：) and page buttons (【打印】【关闭】, 返回顶部,
	// 分享到：…).
	footerLine = regexp.MustCompile(`版权所有|(?i:copyright)|©|ICP[备证]|公网安备|许可证(编?号)?\s*[:：]\s*[0-9０-９]|` +
		`未经.{0,8}授权.{0,12}(转载|复制|使用|摘编|镜像)|禁止转载|不得转载|^(责任编辑|编辑|审核|校对|监制)\s*[:：]|` +
		`^([【\[]?(打印|关闭|打印本页|关闭窗口|返回顶部|收藏)[】\]]?\s*)+$|^分享到`)
	// metaDate is a date with an optional time in a metadata line.
	metaDate = regexp.MustCompile(`(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?` +
		`(?:\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?`)
	// metaKey is a label in a metadata line; its value runs to the next label.
	metaKey = regexp.MustCompile(`(来源|记者|作者|通讯员|责任编辑|编辑|发布时间|发布日期|时间|日期|字号|浏览次数|点击数|阅读)\s*[:：]?`)
)

const (
	footerMax = 100                // longer lines are body text, whatever they contain
	metaSeps  = " \t\u3000|丨/【】[]" // trimmed from metadata values
)

// readNews reads a whole .txt file as one news page; its id is the file's
// base name and its problems are reported for line 0, the whole file.
func (w *walker) readNews(ctx context.Context, name string, r io.Reader) error {
	b, err := io.ReadAll(io.LimitReader(r, maxRecord+1))
	if err != nil {
		return err
	}
	if len(b) > maxRecord {
		return w.add(ctx, name, 0, Doc{}, errTooLarge)
	}
	d, err := parseNews(b)
	d.ID, d.Kind = baseName(name), cmp.Or(w.opt.Kind, KindNews)
	return w.add(ctx, name, 0, d, err)
}

// parseNews reads a news page: the first line that is not site furniture is
// the title; the first or second line after it, if it reads as metadata,
// gives date, source and author; the rest without footer lines is the body.
// A page without a body is a bad record.
func parseNews(b []byte) (Doc, error) {
	var d Doc
	if !utf8.Valid(b) {
		return d, bad("invalid utf-8", "")
	}
	var lines []string
	for _, l := range strings.Split(multiline(strings.ReplaceAll(string(b), "\x00", "")), "\n") {
		if l = strings.TrimSpace(strings.TrimPrefix(l, "\uFEFF")); l != "" {
			lines = append(lines, l)
		}
	}
	for len(lines) > 0 && navLine.MatchString(lines[0]) {
		lines = lines[1:]
	}
	if len(lines) == 0 {
		return d, bad("no text", "")
	}
	d.Title, lines = lines[0], lines[1:]
	for i := 0; i < min(2, len(lines)); i++ {
		if m, ok := parseMeta(lines[i]); ok {
			d.Date, d.Source, d.Author = m.date, m.source, m.author
			lines = append(lines[:i:i], lines[i+1:]...)
			break
		}
	}
	var body []string
	for _, l := range lines {
		if utf8.RuneCountInString(l) > footerMax || !footerLine.MatchString(l) {
			body = append(body, l)
		}
	}
	if d.Body = strings.Join(body, "\n"); d.Body == "" {
		return d, bad("no text", "no body")
	}
	return d, nil
}

// meta is what a news page's metadata line says.
type meta struct {
	date           time.Time
	source, author string
}

// parseMeta reads a metadata line such as
//
//	2023-01-11 10:10:23 来源:新甘肃·甘肃日报 记者 石丹丹 编辑:王丽丽
//	来源：人民网 作者：张三 发布时间：2023年01月11日
//
// It is one if it has a date, or starts with a label, and has no sentence
// punctuation. Text before the first label is the source when there is a
// date (2023-01-11 甘肃日报). 记者 and 作者 give the author, several
// names joined with 、.
func parseMeta(line string) (m meta, ok bool) {
	if utf8.RuneCountInString(line) > 150 || strings.ContainsAny(line, "。，！？；") {
		return m, false
	}
	rest := line
	if g := metaDate.FindStringSubmatchIndex(line); g != nil {
		part := func(k int) string {
			if g[2*k] < 0 {
				return ""
			}
			return line[g[2*k]:g[2*k+1]]
		}
		s := part(1) + "-" + part(2) + "-" + part(3)
		if part(4) != "" {
			s += " " + part(4) + ":" + part(5)
			if part(6) != "" {
				s += ":" + part(6)
			}
		}
		t, err := ParseDate(s)
		if err != nil {
			return m, false
		}
		m.date, rest = t, line[:g[0]]+" "+line[g[1]:]
	}
	keys := metaKey.FindAllStringSubmatchIndex(rest, -1)
	lead := len(rest)
	if len(keys) > 0 {
		lead = keys[0][0]
	}
	if s := strings.Trim(rest[:lead], metaSeps); s != "" {
		if m.date.IsZero() || utf8.RuneCountInString(s) > 30 {
			return m, false
		}
		m.source = s
	} else if m.date.IsZero() && len(keys) == 0 {
		return m, false
	}
	var names []string
	for i, k := range keys {
		end := len(rest)
		if i+1 < len(keys) {
			end = keys[i+1][0]
		}
		v := strings.Trim(rest[k[1]:end], metaSeps)
		switch rest[k[2]:k[3]] {
		case "来源":
			m.source = cmp.Or(m.source, v)
		case "记者", "作者":
			names = append(names, strings.FieldsFunc(v, func(r rune) bool {
				return unicode.IsSpace(r) || strings.ContainsRune("、,/|丨", r)
			})...)
		}
	}
	m.author = strings.Join(names, "、")
	return m, true
}
