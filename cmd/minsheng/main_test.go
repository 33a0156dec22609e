package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var trimpathBuild struct {
	sync.Once
	dir string // the folder of the binary, removed by TestMain
	bin string
	err error
}

// buildTrimpathBinary builds minsheng with -trimpath and the VCS stamp, as
// `make build` does, once per test binary; tests copy or run the result.
func buildTrimpathBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping: builds the binary")
	}
	trimpathBuild.Do(func() {
		dir, err := os.MkdirTemp("", "minsheng-bin-")
		if err != nil {
			trimpathBuild.err = err
			return
		}
		trimpathBuild.dir = dir
		bin := filepath.Join(dir, "minsheng")
		cmd := exec.Command("go", "build", "-buildvcs=auto", "-trimpath", "-o", bin, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			trimpathBuild.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		trimpathBuild.bin = bin
	})
	if trimpathBuild.err != nil {
		t.Fatal(trimpathBuild.err)
	}
	return trimpathBuild.bin
}

// isolatedEnv is an environment with no Go module cache, no GOPATH and an
// empty home: the binary must find its dictionaries inside itself.
func isolatedEnv(t *testing.T) []string {
	home := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GOMODCACHE", "GOPATH", "HOME", "XDG_CACHE_HOME", "GOROOT", "MINSHENG_CACHE_DIR":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GOMODCACHE=/nonexistent/modcache", "GOPATH=/nonexistent/gopath", "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, ".cache"))
}

// TestTrimpathBinaryEndToEnd builds a -trimpath binary, copies it to a
// folder of its own, and runs index, search and serve with no module
// cache: the dictionaries ship inside the binary.
func TestTrimpathBinaryEndToEnd(t *testing.T) {
	built := buildTrimpathBinary(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "minsheng")
	b, err := os.ReadFile(built)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	sample, err := filepath.Abs("../../corpus/sample")
	if err != nil {
		t.Fatal(err)
	}
	env := isolatedEnv(t)
	data := filepath.Join(dir, "data")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env = dir, env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("minsheng %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out.String(), errb.String())
		}
		return out.String()
	}

	// asking for help is not an error: it exits 0, for every subcommand
	for _, args := range [][]string{{"--help"}, {"index", "-h"}, {"search", "-h"}, {"serve", "--help"}, {"export", "-h"},
		{"topics", "-h"}, {"topics", "list", "-h"}, {"topics", "explain", "-h"}, {"topics", "eval", "-h"},
		{"version", "-h"}, {"version", "--help"}, {buildJobCommand, "-h"}} {
		run(args...)
	}
	if out := run("topics", "--help"); !strings.Contains(out, "minsheng topics explain ID") {
		t.Errorf("minsheng topics --help printed %q, want its usage", out)
	}

	summary := run("index", "--data", data, "--source", sample)
	if !strings.Contains(summary, "documents  173") {
		t.Fatalf("index summary does not report 173 documents:\n%s", summary)
	}

	var res struct {
		Total uint64
		Hits  []struct {
			ID         string
			Highlights map[string][]string
		}
	}
	if err := json.Unmarshal([]byte(run("search", "--data", data, "--json", "--size", "5", "乡村振兴")), &res); err != nil {
		t.Fatal(err)
	}
	if res.Total < 20 || len(res.Hits) != 5 {
		t.Fatalf("search 乡村振兴: total %d, %d hits; want at least 20 and a page of 5", res.Total, len(res.Hits))
	}
	// The highlight marks the words as the document writes them: the sample
	// holds the same suggestion in traditional characters, which folds to
	// the query and may rank first.
	if h := strings.Join(append(res.Hits[0].Highlights["title"], res.Hits[0].Highlights["body"]...), ""); !strings.Contains(h, "<mark>乡村振兴</mark>") && !strings.Contains(h, "<mark>鄉村振興</mark>") {
		t.Errorf("first hit is not highlighted: %v", res.Hits[0].Highlights)
	}

	// serve answers /healthz and a search, and stops cleanly on SIGTERM.
	addr := freeLoopbackAddr(t)
	cmd := exec.Command(bin, "serve", "--data", data, "--addr", addr)
	cmd.Dir, cmd.Env = dir, env
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := "http://" + addr
	waitOK(t, base+"/healthz")
	body := httpGet(t, base+"/api/v1/search?size=3&q="+url.QueryEscape("乡村振兴"), http.StatusOK)
	var api struct {
		Total uint64
		Hits  []map[string]any
	}
	if err := json.Unmarshal(body, &api); err != nil {
		t.Fatal(err)
	}
	if api.Total != res.Total || len(api.Hits) != 3 {
		t.Errorf("API search: total %d, %d hits; the CLI found %d", api.Total, len(api.Hits), res.Total)
	}
	for _, k := range []string{"id", "title", "kind", "date", "score"} {
		if _, ok := api.Hits[0][k]; !ok {
			t.Errorf("API hit has no %q: %v", k, api.Hits[0])
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM\n%s", err, logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not stop within 20 s of SIGTERM\n%s", logs.String())
	}
}

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitHTTP polls url until it answers 200, for at most 20 seconds.
func waitOK(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not answer 200 within 20 s", url)
}

func httpGet(t *testing.T, url string, want int) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != want {
		t.Fatalf("GET %s: status %d, want %d: %s", url, resp.StatusCode, want, b)
	}
	return b
}
