package export

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"minsheng/corpus"
	"minsheng/errs"
	"minsheng/search"
)

// workbook reopens a written workbook; it is closed when the test ends.
func workbook(t testing.TB, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("reopen workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func rows(t testing.TB, f *excelize.File, sheet string) [][]string {
	t.Helper()
	r, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("rows of %s: %v", sheet, err)
	}
	return r
}

func cell(t testing.TB, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref)
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, ref, err)
	}
	return v
}

// zipFiles returns the parts of a workbook by name.
func zipFiles(t testing.TB, b []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[zf.Name] = string(data)
	}
	return out
}

// notesOf reads 说明 into a map of item to text.
func notesOf(t testing.TB, f *excelize.File) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, r := range rows(t, f, "说明")[1:] {
		if len(r) >= 2 {
			m[r[0]] = r[1]
		}
	}
	return m
}

func fixedNow() time.Time { return time.Date(2026, 11, 27, 7, 30, 5, 0, time.UTC) } // 15:30:05 in Beijing

func write(t testing.TB, e *Exporter, report Report, r search.Request) ([]byte, Summary) {
	t.Helper()
	var buf bytes.Buffer
	sum, err := e.WriteReport(context.Background(), &buf, report, r, nil)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	return buf.Bytes(), sum
}

func headerTitles() []string {
	out := make([]string, len(resultCols))
	for i, c := range resultCols {
		out[i] = c.title
	}
	return out
}

func TestPagingWithSearchAfter(t *testing.T) {
	fs := &fakeSearcher{n: 2500, hit: synthetic, facets: map[string][]search.Count{"kind": {{Value: "news", Count: 1250}}}}
	e := &Exporter{Search: fs}
	var progress [][2]int
	var buf bytes.Buffer
	sum, err := e.Write(context.Background(), &buf, search.Request{Query: "x", Page: 7, Size: 5}, func(done, total int) {
		progress = append(progress, [2]int{done, total})
	})
	if err != nil {
		t.Fatal(err)
	}
	reqs := fs.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d pages asked, want 3", len(reqs))
	}
	for i, r := range reqs {
		if r.Page != 1 || r.Size != DefaultPageSize || !r.NoHighlight || r.Query != "x" {
			t.Errorf("page %d: page %d size %d highlight-off %v query %q; want page 1, size %d, no highlight", i+1, r.Page, r.Size, r.NoHighlight, r.Query, DefaultPageSize)
		}
		if (i == 0) == r.NoFacets {
			t.Errorf("page %d: NoFacets %v; facets only on the first page", i+1, r.NoFacets)
		}
		var want []string
		if i > 0 {
			want = []string{strconv.Itoa(i*DefaultPageSize - 1)}
		}
		if !slices.Equal(r.After, want) {
			t.Errorf("page %d: After %v, want %v", i+1, r.After, want)
		}
	}
	if want := [][2]int{{1000, 2500}, {2000, 2500}, {2500, 2500}}; !slices.Equal(progress, want) {
		t.Errorf("progress %v, want %v", progress, want)
	}
	if sum.Rows != 2500 || sum.Total != 2500 || sum.Truncated {
		t.Errorf("summary %+v", sum)
	}
	f := workbook(t, buf.Bytes())
	got := rows(t, f, "结果")
	if len(got) != 2501 {
		t.Fatalf("结果 has %d rows, want 2501", len(got))
	}
	if !slices.Equal(got[0], headerTitles()) {
		t.Errorf("header %v", got[0])
	}
	for _, i := range []int{0, 999, 1000, 2499} {
		if got[i+1][1] != synthetic(i).Title {
			t.Errorf("row %d title %q, want %q", i+2, got[i+1][1], synthetic(i).Title)
		}
	}
}

func TestMaxRows(t *testing.T) {
	fs := &fakeSearcher{n: 2500, hit: synthetic}
	e := &Exporter{Search: fs, MaxRows: 1200}
	var last [2]int
	var buf bytes.Buffer
	sum, err := e.Write(context.Background(), &buf, search.Request{}, func(done, total int) { last = [2]int{done, total} })
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Truncated || sum.Rows != 1200 || sum.Total != 2500 {
		t.Errorf("summary %+v; want 1200 of 2500 rows, truncated", sum)
	}
	if last != [2]int{1200, 1200} {
		t.Errorf("last progress %v, want [1200 1200]", last)
	}
	if n := len(fs.requests()); n != 2 {
		t.Errorf("%d pages asked for 1200 rows, want 2", n)
	}
	f := workbook(t, buf.Bytes())
	if n := len(rows(t, f, "结果")); n != 1201 {
		t.Errorf("结果 has %d rows, want 1201", n)
	}
	notes := notesOf(t, f)
	if !strings.Contains(notes["行数上限"], "结果共 2500 条") || !strings.Contains(notes["行数上限"], "1200") {
		t.Errorf("说明 does not say the export was cut: %q", notes["行数上限"])
	}
	if notes["导出行数"] != "1200" || notes["结果总数"] != "2500" {
		t.Errorf("说明 rows %q total %q", notes["导出行数"], notes["结果总数"])
	}
}

func TestSheetSplit(t *testing.T) {
	// A lowered sheet size walks the same code as Excel's 1,048,575 rows
	// (TestSheetSplitExcelLimit).
	fs := &fakeSearcher{n: 2500, hit: synthetic}
	e := &Exporter{Search: fs, sheetRows: 1000}
	b, sum := write(t, e, Full, search.Request{})
	f := workbook(t, b)
	if want := []string{"结果", "结果2", "结果3", "统计", "趋势", "办理情况", "说明"}; !slices.Equal(f.GetSheetList(), want) || !slices.Equal(sum.Sheets, want) {
		t.Fatalf("sheets %v (summary %v), want %v", f.GetSheetList(), sum.Sheets, want)
	}
	next := 0
	for _, s := range []struct {
		name string
		n    int
	}{{"结果", 1000}, {"结果2", 1000}, {"结果3", 500}} {
		got := rows(t, f, s.name)
		if len(got) != s.n+1 {
			t.Errorf("%s has %d rows, want %d", s.name, len(got), s.n+1)
			continue
		}
		if !slices.Equal(got[0], headerTitles()) {
			t.Errorf("%s header %v", s.name, got[0])
		}
		if got[1][1] != synthetic(next).Title {
			t.Errorf("%s starts with %q, want %q", s.name, got[1][1], synthetic(next).Title)
		}
		next += s.n
		panes, err := f.GetPanes(s.name)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("%s panes %+v %v: header not frozen", s.name, panes, err)
		}
	}
	parts := zipFiles(t, b)
	for i, want := range []string{`<autoFilter ref="$A$1:$T$1001"`, `<autoFilter ref="$A$1:$T$1001"`, `<autoFilter ref="$A$1:$T$501"`} {
		if x := parts["xl/worksheets/sheet"+strconv.Itoa(i+1)+".xml"]; !strings.Contains(x, want) {
			t.Errorf("sheet%d.xml lacks %s", i+1, want)
		}
	}
}

func TestLinks(t *testing.T) {
	fs := &fakeSearcher{n: 30, hit: synthetic}
	e := &Exporter{Search: fs, BaseURL: "http://minsheng.test/", maxLinks: 20}
	b, _ := write(t, e, Full, search.Request{})
	f := workbook(t, b)
	for row := 2; row <= 31; row++ {
		ref := linkCol + strconv.Itoa(row)
		want := "http://minsheng.test/docs/" + synthetic(row-2).ID
		ok, target, err := f.GetCellHyperLink("结果", ref)
		if err != nil {
			t.Fatal(err)
		}
		if v := cell(t, f, "结果", ref); v != want {
			t.Errorf("%s = %q, want %q", ref, v, want)
		}
		if linked := row-1 <= 20; ok != linked || linked && target != want {
			t.Errorf("%s hyperlink %v %q; want linked=%v to %q", ref, ok, target, linked, want)
		}
	}
	if n := notesOf(t, f)["链接"]; !strings.Contains(n, "前 20 行") || !strings.Contains(n, "其余 10 行") {
		t.Errorf("说明 does not say which links are text: %q", n)
	}
	// ids are escaped into the path
	if got := e.link("a/b c?"); got != "http://minsheng.test/docs/a%2Fb%20c%3F" {
		t.Errorf("link %q", got)
	}
	if got := (&Exporter{}).link("x"); got != "" {
		t.Errorf("link without BaseURL %q", got)
	}
}

func TestCellText(t *testing.T) {
	long := strings.Repeat("中", MaxCellChars+10)
	astral := strings.Repeat("𠀀", MaxCellChars/2+5) // two UTF-16 units each
	exact := strings.Repeat("a", MaxCellChars)
	exactAstral := strings.Repeat("a", MaxCellChars-2) + "𠀀"
	for _, tc := range []struct {
		name string
		in   string
		cut  bool
	}{
		{"short", "标题", false},
		{"exactly the limit", exact, false},
		{"exactly the limit, astral last", exactAstral, false},
		{"one over", exact + "b", true},
		{"long chinese", long, true},
		{"astral", astral, true},
	} {
		got := cellText(tc.in)
		n := len(utf16.Encode([]rune(got)))
		if n > MaxCellChars {
			t.Errorf("%s: %d UTF-16 units, over %d", tc.name, n, MaxCellChars)
		}
		if cut := got != tc.in; cut != tc.cut {
			t.Errorf("%s: cut %v, want %v", tc.name, cut, tc.cut)
		}
		if tc.cut {
			if !strings.HasSuffix(got, TruncMarker) || !strings.HasPrefix(tc.in, strings.TrimSuffix(got, TruncMarker)) {
				t.Errorf("%s: not a prefix with the marker: …%q", tc.name, got[max(0, len(got)-30):])
			}
			if n < MaxCellChars-1 { // at most one unit lost to an astral character
				t.Errorf("%s: cut to %d units, wastes room", tc.name, n)
			}
		}
	}
}

func TestTruncatedCellInWorkbook(t *testing.T) {
	title := strings.Repeat("长标题", 15000) // 45,000 characters
	fs := &fakeSearcher{n: 1, hit: func(i int) search.Hit {
		h := synthetic(i)
		h.Title = title
		return h
	}}
	b, _ := write(t, &Exporter{Search: fs}, Full, search.Request{})
	f := workbook(t, b)
	got := cell(t, f, "结果", "B2")
	if want := cellText(title); got != want {
		t.Fatalf("B2 has %d characters, want the %d of cellText", len([]rune(got)), len([]rune(want)))
	}
	if !strings.HasSuffix(got, TruncMarker) || len(utf16.Encode([]rune(got))) > MaxCellChars {
		t.Errorf("B2 is not cut with the marker within %d units", MaxCellChars)
	}
}

func TestSnippet(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"  一段\n\n  正文\t结束  ", "一段 正文 结束"},
		{"\u3000\u3000首行缩进", "首行缩进"},
		{strings.Repeat("字", 200), strings.Repeat("字", 200)},
		{strings.Repeat("字", 201), strings.Repeat("字", 200) + "…"},
		{strings.Repeat("字", 199) + " 尾巴", strings.Repeat("字", 199) + " …"},
		{"bad\xffbyte", "bad\uFFFDbyte"},
	} {
		if got := snippet(tc.in); got != tc.want {
			t.Errorf("snippet(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCSVFormulaPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@SUM(1)": "'@SUM(1)", "\tx": "'\tx", "\rx": "'\rx", "\x00x": "'\x00x",
		"标题": "标题", "": "", "a=1": "a=1", "'quoted": "'quoted",
	} {
		if got := csvField(in); got != want {
			t.Errorf("csvField(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	titles := []string{`=HYPERLINK("http://x","y")`, "@SUM(1)", "+1", "-1", "普通标题"}
	fs := &fakeSearcher{n: len(titles), hit: func(i int) search.Hit {
		h := synthetic(i)
		h.Title = titles[i]
		return h
	}}
	var buf bytes.Buffer
	sum, err := (&Exporter{Search: fs, BaseURL: "http://m.test"}).WriteCSV(context.Background(), &buf, search.Request{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\ufeff")) {
		t.Error("no byte order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(titles)+1 || sum.Rows != len(titles) {
		t.Fatalf("%d records (summary %d rows), want %d", len(recs), sum.Rows, len(titles)+1)
	}
	if !slices.Equal(recs[0], headerTitles()) {
		t.Errorf("header %v", recs[0])
	}
	for i, title := range titles {
		want := title
		if strings.ContainsRune("=+-@", rune(title[0])) {
			want = "'" + title
		}
		if recs[i+1][1] != want {
			t.Errorf("row %d title %q, want %q", i+1, recs[i+1][1], want)
		}
		if recs[i+1][3] != synthetic(i).Date {
			t.Errorf("row %d date %q, want %q", i+1, recs[i+1][3], synthetic(i).Date)
		}
	}
}

func TestCSVErrorWritesNothingOnFirstPage(t *testing.T) {
	fs := &fakeSearcher{n: 10, hit: synthetic, onPage: func(context.Context, int) error {
		return search.ErrUnavailable
	}}
	var buf bytes.Buffer
	_, err := (&Exporter{Search: fs}).WriteCSV(context.Background(), &buf, search.Request{}, nil)
	if !errors.Is(err, search.ErrUnavailable) || buf.Len() != 0 {
		t.Errorf("err %v, %d bytes written; want ErrUnavailable and nothing", err, buf.Len())
	}
}

func TestReports(t *testing.T) {
	fs := &fakeSearcher{n: 120, hit: synthetic}
	b, sum := write(t, &Exporter{Search: fs}, Trends, search.Request{})
	f := workbook(t, b)
	if want := []string{"趋势", "说明"}; !slices.Equal(f.GetSheetList(), want) || !slices.Equal(sum.Sheets, want) {
		t.Errorf("trends report sheets %v, want %v", f.GetSheetList(), want)
	}
	if fs.requests()[0].NoFacets != true {
		t.Error("a report asked for facets it does not show")
	}
	if _, ok := zipFiles(t, b)["xl/charts/chart1.xml"]; !ok {
		t.Error("trends report without a chart")
	}

	fs = &fakeSearcher{n: 120, hit: synthetic}
	b, _ = write(t, &Exporter{Search: fs}, Units, search.Request{Query: "q"})
	f = workbook(t, b)
	if want := []string{"办理情况", "说明"}; !slices.Equal(f.GetSheetList(), want) {
		t.Errorf("units report sheets %v, want %v", f.GetSheetList(), want)
	}
	if k := fs.requests()[0].Filters.Kind; !slices.Equal(k, []string{corpus.KindSuggestion}) {
		t.Errorf("units report searched kinds %v, want suggestions", k)
	}
	notes := notesOf(t, f)
	if !strings.Contains(notes["筛选条件"], "自动") {
		t.Errorf("说明 does not say the kind filter was added: %q", notes["筛选条件"])
	}
	if u := notes["重新导出（接口）"]; u != "GET /api/v1/export/units.xlsx?q=q" {
		t.Errorf("re-run line %q", u)
	}

	if _, err := ParseReport("nope"); !errors.Is(err, errs.Invalid) {
		t.Errorf("ParseReport(nope) = %v, want ErrInvalid", err)
	}
	for _, s := range []string{"", "trends", "units"} {
		if r, err := ParseReport(s); err != nil || string(r) != s {
			t.Errorf("ParseReport(%q) = %q, %v", s, r, err)
		}
	}
}

// TestUnitsAndTrendsFromStream checks the aggregate sheets against counts
// made here from the same documents.
func TestUnitsAndTrendsFromStream(t *testing.T) {
	const n = 300
	fs := &fakeSearcher{n: n, hit: synthetic}
	b, _ := write(t, &Exporter{Search: fs}, Full, search.Request{})
	f := workbook(t, b)
	type count struct{ docs, done, key int }
	want := map[string]*count{}
	all := count{}
	topicYear := map[string]map[string]int{}
	for i := range n {
		h := synthetic(i)
		y := strconv.Itoa(h.Doc.Date.Year()) + "年"
		for _, tp := range h.Topics {
			if topicYear[tp] == nil {
				topicYear[tp] = map[string]int{}
			}
			topicYear[tp][y]++
		}
		if h.Kind != corpus.KindSuggestion {
			continue
		}
		done := h.Status == "已办结" || h.Status == "已答复"
		for _, c := range []*count{&all, want[h.Units[0]]} {
			if c == nil {
				c = &count{}
				want[h.Units[0]] = c
			}
			c.docs++
			if done {
				c.done++
			}
			if h.KeySupervised {
				c.key++
			}
		}
	}
	checkUnits(t, f, func(unit string) (int, int, int, bool) {
		c, ok := want[unit]
		if !ok {
			return 0, 0, 0, false
		}
		return c.docs, c.done, c.key, true
	}, len(want), all.docs, all.done, all.key)
	got := rows(t, f, "趋势")
	for _, r := range got[1:] {
		if len(r) < 2 || topicYear[r[0]] == nil {
			continue
		}
		for j, y := range got[0][1 : len(got[0])-1] {
			if strconv.Itoa(topicYear[r[0]][y]) != r[j+1] {
				t.Errorf("趋势 %s %s = %s, want %d", r[0], y, r[j+1], topicYear[r[0]][y])
			}
		}
	}
}

// checkUnits compares 办理情况 with want(unit) = docs, completed,
// key-supervised, and the total row.
func checkUnits(t *testing.T, f *excelize.File, want func(unit string) (docs, done, key int, ok bool), units, docs, done, key int) {
	t.Helper()
	got := rows(t, f, "办理情况")
	if want := []string{"承办单位", "建议数", "已办结（含已答复）", "办结率", "重点督办"}; !slices.Equal(got[0], want) {
		t.Errorf("办理情况 header %v", got[0])
	}
	seen := 0
	for i, r := range got[1:] {
		if len(r) == 0 {
			break // the blank row before the totals
		}
		seen++
		d, c, k, ok := want(r[0])
		if !ok {
			t.Errorf("办理情况 has unit %q that no suggestion names", r[0])
			continue
		}
		if r[1] != strconv.Itoa(d) || r[2] != strconv.Itoa(c) || r[4] != strconv.Itoa(k) {
			t.Errorf("办理情况 %s: %v, want %d %d %d", r[0], r[1:], d, c, k)
		}
		raw, err := f.GetCellValue("办理情况", "D"+strconv.Itoa(i+2), excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		share, _ := strconv.ParseFloat(raw, 64)
		if wantShare := float64(c) / float64(d); share < wantShare-1e-9 || share > wantShare+1e-9 {
			t.Errorf("办理情况 %s share %s, want %v", r[0], raw, wantShare)
		}
		if !strings.HasSuffix(r[3], "%") {
			t.Errorf("办理情况 %s share shows %q, not a percentage", r[0], r[3])
		}
	}
	if seen != units {
		t.Errorf("办理情况 lists %d units, want %d", seen, units)
	}
	total := got[seen+2]
	if !strings.HasPrefix(total[0], "合计") || total[1] != strconv.Itoa(docs) || total[2] != strconv.Itoa(done) || total[4] != strconv.Itoa(key) {
		t.Errorf("办理情况 total %v, want %d %d %d", total, docs, done, key)
	}
}

func TestParams(t *testing.T) {
	from, _ := search.ParseDay("2021-01-01")
	r := search.Request{Query: "乡村 振兴", Sort: "-date", Filters: search.Filters{Topic: []string{"教育", "医疗"}, Kind: []string{"suggestion"}, From: from}}
	if got, want := Params(r).Encode(), "from=2021-01-01&kind=suggestion&q=%E4%B9%A1%E6%9D%91+%E6%8C%AF%E5%85%B4&sort=-date&topic=%E6%95%99%E8%82%B2&topic=%E5%8C%BB%E7%96%97"; got != want {
		t.Errorf("Params = %s\nwant     %s", got, want)
	}
	if got, want := command(Trends, r), "minsheng export --data DATA --report trends --q '乡村 振兴' --sort -date --topic 教育 --topic 医疗 --kind suggestion --from 2021-01-01 -o FILE.xlsx"; got != want {
		t.Errorf("command = %s\nwant      %s", got, want)
	}
	// the matching mode and the topic scope, when they are not the
	// defaults, are asked for again too
	r.Mode, r.TopicScope = search.ModeAll, search.TopicsPrimary
	if got, want := Params(r).Encode(), "from=2021-01-01&kind=suggestion&mode=all&q=%E4%B9%A1%E6%9D%91+%E6%8C%AF%E5%85%B4&sort=-date&topic=%E6%95%99%E8%82%B2&topic=%E5%8C%BB%E7%96%97&topic_scope=primary"; got != want {
		t.Errorf("Params = %s\nwant     %s", got, want)
	}
	if got, want := command(Full, r), "minsheng export --data DATA --q '乡村 振兴' --sort -date --mode all --topic_scope primary --topic 教育 --topic 医疗 --kind suggestion --from 2021-01-01 -o FILE.xlsx"; got != want {
		t.Errorf("command = %s\nwant      %s", got, want)
	}
	r.Mode, r.TopicScope = search.ModePartial, search.TopicsAll
	if got := Params(r); got.Has("mode") || got.Has("topic_scope") {
		t.Errorf("the defaults asked for: %s", got.Encode())
	}
	if got := shellQuote(`it's`); got != `'it'\''s'` {
		t.Errorf("shellQuote = %s", got)
	}
}

func TestFileName(t *testing.T) {
	zh, ascii := FileName(Full, fixedNow(), ".xlsx")
	if zh != "民声检索结果-20261127-1530.xlsx" || ascii != "minsheng-export-20261127-1530.xlsx" {
		t.Errorf("FileName = %q, %q", zh, ascii)
	}
}
