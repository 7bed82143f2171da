package cli

import (
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/control"
	"github.com/desklit/desklit/app/control/controltest"
	"github.com/desklit/desklit/app/internal/testutil"
)

// freePorts are the settings of ports nothing listens on, so that no Desklit running on this
// machine answers the health probes.
func freePorts(t *testing.T, env map[string]string) {
	t.Helper()
	testutil.SetFreePorts(t, env, "DESKLIT_STREAMLIT_PORT", "DESKLIT_COMPONENT_PORT", "DESKLIT_API_PORT", "DESKLIT_IDP_PORT", "DESKLIT_CALLBACK_PORT")
}

// During a crash loop the health URLs do not answer; status asks the running instance instead.
func TestStatusAsksTheRunningInstance(t *testing.T) {
	state := t.TempDir()
	env := map[string]string{"XDG_STATE_HOME": state}
	freePorts(t, env)
	const statusToken = "status-token-SECRET-0123456789"
	srv, err := control.NewServer(&controltest.Sessions{}, "control-token-SECRET-0123456789", nil)
	if err != nil {
		t.Fatal(err)
	}
	err = srv.EnableStatus(statusToken, func() []control.ServiceStatus {
		return []control.ServiceStatus{
			{Name: "api", State: "Backoff", URL: "http://127.0.0.1:8888", Restarts: 3, RetryInMS: 500,
				ExitStatus: "exit status 1", Reason: "exited during start-up (exit status 1): port 8888 (api) is in use by nc (pid 42: nc -l 8888)",
				Crashes: 3, MaxCrashes: 5, WindowMS: time.Minute.Milliseconds()},
			{Name: "streamlit", State: "Failed", Restarts: 4, ExitStatus: "exit status 2",
				Reason: "streamlit crashed 5 times within 1m0s; the last time: exit status 2", Crashes: 5, MaxCrashes: 5, WindowMS: 60000},
			{Name: "component", State: "Ready", PID: 77, URL: "http://127.0.0.1:3001", Crashes: 0, MaxCrashes: 5, WindowMS: 60000},
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	testutil.Serve(t, srv.Serve)
	run := config.PathsFrom(func(k string) string { return env[k] }).Run
	if err := control.WriteEndpoint(run, control.Endpoint{URL: srv.URL(), Token: statusToken, PID: 1234}); err != nil {
		t.Fatal(err)
	}

	stdout, stderr, code := runCLI(t, env, "status")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	t.Logf("stdout:\n%s", stdout)
	for _, want := range []string{
		"api        Backoff",
		"restarts 3, crashes 3 of 5 within 1m0s, last exit: exit status 1, retry in 500ms",
		"port 8888 (api) is in use by nc (pid 42: nc -l 8888)",
		"streamlit  Failed",
		"streamlit crashed 5 times within 1m0s",
		"component  Ready        http://127.0.0.1:3001 (pid 77)",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	if strings.Contains(stdout+stderr, "SECRET") {
		t.Error("a token value was printed")
	}
}

func TestStatusWhenNothingRuns(t *testing.T) {
	state := t.TempDir()
	env := map[string]string{"XDG_STATE_HOME": state}
	freePorts(t, env)
	// A file left by an instance that was killed names a port nobody answers on.
	run := filepath.Join(state, "desklit", "run")
	if err := control.WriteEndpoint(run, control.Endpoint{URL: "http://127.0.0.1:" + env["DESKLIT_API_PORT"], Token: "status-token-SECRET-0123456789"}); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCLI(t, env, "status")
	if code != 0 || !strings.Contains(stdout, "api        not running") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if strings.Contains(stdout+stderr, "SECRET") {
		t.Error("a token value was printed")
	}
}

// With no instance to ask, status probes the services itself: a Streamlit before 1.18 (a project
// pinning 1.15) answers /healthz only, and is ready.
func TestStatusProbesAnOldStreamlit(t *testing.T) {
	env := map[string]string{"XDG_STATE_HOME": t.TempDir()}
	freePorts(t, env)
	ln, err := net.Listen("tcp", "127.0.0.1:"+env["DESKLIT_STREAMLIT_PORT"])
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "ok")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	stdout, stderr, code := runCLI(t, env, "status")
	if code != 0 || !strings.Contains(stdout, "streamlit  ready        http://127.0.0.1:"+env["DESKLIT_STREAMLIT_PORT"]) {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}
