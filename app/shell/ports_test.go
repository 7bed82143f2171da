//go:build unix

package shell_test

import (
	"context"
	"errors"
	"maps"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/desklit/desklit/app/control"
	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/supervisor"
	"github.com/desklit/desklit/app/version"
)

// environ is a process's environment (Linux), name → value.
func environ(t *testing.T, pid int) map[string]string {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		testutil.Unavailable(t, "reads /proc: %v", err)
	}
	env := map[string]string{}
	for _, kv := range strings.Split(string(data), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}

// TestStartRetriesAfterAPortConflictAndStopLeavesNothing: a port held by another program fails
// the start with its holder named; a retry on the port the user chose starts the API and the
// component, and Streamlit again, whose page named the old port; a start with everything up
// restarts nothing; each service gets the environment it needs and no more; Stop leaves no
// process, no listener and no endpoint file behind.
func TestStartRetriesAfterAPortConflictAndStopLeavesNothing(t *testing.T) {
	t.Setenv("AUTH0_CLIENT_SECRET", "PLANTED-SECRET") // inherited settings must not reach the services
	h := newShell(t, nil)
	cfg := h.sh.Config()
	held := listen(t, cfg.APIPort)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	err := h.sh.StartServices(ctx)
	var pe *supervisor.PortInUseError
	if !errors.As(err, &pe) || pe.Service != "api" || pe.Port != cfg.APIPort || int(pe.PID) != os.Getpid() {
		t.Fatalf("StartServices with the API's port held = %v, want a PortInUseError naming this process", err)
	}
	before := h.pids() // the Go services start together, after their ports checked out
	if before["streamlit"] == 0 || before["api"] != 0 || before["component"] != 0 {
		t.Fatalf("ready after the conflict: %v, want streamlit alone", before)
	}

	for _, bad := range []struct {
		service string
		port    int
	}{{"api", 0}, {"api", 70000}, {"idp", 9999}} {
		if err := h.sh.SetPort(bad.service, bad.port); err == nil {
			t.Errorf("SetPort(%s, %d) accepted", bad.service, bad.port)
		}
	}
	port := testutil.FreePort(t)
	if err := h.sh.SetPort("api", port); err != nil {
		t.Fatal(err)
	}
	h.start(t)
	after := h.pids()
	if after["component"] == 0 || after["api"] == 0 || after["streamlit"] == before["streamlit"] {
		t.Fatalf("after the retry: %v → %v, want the component, the api, and Streamlit started again for the API's new port", before, after)
	}
	held.Close()
	checkServiceEnvironments(t, h, after, port)
	h.start(t)
	if again := h.pids(); !maps.Equal(again, after) {
		t.Errorf("a start with every service up restarted some: %v → %v", after, again)
	}

	stopCtx, stopCancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer stopCancel()
	if err := h.sh.Stop(stopCtx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	for name, pid := range after {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("%s (pid %d) still runs after Stop: %v", name, pid, err)
		}
	}
	for _, p := range []int{cfg.StreamlitPort, cfg.ComponentPort, port, cfg.IdPPort} {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			t.Errorf("port %d is still held after Stop: %v", p, err)
			continue
		}
		ln.Close()
	}
	if _, err := control.ReadEndpoint(h.paths.Run); !errors.Is(err, control.ErrNoEndpoint) {
		t.Errorf("the endpoint file for desklit status outlives Stop: %v", err)
	}
}

// checkServiceEnvironments: the API gets the configuration and the peer version; the component
// also the launch secret and the control channel; Streamlit the secret and the URLs; none an
// inherited AUTH0_* or DESKLIT_* variable.
func checkServiceEnvironments(t *testing.T, h *harness, pids map[string]int, apiPort int) {
	t.Helper()
	u, err := url.Parse(h.sh.StreamlitURL())
	if err != nil {
		t.Fatal(err)
	}
	secret := u.Query().Get("desklit_token")
	api, component, streamlit := environ(t, pids["api"]), environ(t, pids["component"]), environ(t, pids["streamlit"])
	for name, env := range map[string]map[string]string{"api": api, "component": component, "streamlit": streamlit} {
		if _, ok := env["AUTH0_CLIENT_SECRET"]; ok {
			t.Errorf("%s inherited AUTH0_CLIENT_SECRET", name)
		}
		if env["DESKLIT_API_PORT"] != strconv.Itoa(apiPort) {
			t.Errorf("%s has DESKLIT_API_PORT=%q, want the port chosen (%d)", name, env["DESKLIT_API_PORT"], apiPort)
		}
	}
	for _, want := range []struct {
		service string
		env     map[string]string
		set     []string
		unset   []string
	}{
		{"api", api, []string{version.PeerEnv}, []string{"DESKLIT_LAUNCH_SECRET", "DESKLIT_CONTROL_TOKEN", "DESKLIT_CONTROL_URL"}},
		{"component", component, []string{version.PeerEnv, "DESKLIT_LAUNCH_SECRET", "DESKLIT_CONTROL_TOKEN", "DESKLIT_CONTROL_URL"}, nil},
		{"streamlit", streamlit, []string{"DESKLIT_LAUNCH_SECRET", "DESKLIT_COMPONENT_URL", "DESKLIT_API_URL"}, []string{"DESKLIT_CONTROL_TOKEN", version.PeerEnv}},
	} {
		for _, k := range want.set {
			if _, ok := want.env[k]; !ok {
				t.Errorf("%s lacks %s", want.service, k)
			}
		}
		for _, k := range want.unset {
			if _, ok := want.env[k]; ok {
				t.Errorf("%s has %s, which it must not see", want.service, k)
			}
		}
	}
	if component["DESKLIT_LAUNCH_SECRET"] != secret || streamlit["DESKLIT_LAUNCH_SECRET"] != secret {
		t.Error("the component and Streamlit do not share the page's launch secret")
	}
	if api[version.PeerEnv] != version.Version || component["DESKLIT_SESSION_SOURCE"] != "shell" {
		t.Errorf("peer version %q, session source %q; want %q and shell (no keyring here)",
			api[version.PeerEnv], component["DESKLIT_SESSION_SOURCE"], version.Version)
	}
	// The control channel the component was given answers for the shell's session.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := control.NewClient(component["DESKLIT_CONTROL_URL"], component["DESKLIT_CONTROL_TOKEN"])
	if _, err := client.Session(ctx); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("the session over the component's control channel: %v, want signed out", err)
	}
	if err := client.Logout(ctx); err != nil {
		t.Errorf("sign-out over the component's control channel: %v", err)
	}
}
