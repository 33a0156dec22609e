package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool that trusts it.
func selfSigned(t *testing.T) (cert, key string, pool *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "minsheng test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return cert, key, pool
}

var metricsAddr = regexp.MustCompile(`msg="serving metrics" addr=(http://\S+)`)

// TestTLSAndMetricsRealServer: tls_cert and tls_key serve HTTPS; /metrics
// of the main address needs the admin token while metrics_addr serves it
// to a scraper without one; no warning about clear-text tokens on TLS.
func TestTLSAndMetricsRealServer(t *testing.T) {
	bin := buildTrimpathBinary(t)
	data, _ := sampleData(t, bin)
	cert, key, pool := selfSigned(t)
	s := startServeWith(t, bin, []string{"MINSHENG_ADMIN_TOKEN=" + e2eToken, "MINSHENG_TLS_CERT=" + cert, "MINSHENG_TLS_KEY=" + key,
		"MINSHENG_METRICS_ADDR=127.0.0.1:0"}, "serve", "--data", data, "--addr", "127.0.0.1:0")
	if !strings.HasPrefix(s.base, "https://") {
		t.Fatalf("serving %s, want https", s.base)
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if code, _, body := do(t, client, "GET", s.base+"/healthz", "", ""); code != http.StatusOK {
		t.Fatalf("https healthz: %d %s", code, body)
	}
	if resp, err := http.Get("http://" + strings.TrimPrefix(s.base, "https://") + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Errorf("plain HTTP answered 200 on the TLS port")
		}
	}
	for tok, want := range map[string]int{"": 401, "wrong-token-of-24-characters": 403, e2eToken: 200} {
		if code, _, body := do(t, client, "GET", s.base+"/metrics", tok, ""); code != want {
			t.Errorf("main address /metrics with %q: %d, want %d: %.200s", tok, code, want, body)
		}
	}
	m := metricsAddr.FindStringSubmatch(s.logText())
	if m == nil {
		t.Fatalf("no metrics listener in the log:\n%s", s.logText())
	}
	if code, _, body := do(t, http.DefaultClient, "GET", m[1], "", ""); code != http.StatusOK || !strings.Contains(body, "minsheng_index_documents 173") ||
		!strings.Contains(body, "minsheng_result_cache_max_bytes 1.6777216e+07") {
		t.Errorf("metrics_addr: %d %.300s", code, body)
	}
	if strings.Contains(s.logText(), "without TLS") {
		t.Errorf("a clear-text warning while serving TLS:\n%s", s.logText())
	}
}

// TestExposedWithoutTLSWarns: listening on every address without TLS
// while the admin routes are on is a warning at start; with metrics_addr
// empty, /metrics shares the main address and needs the admin token.
func TestExposedWithoutTLSWarns(t *testing.T) {
	bin := buildTrimpathBinary(t)
	data, _ := sampleData(t, bin)
	s := startServeWith(t, bin, []string{"MINSHENG_ADMIN_TOKEN=" + e2eToken, "MINSHENG_METRICS_ADDR="}, "serve", "--data", data, "--addr", "0.0.0.0:0")
	if !strings.Contains(s.logText(), `level=WARN msg="listening beyond the loopback without TLS while admin routes are on`) {
		t.Errorf("no warning:\n%s", s.logText())
	}
	if !strings.Contains(s.logText(), "metrics on the main address only") {
		t.Errorf("metrics_addr empty: %s", s.logText())
	}
	// sharing the main address, /metrics needs the admin token
	base := strings.Replace(s.base, "0.0.0.0", "127.0.0.1", 1)
	base = strings.Replace(base, "[::]", "127.0.0.1", 1)
	for tok, want := range map[string]int{"": 401, e2eToken: 200} {
		if code, _, body := do(t, http.DefaultClient, "GET", base+"/metrics", tok, ""); code != want {
			t.Errorf("shared /metrics with %q: %d, want %d: %.200s", tok, code, want, body)
		}
	}
}

// TestInternalErrorRealServer: a 500 (the generations folder replaced by
// a file under the running server) says "internal error" and a request
// id, no server path; the log has the detail under that id; every
// response carries X-Request-Id.
func TestInternalErrorRealServer(t *testing.T) {
	bin := buildTrimpathBinary(t)
	data, _ := sampleData(t, bin)
	s := startServeWith(t, bin, []string{"MINSHENG_ADMIN_TOKEN=" + e2eToken}, "serve", "--data", data, "--addr", "127.0.0.1:0")
	gens := filepath.Join(data, "generations")
	if err := os.Rename(gens, gens+".moved"); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(gens, []byte("not a folder"), 0o600)
	code, h, body := do(t, http.DefaultClient, "GET", s.base+"/api/v1/generations", e2eToken, "")
	var e map[string]string
	json.Unmarshal([]byte(body), &e)
	id := h.Get("X-Request-Id")
	if code != http.StatusInternalServerError || e["error"] != "internal error" || e["request_id"] != id || id == "" || len(e) != 2 || strings.Contains(body, data) {
		t.Fatalf("forced 500: %d %s (X-Request-Id %q)", code, body, id)
	}
	if !s.logHas("request_id="+id, gens) {
		t.Errorf("the detail is not in the log under %s:\n%s", id, s.logText())
	}
	for _, p := range []string{"/healthz", "/api/v1/search?q=教育", "/nowhere", "/"} {
		if _, h, _ := do(t, http.DefaultClient, "GET", s.base+p, "", ""); len(h.Get("X-Request-Id")) != 16 {
			t.Errorf("%s without X-Request-Id", p)
		}
	}
}
