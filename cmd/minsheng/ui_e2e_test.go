package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"minsheng/indexer"
)

// The staff web UI in a real browser: headless Chromium driven with
// chromedp against the real server (runServe, as `minsheng serve` runs it)
// over the sample corpus. Each page is saved as a full-page PNG in
// screenshots/ at the root of the repository, or in $MINSHENG_SCREENSHOTS.

const uiToken = "ui-e2e-admin-token-of-32-characters"

// repoRoot is the folder holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = up
	}
}

// freeAddr returns a local address nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startUIServer indexes the sample corpus into data and runs the server
// on it, with the admin token, until the test ends. It returns the base URL.
func startUIServer(t *testing.T, data string, sources ...string) string {
	t.Helper()
	c := DefaultConfig()
	c.Data, c.Sources = data, sources
	opt, err := c.buildOptions(slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := indexer.Build(context.Background(), data, opt); err != nil {
		t.Fatalf("index the sample corpus: %v", err)
	}
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	args := []string{"--data", data, "--addr", addr, "--admin-token", uiToken, "--log-level", "warn"}
	for _, s := range sources {
		args = append(args, "--source", s)
	}
	go func() { errc <- runServe(ctx, args, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop within 30 s")
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-errc:
			t.Fatalf("serve ended: %v", err)
		default:
		}
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("server not healthy within 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// nearDuplicate returns a suggestion of the sample corpus and a draft that
// repeats it with a few words changed, as a representative might file it
// again.
func nearDuplicate(t *testing.T, path string) (id, draft string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var d struct{ ID, Kind, Title, Body, Reply string }
		if json.Unmarshal(sc.Bytes(), &d) != nil || d.Kind != "suggestion" || d.Reply == "" || len([]rune(d.Body)) < 150 {
			continue
		}
		body := []rune(d.Body)
		body = body[:len(body)*3/4] // the end left out
		draft := strings.NewReplacer("为此建议", "因此建议", "一是", "第一，", "二是", "第二，", "建议", "提议").Replace(string(body))
		return d.ID, strings.Replace(d.Title, "的建议", "的提议", 1) + "\n" + draft
	}
	t.Fatalf("no suggestion with a reply in %s", path)
	return "", ""
}

func TestStaffUIInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a browser; skipped with -short")
	}
	exe := chromiumPath()
	if exe == "" {
		t.Skip("no Chromium found (install Debian's chromium: apt-get install chromium, or set MINSHENG_CHROMIUM): browser tests skipped")
	}
	start := time.Now()
	root := repoRoot(t)
	shots := os.Getenv("MINSHENG_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(root, "screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	// the screenshots of an earlier run go
	old, _ := filepath.Glob(filepath.Join(shots, "[0-9][0-9]-*.png"))
	for _, f := range append(old, filepath.Join(shots, "failed.png")) {
		os.Remove(f)
	}
	sample := filepath.Join(root, "corpus", "sample")
	// Beside the sample, a suggestion whose title is one long unbroken
	// run of Chinese with markup at its end: it must wrap, and stay text.
	extra := filepath.Join(t.TempDir(), "extra.jsonl")
	long, _ := json.Marshal(map[string]any{
		"id": "long-title", "kind": "suggestion", "date": "2025-03-01", "delegation": "兰州代表团", "status": "办理中",
		"title": "关于" + strings.Repeat("进一步加强和改进基层社会治理", 8) + "的建议<img src=x onerror=\"window.__xss=1\">",
		"body":  strings.Repeat("基层社会治理是国家治理的基石", 20) + "。<script>window.__xss=2</script>",
		"units": []string{strings.Repeat("省委政法委员会", 6), "省民政厅"},
	})
	if err := os.WriteFile(extra, append(long, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	base := startUIServer(t, t.TempDir(), sample, extra)
	// every step below derives its own time limit from this one, so the
	// whole browser part ends within 100 s
	bctx, cancel := context.WithTimeout(newBrowser(t, exe), 100*time.Second)
	defer cancel()
	u := &ui{t: t, ctx: bctx, base: base, shots: shots}
	downloads := t.TempDir()
	// Script errors and refusals of the content security policy, on any
	// page; failed requests (the 400 and 404 pages) are expected.
	var (
		mu       sync.Mutex // guards problems
		problems []string
	)
	cctx, stopConsole := context.WithCancel(u.ctx)
	console := chromedp.Console(cctx)
	consoleDone := make(chan struct{})
	go func() {
		defer close(consoleDone)
		for m, err := range console {
			if err != nil {
				return
			}
			if m.IsException() || m.Source == "security" || (m.Source == "" && m.Type == chromedp.ConsoleError) {
				mu.Lock()
				problems = append(problems, m.String())
				mu.Unlock()
			}
		}
	}()
	defer func() {
		stopConsole()
		<-consoleDone
		for _, p := range problems {
			t.Errorf("browser console: %s", p)
		}
	}()

	// Search: type 乡村振兴 and see highlighted results.
	u.open("/", http.StatusOK)
	u.do("type a query", 10*time.Second,
		chromedp.WaitVisible(chromedp.CSS("#q")),
		chromedp.SendKeys(chromedp.CSS("#q"), "乡村振兴"))
	u.follow("search", chromedp.Click(chromedp.CSS(`form[role="search"] button[type="submit"]`)))
	if q := eval[string](u, `new URLSearchParams(location.search).get("q")`); q != "乡村振兴" {
		t.Fatalf("query in the address is %q", q)
	}
	if n := eval[int](u, `document.querySelectorAll(".hit mark").length`); n == 0 {
		u.fail("search 乡村振兴", errors.New("no <mark> in the results"))
	}
	if n := eval[int](u, `+document.getElementById("total").dataset.total`); n == 0 {
		u.fail("search 乡村振兴", errors.New("total is 0"))
	}
	u.shot("search")
	// keyboard: the first Tab reaches the skip link
	u.do("tab", 5*time.Second, chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`), chromedp.KeyEvent("\t"))
	if cls := eval[string](u, `document.activeElement.className`); cls != "skip" {
		t.Errorf("first Tab focuses %q, want the skip link", cls)
	}

	// A topic facet narrows to exactly its count.
	type facet struct {
		Value string `json:"value"`
		Count int    `json:"count"`
	}
	fv := eval[facet](u, `(() => { const a = document.querySelector('.facet[data-facet="topic"] a.fv:not(.on)');
		return a ? {value: a.dataset.value, count: +a.dataset.count} : {value: "", count: 0}; })()`)
	if fv.Value == "" {
		u.fail("topic facet", errors.New("no topic facet value"))
	}
	u.follow("click topic facet "+fv.Value, chromedp.Click(chromedp.CSS(`.facet[data-facet="topic"] a.fv:not(.on)`)))
	if got := eval[[]string](u, `new URLSearchParams(location.search).getAll("topic")`); len(got) != 1 || got[0] != fv.Value {
		t.Fatalf("after clicking %q the address has topic=%q", fv.Value, got)
	}
	if total := eval[int](u, `+document.getElementById("total").dataset.total`); total != fv.Count {
		t.Errorf("facet %s said %d, the search found %d", fv.Value, fv.Count, total)
	}
	if chip := eval[string](u, `(document.querySelector(".chip") || {}).textContent || ""`); !strings.Contains(chip, fv.Value) {
		t.Errorf("no chip for the selected topic: %q", chip)
	}
	if on := eval[int](u, `document.querySelectorAll('.facet[data-facet="topic"] a.fv.on').length`); on != 1 {
		t.Errorf("%d topic facet values shown as selected, want 1", on)
	}
	u.shot("search-topic")

	// 下载Excel: the workbook of this query and filter.
	file, name := u.download("#export", downloads)
	if !strings.HasSuffix(name, ".xlsx") {
		t.Errorf("download named %q", name)
	}
	wb, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatalf("open the downloaded workbook: %v", err)
	}
	rows, err := wb.GetRows("结果")
	wb.Close()
	if err != nil {
		t.Fatalf("sheet 结果: %v", err)
	}
	if len(rows)-1 != fv.Count {
		t.Errorf("结果 has %d rows under its header, the page found %d", len(rows)-1, fv.Count)
	}

	// Open the first document.
	title := eval[string](u, `document.querySelector(".hit-title a").textContent`)
	href := eval[string](u, `document.querySelector(".hit-title a").getAttribute("href")`)
	u.follow("open a document", chromedp.Click(chromedp.CSS(".hit-title a")))
	if got := eval[string](u, `document.getElementById("doc-title").textContent`); strings.TrimSpace(got) != strings.TrimSpace(title) {
		t.Errorf("document page is titled %q, the result %q", got, title)
	}
	if n := eval[int](u, `document.querySelectorAll(".fields .fieldrow").length`); n < 3 {
		t.Errorf("document shows %d fields", n)
	}
	if n := eval[int](u, `document.querySelectorAll(".why li").length`); n == 0 {
		t.Error("document shows no topics")
	}
	if n := eval[int](u, `document.querySelectorAll(".minihits li").length`); n == 0 {
		t.Error("document shows no similar documents")
	}
	u.shot("document")

	// 建议查重: a near-duplicate of a sample suggestion finds it first.
	id, draft := nearDuplicate(t, filepath.Join(sample, "suggestions.jsonl"))
	u.open("/check", http.StatusOK)
	u.do("paste a draft", 10*time.Second, chromedp.SetValue(chromedp.CSS("#draft"), draft))
	u.follow("check the draft", chromedp.Click(chromedp.CSS(`.checkform button[type="submit"]`)))
	first := eval[string](u, `(document.querySelector(".checkhits .hit-title a") || {href: ""}).getAttribute("href") || ""`)
	if want := "/docs/" + url.PathEscape(id); first != want {
		t.Errorf("draft check: first hit %q, want the original %q", first, want)
	}
	if n := eval[int](u, `document.querySelectorAll(".checkhits .hit:first-child .shared mark").length`); n == 0 {
		t.Error("draft check: no shared words shown")
	}
	if n := eval[int](u, `document.querySelectorAll(".checkhits .hit:first-child .replybox").length`); n != 1 {
		t.Error("draft check: the reply of the original is not shown")
	}
	u.shot("check")

	// 统计分析: server-drawn charts, each downloadable.
	u.open("/analytics", http.StatusOK)
	if n := eval[int](u, `document.querySelectorAll("#trends svg.chart polyline").length`); n == 0 {
		u.fail("analytics", errors.New("no trend lines"))
	}
	if n := eval[int](u, `document.querySelectorAll("#units svg.chart rect").length`); n == 0 {
		u.fail("analytics", errors.New("no unit bars"))
	}
	u.shot("analytics")
	file, _ = u.download("#trends-xlsx", downloads)
	if wb, err := excelize.OpenFile(file); err != nil {
		t.Errorf("trends workbook: %v", err)
	} else {
		if idx, _ := wb.GetSheetIndex("趋势"); idx < 0 {
			t.Errorf("trends workbook has sheets %q, no 趋势", wb.GetSheetList())
		}
		wb.Close()
	}

	// Errors show on the page: a bad date, an unknown document.
	u.open("/?q=%E4%B9%A1%E6%9D%91&from=2024-13-45", http.StatusBadRequest)
	if msg := eval[string](u, `(document.querySelector('[role="alert"]') || {}).textContent || ""`); !strings.Contains(msg, "2024-13-45") {
		t.Errorf("bad date: alert %q", msg)
	}
	u.shot("error-bad-date")
	u.open("/docs/no-such-document", http.StatusNotFound)
	if msg := eval[string](u, `(document.querySelector('[role="alert"]') || {}).textContent || ""`); !strings.Contains(msg, "no-such-document") {
		t.Errorf("unknown document: alert %q", msg)
	}
	u.shot("error-not-found")

	// 管理: log in, start a reindex, watch it finish.
	u.open("/admin", http.StatusOK)
	u.do("admin page", 10*time.Second, chromedp.WaitVisible(chromedp.CSS("#token")))
	u.shot("admin-login")
	u.do("log in", 10*time.Second,
		chromedp.SendKeys(chromedp.CSS("#token"), uiToken),
		chromedp.Click(chromedp.CSS(`#login button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#panel")))
	if stored := eval[string](u, `sessionStorage.getItem("minsheng.adminToken") || ""`); stored != uiToken {
		t.Errorf("token in sessionStorage: %q", stored)
	}
	u.wait("generations listed", `document.querySelectorAll("#generations tr[data-generation]").length === 1`, 10*time.Second)
	u.do("reindex", 10*time.Second, chromedp.Click(chromedp.CSS("#reindex")))
	u.wait("the job shows", `document.querySelector("#jobs tr[data-job]") !== null`, 10*time.Second)
	if eval[string](u, `document.querySelector("#jobs tr[data-job]").dataset.state`) == "running" {
		u.shot("admin-running")
	}
	u.wait("the reindex finishes", `(document.querySelector("#jobs tr[data-job]") || {dataset: {}}).dataset.state === "succeeded"`, 60*time.Second)
	u.wait("the new generation is listed", `document.querySelectorAll("#generations tr[data-generation]").length === 2`, 10*time.Second)
	if msg := eval[string](u, `document.getElementById("admin-msg").textContent`); !strings.Contains(msg, "重建完成") {
		t.Errorf("after the reindex the message is %q", msg)
	}
	if serving := eval[int](u, `document.querySelectorAll("#generations tr.serving").length`); serving != 1 {
		t.Errorf("%d generations marked serving", serving)
	}
	// Cancel: a second reindex, cancelled while it runs. On a fast machine
	// it may end first; then the API refuses and the page says so.
	u.do("reindex again", 10*time.Second, chromedp.Click(chromedp.CSS("#reindex")))
	u.wait("the second job shows", `document.querySelectorAll("#jobs tr[data-job]").length === 2`, 10*time.Second)
	clicked := eval[bool](u, `(() => { const b = document.querySelector('#jobs tr[data-state="running"] button');
		if (b) { b.click(); return true; } return false; })()`)
	u.wait("the second job ends", `["succeeded", "cancelled", "failed"].includes(document.querySelector("#jobs tr[data-job]").dataset.state)`, 60*time.Second)
	switch state := eval[string](u, `document.querySelector("#jobs tr[data-job]").dataset.state`); {
	case state == "failed":
		t.Errorf("the second reindex failed: %s", eval[string](u, `document.querySelector("#jobs tr[data-job]").textContent`))
	case clicked && state == "cancelled":
		u.wait("cancel confirmed", `document.getElementById("admin-msg").textContent.includes("取消")`, 10*time.Second)
	default:
		t.Logf("the second reindex ended %s before it could be cancelled (cancel clicked: %v)", state, clicked)
	}

	// a schedule, read back in plain language
	u.do("add a schedule", 10*time.Second,
		chromedp.SendKeys(chromedp.CSS("#sched-name"), "每天夜间重建"),
		chromedp.SendKeys(chromedp.CSS("#sched-cron"), "0 2 * * *"),
		chromedp.Click(chromedp.CSS(`#add-schedule button[type="submit"]`)))
	u.wait("the schedule is listed", `document.querySelectorAll("#schedules tr[data-schedule]").length === 1`, 10*time.Second)
	if desc := eval[string](u, `document.querySelector("#schedules tr[data-schedule] .desc").textContent`); !strings.Contains(desc, "02:00") {
		t.Errorf("schedule described as %q", desc)
	}
	// an error of the API shows as a message
	u.do("bad schedule", 10*time.Second,
		chromedp.SendKeys(chromedp.CSS("#sched-cron"), "61 * * * *"),
		chromedp.Click(chromedp.CSS(`#add-schedule button[type="submit"]`)))
	u.wait("the error shows", `!document.getElementById("admin-err").hidden`, 10*time.Second)
	// the audit trail lists the changes just made, the refused one too
	u.wait("the audit trail lists them", `document.querySelectorAll("#audit tr[data-audit]").length >= 3 &&
		document.querySelector("#audit tr[data-audit]").textContent.includes("POST /api/v1/schedules") &&
		document.querySelector("#audit tr[data-audit]").textContent.includes("400")`, 10*time.Second)
	u.shot("admin")

	// A phone: nothing wider than the screen.
	u.do("phone", 10*time.Second, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	for _, p := range []struct{ name, path, ready string }{
		{"phone-search", "/?q=%E4%B9%A1%E6%9D%91%E6%8C%AF%E5%85%B4", `true`},
		{"phone-document", href, `true`},
		{"phone-check", "/check", `true`},
		{"phone-analytics", "/analytics", `true`},
		{"phone-long-title-search", "/?q=" + url.QueryEscape("进一步加强和改进基层社会治理"), `true`},
		{"phone-long-title", "/docs/long-title", `true`},
		{"phone-admin", "/admin", `document.querySelectorAll("#generations tr[data-generation]").length >= 2`}, // logged in for the session
	} {
		u.open(p.path, http.StatusOK)
		u.wait(p.name+" ready", p.ready, 10*time.Second)
		if wide := eval[bool](u, `document.documentElement.scrollWidth > window.innerWidth + 1`); wide {
			t.Errorf("%s: the page is wider (%d px) than the phone", p.name, eval[int](u, `document.documentElement.scrollWidth`))
		}
		if xss := eval[bool](u, `window.__xss !== undefined`); xss {
			t.Errorf("%s: markup of a document ran", p.name)
		}
		u.shot(p.name)
	}

	t.Logf("screenshots in %s; browser test took %s", shots, time.Since(start).Round(time.Millisecond))
}
