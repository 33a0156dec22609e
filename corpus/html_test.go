package corpus

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// article is a page body readability takes for an article.
const article = `<div class="content"><p>第一段正文，记者从省交通运输厅获悉，全省农村公路建设进展顺利，群众出行条件明显改善。</p>
<p>第二段正文，今年以来全省新建改建农村公路一万多公里，完成投资一百多亿元，惠及沿线群众数百万人。</p>
<p>第三段正文，下一步将继续推进农村公路提档升级，让更多群众走上致富路。</p></div>`

func gbkBytes(t *testing.T, s string) string {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHTMLCharsets(t *testing.T) {
	page := "<html><head>%s<title>农村公路建设</title></head><body><h1>农村公路建设</h1>" + article + "</body></html>"
	for _, tt := range []struct{ name, page, bad string }{
		{"utf-8 undeclared", strings.Replace(page, "%s", "", 1), ""},
		{"utf-8 with a bom", "\uFEFF" + strings.Replace(page, "%s", "", 1), ""},
		{"gbk declared late", gbkBytes(t, strings.Replace(page, "%s", "<!--"+strings.Repeat("注释", 400)+"--><meta charset=GBK>", 1)), ""},
		{"gbk undeclared", gbkBytes(t, strings.Replace(page, "%s", "", 1)), ""},
		{"utf-16", "\xff\xfe" + utf16le(strings.Replace(page, "%s", "", 1)), ""},
		{"utf-8 saved under a gbk declaration", strings.Replace(page, "%s", `<meta charset="gbk">`, 1), ""},
		{"invalid bytes in declared gbk", gbkBytes(t, strings.Replace(page, "%s", `<meta charset="gbk">`, 1)) + "\x81\x20", "invalid bytes: not gbk as the page declares"},
		{"gbk declared as utf-8", gbkBytes(t, strings.Replace(page, "%s", `<meta charset="utf-8">`, 1)), "invalid bytes: not utf-8 as the page declares"},
		{"invalid in utf-8 and gb18030", strings.Replace(page, "%s", "", 1) + "\xff\xff", "invalid utf-8"},
		{"utf-8 with a broken byte", strings.Replace(page, "第二段", "第\x81二段", 1), "invalid utf-8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := parseHTML([]byte(tt.page))
			if tt.bad != "" {
				if err == nil || err.Error() != tt.bad {
					t.Errorf("err = %v, want %q", err, tt.bad)
				}
				return
			}
			if err != nil || d.Title != "农村公路建设" || !strings.HasPrefix(d.Body, "第一段正文，记者从省交通运输厅获悉") ||
				!strings.HasSuffix(d.Body, "让更多群众走上致富路。") {
				t.Errorf("%v %+v", err, d)
			}
		})
	}
}

// utf16le encodes s as UTF-16, little-endian, without a byte order mark.
func utf16le(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0xFFFF {
			r = '?'
		}
		b.WriteByte(byte(r))
		b.WriteByte(byte(r >> 8))
	}
	return b.String()
}

func TestHTMLProblems(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a-nav-only.html", `<html><body><ul><li><a href="/">首页</a></li><li><a href="/x">新闻</a></li></ul></body></html>`)
	writeFile(t, dir, "b-empty.htm", "")
	writeFile(t, dir, "c-bad-bytes.html", `<meta charset="gb2312"><p>`+gbkBytes(t, "正文")+"\xfe\x20</p>")
	writeFile(t, dir, "d-good.HTM", "<title>标题</title>"+article)
	writeFile(t, dir, "e-script-only.html", "<html><head><script>var a = '正文';</script></head><body><script>document.write(a)</script></body></html>")
	r := walk(t, Options{}, dir)
	if r.err != nil || len(r.docs) != 1 || r.docs[0].ID != "d-good" || r.docs[0].Title != "标题" || r.stats.Skipped != 4 {
		t.Fatalf("%v %+v %+v", r.err, r.docs, r.stats)
	}
	checkProbs(t, r.probs, "a-nav-only.html: no article", "b-empty.htm: no article",
		"c-bad-bytes.html: invalid bytes: not gbk as the page declares", "e-script-only.html: no article")
}

// TestHTMLSiteInTitle: with nothing better than <title>, the site's name
// after a separator is cut off.
func TestHTMLSiteInTitle(t *testing.T) {
	for in, want := range map[string]string{
		"全省农村公路建设进展顺利_某某日报":   "全省农村公路建设进展顺利",
		"全省农村公路建设进展顺利--某某新闻网": "全省农村公路建设进展顺利",
		"全省农村公路建设进展顺利 | 某某在线": "全省农村公路建设进展顺利",
		"全省农村公路建设进展顺利－要闻－某某网": "全省农村公路建设进展顺利－要闻",
		"短_某某日报":       "短_某某日报",
		"全省农村公路建设进展顺利": "全省农村公路建设进展顺利",
	} {
		d, err := parseHTML([]byte("<html><head><title>" + in + "</title></head><body>" + article + "</body></html>"))
		if err != nil || d.Title != want {
			t.Errorf("%s: %v title %q, want %q", in, err, d.Title, want)
		}
	}
}

// TestHTMLJSONLDDate: JSON-LD's datePublished without a zone is China's
// time, with one it is that.
func TestHTMLJSONLDDate(t *testing.T) {
	for ld, want := range map[string]string{
		"2024-03-08 09:41:07":       "2024-03-08T09:41:07+08:00",
		"2024-03-08T01:41:07Z":      "2024-03-08T09:41:07+08:00",
		"2024-03-08T09:41:07+08:00": "2024-03-08T09:41:07+08:00",
	} {
		page := `<html><head><title>农村公路建设</title><script type="application/ld+json">{"@type":"NewsArticle","datePublished":"` + ld +
			`"}</script></head><body>` + article + `</body></html>`
		d, err := parseHTML([]byte(page))
		if err != nil || d.Date.Format(time.RFC3339) != want {
			t.Errorf("%s: %v %v, want %s", ld, err, d.Date, want)
		}
	}
}

// TestHTMLArticleHead: metadata at the top of the article, labelled but
// undated, fills in what the tags do not say and leaves the body.
func TestHTMLArticleHead(t *testing.T) {
	page := `<html><head><meta property="og:title" content="农村公路建设"></head><body><div class="nav"><a href="/">首页</a></div>` +
		`<div class="content"><h1>农村公路建设</h1><p>来源：某某日报 作者：张三</p>` + strings.TrimPrefix(article, `<div class="content">`) + `</body></html>`
	d, err := parseHTML([]byte(page))
	if err != nil || d.Title != "农村公路建设" || d.Source != "某某日报" || d.Author != "张三" || !d.Date.IsZero() ||
		!strings.HasPrefix(d.Body, "第一段正文") {
		t.Errorf("%v %+v", err, d)
	}
}

// TestHTMLGzip: a saved page may be gzipped; a gzipped Word file is not a
// known type.
func TestHTMLGzip(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.html.gz", gz(t, "<title>标题</title>"+article))
	writeFile(t, dir, "b.docx.gz", gz(t, "PK"))
	r := walk(t, Options{}, dir)
	if r.err != nil || len(r.docs) != 1 || r.docs[0].ID != "a" || r.docs[0].Title != "标题" || len(r.probs) != 0 || r.stats.Files != 1 {
		t.Errorf("%v %+v %v %+v", r.err, r.docs, r.probs, r.stats)
	}
}
