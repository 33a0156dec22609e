package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"minsheng/indexer"
	"minsheng/indexer/analysis"
)

// Every limit has a default that bounds something, and serve's
// http.Server gets the timeouts and the header cap; no proxy is trusted
// unless configured.
func TestLimitsInOnePlace(t *testing.T) {
	c := DefaultConfig()
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) { // through the packages' limits the file holds inline
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(v.Field(i))
			} else if v.Field(i).IsZero() {
				t.Errorf("limits.%s has no default", f.Tag.Get("yaml"))
			}
		}
	}
	walk(reflect.ValueOf(c.Limits))
	if len(c.Trusted) != 0 {
		t.Errorf("trusted proxies by default: %v", c.Trusted)
	}
	hs := c.httpServer(http.NotFoundHandler())
	l := c.Limits
	if hs.ReadHeaderTimeout != l.ReadHeaderTimeout || hs.ReadTimeout != l.ReadTimeout || hs.WriteTimeout != l.WriteTimeout ||
		hs.IdleTimeout == 0 || hs.MaxHeaderBytes != l.MaxHeaderBytes {
		t.Errorf("http.Server %+v does not carry the limits %+v", hs, l)
	}
	// the search gets the configured limits as they are, with
	// search_timeout (web's setting, which both use) as its budget
	c.Limits.SearchTimeout = 7 * time.Second // not the search's own default
	sl, want := c.searchLimits(), c.Limits.SearchLimits
	want.Timeout = 7 * time.Second
	if sl != want {
		t.Errorf("search limits %+v do not carry the limits %+v", sl, c.Limits)
	}
}

// A client that sends its headers slowly (slowloris) is dropped by serve's
// http.Server once ReadHeaderTimeout has passed, however it trickles.
func TestSlowHeaderClientDropped(t *testing.T) {
	c := DefaultConfig()
	c.Limits.ReadHeaderTimeout = 500 * time.Millisecond
	hs := c.httpServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	defer hs.Close()

	for _, trickle := range []bool{false, true} {
		// from before the dial: the server starts ReadHeaderTimeout when it
		// accepts, which can come before Dial returns here
		start := time.Now()
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n"); err != nil {
			t.Fatal(err)
		}
		closed := make(chan error, 1)
		go func() {
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, err := conn.Read(make([]byte, 1024))
			closed <- err
		}()
		var readErr error
	loop:
		for i := 0; i < 100; i++ { // at most 10 s
			select {
			case readErr = <-closed:
				break loop
			case <-time.After(100 * time.Millisecond):
			}
			if trickle {
				io.WriteString(conn, fmt.Sprintf("X-Slow-%d: y\r\n", i))
			}
		}
		took := time.Since(start)
		conn.Close()
		t.Logf("trickle %v: connection closed after %s (%v)", trickle, took.Round(time.Millisecond), readErr)
		if readErr == nil || errors.Is(readErr, os.ErrDeadlineExceeded) {
			t.Errorf("trickle %v: the connection was not closed within 10 s (%v)", trickle, readErr)
		}
		if took < 500*time.Millisecond {
			t.Errorf("trickle %v: closed after %s, before ReadHeaderTimeout", trickle, took)
		}
	}
	// the server still answers a client that sends its request at once
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("a prompt client got %d", resp.StatusCode)
	}
}

// SIGTERM lets running requests finish: a request whose body is still
// arriving when the signal comes completes with 200, serve then exits 0,
// and the index it served opens again at once (it was closed cleanly).
func TestGracefulShutdown(t *testing.T) {
	bin := buildTrimpathBinary(t)
	sample, err := filepath.Abs("../../corpus/sample")
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	runIndexCmd(t, bin, data, sample)
	s := startServe(t, bin, data, sample)
	gen := s.generation(t)

	// a draft for similar documents, sent slowly
	draft, _ := json.Marshal(map[string]any{"text": strings.Repeat("关于加快农村寄递物流体系建设助力乡村振兴的建议。", 200), "size": 5})
	pr, pw := io.Pipe()
	req, err := http.NewRequest("POST", s.base+"/api/v1/similar", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(draft))
	req.Header.Set("Content-Type", "application/json")
	type answer struct {
		code int
		body []byte
		err  error
	}
	done := make(chan answer, 1)
	go func() {
		resp, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
		if err != nil {
			done <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		done <- answer{resp.StatusCode, b, err}
	}()
	half := len(draft) / 2
	if _, err := pw.Write(draft[:half]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the handler is reading the body
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(s.logText(), "shutting down") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(s.logText(), "shutting down") {
		t.Fatal("serve did not start shutting down within 20 s of SIGTERM")
	}
	// new connections are refused while the running request goes on
	if resp, err := http.Get(s.base + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("a new request during shutdown got %d, want a refused connection", resp.StatusCode)
	}
	time.Sleep(time.Second)
	for i := half; i < len(draft); i += 1000 { // the rest, over another second
		if _, err := pw.Write(draft[i:min(i+1000, len(draft))]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	pw.Close()
	a := <-done
	if a.err != nil || a.code != http.StatusOK {
		t.Fatalf("the request running at SIGTERM: %d %v %.300s", a.code, a.err, a.body)
	}
	var res struct{ Hits []struct{ ID string } }
	if err := json.Unmarshal(a.body, &res); err != nil || len(res.Hits) == 0 {
		t.Errorf("the request running at SIGTERM answered %.300s", a.body)
	}
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not exit within 30 s of its last request")
	}
	if !s.cmd.ProcessState.Success() {
		t.Errorf("serve exited with %v after SIGTERM", s.cmd.ProcessState)
	}
	if !strings.Contains(s.logText(), "every request finished") {
		t.Errorf("serve did not log that every request finished:\n%s", s.logText())
	}
	// closed cleanly: no lock left, the index opens at once
	if _, err := analysis.NewBuiltinAnalysis(); err != nil { // loads the dictionaries: not part of opening
		t.Fatal(err)
	}
	start := time.Now()
	idx, err := indexer.Open(indexer.IndexPath(data, gen))
	if err != nil {
		t.Fatalf("reopen %s after the shutdown: %v", gen, err)
	}
	n, err := idx.DocCount()
	idx.Close()
	t.Logf("the request running at SIGTERM finished with 200 and %d hits; serve exited 0; the index reopened in %s with %d documents",
		len(res.Hits), time.Since(start).Round(time.Millisecond), n)
	if err != nil || n != 173 {
		t.Errorf("reopened index: %d documents, %v", n, err)
	}
}

// A locked index stops serve with an error within about a second (bolt
// timeout), rather than a server hanging at start-up; /healthz of a
// server without an index is 503 (web.TestHealthWithoutIndex).
func TestServeLockedIndex(t *testing.T) {
	bin := buildTrimpathBinary(t)
	sample, err := filepath.Abs("../../corpus/sample")
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	runIndexCmd(t, bin, data, sample)
	gen, err := indexer.Current(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := analysis.Register(); err != nil {
		t.Fatal(err)
	}
	holder, err := bleve.Open(indexer.IndexPath(data, gen)) // a writer in another process
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	cmd := exec.Command(bin, "serve", "--data", data, "--addr", freeLoopbackAddr(t))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		took := time.Since(start)
		t.Logf("serve on a locked index: %v after %s: %s", err, took.Round(time.Millisecond), firstLine(stderr.String(), "minsheng:"))
		if err == nil || !strings.Contains(stderr.String(), "timeout") {
			t.Errorf("serve on a locked index: %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve on a locked index still running after 30 s\n%s", stderr.String())
	}
}

// firstLine returns the first line of s starting with prefix.
func firstLine(s, prefix string) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), prefix) {
			return sc.Text()
		}
	}
	return ""
}
