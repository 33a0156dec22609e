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
	// greetings (欢迎访问…), "you are here" trails (当前位置, 首页 > 新闻,
	// 人民网 >> 地方 >> 甘肃), menus (时政 | 社会 | 经济) and lone navigation
	// links (首页, 设为首页, English). It is needed only for pages without a
	// metadata line.
	navLine = regexp.MustCompile(`^(欢迎(访问|光临|来到)|(当前|您的|您现在的|你的)位置|首页\s*[>＞›»/|丨])|` +
		`^(首页|网站首页|返回首页|设为首页|加入收藏|无障碍|English|繁體|繁体)$|` +
		`^[^。，\s>＞›»|丨]{1,12}(\s*([>＞›»]{1,2}|[|丨])\s*[^。，\s>＞›»|丨]{1,12}){2,}$`)
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
	// Seconds follow a colon (10:10:23) or 分 (10时10分23秒); a lone 分
	// ends the minutes (07时41分).
	metaDate = regexp.MustCompile(`(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?` +
		`(?:\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：]\s*(\d{1,2})|\s*分(?:\s*(\d{1,2})\s*秒)?)?)?`)
	// metaKey is a label in a metadata line; its value runs to the next label.
	metaKey = regexp.MustCompile(`(信息来源|文章来源|稿件来源|来源|记者|作者|通讯员|责任编辑|责编|编辑|发布时间|发表时间|更新时间|发布日期|时间|日期|字号|字体|浏览次数|点击数|阅读)\s*[:：]?`)
	// weekday marks the date line of a greeting (2024年3月8日 星期五), which
	// is not metadata.
	weekday = regexp.MustCompile(`星期[一二三四五六日天]|周[一二三四五六日]|今天是`)
	// byline is a reporter line under the title: 本报记者 张三, ××日报记者 张三 李四.
	byline = regexp.MustCompile(`^[（(]?[\p{Han}·]{0,12}?(记者|通讯员|作者)\s*[:：]?\s*\p{Han}`)
)

const (
	footerMax    = 100        // longer lines are body text, whatever they contain
	metaWindow   = 100        // lines from the top a metadata line may be on
	footerWindow = 60         // lines from the end a footer block may start at
	shortLine    = 40         // at most this many runes, a line may belong to a footer block
	metaSeps     = "|丨/【】[]·" // trimmed from metadata values, with spaces
	sentenceEn   = "。！？!?"    // a line ending with one is a sentence, not furniture
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
	anchored bool // a metadata line with a date was found
}

// parsePage reads a page's lines by their structure. The metadata line is
// the first line with a date that reads as metadata (preferring one with
// labels such as 来源 or 记者) before the first paragraph of text, with
// the labelled metadata lines around it; the line before them is the
// title, or the one before that when it is a subtitle (——…, or a line
// starting with a date) or a reporter line. A page without one (a plain
// text) has its first line that is not navigation as the title, and
// metadata only when one of the next two lines is labelled (记者 张三).
// Below, the title repeated and the reporter line are dropped, and so is
// the footer.
func parsePage(lines []string) page {
	var p page
	var body []string
	lines = joinLabels(lines)
	if i := metaAnchor(lines); i >= 0 {
		p.anchored = true
		lo, hi := metaBlock(lines, i)
		for _, l := range lines[lo:hi] {
			p.addMeta(l)
		}
		t := lo - 1
		for t > 0 && lo-t <= 2 && (isSubtitle(lines[t]) || isDated(lines[t]) || byline.MatchString(lines[t])) {
			t--
		}
		if t >= 0 {
			p.Title = lines[t]
			for _, l := range lines[t+1 : lo] {
				if isSubtitle(l) || isDated(l) {
					body = append(body, l)
				} else {
					p.setByline(l)
				}
			}
		}
		body = append(body, lines[hi:]...)
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
	p.Body = strings.Join(p.dropFooter(body), "\n")
	return p
}

// metaAnchor returns the index of the metadata line of lines, or -1. Only
// lines before the first paragraph of text (a long line with a full stop)
// and among the first metaWindow are candidates; a labelled one wins over
// a bare date.
func metaAnchor(lines []string) int {
	first := -1
	for i, l := range lines[:min(len(lines), metaWindow)] {
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

// metaBlock returns the bounds [lo, hi) of the metadata around the line at
// i: up to three labelled metadata lines on either side belong to it
// (来源：某某日报 above 时间：2026-02-09, as some sites lay it out).
func metaBlock(lines []string, i int) (lo, hi int) {
	isMeta := func(l string) bool {
		m, ok := parseMeta(l)
		return ok && m.labelled && !isSubtitle(l)
	}
	lo, hi = i, i+1
	for lo > 0 && i-lo < 3 && isMeta(lines[lo-1]) {
		lo--
	}
	for hi < len(lines) && hi-i <= 3 && isMeta(lines[hi]) {
		hi++
	}
	return lo, hi
}

// addMeta fills in date, source, author and editor from a metadata line
// where they are not set yet.
func (p *page) addMeta(line string) {
	m, _ := parseMeta(line)
	if p.Date.IsZero() {
		p.Date = m.date
	}
	p.Source, p.Author, p.Editor = cmp.Or(p.Source, m.source), cmp.Or(p.Author, m.author), cmp.Or(p.Editor, m.editor)
}

// labelOnly is a metadata label alone on its line, its value on the next.
var labelOnly = regexp.MustCompile(`^\p{Han}{0,4}(来源|时间|日期|作者|记者|编辑)\s*[:：]$`)

// joinLabels joins each label alone on its line with the next line
// (来源： / 某某日报), as text copied from some pages has them, among the
// first metaWindow lines.
func joinLabels(lines []string) []string {
	var out []string
	for i := 0; i < len(lines); i++ {
		if i < metaWindow && labelOnly.MatchString(lines[i]) && i+1 < len(lines) {
			out = append(out, lines[i]+lines[i+1])
			i++
			continue
		}
		out = append(out, lines[i])
	}
	return out
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
// reporter line and page buttons (【字号： 大 中 小 】), keeping a subtitle
// (or a dated line such as 2026年1月14日在…会议上).
func (p *page) dropHead(body []string) []string {
	out := body[:0:0]
	for i, l := range body {
		switch {
		case i < 12 && buttons[l]:
		case i < 12 && utf8.RuneCountInString(l) <= shortLine && headLine.MatchString(l):
		case len(out) < 4 && p.Title != "" && compact(l) == compact(p.Title):
		case len(out) < 4 && isByline(l):
			p.setByline(l)
		case len(out) < 4 && (isSubtitle(l) || isDated(l)):
			out = append(out, l)
		default:
			return append(out, body[i:]...)
		}
	}
	return out
}

// buttons are the words of page buttons that text copied from a page may
// have one to a line.
var buttons = map[string]bool{"大": true, "中": true, "小": true, "加大": true, "还原": true, "减小": true, "默认": true,
	"【": true, "】": true, "[": true, "]": true, "打印": true, "收藏": true, "全屏": true, "下载": true, "关闭": true,
	"分享": true, "分享：": true, "分享:": true, "A+": true, "A-": true, "A": true}

// isSubtitle reports whether l is a subtitle line: ——副标题, also with
// other dashes, or a dated line in brackets (（2026年1月27日在…会议上）).
func isSubtitle(l string) bool {
	for _, dash := range []string{"——", "――", "--", "─", "—"} {
		if strings.HasPrefix(l, dash) {
			return true
		}
	}
	return (strings.HasPrefix(l, "（") && strings.HasSuffix(l, "）") || strings.HasPrefix(l, "(") && strings.HasSuffix(l, ")")) &&
		metaDate.MatchString(l)
}

// isDated reports whether l starts with a date and reads as metadata
// without labels: a subtitle such as 2026年1月14日在某省人民代表大会上
// rather than a title, when it stands between a title and its metadata.
func isDated(l string) bool {
	m, ok := parseMeta(l)
	loc := metaDate.FindStringIndex(l)
	return ok && !m.labelled && loc != nil && loc[0] == 0
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
// run of short lines without full stops, at most footerWindow of them,
// that holds boilerplate, dropped from the first boilerplate line on,
// whatever the lines after it say) and lines that are boilerplate wherever
// they are. The editor a credit line names (责任编辑：李明) is taken when
// the metadata line named none.
func (p *page) dropFooter(body []string) []string {
	j := len(body)
	for j > 0 && len(body)-j < footerWindow && isFootish(body[j-1]) {
		j--
	}
	for k := j; k < len(body); k++ {
		if l := unbullet(body[k]); footerLine.MatchString(l) || footerStart.MatchString(l) {
			for _, l := range body[k:] {
				p.creditEditor(l)
			}
			body = body[:k]
			break
		}
	}
	var out []string
	for _, l := range body {
		if utf8.RuneCountInString(l) > footerMax || !footerLine.MatchString(unbullet(l)) {
			out = append(out, l)
		} else {
			p.creditEditor(l)
		}
	}
	return out
}

// creditEditor takes the editor of a credit line, （责编：王丽） too.
func (p *page) creditEditor(l string) {
	if m, ok := parseMeta(strings.Trim(unbullet(l), "（）()")); ok && p.Editor == "" {
		p.Editor = m.editor
	}
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
	labelled               bool // it has a label such as 来源, 记者 or 时间
}

// parseMeta reads a metadata line such as
//
//	2023-01-11 10:10:23 来源:新甘肃·甘肃日报 记者 石丹丹 编辑:王丽丽
//	2024-03-08 09:41:07 来源：××日报客户端·××日报记者 张三 编辑：李四
//	来源：人民网 作者：张三 发布时间：2023年01月11日
//
// It is one if it has a date, or starts with a label, and has no sentence
// punctuation and is not a subtitle (——2026年1月28日在…会议上). Text before the first label is the source when there is a
// date (2023-01-11 甘肃日报). 记者 and 作者 give the author, several
// names joined with 、; a source that runs into 记者 (××日报记者 张三)
// loses a trailing 本报.
func parseMeta(line string) (m meta, ok bool) {
	if utf8.RuneCountInString(line) > 150 || strings.ContainsAny(line, "。，！？；") || isSubtitle(line) {
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
	if s := trimMeta(rest[:lead]); s != "" {
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
		v := trimMeta(rest[k[1]:end])
		m.labelled = true
		switch rest[k[2]:k[3]] {
		case "来源", "信息来源", "文章来源", "稿件来源":
			if v != "本报" {
				v = trimMeta(strings.TrimSuffix(v, "本报")) // 来源：某某日报 本报记者 张三
			}
			m.source = cmp.Or(m.source, v)
		case "记者", "作者":
			names = append(names, strings.FieldsFunc(v, func(r rune) bool {
				return unicode.IsSpace(r) || strings.ContainsRune("、,/|丨", r)
			})...)
		case "编辑", "责任编辑", "责编":
			m.editor = cmp.Or(m.editor, v)
		}
	}
	m.author = strings.Join(names, "、")
	return m, true
}

// trimMeta trims spaces (no-break and full-width ones too) and separators
// from a metadata value.
func trimMeta(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(metaSeps, r) })
}

// metaDateText writes the date metaDate matched at g as ParseDate reads it.
func metaDateText(line string, g []int) string {
	part := func(k int) string {
		if g[2*k] < 0 {
			return ""
		}
		return line[g[2*k]:g[2*k+1]]
	}
	two := func(s string) string { return strings.Repeat("0", max(0, 2-len(s))) + s }
	s := part(1) + "-" + part(2) + "-" + part(3)
	if part(4) != "" {
		s += " " + two(part(4)) + ":" + two(part(5))
		if sec := part(6) + part(7); sec != "" {
			s += ":" + two(sec)
		}
	}
	return s
}
