package corpus

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"html"
	"reflect"
	"strings"
	"testing"
)

// The Word files of these tests are made here: a .docx is a zip whose
// word/document.xml holds the text.

const wordNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ` +
	`xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"`

// para is a paragraph of runs; "\t" in a run is a tab, "\n" a line break.
func para(runs ...string) string {
	var b strings.Builder
	b.WriteString("<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>")
	for _, r := range runs {
		b.WriteString(`<w:r><w:rPr><w:b/></w:rPr>`)
		for i, part := range strings.Split(r, "\n") {
			if i > 0 {
				b.WriteString("<w:br/>")
			}
			for j, s := range strings.Split(part, "\t") {
				if j > 0 {
					b.WriteString("<w:tab/>")
				}
				b.WriteString(`<w:t xml:space="preserve">` + html.EscapeString(s) + `</w:t>`)
			}
		}
		b.WriteString("</w:r>")
	}
	return b.String() + "</w:p>"
}

// tbl is a table; each cell is a paragraph, or markup when it starts with <.
func tbl(rows ...[]string) string {
	var b strings.Builder
	b.WriteString("<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr>")
	for _, row := range rows {
		b.WriteString("<w:tr>")
		for _, c := range row {
			if !strings.HasPrefix(c, "<") {
				c = para(c)
			}
			b.WriteString("<w:tc><w:tcPr><w:tcW w:w=\"2000\"/></w:tcPr>" + c + "</w:tc>")
		}
		b.WriteString("</w:tr>")
	}
	return b.String() + "</w:tbl>"
}

// docx returns a Word file whose body is the given markup.
func docx(t *testing.T, body ...string) []byte {
	t.Helper()
	return zipOf(t, map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"word/document.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ` + wordNS + `><w:body>` +
			strings.Join(body, "") + `<w:sectPr/></w:body></w:document>`,
	})
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range []string{"[Content_Types].xml", "word/document.xml"} {
		if s, ok := files[name]; ok {
			w, err := zw.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(s))
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bomb returns a .docx whose document.xml unpacks to size bytes; when lie
// is set its header claims 1 KiB, under any limit.
func bomb(t *testing.T, size int, lie bool) []byte {
	t.Helper()
	var raw bytes.Buffer
	fw, _ := flate.NewWriter(&raw, flate.BestCompression)
	crc := crc32.NewIEEE()
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	head := []byte(`<w:document ` + wordNS + `><w:body>`)
	fw.Write(head)
	crc.Write(head)
	for n := 0; n < size; n += len(chunk) {
		fw.Write(chunk)
		crc.Write(chunk)
	}
	fw.Close()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	h := &zip.FileHeader{Name: "word/document.xml", Method: zip.Deflate, CRC32: crc.Sum32(),
		CompressedSize64: uint64(raw.Len()), UncompressedSize64: uint64(size + len(head))}
	if lie {
		h.UncompressedSize64 = 1 << 10
	}
	w, err := zw.CreateRaw(h)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw.Bytes())
	zw.Close()
	return b.Bytes()
}

// TestDocxFiles reads Word files as staff get them: a suggestion with a
// header table, one with header lines, a reply, and one whose layout
// mixes tables, nested tables, tabs, breaks, tracked deletions and field
// codes.
func TestDocxFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) { writeFile(t, dir, name, string(b)) }
	write("s-table.docx", docx(t,
		para("甘肃省人民代表大会代表建议"),
		tbl([]string{"标  题", "关于加强农村寄宿制学校建设的建议"},
			[]string{"建议编号", "第0123号"},
			[]string{"代表", "张三", "代表团", "兰州代表团"},
			[]string{"承办单位：", "省教育厅、省财政厅"},
			[]string{"会办单位", "省人社厅"}),
		para("我省农村寄宿制学校", "宿舍不足，冬季取暖困难。"),
		tbl([]string{"县区", "寄宿生", "床位"}, []string{"岷县", "5200", "4100"}),
		para("建议：一是加大投入；二是落实生活老师编制。")))
	write("s-lines.docx", docx(t,
		para("关于加快农村饮水工程维修养护的建议"),
		para("第45号"),
		para("代表：李华　　代表团：定西代表团"),
		para("承办单位：省水利厅"),
		para("部分农村供水工程老化，管护经费不足。")))
	write("r-reply.docx", docx(t,
		para("甘肃省教育厅"),
		para("甘教建函〔2024〕12号"),
		para("关于省十四届人大二次会议第0123号建议的答复"),
		para("张三代表："),
		para("您提出的关于加强农村寄宿制学校建设的建议收悉，现答复如下。"),
		para("2024年起省级财政每年安排专项资金改造寄宿制学校。"),
		para("甘肃省教育厅\n2024年6月30日")))
	write("layout.docx", docx(t,
		para("基层工作情况汇报"),
		tbl([]string{"一", `<w:p><w:r><w:t>外层</w:t></w:r></w:p>` + tbl([]string{"内层甲", "内层乙"})}),
		para("第一列\t第二列", "续行\n换行"),
		`<w:p><w:r><w:t>保留</w:t></w:r><w:del><w:r><w:delText>删除的字</w:delText></w:r></w:del>`+
			`<w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:t>文字。</w:t></w:r></w:p>`,
		`<mc:AlternateContent><mc:Choice Requires="wps"><w:p><w:r><w:t>文本框</w:t></w:r></w:p></mc:Choice>`+
			`<mc:Fallback><w:p><w:r><w:t>文本框</w:t></w:r></w:p></mc:Fallback></mc:AlternateContent>`))

	r := walk(t, Options{}, dir)
	want := []Doc{
		{ID: "layout", Kind: KindNews, Title: "基层工作情况汇报", Body: "一\t外层\n内层甲\t内层乙\n第一列\t第二列续行\n换行\n保留文字。\n文本框"},
		{ID: "r-reply", Kind: KindReply, Title: "关于省十四届人大二次会议第0123号建议的答复", Number: "第0123号", Session: "十四届二次会议", Author: "张三",
			Body: "甘肃省教育厅\n甘教建函〔2024〕12号\n张三代表：\n您提出的关于加强农村寄宿制学校建设的建议收悉，现答复如下。\n" +
				"2024年起省级财政每年安排专项资金改造寄宿制学校。\n甘肃省教育厅\n2024年6月30日"},
		{ID: "s-lines", Kind: KindSuggestion, Title: "关于加快农村饮水工程维修养护的建议", Number: "第45号", Author: "李华",
			Delegation: "定西代表团", Units: []string{"省水利厅"}, Body: "部分农村供水工程老化，管护经费不足。"},
		{ID: "s-table", Kind: KindSuggestion, Title: "关于加强农村寄宿制学校建设的建议", Number: "第0123号", Author: "张三",
			Delegation: "兰州代表团", Units: []string{"省教育厅", "省财政厅", "省人社厅"},
			Body: "甘肃省人民代表大会代表建议\n我省农村寄宿制学校宿舍不足，冬季取暖困难。\n县区\t寄宿生\t床位\n岷县\t5200\t4100\n建议：一是加大投入；二是落实生活老师编制。"},
	}
	if r.err != nil || len(r.probs) != 0 || !reflect.DeepEqual(r.docs, want) {
		t.Errorf("%v %v", r.err, r.probs)
		for i := range max(len(r.docs), len(want)) {
			if i >= len(r.docs) || i >= len(want) || !reflect.DeepEqual(r.docs[i], want[i]) {
				t.Errorf("doc %d:\n got %+v\nwant %+v", i, r.docs[min(i, len(r.docs)-1)], want[min(i, len(want)-1)])
			}
		}
	}
}

// TestDocxProblems: bad Word files are reported with the file and skipped.
func TestDocxProblems(t *testing.T) {
	dir := t.TempDir()
	good := docx(t, para("标题"), para("正文。"))
	write := func(name string, b []byte) { writeFile(t, dir, name, string(b)) }
	write("a-old.doc", []byte(oleMagic+strings.Repeat("\x00", 504)))
	write("b-truncated.docx", good[:len(good)/2])
	write("c-bomb.docx", bomb(t, 64<<20, false))
	write("d-lying-bomb.docx", bomb(t, maxDocXML+(1<<20), true))
	write("e-not-zip.docx", []byte("这不是Word文件"))
	write("f-no-document.docx", zipOf(t, map[string]string{"[Content_Types].xml": "<Types/>"}))
	write("g-broken-xml.docx", zipOf(t, map[string]string{"word/document.xml": "<w:document " + wordNS + "><w:body><w:p>"}))
	write("h-empty.docx", docx(t))
	write("i-old-as-docx.docx", []byte(oleMagic+strings.Repeat("\x00", 504)))
	write("j-docx-as-doc.doc", good)
	write("k-zero.docx", nil)
	r := walk(t, Options{}, dir)
	if r.err != nil || len(r.docs) != 1 || r.docs[0].ID != "j-docx-as-doc" || r.docs[0].Body != "正文。" {
		t.Fatalf("%v %+v", r.err, r.docs)
	}
	got := strings.Join(probsOf(r.probs), "\n")
	for _, w := range []string{
		"a-old.doc: unsupported format: old binary Word (.doc): save it as .docx",
		"b-truncated.docx: broken docx: zip: not a valid zip file",
		"c-bomb.docx: docx too large: word/document.xml unpacks to over 32 MiB",
		"d-lying-bomb.docx: broken docx: word/document.xml unpacks to more than its zip header says",
		"e-not-zip.docx: broken docx: not a zip file",
		"f-no-document.docx: broken docx: no word/document.xml",
		"g-broken-xml.docx: broken docx: XML syntax error on line 1: unexpected EOF",
		"h-empty.docx: no text",
		"i-old-as-docx.docx: unsupported format: an encrypted Word file, or an old binary one named .docx: save it unencrypted as .docx",
		"k-zero.docx: broken docx: not a zip file",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("missing problem %q in\n%s", w, got)
		}
	}
	if len(r.probs) != 10 {
		t.Errorf("%d problems:\n%s", len(r.probs), got)
	}
}

func TestDocAddressee(t *testing.T) {
	for l, want := range map[string]string{"张三代表：": "张三", "尊敬的欧阳明华代表：": "欧阳明华", "李华代表，": "李华",
		"各位代表：": "", "张三代表提出的建议收悉。": "", "王五委员：": "王五"} {
		if got := addressee([]string{"甘肃省教育厅", l}); got != want {
			t.Errorf("%s: %q, want %q", l, got, want)
		}
	}
}
