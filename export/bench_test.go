package export

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"minsheng/corpus"
	"minsheng/internal/procstat"
	"minsheng/search"
)

// newsCorpus finds real Chinese news for the export benchmark in the
// shared corpora beside the clone ($MINSHENG_SHARED, else ../shared from
// the repository); without it the benchmark makes up documents of the
// same shape.
func newsCorpus() string {
	for _, dir := range []string{os.Getenv("MINSHENG_SHARED"), "../../shared", "/work/shared"} {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, "corpora", "news-2023", "news.jsonl.gz")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// newsSearcher serves n documents read lazily from the news corpus, in
// order, starting over (with new ids) when it runs out. Suggestions'
// fields are filled in on every third document so that every sheet has
// work to do.
type newsSearcher struct {
	path string
	n    int

	mu    sync.Mutex // guards the fields below
	next  int        // index of the next document to serve
	cycle int
	fh    *os.File
	gz    *gzip.Reader
	dec   *json.Decoder
}

func (s *newsSearcher) Search(ctx context.Context, r search.Request) (*search.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	want := 0
	if r.After != nil {
		k, err := strconv.Atoi(r.After[0])
		if err != nil {
			return nil, err
		}
		want = k + 1
	}
	if want != s.next {
		return nil, fmt.Errorf("news searcher reads in order: asked from %d, at %d", want, s.next)
	}
	res := &search.Result{Total: uint64(s.n), Page: 1, Size: r.Size}
	for len(res.Hits) < r.Size && s.next < s.n {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		d, err := s.doc()
		if err != nil {
			return nil, err
		}
		h := hitOfDoc(d)
		h.Sort = []string{strconv.Itoa(s.next)}
		res.Hits = append(res.Hits, h)
		s.next++
	}
	return res, nil
}

var benchTopics = []string{"乡村振兴", "教育", "医疗卫生", "交通运输", "生态环境", "科技创新", "社会保障", "文化旅游"}
var benchUnits = []string{"省发展改革委", "省教育厅", "省卫生健康委", "省交通运输厅", "省生态环境厅", "省财政厅", "省农业农村厅"}

// doc reads the next document, or makes one when there is no corpus.
func (s *newsSearcher) doc() (*corpus.Doc, error) {
	i := s.next
	var d corpus.Doc
	if s.path == "" {
		d = corpus.Doc{ID: fmt.Sprintf("news-%d", i), Kind: corpus.KindNews,
			Body: strings.Repeat("记者从省发展改革委获悉，今年全省重点项目建设进展顺利，", 30),
			Date: time.Date(2018+i%6, time.Month(1+i%12), 1+i%28, 9, 0, 0, 0, corpus.CST())}
	} else {
		for {
			if s.dec == nil {
				if err := s.open(); err != nil {
					return nil, err
				}
			}
			var raw struct {
				corpus.Doc
				Date string `json:"date"`
			}
			err := s.dec.Decode(&raw)
			if err == nil {
				d = raw.Doc
				d.Date = parseDate(raw.Date)
				break
			}
			if !errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%s: %w", s.path, err)
			}
			s.close()
			s.cycle++
		}
		if s.cycle > 0 {
			d.ID += "#" + strconv.Itoa(s.cycle+1)
		}
	}
	if d.Title == "" { // news-2023 has none: the first sentence
		d.Title = firstSentence(d.Body, 40)
	}
	d.Topics = []string{benchTopics[i%len(benchTopics)]}
	if i%3 == 0 {
		d.Kind, d.Number, d.Author, d.Delegation = corpus.KindSuggestion, fmt.Sprintf("第%d号", i), "代表"+strconv.Itoa(i%97), "兰州代表团"
		d.Units = []string{benchUnits[i%len(benchUnits)], benchUnits[(i/7)%len(benchUnits)]}
		d.Status = []string{"已办结", "已答复", "办理中"}[(i/3)%3]
		d.KeySupervised = i%11 == 0
	}
	return &d, nil
}

func (s *newsSearcher) open() error {
	fh, err := os.Open(s.path)
	if err != nil {
		return err
	}
	gz, err := gzip.NewReader(bufio.NewReaderSize(fh, 1<<20))
	if err != nil {
		fh.Close()
		return err
	}
	s.fh, s.gz, s.dec = fh, gz, json.NewDecoder(gz)
	return nil
}

func (s *newsSearcher) close() {
	if s.fh != nil {
		s.gz.Close()
		s.fh.Close()
	}
	s.fh, s.gz, s.dec = nil, nil, nil
}

// parseDate reads the corpus's dates: date-times with +08:00 or days.
func parseDate(s string) time.Time {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t
	}
	t, _ := time.ParseInLocation(time.DateOnly, s, corpus.CST())
	return t
}

func firstSentence(body string, n int) string {
	var b strings.Builder
	k := 0
	for _, r := range body {
		if r == '。' || r == '\n' || k == n {
			break
		}
		b.WriteRune(r)
		k++
	}
	return b.String()
}

// cpuSeconds is the user and system time of the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// resetPeakRSS returns memory to the system and restarts VmHWM from the
// current RSS (Linux: clear_refs 5), so that a benchmark's peak is its own.
func resetPeakRSS() {
	debug.FreeOSMemory()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// BenchmarkExport100k exports 100,000 rows (all of news-2023 and more,
// read as the exporter asks for them) to a file and reports the seconds,
// its CPU time, the peak RSS of the process, and the excelize-* temp files
// left behind. Targets: under 15 s and 300 MB. Run it with make bench, or:
//
//	go test -run '^$' -bench Export100k -benchtime 1x ./export/
func BenchmarkExport100k(b *testing.B) {
	const rows = 100000
	path := newsCorpus()
	if path == "" {
		b.Log("no news-2023 corpus in ../shared: synthetic documents")
	}
	tmp := b.TempDir()
	b.Setenv("TMPDIR", tmp)
	out := filepath.Join(b.TempDir(), "export.xlsx")
	var secs, cpu, peak, size float64
	for i := 0; i < b.N; i++ {
		resetPeakRSS()
		cpu0 := cpuSeconds()
		s := &newsSearcher{path: path, n: rows}
		e := &Exporter{Search: s, BaseURL: "http://minsheng.test", MaxRows: rows}
		start := time.Now()
		fh, err := os.Create(out)
		if err != nil {
			b.Fatal(err)
		}
		sum, err := e.Write(context.Background(), fh, search.Request{}, nil)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		s.close()
		if err != nil {
			b.Fatal(err)
		}
		secs = max(secs, time.Since(start).Seconds())
		cpu = max(cpu, cpuSeconds()-cpu0)
		peak = max(peak, float64(procstat.Self(b, "VmHWM"))/(1<<20))
		if sum.Rows != rows {
			b.Fatalf("%d rows exported, want %d", sum.Rows, rows)
		}
		if fi, err := os.Stat(out); err == nil {
			size = float64(fi.Size()) / (1 << 20)
		}
	}
	left := excelizeTemps(b, tmp)
	b.ReportMetric(secs, "s/export")
	b.ReportMetric(cpu, "cpu-s/export")
	b.ReportMetric(peak, "peak-RSS-MB")
	b.ReportMetric(size, "xlsx-MB")
	b.ReportMetric(float64(len(left)), "temp-files-left")
	b.ReportMetric(float64(rows), "rows")
	if len(left) > 0 {
		b.Errorf("excelize temp files left: %v", left)
	}
	if peak > 300 {
		b.Errorf("%.0f MB peak RSS; the target is 300 MB", peak)
	}
	// On a shared machine the wall time grows with others' load; the CPU
	// time (all threads, the GC's too) does not. Slow is both over 15 s.
	switch {
	case secs > 15 && cpu > 15:
		b.Errorf("%.1f s (%.1f s of CPU); the target is 15 s", secs, cpu)
	case secs > 15:
		b.Logf("%.1f s of wall time but %.1f s of CPU: the machine is busy", secs, cpu)
	}
}

// BenchmarkExportSheetSplit is TestSheetSplitExcelLimit for make bench,
// which runs without -race: 1,100,000 rows over 结果 and 结果2.
func BenchmarkExportSheetSplit(b *testing.B) {
	for i := 0; i < b.N; i++ {
		checkExcelLimit(b)
	}
}
