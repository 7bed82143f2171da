package measure

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

func TestFreePort(t *testing.T) {
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatalf("port %d is not free: %v", port, err)
	}
	ln.Close()
}

// TestWaitHealthy: a server that answers 503 twice and then 200 is waited for; one that never
// answers 200 is given up on.
func TestWaitHealthy(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 || r.URL.Path != "/ok" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	if err := WaitHealthy(srv.URL+"/ok", 5*time.Second); err != nil || calls.Load() != 3 {
		t.Errorf("WaitHealthy = %v after %d probes, want nil after 3", err, calls.Load())
	}
	if err := WaitHealthy(srv.URL+"/never", 100*time.Millisecond); err == nil {
		t.Error("WaitHealthy of a server answering 503 returned nil")
	}
}
