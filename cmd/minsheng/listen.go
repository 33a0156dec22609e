package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ownerOnly makes every file and folder this process creates from now on
// owner-only (0600 files, 0700 folders), whatever the umask it was started
// with: the data folder holds the index, the job history and the audit
// trail, none of them for other users of the machine. It is set once, at
// the start of serve and index, before any goroutine creates files.
func ownerOnly() { syscall.Umask(0o077) }

// tightenData takes group and other permissions off everything in the data
// folder, for folders written by older versions or other umasks; it
// returns how many entries it changed.
func tightenData(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil // removed meanwhile
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			if err := os.Chmod(path, perm&^0o077); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("data folder permissions: %w", err)
	}
	return n, nil
}

// tlsConfig checks tls_cert and tls_key: both or neither, and a pair that
// loads, so that a mistake stops the start rather than the first request.
func (c *Config) tlsConfig(log *slog.Logger) (bool, error) {
	if c.TLSCert == "" && c.TLSKey == "" {
		return false, nil
	}
	if c.TLSCert == "" || c.TLSKey == "" {
		return false, errors.New("tls_cert and tls_key go together: set both, or neither for plain HTTP")
	}
	if _, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey); err != nil {
		return false, fmt.Errorf("tls_cert %s, tls_key %s: %w", c.TLSCert, c.TLSKey, err)
	}
	if fi, err := os.Stat(c.TLSKey); err == nil && fi.Mode().Perm()&0o007 != 0 {
		log.Warn("the TLS private key may be read by every user of this machine: chmod o-rwx it", "tls_key", c.TLSKey, "mode", fmt.Sprintf("%04o", fi.Mode().Perm()))
	}
	return true, nil
}

// warnExposed warns when the server listens beyond the loopback without
// TLS while a token opens admin or editor routes: the bearer token would
// cross the network in clear.
func (c *Config) warnExposed(ln net.Listener, tls bool, log *slog.Logger) {
	if tls || (c.AdminToken == "" && c.EditorToken == "") {
		return
	}
	if a, ok := ln.Addr().(*net.TCPAddr); ok && a.IP.IsLoopback() {
		return
	}
	log.Warn("listening beyond the loopback without TLS while admin routes are on: tokens would cross the network in clear; "+
		"set tls_cert and tls_key, or listen on 127.0.0.1 behind a reverse proxy that terminates TLS (README, Security)", "addr", ln.Addr().String())
}

// serveMetrics serves h on metrics_addr, a listener of its own, until the
// returned stop is called. With metrics_addr empty or the main address,
// /metrics is only on the main address, behind the admin token. A
// metrics address that cannot be bound is a warning: the search service
// matters more than its metrics.
func (c *Config) serveMetrics(h http.Handler, log *slog.Logger) (stop func()) {
	if c.MetricsAddr == "" || c.MetricsAddr == c.Addr && !strings.HasSuffix(c.Addr, ":0") {
		log.Info("metrics on the main address only, behind the admin token", "path", "/metrics")
		return func() {}
	}
	ln, err := net.Listen("tcp", c.MetricsAddr)
	if err != nil {
		log.Warn("metrics not served on metrics_addr (the main address still serves them behind the admin token)", "metrics_addr", c.MetricsAddr, "err", err)
		return func() {}
	}
	if a, ok := ln.Addr().(*net.TCPAddr); ok && !a.IP.IsLoopback() {
		log.Warn("metrics_addr is beyond the loopback: anyone who reaches it reads the metrics", "metrics_addr", ln.Addr().String())
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "err", err)
		}
	}()
	log.Info("serving metrics", "addr", "http://"+ln.Addr().String()+"/metrics")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
		<-done
	}
}
