package shell_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/supervisor"
)

// listen holds 127.0.0.1:port for the rest of the test.
func listen(t *testing.T, port int) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// TestWarmStartAndABrokenEnvironment: the next launch reuses the environment without running uv;
// a file gone from it is found by the full check after Streamlit started early from it: that
// Streamlit is stopped (it holds the port the next one needs), the environment rebuilt, and the
// app comes up from it.
func TestWarmStartAndABrokenEnvironment(t *testing.T) {
	first := newShell(t, nil)
	first.start(t)
	python := streamlitPython(t, first)
	buildLog := filepath.Join(first.paths.Logs, "runtime-build.log")
	// The demo's environment is new: its imports (requests) are compiled beside the start.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if logged, _ := os.ReadFile(buildLog); strings.Contains(string(logged), "warmed the bytecode of") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no warm-up of the demo's imports in runtime-build.log")
		}
	}
	stop(t, first)
	logged, _ := os.ReadFile(buildLog)

	warm := first.again(t)
	warm.start(t)
	if now, _ := os.ReadFile(buildLog); len(now) != len(logged) {
		t.Errorf("a warm start ran uv:\n%s", now[len(logged):])
	}
	if got := streamlitPython(t, warm); got != python {
		t.Errorf("warm start runs %s, want the environment built before (%s)", got, python)
	}
	stop(t, warm)

	out, err := exec.Command(python, "-I", "-c", "import requests, os; print(os.path.dirname(requests.__file__))").Output()
	if err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(strings.TrimSpace(string(out)), "__version__.py")
	if err := os.Remove(victim); err != nil {
		t.Fatal(err)
	}
	broken := warm.again(t)
	broken.start(t) // fails on the port if the early Streamlit were left running
	if _, err := os.Stat(victim); err != nil {
		t.Errorf("the deleted file was not restored: %v", err)
	}
	if got := streamlitPython(t, broken); got != python {
		t.Errorf("after the rebuild Streamlit runs %s, want the environment's %s", got, python)
	}
}

// streamlitPython is the interpreter the running Streamlit was started with (its command line).
func streamlitPython(t *testing.T, h *harness) string {
	t.Helper()
	pid := h.pids()["streamlit"]
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || pid == 0 {
		testutil.Unavailable(t, "reads /proc: pid %d: %v", pid, err)
	}
	return strings.Split(string(cmdline), "\x00")[0]
}

func stop(t *testing.T, h *harness) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.sh.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

// TestSessionSideRetriesAfterTheIdPPortWasHeld: the dev IdP's port held by another program fails
// the session's start with the holder named (the IdP cannot move: the issuer URL names it); once
// the port is free, the same Shell starts it. Until then sign-in says the app is starting.
func TestSessionSideRetriesAfterTheIdPPortWasHeld(t *testing.T) {
	h := newShell(t, nil)
	held := listen(t, h.sh.Config().IdPPort)
	err := h.sh.StartSession()
	var pe *supervisor.PortInUseError
	if !errors.As(err, &pe) || pe.Service != "idp" || int(pe.PID) != os.Getpid() {
		t.Fatalf("StartSession with the IdP's port held = %v, want a PortInUseError naming this process", err)
	}
	if h.sh.Sessions() != nil {
		t.Fatal("a session manager after a failed start")
	}
	for name, call := range map[string]func(context.Context) error{"Login": h.sh.Login, "Logout": h.sh.Logout} {
		if err := call(context.Background()); err == nil || !strings.Contains(err.Error(), "still starting") {
			t.Errorf("%s before the session side = %v, want 'still starting'", name, err)
		}
	}
	held.Close()
	if err := h.sh.StartSession(); err != nil {
		t.Fatalf("StartSession once the port is free: %v", err)
	}
	if h.sh.Sessions() == nil || h.sh.StoreStatus().Backend != "memory" {
		t.Errorf("after the retry: sessions %v, store %+v; want a manager on the memory store", h.sh.Sessions(), h.sh.StoreStatus())
	}
	if err := h.sh.Logout(context.Background()); err != nil {
		t.Errorf("Logout while signed out: %v", err)
	}
}
