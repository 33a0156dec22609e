package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"minsheng/corpus"
	"minsheng/indexer"
	"minsheng/search"
)

// tmpRoot holds the indexes the tests build; TestMain removes it.
var tmpRoot string

func TestMain(m *testing.M) {
	var err error
	if tmpRoot, err = os.MkdirTemp("", "minsheng-export-test-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	code := m.Run()
	closeIndexes()
	os.RemoveAll(tmpRoot)
	os.Exit(code)
}

// An index is built once per set of sources and shared by the tests.
var indexes struct {
	mu   sync.Mutex
	live map[string]*indexer.Live // by the first source
}

func closeIndexes() {
	indexes.mu.Lock()
	defer indexes.mu.Unlock()
	for _, l := range indexes.live {
		l.Close()
	}
}

// indexOf builds (once) an index of the sources and returns a searcher
// that allows export pages, and the live index.
func indexOf(t testing.TB, sources ...string) (*search.Searcher, *indexer.Live) {
	t.Helper()
	indexes.mu.Lock()
	defer indexes.mu.Unlock()
	if indexes.live == nil {
		indexes.live = map[string]*indexer.Live{}
	}
	live := indexes.live[sources[0]]
	if live == nil {
		dir, err := os.MkdirTemp(tmpRoot, "data-")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := indexer.Build(context.Background(), dir, indexer.BuildOptions{Sources: sources}); err != nil {
			t.Fatalf("index %v: %v", sources, err)
		}
		if live, err = indexer.OpenLive(dir); err != nil {
			t.Fatal(err)
		}
		indexes.live[sources[0]] = live
	}
	return search.New(live.Index(), search.Options{Limits: search.Limits{MaxSize: DefaultPageSize}}), live
}

const sampleDir = "../corpus/sample"

// sampleExport is the full workbook of the whole sample corpus, written
// once to a file for the tests that read it.
var sampleExport struct {
	once  sync.Once
	path  string
	data  []byte
	sum   Summary
	total uint64
	err   error
}

func sampleWorkbook(t testing.TB) (path string, data []byte, sum Summary, total uint64) {
	t.Helper()
	s, live := indexOf(t, sampleDir)
	sampleExport.once.Do(func() {
		e := &Exporter{Search: s, BaseURL: "http://minsheng.test", Generation: live.Generation, TaxonomyVersion: "taxonomy-v7", Now: fixedNow}
		var buf bytes.Buffer
		x := &sampleExport
		if x.sum, x.err = e.Write(context.Background(), &buf, search.Request{}, nil); x.err != nil {
			return
		}
		x.data = buf.Bytes()
		x.path = filepath.Join(tmpRoot, "sample.xlsx")
		if x.err = os.WriteFile(x.path, x.data, 0o644); x.err != nil {
			return
		}
		var res *search.Result
		if res, x.err = s.Search(context.Background(), search.Request{Size: 1}); x.err == nil {
			x.total = res.Total
		}
	})
	if sampleExport.err != nil {
		t.Fatal(sampleExport.err)
	}
	return sampleExport.path, sampleExport.data, sampleExport.sum, sampleExport.total
}

// sampleDocs reads the sample's JSON Lines files directly, not through
// the index.
func sampleDocs(t testing.TB) []corpus.Doc {
	t.Helper()
	var out []corpus.Doc
	files, _ := filepath.Glob(filepath.Join(sampleDir, "*.jsonl"))
	for _, name := range files {
		fh, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var raw struct {
				corpus.Doc
				Date string `json:"date"`
			}
			if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			out = append(out, raw.Doc)
		}
		fh.Close()
	}
	return out
}

func TestSampleWorkbook(t *testing.T) {
	_, data, sum, total := sampleWorkbook(t)
	s, live := indexOf(t, sampleDir)
	docs, err := live.Index().DocCount()
	if err != nil {
		t.Fatal(err)
	}
	if total == 0 || total != docs || sum.Total != total || sum.Rows != int(total) || sum.Truncated {
		t.Fatalf("search total %d, index %d documents, summary %+v", total, docs, sum)
	}
	f := workbook(t, data)
	if want := []string{"结果", "统计", "趋势", "办理情况", "说明"}; !slices.Equal(f.GetSheetList(), want) {
		t.Fatalf("sheets %v, want %v", f.GetSheetList(), want)
	}
	got := rows(t, f, "结果")
	if len(got) != int(total)+1 {
		t.Errorf("结果 has %d rows, want the search total %d and the header", len(got), total)
	}
	if !slices.Equal(got[0], headerTitles()) {
		t.Errorf("header %v", got[0])
	}
	if w, err := f.GetColWidth("结果", "B"); err != nil || w != 44 {
		t.Errorf("title column width %v %v, want 44", w, err)
	}
	if p, err := f.GetPanes("结果"); err != nil || !p.Freeze || p.YSplit != 1 || p.TopLeftCell != "A2" {
		t.Errorf("结果 panes %+v %v: header not frozen", p, err)
	}
	if x := zipFiles(t, data)["xl/worksheets/sheet1.xml"]; !strings.Contains(x, fmt.Sprintf(`<autoFilter ref="$A$1:$T$%d"`, total+1)) {
		t.Error("结果 has no filter over its rows")
	}
	if st, err := f.GetCellStyle("结果", "A1"); err != nil || st == 0 {
		t.Errorf("header without a style: %v %v", st, err)
	} else if style, err := f.GetStyle(st); err != nil || style.Font == nil || !style.Font.Bold {
		t.Errorf("header style not bold: %+v %v", style, err)
	}

	// The suggestion s-2020-0012, as the JSON Lines file has it.
	var row []string
	rowNum := 0
	for i, r := range got {
		if len(r) > 19 && strings.HasSuffix(r[19], "/docs/s-2020-0012") {
			row, rowNum = r, i+1
		}
	}
	if row == nil {
		t.Fatal("s-2020-0012 is not in 结果")
	}
	want := []string{"第12号", "关于支持临夏州发展牛羊产业助推乡村振兴的建议", "代表建议", "2020-01-14"}
	if !slices.Equal(row[:4], want) {
		t.Errorf("row %d starts %v, want %v", rowNum, row[:4], want)
	}
	if row[5] != "马文涛" || row[6] != "临夏代表团" || row[7] != "省农业农村厅、省财政厅" || row[8] != "省农业农村厅" || row[9] != "已办结" || row[10] != "否" {
		t.Errorf("row %d fields %q", rowNum, row[5:11])
	}
	// the handling: 乙类 read as B, replied on 2020-03-14, before its due 2020-05-06
	if want := []string{"B（乙类）", "满意", "2020-02-06", "2020-05-06", "2020-03-14", "否", "省人大常委会代表工作委员会"}; !slices.Equal(row[11:18], want) {
		t.Errorf("row %d handling %q, want %q", rowNum, row[11:18], want)
	}
	if !strings.HasPrefix(row[18], "临夏州是全省牛羊养殖大县") || !strings.HasSuffix(row[18], "…") || len([]rune(row[18])) != snippetRunes+1 {
		t.Errorf("snippet %q", row[18])
	}
	for col, day := range map[string]time.Time{"N": time.Date(2020, 2, 6, 0, 0, 0, 0, time.UTC), "O": time.Date(2020, 5, 6, 0, 0, 0, 0, time.UTC),
		"P": time.Date(2020, 3, 14, 0, 0, 0, 0, time.UTC)} {
		ref := col + strconv.Itoa(rowNum)
		raw, _ := f.GetCellValue("结果", ref, excelize.Options{RawCellValue: true})
		if want := day.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24; raw != strconv.Itoa(int(want)) {
			t.Errorf("%s holds %q, want the Excel date %v", ref, raw, want)
		}
	}
	date := "D" + strconv.Itoa(rowNum)
	if typ, err := f.GetCellType("结果", date); err != nil || (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) {
		t.Errorf("%s type %v %v: not a number cell", date, typ, err)
	}
	raw, _ := f.GetCellValue("结果", date, excelize.Options{RawCellValue: true})
	serial := time.Date(2020, 1, 14, 0, 0, 0, 0, time.UTC).Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
	if raw != strconv.Itoa(int(serial)) {
		t.Errorf("%s holds %q, want the Excel date %v", date, raw, serial)
	}
	st, _ := f.GetCellStyle("结果", date)
	if style, err := f.GetStyle(st); err != nil || style.CustomNumFmt == nil || *style.CustomNumFmt != "yyyy-mm-dd" {
		t.Errorf("%s number format %+v %v, want yyyy-mm-dd", date, style, err)
	}
	link := linkCol + strconv.Itoa(rowNum)
	if ok, target, err := f.GetCellHyperLink("结果", link); err != nil || !ok || target != "http://minsheng.test/docs/s-2020-0012" {
		t.Errorf("%s hyperlink %v %q %v", link, ok, target, err)
	}

	// 统计 is the index's facet counts.
	res, err := s.Search(context.Background(), search.Request{Size: 1, FacetSize: statsFacetSize})
	if err != nil {
		t.Fatal(err)
	}
	var wantStats [][]string
	for _, name := range search.FacetFields() {
		for _, c := range res.Facets[name] {
			v := c.Value
			if name == "kind" {
				v = kindLabel(v)
			}
			wantStats = append(wantStats, []string{facetLabels[name], v, strconv.Itoa(c.Count)})
		}
	}
	stats := rows(t, f, "统计")
	if len(wantStats) == 0 || !slices.EqualFunc(stats[1:len(wantStats)+1], wantStats, slices.Equal) {
		t.Errorf("统计 %v\nwant %v", stats[1:min(len(stats), 6)], wantStats[:min(len(wantStats), 5)])
	}

	// 说明 tells how the workbook was made.
	notes := notesOf(t, f)
	for item, want := range map[string]string{
		"检索词": "（无：全部文档）", "筛选条件": "（无）", "索引版本": live.Generation(), "分类体系版本": "taxonomy-v7",
		"导出时间": "2026-11-27 15:30:05（北京时间，UTC+8）", "结果总数": strconv.Itoa(int(total)), "导出行数": strconv.Itoa(int(total)),
		"重新导出（网址）": "http://minsheng.test/api/v1/export.xlsx",
	} {
		if notes[item] != want {
			t.Errorf("说明 %s = %q, want %q", item, notes[item], want)
		}
	}
	if live.Generation() == "" {
		t.Error("no generation to record")
	}
}

func TestSampleTrends(t *testing.T) {
	_, data, _, _ := sampleWorkbook(t)
	s, _ := indexOf(t, sampleDir)
	f := workbook(t, data)
	parts := zipFiles(t, data)
	chart, ok := parts["xl/charts/chart1.xml"]
	if !ok {
		t.Fatal("no xl/charts/chart1.xml")
	}
	if !strings.Contains(chart, "<lineChart>") || !strings.Contains(chart, "&#39;趋势&#39;!$A$2") {
		t.Errorf("chart is not a line chart over 趋势: %.300s", chart)
	}
	if !strings.Contains(parts["xl/worksheets/_rels/sheet3.xml.rels"], "drawing") {
		t.Error("趋势 does not hold the chart's drawing")
	}
	// every count of the table is the index's count for that topic and year
	got := rows(t, f, "趋势")
	header := got[0]
	if header[0] != "主题" || header[len(header)-1] != "合计" {
		t.Fatalf("趋势 header %v", header)
	}
	checked := 0
	for _, r := range got[1:] {
		if len(r) != len(header) || r[0] == noTopic {
			continue
		}
		for j, y := range header[1 : len(header)-1] {
			year, ok := strings.CutSuffix(y, "年")
			if !ok {
				continue // 日期不详
			}
			res, err := s.Search(context.Background(), search.Request{Size: 1, NoFacets: true,
				Filters: search.Filters{Topic: []string{r[0]}, Year: []string{year}}})
			if err != nil {
				t.Fatal(err)
			}
			if r[j+1] != strconv.Itoa(int(res.Total)) {
				t.Errorf("趋势 %s %s = %s, the index finds %d", r[0], y, r[j+1], res.Total)
			}
			checked++
		}
		res, err := s.Search(context.Background(), search.Request{Size: 1, NoFacets: true, Filters: search.Filters{Topic: []string{r[0]}}})
		if err != nil {
			t.Fatal(err)
		}
		if r[len(r)-1] != strconv.Itoa(int(res.Total)) {
			t.Errorf("趋势 %s 合计 = %s, the index finds %d", r[0], r[len(r)-1], res.Total)
		}
	}
	if checked == 0 {
		t.Error("趋势 has no topic counts to check")
	}
}

// TestSampleTrendsPrimary: with topic_scope=primary, 趋势 counts each
// document under its primary topic alone, as the search counts it, and
// 说明 says so.
func TestSampleTrendsPrimary(t *testing.T) {
	s, _ := indexOf(t, sampleDir)
	e := &Exporter{Search: s, Now: fixedNow}
	var buf bytes.Buffer
	if _, err := e.WriteReport(context.Background(), &buf, Trends, search.Request{TopicScope: search.TopicsPrimary}, nil); err != nil {
		t.Fatal(err)
	}
	f := workbook(t, buf.Bytes())
	if n := notesOf(t, f)["主题口径"]; !strings.Contains(n, "只计主要主题") {
		t.Errorf("说明 主题口径 = %q", n)
	}
	got := rows(t, f, "趋势")
	sum, fewer := 0, false
	for _, r := range got[1:] {
		if len(r) == 0 || r[0] == "合计" {
			continue
		}
		n, err := strconv.Atoi(r[len(r)-1])
		if err != nil {
			continue
		}
		sum += n
		if r[0] == noTopic {
			continue
		}
		for _, scope := range []string{search.TopicsPrimary, search.TopicsAll} {
			res, err := s.Search(context.Background(), search.Request{Size: 1, NoFacets: true, TopicScope: scope, Filters: search.Filters{Topic: []string{r[0]}}})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case scope == search.TopicsPrimary && r[len(r)-1] != strconv.Itoa(int(res.Total)):
				t.Errorf("趋势 %s 合计 = %s, the index finds %d with it as the primary topic", r[0], r[len(r)-1], res.Total)
			case scope == search.TopicsAll && n < int(res.Total):
				fewer = true
			}
		}
	}
	res, err := s.Search(context.Background(), search.Request{Size: 1, NoFacets: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum != int(res.Total) {
		t.Errorf("趋势 counts %d documents in all, want each of the %d once", sum, res.Total)
	}
	if !fewer {
		t.Error("no topic has fewer documents as the primary one: the test shows nothing")
	}
}

// TestSampleUnits checks 办理情况 against counts made from the sample's
// JSON Lines files, without the index.
func TestSampleUnits(t *testing.T) {
	_, data, _, _ := sampleWorkbook(t)
	f := workbook(t, data)
	type count struct{ docs, done, key int }
	by := map[string]*count{}
	var all count
	bump := func(c *count, d corpus.Doc) {
		c.docs++
		if d.Status == "已办结" || d.Status == "已答复" {
			c.done++
		}
		if d.KeySupervised {
			c.key++
		}
	}
	for _, d := range sampleDocs(t) {
		if d.Kind != corpus.KindSuggestion {
			continue
		}
		bump(&all, d)
		for _, u := range d.Units {
			if by[u] == nil {
				by[u] = &count{}
			}
			bump(by[u], d)
		}
	}
	if all.docs == 0 {
		t.Fatal("no suggestions in the sample")
	}
	checkUnits(t, f, func(unit string) (int, int, int, bool) {
		c, ok := by[unit]
		if !ok {
			return 0, 0, 0, false
		}
		return c.docs, c.done, c.key, true
	}, len(by), all.docs, all.done, all.key)
}

// TestFormulaInjection indexes documents whose text looks like formulas
// and checks that every such cell reads back as the literal text.
func TestFormulaInjection(t *testing.T) {
	evil := []string{`=HYPERLINK("http://x","y")`, "@SUM(1)", "+1", "-1", "=1+1", "=cmd|' /C calc'!A0"}
	dir := filepath.Join(tmpRoot, "evil")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var lines bytes.Buffer
	for i, title := range evil {
		d := corpus.Doc{ID: fmt.Sprintf("evil-%d", i), Kind: corpus.KindSuggestion, Title: title,
			Body: title + " 正文", Author: "@author", Units: []string{"=1+2"}, Status: "-已办结", Topics: []string{"+主题"},
			Date: time.Date(2024, 5, i+1, 0, 0, 0, 0, corpus.CST())}
		b, _ := json.Marshal(d)
		lines.Write(append(b, '\n'))
	}
	if err := os.WriteFile(filepath.Join(dir, "evil.jsonl"), lines.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	s, _ := indexOf(t, dir)
	e := &Exporter{Search: s, BaseURL: "http://m.test"}
	req := search.Request{Sort: search.SortDate}
	data, sum := write(t, e, Full, req)
	if sum.Rows != len(evil) {
		t.Fatalf("%d rows exported, want %d", sum.Rows, len(evil))
	}
	f := workbook(t, data)
	for i, title := range evil {
		r := strconv.Itoa(i + 2)
		for ref, want := range map[string]string{"B" + r: title, "F" + r: "@author", "H" + r: "=1+2", "I" + r: "=1+2", "J" + r: "-已办结", "E" + r: "+主题"} {
			if fm, err := f.GetCellFormula("结果", ref); err != nil || fm != "" {
				t.Errorf("结果!%s has formula %q (%v)", ref, fm, err)
			}
			if v := cell(t, f, "结果", ref); v != want {
				t.Errorf("结果!%s = %q, want %q", ref, v, want)
			}
		}
	}
	// the other sheets carry the same text: units, topics, and the query
	if got := cell(t, f, "办理情况", "A2"); got != "=1+2" {
		t.Errorf("办理情况!A2 = %q", got)
	}
	if fm, _ := f.GetCellFormula("办理情况", "A2"); fm != "" {
		t.Errorf("办理情况!A2 formula %q", fm)
	}
	for name, x := range zipFiles(t, data) {
		if strings.HasPrefix(name, "xl/worksheets/sheet") && (strings.Contains(x, "<f>") || strings.Contains(x, "<f ")) {
			t.Errorf("%s holds a formula", name)
		}
	}

	// a filter value that looks like a formula, in 说明
	data, _ = write(t, e, Full, search.Request{Query: "正文", Filters: search.Filters{Source: []string{`=HYPERLINK("http://x","y")`}}})
	f = workbook(t, data)
	notes := rows(t, f, "说明")
	found := false
	for i, r := range notes {
		if r[0] == "筛选条件" {
			found = r[1] == `来源：=HYPERLINK("http://x","y")`
			if fm, _ := f.GetCellFormula("说明", "B"+strconv.Itoa(i+1)); fm != "" {
				t.Errorf("说明 filter cell has formula %q", fm)
			}
		}
	}
	if !found {
		t.Errorf("说明 does not show the filter as text: %v", notes)
	}

	// CSV: the same text with the ' prefix
	var buf bytes.Buffer
	if _, err := e.WriteCSV(context.Background(), &buf, req, nil); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, title := range evil {
		if recs[i+1][1] != "'"+title || recs[i+1][5] != "'@author" || recs[i+1][7] != "'=1+2" {
			t.Errorf("csv row %d: %q %q %q", i+1, recs[i+1][1], recs[i+1][5], recs[i+1][7])
		}
	}
}

// TestSamplePagesInEveryOrder exports the sample in pages of 10 in each
// order: the rows are the hits of one long search, each once, in its order.
// (The pages continue through After; with bleve's own date sort and its
// "_score" placeholder they used to repeat a page or end after the first.)
func TestSamplePagesInEveryOrder(t *testing.T) {
	s, _ := indexOf(t, sampleDir)
	for _, q := range []string{"", "乡村振兴 OR 教育"} {
		for _, sort := range []string{search.SortRelevance, search.SortDate, search.SortDateDesc} {
			r := search.Request{Query: q, Sort: sort}
			all, err := s.Search(context.Background(), search.Request{Query: q, Sort: sort, Size: DefaultPageSize})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, h := range all.Hits {
				want = append(want, h.ID)
			}
			if len(want) <= 10 || uint64(len(want)) != all.Total {
				t.Fatalf("q=%q: %d hits of %d: want more than one page of 10, all in one search", q, len(want), all.Total)
			}
			var got []string
			e := &Exporter{Search: s, PageSize: 10}
			if _, err := e.scan(context.Background(), r, false, nil, func(h *search.Hit) error {
				got = append(got, h.ID)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("q=%q sort=%q: %d rows in pages of 10, want the %d hits of one search in its order", q, sort, len(got), len(want))
			}
		}
	}
}
