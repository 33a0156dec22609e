package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds the browser: $MINSHENG_CHROMIUM, Debian's chromium,
// or one on the PATH.
func chromiumPath() string {
	if p := os.Getenv("MINSHENG_CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts headless Chromium with a fresh profile, a temporary
// folder of its own and no network of its own; the browser ends with the
// test.
func newBrowser(t *testing.T, exe string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // tests may run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		// Chromium makes its singleton socket's folder in TMPDIR, and
		// leaves it there
		chromedp.Env("TMPDIR=" + t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first call starts the browser; it gets no timeout, which would
	// end the browser with it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	return ctx
}

// ui drives one browser tab through the pages.
type ui struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string
	n     int // screenshots taken
}

// do runs steps with a time limit.
func (u *ui) do(what string, limit time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, limit)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		u.fail(what, err)
	}
}

// open navigates to path and checks the status of the page.
func (u *ui) open(path string, status int) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 20*time.Second)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(u.base+path))
	if err != nil {
		u.fail("open "+path, err)
	}
	if int(res.Status) != status {
		u.fail("open "+path, fmt.Errorf("status %d, want %d", res.Status, status))
	}
}

// follow clicks what navigates to another page and waits for it.
func (u *ui) follow(what string, click chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 20*time.Second)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, click)
	if err != nil {
		u.fail(what, err)
	}
	if res == nil || res.Status != http.StatusOK {
		u.fail(what, fmt.Errorf("response %+v", res))
	}
}

// eval evaluates a JavaScript expression into T.
func eval[T any](u *ui, expr string) T {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		u.fail("evaluate "+expr, err)
	}
	return v
}

// wait polls a JavaScript expression until it is true.
func (u *ui) wait(what, expr string, limit time.Duration) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, limit+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingTimeout(limit), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		u.fail(what, err)
	}
}

// shot saves a full-page screenshot of the current page.
func (u *ui) shot(name string) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		u.fail("screenshot "+name, err)
	}
	u.n++
	path := filepath.Join(u.shots, fmt.Sprintf("%02d-%s.png", u.n, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		u.t.Fatal(err)
	}
}

// fail ends the test with a screenshot of where it stopped and the text
// of the page.
func (u *ui) fail(what string, err error) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
	defer cancel()
	if png, serr := chromedp.Run(ctx, chromedp.FullScreenshot(100)); serr == nil {
		os.WriteFile(filepath.Join(u.shots, "failed.png"), png, 0o644)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 3000) : ""`))
	u.t.Fatalf("%s: %v\npage %s:\n%s", what, err, loc, text)
}

// download clicks a download link and returns the path of the saved file.
func (u *ui) download(sel string, dir string) (path, suggested string) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 45*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: ptrTo(true),
	}); err != nil {
		u.fail("download behaviour", err)
	}
	begin := chromedp.Events(ctx, browser.DownloadWillBegin)
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		u.fail("click "+sel, err)
	}
	for ev, err := range begin {
		if err != nil {
			u.fail("download of "+sel+" did not begin", err)
		}
		suggested = ev.SuggestedFilename
		break
	}
	for ev, err := range progress {
		if err != nil {
			u.fail("download of "+sel, err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			return filepath.Join(dir, ev.GUID), suggested
		case browser.DownloadProgressStateCanceled:
			u.fail("download of "+sel, errors.New("cancelled by the browser"))
		}
	}
	u.fail("download of "+sel, errors.New("no progress"))
	return "", ""
}

func ptrTo[T any](v T) *T { return &v }
