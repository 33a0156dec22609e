package corpus

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzRead feeds data through the reader for each format and checks every
// document it emits: no error (the input cannot fail to read), valid UTF-8
// and no NUL in any field, and some text.
func fuzzRead(t *testing.T, data []byte, formats ...string) {
	for _, format := range formats {
		check := func(d Doc) error {
			fields := append([]string{d.ID, d.Kind, d.Title, d.Body, d.Source, d.Author, d.Editor, d.Delegation,
				d.Session, d.Number, d.Status, d.Reply, d.Category, d.URL}, append(d.Units, d.Topics...)...)
			for _, s := range fields {
				if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
					t.Errorf("%s: bad text %q in %+v", format, s, d)
				}
			}
			if strings.TrimSpace(d.Title) == "" && strings.TrimSpace(d.Body) == "" || d.ID == "" || d.Kind == "" {
				t.Errorf("%s: no text, id or kind in %+v", format, d)
			}
			return nil
		}
		w, err := newWalker(Options{}, check, func(p Problem) {
			if p.File != "fuzz" || p.Reason == "" {
				t.Errorf("%s: problem %+v", format, p)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.read(context.Background(), "fuzz", format, bytes.NewReader(data)); err != nil {
			t.Errorf("%s: %v", format, err)
		}
		if w.stats.Docs+w.stats.Skipped != 1 && format != "json" && format != "csv" {
			t.Errorf("%s: %d documents and %d skipped from one file, want one of them", format, w.stats.Docs, w.stats.Skipped)
		}
	}
}

func FuzzJSONL(f *testing.F) {
	f.Add([]byte(`{"title":"标题","body":"正文","date":"2023-01-11","units":["甲","乙"],"key_supervised":"是"}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, "json") })
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte("标题,正文,日期\n关于A的建议,\"第一段\n第二段\",2023/1/11\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, "csv") })
}

func FuzzNewsPage(f *testing.F) {
	f.Add([]byte("欢迎访问\n标题\n2023-01-11 10:10:23 来源:甘肃日报 记者 甲 乙 编辑:丙\n正文\n版权所有\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, "txt") })
}

// FuzzHTMLPage fuzzes saved pages, as HTML and as web archives.
func FuzzHTMLPage(f *testing.F) {
	f.Add([]byte(`<meta charset="gbk"><title>标题</title><h1>标题</h1><div>2023-01-11 来源：甘肃日报</div><p>正文。</p>`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, "html", "mhtml") })
}

func FuzzDocx(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, "docx") })
}

// FuzzDocxXML fuzzes word/document.xml inside a well-formed zip, which
// FuzzDocx's raw bytes rarely reach.
func FuzzDocxXML(f *testing.F) {
	f.Add([]byte(`<w:document ` + wordNS + `><w:body>` + tbl([]string{"代表", "张三", "代表团", "兰州代表团"}) +
		para("关于加强农村寄宿制学校建设的建议") + para("建议编号：第45号") + para("正文\t一\n二") + `</w:body></w:document>`))
	f.Add([]byte(`<w:document ` + wordNS + `><w:body>` + tbl([]string{"一", "<w:p><w:r><w:t>外层</w:t></w:r></w:p>" +
		tbl([]string{"内层甲", "内层乙"})}) + `</w:body></w:document>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, zipOf(t, map[string]string{"word/document.xml": string(data)}), "docx")
	})
}
