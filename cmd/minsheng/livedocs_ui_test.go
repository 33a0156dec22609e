package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const uiEditorToken = "ui-e2e-editor-token-of-32-chars!"

// TestLiveDocsUIInBrowser: in headless Chromium, 新增建议 files a
// suggestion with the editor token (typed once), the suggestion is found
// by a search at once, 编辑 on its page changes status, reply, units and
// topics, and an edit of a stale version is refused with a message.
func TestLiveDocsUIInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a browser; skipped with -short")
	}
	exe := chromiumPath()
	if exe == "" {
		t.Skip("no Chromium found (install Debian's chromium: apt-get install chromium, or set MINSHENG_CHROMIUM): browser tests skipped")
	}
	root := repoRoot(t)
	shots := os.Getenv("MINSHENG_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(root, "screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MINSHENG_EDITOR_TOKEN", uiEditorToken)
	base := startUIServer(t, t.TempDir(), filepath.Join(root, "corpus", "sample"))
	bctx, cancel := context.WithTimeout(newBrowser(t, exe), 90*time.Second)
	defer cancel()
	u := &ui{t: t, ctx: bctx, base: base, shots: shots, n: 40}
	var problems []string
	cctx, stopConsole := context.WithCancel(u.ctx)
	console := chromedp.Console(cctx)
	consoleDone := make(chan struct{})
	go func() {
		defer close(consoleDone)
		for m, err := range console {
			if err != nil {
				return
			}
			if m.IsException() || m.Source == "security" {
				problems = append(problems, m.String())
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

	// 新增建议: the token field shows, since none is kept yet
	u.open("/new", http.StatusOK)
	if !eval[bool](u, `!document.querySelector('#new-doc .write-token').hidden`) {
		u.fail("new suggestion form", errString("the token field is hidden with no token kept"))
	}
	u.do("fill in a suggestion", 15*time.Second,
		chromedp.SetValue(chromedp.CSS("#new-id"), "ui-live-1"),
		chromedp.SetValue(chromedp.CSS("#new-number"), "第0999号"),
		chromedp.SetValue(chromedp.CSS("#new-delegation"), "兰州代表团"),
		chromedp.SetValue(chromedp.CSS("#new-units"), "省住房和城乡建设厅、省财政厅"),
		chromedp.SetValue(chromedp.CSS("#new-status"), "办理中"),
		chromedp.SetValue(chromedp.CSS("#new-date"), "2025-03-05"),
		chromedp.SetValue(chromedp.CSS("#new-title"), "关于加快老旧小区加装电梯的建议"),
		chromedp.SetValue(chromedp.CSS("#new-body"), "老旧小区居民上下楼难，建议简化加装电梯审批流程，加大财政补贴力度。"),
		chromedp.Click(chromedp.CSS("#new-key")),
		chromedp.SendKeys(chromedp.CSS("#new-token"), uiEditorToken),
	)
	u.shot("new-suggestion")
	u.follow("save the suggestion", chromedp.Click(chromedp.CSS(`#new-doc button[type="submit"]`)))
	u.wait("the new suggestion's page", `location.pathname === '/docs/ui-live-1' && !!document.querySelector('#doc-title')`, 15*time.Second)
	if got := eval[string](u, `document.querySelector('#doc-title').textContent`); got != "关于加快老旧小区加装电梯的建议" {
		u.fail("new suggestion's page", errString("title "+got))
	}

	// searchable at once
	u.open("/?q="+url.QueryEscape("加装电梯"), http.StatusOK)
	if !eval[bool](u, `[...document.querySelectorAll('.hit-title a')].some(a => a.getAttribute('href') === '/docs/ui-live-1')`) {
		u.fail("search for the new suggestion", errString("not among the hits"))
	}

	// 编辑: the token is kept for the session, so no field asks for it
	u.open("/docs/ui-live-1", http.StatusOK)
	u.do("open 编辑", 10*time.Second, chromedp.Click(chromedp.CSS(".doc-edit > summary")))
	if !eval[bool](u, `document.querySelector('#doc-edit .write-token').hidden`) {
		u.fail("edit form", errString("asks for the token again"))
	}
	u.do("edit the suggestion", 10*time.Second,
		chromedp.SetValue(chromedp.CSS("#edit-status"), "已办结"),
		chromedp.SetValue(chromedp.CSS("#edit-units"), "省住房和城乡建设厅"),
		chromedp.SetValue(chromedp.CSS("#edit-topics"), "城乡建设"),
		chromedp.SetValue(chromedp.CSS("#edit-reply"), "已会同有关部门简化审批，今年补贴加装电梯三百部。"),
	)
	u.shot("edit-suggestion")
	u.follow("save the edit", chromedp.Click(chromedp.CSS(`#doc-edit button[type="submit"]`)))
	u.wait("the page shows the edit", `!!document.querySelector('.doc .status') && document.querySelector('.doc .status').textContent === '已办结' && !!document.querySelector('#h-reply')`, 15*time.Second)
	if got := eval[string](u, `document.querySelector('#doc-edit').getAttribute('data-version')`); got != "2" {
		u.fail("version after the edit", errString(got))
	}
	u.shot("edited-suggestion")

	// an edit of a version someone else changed since: refused, said so
	u.do("edit a stale version", 10*time.Second,
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#doc-edit').setAttribute('data-version', '1')`),
		chromedp.Click(chromedp.CSS(".doc-edit > summary")),
		chromedp.SetValue(chromedp.CSS("#edit-status"), "办理中"),
		chromedp.Click(chromedp.CSS(`#doc-edit button[type="submit"]`)),
	)
	u.wait("conflict message", `!document.querySelector('#edit-msg').hidden && document.querySelector('#edit-msg').textContent.includes('已被他人修改')`, 10*time.Second)

	// the history names the editor token and what changed
	res, err := http.Get(base + "/api/v1/docs/ui-live-1/history")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var h struct {
		Version int64 `json:"version"`
		History []struct {
			Token   string   `json:"token"`
			Result  string   `json:"result"`
			Changed []string `json:"changed"`
		} `json:"history"`
	}
	if err := json.NewDecoder(res.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	if h.Version != 2 || len(h.History) != 2 || h.History[0].Result != "created" || h.History[1].Token != "editor" ||
		strings.Join(h.History[1].Changed, ",") != "reply,status,topics,units" {
		t.Errorf("history: %+v", h)
	}
}

type errString string

func (e errString) Error() string { return string(e) }
