// Package testutil holds what many packages' tests need alike: a log sink that goroutines may
// write while the test reads it, free loopback ports, and HTTP requests read alike.
package testutil

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// SyncBuffer is a bytes.Buffer safe for concurrent use: a logger's or a child's output, written
// from other goroutines while the test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// handedOut are the ports FreePorts has returned in this test process: the kernel may hand a
// port just closed to the next listener on :0, and two parallel tests would then start services
// on the same port ("port … is in use by shell.test").
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// FreePorts returns n distinct loopback ports that were free a moment ago (held together while
// they are picked), none of them returned before in this process.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	handedOut.Lock()
	defer handedOut.Unlock()
	ports := make([]int, 0, n)
	for len(ports) < n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		if p := ln.Addr().(*net.TCPAddr).Port; !handedOut.ports[p] {
			handedOut.ports[p] = true
			ports = append(ports, p)
		}
	}
	return ports
}

// FreePort is one loopback port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	return FreePorts(t, 1)[0]
}

// SetFreePorts sets each port setting named (DESKLIT_API_PORT, …) in env to a distinct free port,
// so that nothing running on this machine answers on them.
func SetFreePorts(t testing.TB, env map[string]string, names ...string) {
	t.Helper()
	for i, p := range FreePorts(t, len(names)) {
		env[names[i]] = strconv.Itoa(p)
	}
}

// WriteFile writes body to path (0644), making its folders.
func WriteFile(t testing.TB, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Tree writes files (slash path → body) under a new temporary folder and returns it.
func Tree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		WriteFile(t, filepath.Join(dir, filepath.FromSlash(name)), body)
	}
	return dir
}

// Unavailable skips the test for want of something this machine lacks (a tool, a variable, a
// system feature), saying what; in CI (CI set, as .ci/run does), which must have everything the
// tests need, it fails the test instead, so that nothing is silently left untested there.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI must run this test, but: "+format, args...)
	}
	t.Skipf(format, args...)
}

// Serve runs serve (a server's Serve) until the test ends; then it must return no error.
func Serve(t testing.TB, serve func(context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
}

// Status is the status of a GET of url with the headers hdr, the body read and closed; a "Host"
// entry sets the request's Host, as a page reached by DNS rebinding sends its own.
func Status(t testing.TB, url string, hdr map[string]string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode
}

// DoJSON sends req and reads its JSON answer (nil for an empty body); an answer that is not JSON
// fails the test.
func DoJSON(t testing.TB, req *http.Request) (int, http.Header, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("%s %s: the answer is not JSON: %v", req.Method, req.URL.Path, err)
	}
	return resp.StatusCode, resp.Header, body
}
