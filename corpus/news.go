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

// A news page is a newspaper site's article saved as text: site furniture
// (greetings, navigation, a column banner), the title, a line of metadata,
// the body and a footer. Lines are trimmed and blank lines dropped. The
// metadata line anchors the page: the line before it is the title, whatever
// precedes that, and the body follows it.
var (
	// navLine matches the lines above the title that are site furniture:
	// greetings (欢迎访问…), "you are here" trails (当前位置, 首页 > 新闻) and
	// lone navigation links (首页, 设为首页, English). It is needed only for
	// pages without a metadata line.
	navLine = regexp.MustCompile(`^(欢迎(访问|光临|来到)|(当前|您的|您现在的|你的)位置|首页\s*[>＞›»/|丨])|` +
		`^(首页|网站首页|返回首页|设为首页|加入收藏|无障碍|English|繁體|繁体)$`)
	// footerLine matches footer boilerplate, dropped wherever it is in the
	// body as long as the line has at most footerMax runes: copyright
	// (版权所有, Copyright, ©), registrations (ICP备/ICP证, 公网安备, a
	// 许可证：followed by its number, letters first or not), reprint
	// notices (未经…授权…转载, 禁止转载, 不得转载), staff credits starting a
	// line (编辑：, 责任编辑：, （责编：, 审核：, 校对：, 监制：) and page buttons
	// (【打印】【关闭】, 返回顶部, 分享到：…, 扫一扫在手机上查看).
	footerLine = regexp.MustCompile(`版权所有|(?i:copyright)|©|ICP[备证]|公网安备|` +
		`许可证(编?号)?\s*[:：]\s*\p{Han}?[A-Za-z]?[0-9０-９]|` +
		`未经.{0,8}授权.{0,12}(转载|复制|使用|摘编|镜像)|禁止转载|不得转载|^[（(]?(责任编辑|责编|编辑|审核|审校|校对|监制)\s*[:：]|` +
		`^([【\[]?(打印|关闭|打印本页|关闭窗口|返回顶部|收藏)[】\]]?\s*)+$|^分享到|^扫一扫|在手机上(查看|阅读|打开)`)
	// footerStart matches further lines that open a footer block at the
	// end of a page, though they may be body text elsewhere: who runs the
	// site, how to reach it, what else it has.
	footerStart = regexp.MustCompile(`^(主办|承办|协办|主管|技术支持|运营|网站标识码|地址|电话|邮编|传真|联系我们|关于我们|` +
		`网站地图|网站声明|隐私|举报|违法和不良信息|增值电信|互联网新闻信息服务|广告服务|投稿|相关(新闻|阅读|链接|稿件)|延伸阅读|推荐阅读|热点推荐|编辑推荐|上一篇|下一篇|分享)`)
	// headLine matches page buttons between the metadata line and the
	// text: font size, print, share, read aloud.
	headLine = regexp.MustCompile(`^[【\[]?(字[号体]|[大中小]字号|小字号|打印|收藏|分享|朗读|语音播报|A\+)`)
	// metaDate is a date with an optional time in a metadata line.
	metaDate = regexp.MustCompile(`(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?` +
		`(?:\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?`)
	// metaKey is a label in a metadata line; its value runs to the next label.
	metaKey = regexp.MustCompile(`(来源|记者|作者|通讯员|责任编辑|编辑|发布时间|发布日期|时间|日期|字号|浏览次数|点击数|阅读)\s*[:：]?`)
	// weekday marks the date line of a greeting (2024年3月8日 星期五), which
	// is not metadata.
	weekday = regexp.MustCompile(`星期[一二三四五六日天]|周[一二三四五六日]|今天是`)
	// byline is a reporter line under the title: 本报记者 张三, ××日报记者 张三 李四.
	byline = regexp.MustCompile(`^[（(]?[\p{Han}·]{0,12}?(记者|通讯员|作者)\s*[:：]?\s*\p{Han}`)
)

const (
	footerMax  = 100                 // longer lines are body text, whatever they contain
	shortLine  = 40                  // at most this many runes, a line may belong to a footer block
	metaSeps   = " \t\u3000|丨/【】[]·" // trimmed from metadata values
	sentenceEn = "。！？!?"             // a line ending with one is a sentence, not furniture
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

// parseNews reads a news page (see parsePage), UTF-8 or else GB18030 (GBK
// and GB2312 pages are GB18030). A page without a body is a bad record.
func parseNews(b []byte) (Doc, error) {
	text, err := decodeGuess(b)
	if err != nil {
		return Doc{}, err
	}
	p := parsePage(textLines(text))
	if p.Title == "" && p.Body == "" {
		return p.Doc, bad("no text", "")
	}
	if p.Body == "" {
		return p.Doc, bad("no text", "no body")
	}
	return p.Doc, nil
}

// textLines splits text into trimmed lines without blank ones; NUL and byte
// order marks are dropped.
func textLines(s string) []string {
	var lines []string
	for _, l := range strings.Split(multiline(strings.ReplaceAll(s, "\x00", "")), "\n") {
		if l = strings.TrimSpace(strings.ReplaceAll(l, "\uFEFF", "")); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// page is what parsePage finds in a page's lines.
type page struct {
	Doc
	Editor   string // 编辑 or 责任编辑 of the metadata line
	anchored bool   // a metadata line with a date was found
}

// parsePage reads a page's lines by their structure. The metadata line is
// the first line with a date that reads as metadata (preferring one with
// labels such as 来源 or 记者) before the first paragraph of text; the line
// before it is the title, or the one before that when it is a subtitle
// (——…) or a reporter line. A page without one (a plain text) has its
// first line that is not navigation as the title, and metadata only when
// one of the next two lines is labelled (记者 张三). Below, the title
// repeated and the reporter line are dropped, and so is the footer.
func parsePage(lines []string) page {
	var p page
	var body []string
	if i := metaAnchor(lines); i >= 0 {
		p.anchored = true
		p.setMeta(lines[i])
		t := i - 1
		for t > 0 && i-t <= 2 && (isSubtitle(lines[t]) || byline.MatchString(lines[t])) {
			t--
		}
		if t >= 0 {
			p.Title = lines[t]
			for _, l := range lines[t+1 : i] {
				if isSubtitle(l) {
					body = append(body, l)
				} else {
					p.setByline(l)
				}
			}
		}
		body = append(body, lines[i+1:]...)
	} else {
		for len(lines) > 0 && navLine.MatchString(lines[0]) {
			lines = lines[1:]
		}
		if len(lines) == 0 {
			return p
		}
		p.Title, body = lines[0], lines[1:]
		for i := 0; i < min(2, len(body)); i++ {
			if m, ok := parseMeta(body[i]); ok {
				p.Date, p.Source, p.Author, p.Editor = m.date, m.source, m.author, m.editor
				body = append(body[:i:i], body[i+1:]...)
				break
			}
		}
	}
	body = p.dropHead(body)
	p.Body = strings.Join(dropFooter(body), "\n")
	return p
}

// metaAnchor returns the index of the metadata line of lines, or -1. Only
// lines before the first paragraph of text (a long line with a full stop)
// are candidates; a labelled one wins over a bare date.
func metaAnchor(lines []string) int {
	first := -1
	for i, l := range lines {
		if utf8.RuneCountInString(l) > shortLine && strings.Contains(l, "。") {
			break
		}
		m, ok := parseMeta(l)
		if !ok || m.date.IsZero() || weekday.MatchString(l) && !m.labelled {
			continue
		}
		if m.labelled {
			return i
		}
		if first < 0 {
			first = i
		}
	}
	return first
}

// setMeta fills in date, source, author and editor from a metadata line.
func (p *page) setMeta(line string) {
	m, _ := parseMeta(line)
	p.Date, p.Source, p.Author, p.Editor = m.date, m.source, m.author, m.editor
}

// setByline takes the author from a reporter line when the metadata line
// named none.
func (p *page) setByline(line string) {
	if p.Author != "" {
		return
	}
	if loc := byline.FindStringSubmatchIndex(line); loc != nil {
		if m, ok := parseMeta(line[loc[2]:]); ok {
			p.Author = m.author
		}
	}
}

// dropHead drops from the start of the body the title repeated, the
// reporter line and page buttons (字号 大 中 小), keeping a subtitle.
func (p *page) dropHead(body []string) []string {
	out := body[:0:0]
	for i, l := range body {
		switch {
		case i < 4 && p.Title != "" && compact(l) == compact(p.Title):
		case i < 4 && isByline(l):
			p.setByline(l)
		case i < 4 && utf8.RuneCountInString(l) <= shortLine && headLine.MatchString(l):
		case i < 4 && isSubtitle(l):
			out = append(out, l)
		default:
			return append(out, body[i:]...)
		}
	}
	return out
}

// isSubtitle reports whether l is a subtitle line: ——副标题.
func isSubtitle(l string) bool {
	return strings.HasPrefix(l, "——") || strings.HasPrefix(l, "--") || strings.HasPrefix(l, "─")
}

// isByline reports whether l is a reporter line alone: short, without
// sentence punctuation, starting with who the reporter works for.
func isByline(l string) bool {
	return utf8.RuneCountInString(l) <= shortLine && !strings.ContainsAny(l, "。，！？；,") && byline.MatchString(l)
}

// compact is s without spaces, for comparing titles.
func compact(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// dropFooter drops footer boilerplate from a body: the block at its end (a
// run of short lines without full stops that holds boilerplate, dropped
// from the first boilerplate line on, whatever the lines after it say) and
// lines that are boilerplate wherever they are.
func dropFooter(body []string) []string {
	j := len(body)
	for j > 0 && isFootish(body[j-1]) {
		j--
	}
	for k := j; k < len(body); k++ {
		if l := unbullet(body[k]); footerLine.MatchString(l) || footerStart.MatchString(l) {
			body = body[:k]
			break
		}
	}
	var out []string
	for _, l := range body {
		if utf8.RuneCountInString(l) > footerMax || !footerLine.MatchString(unbullet(l)) {
			out = append(out, l)
		}
	}
	return out
}

// isFootish reports whether l may be part of a footer block: boilerplate,
// or a short line that is not a sentence.
func isFootish(l string) bool {
	n := utf8.RuneCountInString(l)
	if n > footerMax {
		return false
	}
	l = unbullet(l)
	return footerLine.MatchString(l) || footerStart.MatchString(l) ||
		n <= shortLine && !strings.ContainsAny(l, "。，；") && !strings.ContainsAny(lastRune(l), sentenceEn)
}

// unbullet strips a list bullet from the start of a line.
func unbullet(l string) string {
	return strings.TrimLeft(l, "•·●○◆◇■□▪-*> \t\u3000")
}

func lastRune(s string) string {
	_, n := utf8.DecodeLastRuneInString(s)
	return s[len(s)-n:]
}

// meta is what a news page's metadata line says.
type meta struct {
	date                   time.Time
	source, author, editor string
	labelled               bool // it has a label such as 来源 or 记者
}

// parseMeta reads a metadata line such as
//
//	2023-01-11 10:10:23 来源:新甘肃·甘肃日报 记者 石丹丹 编辑:王丽丽
//	2024-03-08 09:41:07 来源：××日报客户端·××日报记者 张三 编辑：李四
//	来源：人民网 作者：张三 发布时间：2023年01月11日
//
// It is one if it has a date, or starts with a label, and has no sentence
// punctuation. Text before the first label is the source when there is a
// date (2023-01-11 甘肃日报). 记者 and 作者 give the author, several
// names joined with 、; a source that runs into 记者 (××日报记者 张三)
// loses a trailing 本报.
func parseMeta(line string) (m meta, ok bool) {
	if utf8.RuneCountInString(line) > 150 || strings.ContainsAny(line, "。，！？；") {
		return m, false
	}
	rest := line
	if g := metaDate.FindStringSubmatchIndex(line); g != nil {
		t, err := ParseDate(metaDateText(line, g))
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
			m.labelled = true
			if v != "本报" {
				v = strings.Trim(strings.TrimSuffix(v, "本报"), metaSeps) // 来源：某某日报 本报记者 张三
			}
			m.source = cmp.Or(m.source, v)
		case "记者", "作者":
			m.labelled = true
			names = append(names, strings.FieldsFunc(v, func(r rune) bool {
				return unicode.IsSpace(r) || strings.ContainsRune("、,/|丨", r)
			})...)
		case "编辑", "责任编辑":
			m.labelled = true
			m.editor = cmp.Or(m.editor, v)
		}
	}
	m.author = strings.Join(names, "、")
	return m, true
}

// metaDateText writes the date metaDate matched at g as ParseDate reads it.
func metaDateText(line string, g []int) string {
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
	return s
}
