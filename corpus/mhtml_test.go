package corpus

import (
	"encoding/base64"
	"mime/quotedprintable"
	"strings"
	"testing"
)

// chromeMHTML is a page saved by Chrome as a single file: the address in
// Snapshot-Content-Location, the page in quoted-printable UTF-8, an image.
func chromeMHTML(t *testing.T, page string) string {
	t.Helper()
	var qp strings.Builder
	w := quotedprintable.NewWriter(&qp)
	w.Write([]byte(page))
	w.Close()
	return "From: <Saved by Blink>\r\nSnapshot-Content-Location: https://www.example.cn/news/2024/0308/1.html\r\n" +
		"Subject: =?utf-8?Q?=E6=A0=87=E9=A2=98?=\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n\tboundary=\"----MultipartBoundary--abc----\"\r\n\r\n\r\n" +
		"------MultipartBoundary--abc----\r\nContent-Type: text/html\r\nContent-ID: <frame-1@mhtml.blink>\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\nContent-Location: https://www.example.cn/news/2024/0308/1.html\r\n\r\n" +
		qp.String() + "\r\n" +
		"------MultipartBoundary--abc----\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n" +
		"Content-Location: https://www.example.cn/logo.png\r\n\r\niVBORw0KGgo=\r\n" +
		"------MultipartBoundary--abc------\r\n"
}

// ieMHTML is a page saved by Internet Explorer as a web archive: the page
// in base64 GBK, the address in its Content-Location.
func ieMHTML(t *testing.T, page string) string {
	t.Helper()
	enc := base64.StdEncoding.EncodeToString([]byte(gbkBytes(t, page)))
	var lines []string
	for len(enc) > 76 {
		lines, enc = append(lines, enc[:76]), enc[76:]
	}
	lines = append(lines, enc)
	return "From: <由 Windows Internet Explorer 8 保存>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n\tboundary=\"----=_NextPart_000_0000_01DA0000.00000000\"\r\n\r\n" +
		"This is a multi-part message in MIME format.\r\n\r\n" +
		"------=_NextPart_000_0000_01DA0000.00000000\r\nContent-Type: text/html;\r\n\tcharset=\"gb2312\"\r\n" +
		"Content-Transfer-Encoding: base64\r\nContent-Location: http://www.example.gov.cn/art/2023/9/12/art_1.html\r\n\r\n" +
		strings.Join(lines, "\r\n") + "\r\n\r\n------=_NextPart_000_0000_01DA0000.00000000--\r\n"
}

func TestMHTML(t *testing.T) {
	page := `<html><head><meta charset="gbk"><title>农村公路建设_某某日报</title></head><body><h1>农村公路建设</h1>` +
		`<div>2024-03-08 09:41 来源：某某日报 记者 张三</div>` + article + `</body></html>`
	dir := t.TempDir()
	writeFile(t, dir, "chrome.mhtml", chromeMHTML(t, strings.Replace(page, "gbk", "utf-8", 1)))
	writeFile(t, dir, "ie.mht", ieMHTML(t, page))
	writeFile(t, dir, "plain.mht", "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\nContent-Location: https://www.example.cn/2.html\r\n\r\n"+page)
	writeFile(t, dir, "x-no-page.mht", "Content-Type: multipart/related; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: image/png\r\n\r\nPNG\r\n--b--\r\n")
	writeFile(t, dir, "x-not-mime.mht", "这不是网页档案")
	writeFile(t, dir, "x-bad-base64.mht", "Content-Type: multipart/related; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@@\r\n--b--\r\n")
	r := walk(t, Options{}, dir)
	if r.err != nil || len(r.docs) != 3 {
		t.Fatalf("%v %+v %v", r.err, r.docs, r.probs)
	}
	for i, url := range []string{"https://www.example.cn/news/2024/0308/1.html", "http://www.example.gov.cn/art/2023/9/12/art_1.html", "https://www.example.cn/2.html"} {
		d := r.docs[i]
		if d.Title != "农村公路建设" || d.Source != "某某日报" || d.Author != "张三" || d.Date.IsZero() || d.URL != url ||
			!strings.HasPrefix(d.Body, "第一段正文") || !strings.HasSuffix(d.Body, "让更多群众走上致富路。") {
			t.Errorf("%s: %+v", d.ID, d)
		}
	}
	checkProbs(t, r.probs, "x-bad-base64.mht: broken mhtml: illegal base64 data at input byte 0",
		"x-no-page.mht: no article: no HTML page in the web archive", `x-not-mime.mht: broken mhtml: malformed MIME header: missing colon: "这不是网页档案"`)
}
