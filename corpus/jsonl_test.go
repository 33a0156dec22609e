package corpus

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestJSONLines(t *testing.T) {
	lines := []string{
		/* 1 */ `{"id":"a1","title":" 关于加强农村公路养护的建议 ","body":"第一段\r\n第二段\r","date":"2023-01-11","units":["省交通运输厅"," 省财政厅 "],"key_supervised":"是","number":"0001","delegation":"兰州代表团","session":"十四届一次会议","status":"已办结","reply":"答复\r\n全文","topics":["交通"],"category":"交通运输","author":"张三","source":"建议系统","url":"https://example.org/a1","unknown":{"x":1}}`,
		/* 2 */ `{"title":"broken"`,
		/* 3 */ ``,
		/* 4 */ `{"id":"a4","date":"2023-01-11","body":"  \n "}`,
		/* 5 */ `{"id":"a5","title":"t","date":"明天"}`,
		/* 6 */ `{"id":"a6","title":"bad ` + "\xff" + ` byte"}`,
		/* 7 */ `{"id":"a1","title":"again"}`,
		/* 8 */ `{"title":"无编号\u0000标题","body":"正` + "\x00" + `文","units":"省教育厅、省财政厅；省科技厅|,","topics":"教育|科技\n民生","key_supervised":true,"date":"2023年1月11日 10:10"}`,
		/* 9 */ `{"title":"x","units":{"a":1}}`,
		/* 10 */ `{"title":"flag","key_supervised":"maybe"}`,
		/* 11 */ `[1,2]`,
		/* 12 */ `{"Title":"大写键","内容":"中文键正文","类型":"答复","key_supervised":1,"number":12,"author":["李四","王五"],"date":null}`,
		/* 13 */ "   \t",
		/* 14 */ `{"content":"alias body","text":"second alias","date":"20230111"}`,
		/* 15 */ `null`,
	}
	dir := t.TempDir()
	p := writeFile(t, dir, "s.jsonl", strings.Join(lines, "\n"))
	r := walk(t, Options{}, p)
	if r.err != nil {
		t.Fatal(r.err)
	}
	day := time.Date(2023, 1, 11, 0, 0, 0, 0, cst)
	want := []Doc{
		{ID: "a1", Kind: KindSuggestion, Title: "关于加强农村公路养护的建议", Body: "第一段\n第二段", Date: day,
			Source: "建议系统", Author: "张三", Delegation: "兰州代表团", Session: "十四届一次会议", Number: "0001",
			Units: []string{"省交通运输厅", "省财政厅"}, Status: "已办结", KeySupervised: true, Reply: "答复\n全文",
			Topics: []string{"交通"}, Category: "交通运输", URL: "https://example.org/a1"},
		{ID: "s-8", Kind: KindSuggestion, Title: "无编号标题", Body: "正文", Date: day.Add(10*time.Hour + 10*time.Minute),
			Units: []string{"省教育厅", "省财政厅", "省科技厅"}, Topics: []string{"教育", "科技", "民生"}, KeySupervised: true},
		{ID: "s-12", Kind: KindReply, Title: "大写键", Body: "中文键正文", KeySupervised: true, Number: "12", Author: "李四、王五"},
		{ID: "s-14", Kind: KindNews, Body: "alias body", Date: day},
	}
	if !reflect.DeepEqual(r.docs, want) {
		t.Errorf("docs:\n got %+v\nwant %+v", r.docs, want)
	}
	checkProbs(t, r.probs,
		"s.jsonl:2: broken json: unexpected end of JSON input",
		"s.jsonl:4: no text",
		"s.jsonl:5: bad date: 明天",
		"s.jsonl:6: invalid utf-8",
		"s.jsonl:7: duplicate id: a1",
		"s.jsonl:9: bad field: units: not text",
		"s.jsonl:10: bad key_supervised: maybe",
		"s.jsonl:11: broken json: a record must be an object, not an array",
		"s.jsonl:15: no text",
		"s.jsonl: columns not read: unknown"+unreadHint, // noted once, for the file
	)
	wantStats := Stats{Files: 1, Docs: 4, Skipped: 9, Reasons: map[string]int{"broken json": 2, "no text": 2,
		"bad date": 1, "invalid utf-8": 1, "duplicate id": 1, "bad field": 1, "bad key_supervised": 1}}
	if !reflect.DeepEqual(r.stats, wantStats) {
		t.Errorf("stats %+v, want %+v", r.stats, wantStats)
	}

	// The same records gzipped, with a BOM and CRLF line ends.
	gzp := writeFile(t, dir, "g/s.jsonl.gz", gz(t, "\uFEFF"+strings.Join(lines, "\r\n")))
	rg := walk(t, Options{}, gzp)
	for i := range rg.probs {
		rg.probs[i].File = strings.TrimSuffix(rg.probs[i].File, ".gz")
	}
	if rg.err != nil || !reflect.DeepEqual(rg.docs, want) || !slices.Equal(probsOf(rg.probs), probsOf(r.probs)) {
		t.Errorf("gzipped: %v\n%+v\n%q", rg.err, rg.docs, probsOf(rg.probs))
	}
}

func TestJSONLinesLong(t *testing.T) {
	dir := t.TempDir()
	body := strings.Repeat("很长的正文", 100_000) // 1.5 MB, beyond bufio's buffers
	huge := `{"title":"` + strings.Repeat("x", maxRecord) + `"}`
	p := writeFile(t, dir, "long.jsonl", `{"title":"长","body":"`+body+`"}`+"\n"+huge+"\n"+`{"title":"后"}`)
	r := walk(t, Options{}, p)
	if r.err != nil || len(r.docs) != 2 || r.docs[0].Body != body || r.docs[1].ID != "long-3" {
		t.Fatalf("err %v, %d docs", r.err, len(r.docs))
	}
	checkProbs(t, r.probs, "long.jsonl:2: record too large: over 64 MiB")
}

func TestJSONArray(t *testing.T) {
	tests := []struct {
		name, in string
		ids      []string
		probs    []string
	}{
		{"array", "\uFEFF \n[\n  {\"title\": \"一\"},\n  {\n    \"title\": \"二\", \"body\": \"正\\n文\"\n  },\n  5, {\"body\": \"\"},\n{\"id\":\"x\",\"title\":\"\xff\"}]\n",
			[]string{"a-3", "a-4"}, []string{"a.json:7: broken json: a record must be an object, not a number",
				"a.json:7: no text", "a.json:8: invalid utf-8"}},
		{"syntax error ends the file", "[{\"title\":\"一\"},\n{\"title\":}, {\"title\":\"二\"}]",
			[]string{"a-1"}, []string{"a.json:2: broken json: invalid character '}' looking for beginning of value"}},
		{"unterminated", "[{\"title\":\"一\"},\n{\"title\":\"二\"}",
			[]string{"a-1", "a-2"}, []string{"a.json:2: broken json: unexpected end of JSON input"}},
		{"empty array", " [ ] ", nil, nil},
		{"lines", "\n{\"title\":\"一\"}\n{\"title\":\"二\"}\n", []string{"a-2", "a-3"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := walk(t, Options{}, writeFile(t, t.TempDir(), "a.json", tt.in))
			if r.err != nil || !slices.Equal(ids(r.docs), tt.ids) {
				t.Errorf("err %v, ids %q, want %q", r.err, ids(r.docs), tt.ids)
			}
			checkProbs(t, r.probs, tt.probs...)
		})
	}
}

func TestMapping(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "m.jsonl", `{"reason":"标题","content":"正文","title":"被忽略的列","proposal_number":"7"}`)
	opt := Options{Mapping: map[string]string{" Reason ": "Title", "title": "-", "PROPOSAL_NUMBER": "number"}}
	r := walk(t, opt, p)
	want := []Doc{{ID: "m-1", Kind: KindSuggestion, Title: "标题", Body: "正文", Number: "7"}}
	if r.err != nil || !reflect.DeepEqual(r.docs, want) {
		t.Errorf("got %+v, %v", r.docs, r.err)
	}
}
