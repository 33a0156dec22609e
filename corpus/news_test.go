package corpus

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestNewsPageFile(t *testing.T) {
	r := walk(t, Options{}, "testdata/news/gansu.txt")
	want := []Doc{{ID: "gansu", Kind: KindNews, Title: "省人大常委会召开党组会议 传达学习全国两会精神",
		Body: "1月10日，省人大常委会党组召开会议，传达学习全国两会精神。\n会议强调，要认真贯彻落实会议部署。",
		Date: time.Date(2023, 1, 11, 10, 10, 23, 0, cst), Source: "新甘肃·甘肃日报", Author: "石丹丹、王朝霞", Editor: "王丽丽"}}
	if r.err != nil || !reflect.DeepEqual(r.docs, want) || len(r.probs) != 0 {
		t.Errorf("got %+v %v %v\nwant %+v", r.docs, r.probs, r.err, want)
	}
}

func TestNewsPage(t *testing.T) {
	day := time.Date(2023, 3, 5, 0, 0, 0, 0, cst)
	tests := []struct {
		name, in string
		want     Doc    // ID and Kind are not set by parseNews
		bad      string // the error, if any
	}{
		{"source first, full-width colons", "当前位置：首页 > 人大要闻\r\n标题一\r\n来源：人民网　作者：张三、李四　发布时间：2023年03月05日 09:30\r\n正文。\r\n",
			Doc{Title: "标题一", Body: "正文。", Date: day.Add(9*time.Hour + 30*time.Minute), Source: "人民网", Author: "张三、李四"}, ""},
		{"no meta line", "\uFEFF标题二\n\n第一段，没有日期。\n第二段。\n",
			Doc{Title: "标题二", Body: "第一段，没有日期。\n第二段。"}, ""},
		{"a body starting with a date is not meta", "标题三\n2023年3月5日，省人大常委会召开会议。\n",
			Doc{Title: "标题三", Body: "2023年3月5日，省人大常委会召开会议。"}, ""},
		{"date and bare source", "标题四\n2023/3/5 甘肃日报\n正文\n",
			Doc{Title: "标题四", Body: "正文", Date: day, Source: "甘肃日报"}, ""},
		{"subtitle before meta", "标题五\n——副标题\n2023-03-05 记者 王五\n正文\n",
			Doc{Title: "标题五", Body: "——副标题\n正文", Date: day, Author: "王五"}, ""},
		{"meta only by label", "标题六\n记者 赵六 通讯员 钱七\n正文\n",
			Doc{Title: "标题六", Body: "正文", Author: "赵六"}, ""},
		{"footers anywhere, long lines kept", "标题七\n正文一\n关闭散乱污企业20家\n发放许可证2000余张\n【打印】【关闭】\n分享到：微信\n编辑：某某\nCopyright © 2023 甘肃日报\n" +
			"公网安备 62010202000000号\n一段很长的正文提到许可证：1号文件以及版权所有的问题，" +
			"这一行超过一百个字所以保留下来，这一行超过一百个字所以保留下来，这一行超过一百个字所以保留下来，这一行超过一百个字所以保留下来，这一行超过一百个字所以保留下来。\n",
			Doc{Title: "标题七", Body: "正文一\n关闭散乱污企业20家\n发放许可证2000余张\n一段很长的正文提到许可证：1号文件以及版权所有的问题，" +
				"这一行超过一百个字所以保留下来，这一行超过一百个字所以保留下来，这一行超过一百个字所以保留下来，这一行超过一百个字所以保留下来，这一行超过一百个字所以保留下来。", Editor: "某某"}, ""},
		{"bad date in meta is body", "标题八\n2023-02-30 来源：某报\n正文\n",
			Doc{Title: "标题八", Body: "2023-02-30 来源：某报\n正文"}, ""},
		{"title only", "欢迎光临\n只有标题\n2023-03-05\n版权所有\n", Doc{Title: "只有标题", Date: day}, "no text: no body"},
		{"only furniture", "欢迎访问\n\n首页\n", Doc{}, "no text"},
		{"empty", "", Doc{}, "no text"},
		{"invalid utf-8", "标题\n正\xff文\n", Doc{}, "invalid utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseNews([]byte(tt.in))
			if err != nil && err.Error() != tt.bad || err == nil && tt.bad != "" {
				t.Errorf("err = %v, want %q", err, tt.bad)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestNewsPageProblems(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.txt", "只有标题\n")
	writeFile(t, dir, "b.txt", "标题\n正文\n")
	writeFile(t, dir, "sub/b.txt", "标题\n另一篇\n")
	writeFile(t, dir, "big.txt", "标题\n"+strings.Repeat("长", maxRecord/3))
	r := walk(t, Options{}, dir)
	if r.err != nil || len(r.docs) != 1 || r.docs[0].ID != "b" {
		t.Errorf("%v %+v", r.err, r.docs)
	}
	checkProbs(t, r.probs, "a.txt: no text: no body", "big.txt: record too large: over 64 MiB", "b.txt: duplicate id: b")
}

// TestNewsPageStructure checks that the metadata line anchors a page and
// that the footer goes as a block.
func TestNewsPageStructure(t *testing.T) {
	day := time.Date(2024, 3, 8, 0, 0, 0, 0, cst)
	tests := []struct {
		name, in string
		want     Doc
	}{
		{"greeting and banner above the title", "您好！欢迎光临某某在线\n新闻 | 视频\n【奋进新征程 建功新时代】\n标题\n2024-03-08 09:41:07 来源：某某日报客户端·某某日报记者 张三 编辑：李四\n正文。\n",
			Doc{Title: "标题", Body: "正文。", Date: day.Add(9*time.Hour + 41*time.Minute + 7*time.Second), Source: "某某日报客户端·某某日报", Author: "张三", Editor: "李四"}},
		{"title twice, subtitle, reporter line", "标题\n2024-03-08 来源：某某日报 编辑：李四\n标题\n——副标题\n某某日报记者 张三 李五\n正文。\n",
			Doc{Title: "标题", Body: "——副标题\n正文。", Date: day, Source: "某某日报", Author: "张三、李五", Editor: "李四"}},
		{"reporter line above the metadata line", "标题\n本报记者 张三\n2024-03-08 来源：本报\n正文。\n",
			Doc{Title: "标题", Body: "正文。", Date: day, Source: "本报", Author: "张三"}},
		{"labelled metadata wins over a dated greeting", "今天是2024年3月7日 星期四\n标题\n2024-03-08 来源：某某日报\n正文。\n",
			Doc{Title: "标题", Body: "正文。", Date: day, Source: "某某日报"}},
		{"footer block with lines that are not boilerplate alone", "标题\n2024-03-08 来源：某某日报\n正文。\n（完）\n• 某某报社版权所有\n• 未经授权\n• 关于我们\n• 甘B2-20090001\n",
			Doc{Title: "标题", Body: "正文。\n（完）", Date: day, Source: "某某日报"}},
		{"footer block from 主办", "标题\n2024-03-08 来源：某某日报\n正文。\n主办：某某县委宣传部\n地址：某某路1号\n",
			Doc{Title: "标题", Body: "正文。", Date: day, Source: "某某日报"}},
		{"a signature date is not metadata", "关于做好春耕工作的通知\n各市州：\n为做好今年春耕生产工作，确保粮食播种面积稳定在四千万亩以上，现将有关事项通知如下。\n甘肃省农业农村厅\n2024年3月8日\n",
			Doc{Title: "关于做好春耕工作的通知", Body: "各市州：\n为做好今年春耕生产工作，确保粮食播种面积稳定在四千万亩以上，现将有关事项通知如下。\n甘肃省农业农村厅\n2024年3月8日"}},
		{"metadata over lines, labels apart from values, buttons one to a line",
			"下载\n打印\n【字号：\n加大\n还原\n减小\n】\n标题\n2024年3月1日在省人民代表大会上\n来源：\n某某日报\n时间：\n2024年03月08日 07时41分\n【字体：\n大\n中\n小\n】\n——副标题\n正文。\n",
			Doc{Title: "标题", Body: "2024年3月1日在省人民代表大会上\n——副标题\n正文。", Date: day.Add(7*time.Hour + 41*time.Minute), Source: "某某日报"}},
		{"seconds after 分", "标题\n发表时间：2024年3月8日 9时41分7秒 信息来源：某某日报\n正文。\n",
			Doc{Title: "标题", Body: "正文。", Date: day.Add(9*time.Hour + 41*time.Minute + 7*time.Second), Source: "某某日报"}},
		{"other dashes and a bracketed subtitle", "标题\n――副标题\n（2024年3月1日在某某会议上）\n2024-03-08 来源：某某日报\n正文。\n",
			Doc{Title: "标题", Body: "――副标题\n（2024年3月1日在某某会议上）\n正文。", Date: day, Source: "某某日报"}},
		{"breadcrumbs and a menu above a page without metadata", "人民网 >> 地方 >> 甘肃\n时政 | 社会 | 经济\n两会时光 | 代表谈发展\n正文。\n",
			Doc{Title: "两会时光 | 代表谈发展", Body: "正文。"}},
		{"plain text", "一篇笔记\n第一行\n第二行。\n",
			Doc{Title: "一篇笔记", Body: "第一行\n第二行。"}},
		{"gbk", gbkText(t, "标题\n2024-03-08 来源：某某日报\n正文。\n"),
			Doc{Title: "标题", Body: "正文。", Date: day, Source: "某某日报"}},
		{"utf-16 with a byte order mark", "\xff\xfe" + utf16le("标题\r\n2024-03-08 来源：某某日报\r\n正文。\r\n"),
			Doc{Title: "标题", Body: "正文。", Date: day, Source: "某某日报"}},
		{"NUL bytes", "标\x00题\n正文\x00。\n", Doc{Title: "标题", Body: "正文。"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseNews([]byte(tt.in))
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%v\ngot  %+v\nwant %+v", err, got, tt.want)
			}
		})
	}
}

func gbkText(t *testing.T, s string) string {
	t.Helper()
	b := gbkBytes(t, s)
	if utf8.ValidString(b) {
		t.Fatal("GBK text that is valid UTF-8")
	}
	return b
}

// TestNewsPageBrokenUTF8: a UTF-8 page with a stray byte is a bad record,
// not GB18030 read from UTF-8 bytes.
func TestNewsPageBrokenUTF8(t *testing.T) {
	for _, in := range []string{"标题\n正\x81文一段。\n", "标题\n2024-03-08 来源：某某日报\n\x80正文一段，还有一段。\n"} {
		if d, err := parseNews([]byte(in)); err == nil || err.Error() != "invalid utf-8" {
			t.Errorf("%q: %v %+v", in, err, d)
		}
	}
}

// TestPageEditor: the editor of the metadata line is found and kept out of
// the author and the source; Doc has no field for it yet.
func TestPageEditor(t *testing.T) {
	for _, tt := range []struct{ in, editor, author, source string }{
		{"标题\n2024-03-08 09:41:07 来源：某某日报客户端·某某日报记者 张三 编辑：李四\n正文。", "李四", "张三", "某某日报客户端·某某日报"},
		{"标题\n来源：某某日报\n时间：2024-03-08\n责任编辑：王五\n正文。", "王五", "", "某某日报"},
		{"标题\n编辑：赵六 2024-03-08 作者：钱七\n正文。", "赵六", "钱七", ""},
	} {
		p := parsePage(textLines(tt.in))
		if p.Editor != tt.editor || p.Author != tt.author || p.Source != tt.source || p.Body != "正文。" {
			t.Errorf("%q: editor %q author %q source %q body %q", tt.in, p.Editor, p.Author, p.Source, p.Body)
		}
	}
}
