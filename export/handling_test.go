package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"minsheng/indexer/analysis"
	"minsheng/search"
)

// handlingExport is the handling report of one session of the sample
// corpus, with the figures the searcher (and so the API) gives.
var handlingExport struct {
	once  sync.Once
	path  string
	data  []byte
	stats *search.HandlingStats
	proms *search.Promises
	err   error
}

var handlingRequest = func() search.Request {
	var r search.Request
	r.Filters.Set("session", []string{"十四届二次会议", "十三届三次会议"})
	return r
}

func handlingWorkbook(t testing.TB) (string, []byte, *search.HandlingStats, *search.Promises) {
	t.Helper()
	s, live := indexOf(t, sampleDir)
	x := &handlingExport
	x.once.Do(func() {
		an, err := analysis.NewBuiltinAnalysis()
		if err != nil {
			x.err = err
			return
		}
		hs := search.New(live.Index(), search.Options{Limits: search.Limits{MaxSize: DefaultPageSize}, Keywords: an.Keywords})
		e := &Exporter{Search: s, Handling: hs, Generation: live.Generation, Now: fixedNow}
		var buf bytes.Buffer
		if _, x.err = e.WriteReport(context.Background(), &buf, Handling, handlingRequest(), nil); x.err != nil {
			return
		}
		x.data = buf.Bytes()
		x.path = filepath.Join(tmpRoot, "handling.xlsx")
		if x.err = os.WriteFile(x.path, x.data, 0o644); x.err != nil {
			return
		}
		r := handlingRequest()
		r.Filters.Kind = []string{"suggestion"}
		if x.stats, x.err = hs.Handling(context.Background(), r); x.err != nil {
			return
		}
		x.proms, x.err = hs.Promises(context.Background(), r)
	})
	if x.err != nil {
		t.Fatal(x.err)
	}
	return x.path, x.data, x.stats, x.proms
}

// TestHandlingWorkbook: every figure of the handling report equals the
// searcher's, which GET /api/v1/analytics/handling serves; the sheets,
// the sentences, the two charts, the lists and 说明 are there.
func TestHandlingWorkbook(t *testing.T) {
	_, data, st, pr := handlingWorkbook(t)
	f := workbook(t, data)
	if got := strings.Join(f.GetSheetList(), "|"); got != "汇总|按主题|按单位|逾期|重点督办|承诺跟踪|说明" {
		t.Fatalf("sheets %s", got)
	}
	if st.Total == 0 || len(st.Overdue) == 0 || st.KeySupervised == 0 || pr.Repeated == 0 {
		t.Fatalf("the sessions give too little to test: %+v %d", st, pr.Repeated)
	}
	raw := func(sheet string) [][]string {
		rs, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	num := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	near := func(a string, b float64) bool { return math.Abs(num(a)-b) < 1e-9 }
	summary := map[string][]string{}
	for _, r := range raw("汇总")[1:] {
		if len(r) > 0 {
			summary[r[0]] = r
		}
	}
	check := func(item string, n int, share float64) {
		r := summary[item]
		if len(r) < 2 || r[1] != strconv.Itoa(n) || share >= 0 && (len(r) < 3 || !near(r[2], share)) {
			t.Errorf("汇总 %s: %v, want %d %.4f", item, r, n, share)
		}
	}
	check("建议总数", st.Total, -1)
	check("办理单位数", st.UnitsCount, -1)
	check("按期答复", st.OnTime, st.OnTimeRate)
	check("已办结", st.Completed, st.CompletedRate)
	check("重点督办", st.KeySupervised, float64(st.KeySupervised)/float64(st.Total))
	check("逾期", len(st.Overdue), float64(len(st.Overdue))/float64(st.Total))
	for _, s := range st.ReplyClass {
		check("答复类别 "+s.Value+"类", s.Count, s.Share)
	}
	for _, s := range st.Satisfaction {
		check("满意度 "+s.Value, s.Count, s.Share)
	}
	sentences := ""
	for _, r := range raw("汇总") {
		if len(r) == 1 {
			sentences += r[0]
		}
	}
	a := st.ReplyClass[0]
	for _, want := range []string{
		"共收到代表建议" + strconv.Itoa(st.Total) + "件，交由" + strconv.Itoa(st.UnitsCount) + "家单位办理",
		"按期答复率" + percentText(st.OnTimeRate),
		"其中A类（已经解决或基本解决）" + strconv.Itoa(a.Count) + "件，占" + percentText(a.Share),
	} {
		if !strings.Contains(sentences, want) {
			t.Errorf("汇总 does not say %q: %s", want, sentences)
		}
	}
	units := raw("按单位")[1:]
	if len(units) < len(st.ByUnit) {
		t.Fatalf("按单位 has %d rows, the figures %d units", len(units), len(st.ByUnit))
	}
	for i, g := range st.ByUnit {
		r := units[i]
		if r[0] != g.Unit || r[1] != strconv.Itoa(g.Lead) || r[2] != strconv.Itoa(g.Assisting) || r[3] != strconv.Itoa(g.Count) ||
			!near(r[4], g.OnTimeRate) || !near(r[5], g.AShare) || !near(r[6], g.SatisfiedShare) {
			t.Errorf("按单位 row %d %v, want %+v", i, r, g)
		}
	}
	topics := raw("按主题")[1:]
	for i, g := range st.ByTopic {
		r := topics[i]
		if r[0] != g.Topic || r[1] != strconv.Itoa(g.Count) || !near(r[2], g.OnTimeRate) || !near(r[3], g.AShare) || !near(r[4], g.SatisfiedShare) {
			t.Errorf("按主题 row %d %v, want %+v", i, r, g)
		}
	}
	lastCol := func(sheet string, n int) []string {
		var out []string
		for _, r := range raw(sheet)[1:] {
			if len(r) == n {
				out = append(out, r[n-1])
			}
		}
		return out
	}
	if got := lastCol("逾期", 11); !slices.Equal(got, st.Overdue) {
		t.Errorf("逾期 lists %v, want %v", got, st.Overdue)
	}
	if got := lastCol("重点督办", 11); !slices.Equal(got, st.KeyIDs) {
		t.Errorf("重点督办 lists %v, want %v", got, st.KeyIDs)
	}
	flags, lines := 0, 0
	for _, r := range raw("承诺跟踪")[1:] {
		if len(r) >= 6 && r[0] != "" {
			lines++
		}
		if len(r) == 12 && r[11] == "再次提出" {
			flags++
		}
	}
	want, wantFlags := 0, 0
	for _, p := range pr.Promises {
		want += max(1, len(p.Later))
		for _, c := range p.Later {
			wantFlags += b2i(c.Repeated)
		}
	}
	if lines != want || flags != wantFlags || flags == 0 {
		t.Errorf("承诺跟踪 has %d rows and %d flags, want %d and %d", lines, flags, want, wantFlags)
	}
	parts := zipFiles(t, data)
	for _, c := range []string{"xl/charts/chart1.xml", "xl/charts/chart2.xml"} {
		if _, ok := parts[c]; !ok {
			t.Errorf("no %s", c)
		}
	}
	if !strings.Contains(parts["xl/charts/chart1.xml"], "答复类别") || !strings.Contains(parts["xl/charts/chart2.xml"], "满意度") {
		t.Error("the charts are not of reply classes and satisfaction")
	}
	notes := notesOf(t, f)
	if !strings.Contains(notes["筛选条件"], "届次：十四届二次会议、十三届三次会议") || notes["导出时间"] == "" || notes["报表"] != "民声代表建议办理年度报告" {
		t.Errorf("说明 %v", notes)
	}
	if !strings.Contains(notes["重新导出（命令行）"], "--report handling --session 十四届二次会议 --session 十三届三次会议") {
		t.Errorf("说明 command %q", notes["重新导出（命令行）"])
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestHandlingWorkbookInterop opens the handling report with LibreOffice
// (its first sheet, 汇总, as CSV) and openpyxl, as the interop tests do
// the full workbook.
func TestHandlingWorkbookInterop(t *testing.T) {
	path, data, st, _ := handlingWorkbook(t)
	ran := false
	if soffice, err := exec.LookPath("soffice"); err == nil {
		ran = true
		out := t.TempDir()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		profile := "file://" + filepath.ToSlash(filepath.Join(t.TempDir(), "profile"))
		cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation="+profile, "--headless", "--norestore",
			"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", out, path)
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("soffice: %v\n%s", err, b)
		}
		b, err := os.ReadFile(filepath.Join(out, "handling.csv"))
		if err != nil {
			t.Fatalf("soffice wrote no CSV: %v", err)
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatalf("read LibreOffice's CSV: %v", err)
		}
		if len(recs) < 2 || recs[0][0] != "指标" || recs[1][0] != "建议总数" || recs[1][1] != strconv.Itoa(st.Total) {
			t.Errorf("LibreOffice reads 汇总 as %v", recs[:min(len(recs), 3)])
		}
	}
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import openpyxl").Run(); err == nil {
		ran = true
		script := `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
print("|".join(wb.sheetnames))
print("|".join("%s=%d" % (name, sum(1 for _ in wb[name].iter_rows())) for name in wb.sheetnames))
for row in wb["汇总"].iter_rows(values_only=True):
    if row[0] == "建议总数":
        print(row[1])
`
		b, err := exec.Command(python, "-c", script, path).CombinedOutput()
		if err != nil {
			t.Fatalf("openpyxl: %v\n%s", err, b)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		f := workbook(t, data)
		var want []string
		for _, name := range f.GetSheetList() {
			want = append(want, name+"="+strconv.Itoa(len(rows(t, f, name))))
		}
		if len(lines) != 3 || lines[0] != strings.Join(f.GetSheetList(), "|") || lines[1] != strings.Join(want, "|") || lines[2] != strconv.Itoa(st.Total) {
			t.Errorf("openpyxl reads %q; excelize %s %s, total %d", lines, f.GetSheetList(), want, st.Total)
		}
	}
	if !ran {
		t.Skip("neither soffice nor /usr/bin/python3 with openpyxl is installed: install libreoffice-calc-nogui and python3-openpyxl (.ci/run does)")
	}
}
