package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStalledExportFreed: a client that starts an export and stops
// reading is dropped after limits.export_stall and its slot freed; while
// it holds one, a second export from its address gets 429 with
// Retry-After, and another address exports meanwhile.
func TestStalledExportFreed(t *testing.T) {
	bin := buildTrimpathBinary(t)
	data, srcDir := t.TempDir(), t.TempDir()
	src := filepath.Join(srcDir, "docs.jsonl")
	writeDocs(t, src, 0, 12<<20) // a CSV export far larger than the sockets' buffers
	runIndexCmd(t, bin, data, src)
	s := startServeWith(t, bin, []string{"MINSHENG_EXPORT_STALL=2s", "MINSHENG_EXPORT_MAX_ROWS=1000000"},
		"serve", "--data", data, "--addr", "127.0.0.1:0")
	host := strings.TrimPrefix(s.base, "http://")
	const target = "/api/v1/export.csv?q=%E6%95%99%E8%82%B2"

	// the stalled client: a small receive buffer, reads the status line and stops
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.5")}, Control: func(_, _ string, c syscall.RawConn) error {
		var err error
		c.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return err
	}}
	conn, err := d.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, host)
	conn.SetReadDeadline(time.Now().Add(2 * time.Minute))
	status, err := bufio.NewReaderSize(conn, 64).ReadString('\n')
	if err != nil || !strings.Contains(status, "200") {
		t.Fatalf("stalled export: %q, %v", status, err)
	}

	stalled := fromAddr("127.0.0.5")
	code, h, body := do(t, stalled, "GET", s.base+target, "", "")
	if code != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Errorf("a second export from the stalled address: %d %q %.200s; want 429 with Retry-After", code, h.Get("Retry-After"), body)
	}
	resp, err := fromAddr("127.0.0.6").Get(s.base + target)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err != nil || n < 6<<20 {
		t.Fatalf("another address's export: %d, %d bytes, %v", resp.StatusCode, n, err)
	}
	t.Logf("the export is %d bytes", n)

	deadline := time.Now().Add(90 * time.Second)
	for !strings.Contains(s.logText(), `msg="export dropped: the client stopped reading" client=127.0.0.5`) {
		if time.Now().After(deadline) {
			t.Fatalf("the stalled export was not dropped:\n%s", s.logText())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code, _, body := do(t, stalled, "GET", s.base+"/api/v1/export.csv?q=%E7%AC%AC1%E5%8F%B7", "", ""); code != http.StatusOK {
		t.Errorf("after the drop, the address exports again: %d %.200s", code, body)
	}
}
