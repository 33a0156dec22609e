package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLibreOfficeConverts converts the sample workbook with LibreOffice
// (Debian package libreoffice-calc-nogui), which writes its first sheet,
// 结果, as CSV: the CSV must hold the header and one row per result.
func TestLibreOfficeConverts(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice is not on PATH: install libreoffice-calc-nogui (.ci/run does) to run this test")
	}
	path, _, _, total := sampleWorkbook(t)
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// A profile of its own, so that a running LibreOffice does not take the job.
	profile := "file://" + filepath.ToSlash(filepath.Join(t.TempDir(), "profile"))
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation="+profile, "--headless", "--norestore",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", out, path)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	b, err := os.ReadFile(filepath.Join(out, strings.TrimSuffix(filepath.Base(path), ".xlsx")+".csv"))
	if err != nil {
		t.Fatalf("soffice wrote no CSV: %v", err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("read LibreOffice's CSV: %v", err)
	}
	if len(recs) != int(total)+1 {
		t.Errorf("LibreOffice reads %d rows of 结果, want %d (header and the search total %d)", len(recs), total+1, total)
	}
	if len(recs) > 0 && (recs[0][0] != "编号" || recs[0][1] != "标题" || recs[0][19] != "链接") {
		t.Errorf("LibreOffice's header %v", recs[0])
	}
	// dates are dates to LibreOffice too: it writes them as formatted
	for _, r := range recs[1:] {
		if r[3] != "" && (len(r[3]) != 10 || r[3][4] != '-') {
			t.Errorf("date %q is not yyyy-mm-dd", r[3])
			break
		}
	}
}

// openpyxlScript prints the sheet names, the number of rows of 结果, the
// type of its first date cell, and the rows of every sheet. It reads in
// read-only mode, as pandas does, which trusts a sheet's dimension.
const openpyxlScript = `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
print("|".join(wb.sheetnames))
ws = wb["结果"]
n = 0
date = None
for row in ws.iter_rows(values_only=True):
    n += 1
    if n == 2:
        date = type(row[3]).__name__
print(n)
print(date)
print("|".join("%s=%d" % (name, sum(1 for _ in wb[name].iter_rows())) for name in wb.sheetnames))
`

// TestOpenpyxlReads reads the sample workbook with a second
// implementation, Debian's python3-openpyxl: the same sheets, and the
// rows of 结果 are the search total and the header.
func TestOpenpyxlReads(t *testing.T) {
	// Debian's python3, not a pyenv one on PATH without Debian's packages.
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import openpyxl").Run(); err != nil {
		t.Skipf("%s cannot import openpyxl (%v): install python3-openpyxl (.ci/run does) to run this test", python, err)
	}
	path, _, _, total := sampleWorkbook(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b, err := exec.CommandContext(ctx, python, "-c", openpyxlScript, path).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, b)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 4 {
		t.Fatalf("openpyxl printed %q", b)
	}
	if lines[0] != "结果|统计|趋势|办理情况|说明" {
		t.Errorf("openpyxl sees sheets %s", lines[0])
	}
	if n, _ := strconv.Atoi(lines[1]); n != int(total)+1 {
		t.Errorf("openpyxl reads %s rows of 结果, want %d (header and the search total %d)", lines[1], total+1, total)
	}
	if lines[2] != "datetime" {
		t.Errorf("openpyxl reads the first date as %s, want datetime", lines[2])
	}
	_, data, _, _ := sampleWorkbook(t)
	f := workbook(t, data)
	var want []string
	for _, name := range f.GetSheetList() {
		want = append(want, name+"="+strconv.Itoa(len(rows(t, f, name))))
	}
	if got := strings.Join(want, "|"); lines[3] != got {
		t.Errorf("openpyxl reads rows %s, excelize %s", lines[3], got)
	}
}
