package control

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/desklit/desklit/app/internal/testutil"
)

const testStatusToken = "status-token-0123456789abcdef"

func statusServer(t *testing.T) *Server {
	t.Helper()
	srv, _ := start(t, newFakeSessions())
	err := srv.EnableStatus(testStatusToken, func() []ServiceStatus {
		return []ServiceStatus{{Name: "api", State: "Backoff", Restarts: 3, Crashes: 3, MaxCrashes: 5,
			ExitStatus: "exit status 1", Reason: "port 8888 (api) is in use by nc (pid 42: nc -l 8888)"}}
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func TestStatusAnswersOnlyToTheStatusToken(t *testing.T) {
	srv := statusServer(t)
	ctx := context.Background()
	st, err := FetchStatus(ctx, Endpoint{URL: srv.URL(), Token: testStatusToken})
	if err != nil {
		t.Fatal(err)
	}
	if st.PID != os.Getpid() || len(st.Services) != 1 || st.Services[0].State != "Backoff" || st.Services[0].Crashes != 3 {
		t.Errorf("status %+v", st)
	}
	for _, tok := range []string{testToken, "wrong-token-0123456789abcdef"} {
		if _, err := FetchStatus(ctx, Endpoint{URL: srv.URL(), Token: tok}); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("token %.5s…: err %v, want ErrUnauthorized", tok, err)
		} else if strings.Contains(err.Error(), tok) {
			t.Errorf("the error names the token: %v", err)
		}
	}
	// The status token grants nothing else.
	auth := map[string]string{"Authorization": "Bearer " + testStatusToken}
	if status := testutil.Status(t, srv.URL()+"/session", auth); status != http.StatusUnauthorized {
		t.Errorf("/session with the status token: %d, want 401", status)
	}
	// Nor does a page reached by DNS rebinding get an answer.
	auth["Host"] = "attacker.example:80"
	if status := testutil.Status(t, srv.URL()+"/status", auth); status != http.StatusMisdirectedRequest {
		t.Errorf("foreign Host: %d, want 421", status)
	}
}

func TestStatusIsOffUntilEnabled(t *testing.T) {
	srv, _ := start(t, newFakeSessions())
	if _, err := FetchStatus(context.Background(), Endpoint{URL: srv.URL(), Token: testStatusToken}); err == nil {
		t.Fatal("status answered before EnableStatus")
	}
	if err := srv.EnableStatus("short", nil); err == nil {
		t.Fatal("EnableStatus accepted a short token")
	}
}

func TestEndpointFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if _, err := ReadEndpoint(dir); !errors.Is(err, ErrNoEndpoint) {
		t.Fatalf("no file: err %v, want ErrNoEndpoint", err)
	}
	e := Endpoint{URL: "http://127.0.0.1:4567", Token: testStatusToken, PID: 99}
	if err := WriteEndpoint(dir, e); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, EndpointFile)
	if fi, err := os.Stat(path); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Fatalf("file: %v, %v", fi.Mode(), err)
	}
	if got, err := ReadEndpoint(dir); err != nil || got != e {
		t.Fatalf("read %+v, %v; want %+v", got, err, e)
	}
	// Another instance's file stays.
	RemoveEndpoint(dir, Endpoint{URL: e.URL, Token: "other-token-0123456789abcdef", PID: 98})
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("another instance's endpoint was removed: %v", err)
	}
	RemoveEndpoint(dir, e)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("not removed: %v", err)
	}

	for _, bad := range []Endpoint{
		{URL: "http://192.0.2.1:4567", Token: testStatusToken},
		{URL: "http://localhost:4567", Token: testStatusToken},
		{URL: "https://127.0.0.1:4567", Token: testStatusToken},
		{URL: "http://127.0.0.1:4567/elsewhere", Token: testStatusToken},
		{URL: "http://127.0.0.1:4567", Token: "s3cr3t"},
	} {
		if err := WriteEndpoint(dir, bad); err == nil {
			t.Errorf("wrote %+v", bad)
		}
		if _, err := FetchStatus(context.Background(), bad); err == nil || strings.Contains(err.Error(), bad.Token) {
			t.Errorf("fetched from %+v: %v", bad, err)
		}
	}
	if runtime.GOOS != "windows" {
		if err := WriteEndpoint(dir, e); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadEndpoint(dir); err == nil || !strings.Contains(err.Error(), "0600") {
			t.Errorf("a file others can read: err %v", err)
		}
	}
}
