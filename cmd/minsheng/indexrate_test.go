package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestIndexSummaryRateOfText indexes a .jsonl.gz of very repetitive text
// (a hundredth of its size compressed): the summary's text MB is the
// documents' text decompressed, and its MB/s that over the seconds, not
// the size of the .gz file over them.
func TestIndexSummaryRateOfText(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds an index")
	}
	src, data := t.TempDir(), t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	enc := json.NewEncoder(zw)
	var text int64
	for i := range 150 {
		d := map[string]string{"id": fmt.Sprintf("n%d", i), "title": "乡村振兴简报", "date": "2024-03-08",
			"body": strings.Repeat("推进乡村全面振兴，加快建设农业强国。", 400)}
		text += int64(len(d["title"]) + len(d["body"]))
		if err := enc.Encode(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	writeSource(t, src, "news.jsonl.gz", gz.Bytes())
	if int64(gz.Len())*50 > text {
		t.Fatalf("the source compresses to %d bytes of %d: too little for the test", gz.Len(), text)
	}

	var out bytes.Buffer
	if err := runIndex(context.Background(), []string{"--data", data, "--source", filepath.Join(src, "news.jsonl.gz"), "--log-level", "error"}, &out); err != nil {
		t.Fatalf("index: %v\n%s", err, out.String())
	}
	summary := map[string]string{}
	for _, line := range strings.Split(out.String(), "\n") {
		if k, v, ok := strings.Cut(line, "  "); ok {
			summary[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	if want := fmt.Sprintf("%.1f", float64(text)/1e6); summary["text MB"] != want {
		t.Errorf("text MB %q, want %s:\n%s", summary["text MB"], want, out.String())
	}
	secs, err1 := strconv.ParseFloat(summary["seconds"], 64)
	rate, err2 := strconv.ParseFloat(summary["MB/s"], 64)
	if err1 != nil || err2 != nil || rate <= 0 {
		t.Fatalf("summary without seconds or a positive MB/s:\n%s", out.String())
	}
	// The rate's seconds (text over rate) are the printed seconds, give or
	// take their rounding; a rate of the .gz size gives fifty times more.
	if implied := float64(text) / 1e6 / rate; math.Abs(implied-secs) > 0.1+0.1*secs {
		t.Errorf("MB/s %.2f is %.3f MB of text in %.2f s, but the build took %.1f s:\n%s",
			rate, float64(text)/1e6, implied, secs, out.String())
	}
	if _, err := os.Stat(filepath.Join(data, "CURRENT")); err != nil {
		t.Errorf("no current generation: %v", err)
	}
}
