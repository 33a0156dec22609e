package corpus

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// pageCase is a test page of testdata/pages and what it must read as
// (testdata/pages/pages.json). Date is RFC 3339, "" for none; Editor is
// the page's 编辑 or 责任编辑; the body
// starts with First and ends with Last.
type pageCase struct {
	File, Style, Title, Date, Source, Author, Editor, URL, First, Last string
}

// footerWords must not be left in any page's body.
var footerWords = []string{"版权所有", "ICP", "公网安备", "未经授权", "禁止转载", "扫一扫", "责任编辑", "分享到", "网站标识码", "首页"}

// TestPages reads every test page, each written in the style of a kind of
// site (text and HTML, UTF-8, GBK and GB18030), and checks its fields.
func TestPages(t *testing.T) {
	dir := "testdata/pages"
	b, err := os.ReadFile(filepath.Join(dir, "pages.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []pageCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.*"))
	kinds := map[string]int{}
	for _, f := range files {
		if filepath.Base(f) == "pages.json" {
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		enc := "utf-8"
		if !utf8.Valid(raw) {
			enc = "gb"
		}
		kinds[filepath.Ext(f)+" "+enc]++
	}
	if len(cases) < 12 || len(cases) != len(files)-1 || kinds[".txt utf-8"] == 0 || kinds[".txt gb"] == 0 ||
		kinds[".html utf-8"] == 0 || kinds[".html gb"] == 0 {
		t.Fatalf("%d cases for %d pages (%v): want at least 12, every page with a case, text and HTML in UTF-8 and GB encodings",
			len(cases), len(files)-1, kinds)
	}
	for _, c := range cases {
		t.Run(c.File, func(t *testing.T) {
			r := walk(t, Options{}, filepath.Join(dir, c.File))
			if r.err != nil || len(r.probs) != 0 || len(r.docs) != 1 {
				t.Fatalf("%v %v %d docs", r.err, r.probs, len(r.docs))
			}
			d := r.docs[0]
			var date time.Time
			if c.Date != "" {
				if date, err = time.Parse(time.RFC3339, c.Date); err != nil {
					t.Fatal(err)
				}
			}
			if d.Title != c.Title || !d.Date.Equal(date) || d.Source != c.Source || d.Author != c.Author || d.Editor != c.Editor || d.URL != c.URL {
				t.Errorf("got  title %q date %v source %q author %q editor %q url %q\nwant title %q date %v source %q author %q editor %q url %q",
					d.Title, d.Date, d.Source, d.Author, d.Editor, d.URL, c.Title, date, c.Source, c.Author, c.Editor, c.URL)
			}
			if !strings.HasPrefix(d.Body, c.First) || !strings.HasSuffix(d.Body, c.Last) {
				t.Errorf("body does not run from %q to %q:\n%s", c.First, c.Last, d.Body)
			}
			for _, w := range footerWords {
				if strings.Contains(d.Body, w) {
					t.Errorf("body keeps %q:\n%s", w, d.Body)
				}
			}
			for _, l := range strings.Split(d.Body, "\n") {
				if l == d.Title {
					t.Errorf("body repeats the title:\n%s", d.Body)
				}
			}
		})
	}
}
