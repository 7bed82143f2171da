//go:build unix

package supervisor

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/desklit/desklit/app/internal/testutil"
)

func TestGrandchildDiesWithGroup(t *testing.T) {
	s := newTestSupervisor(t, Options{})
	if err := s.Start(context.Background(), helperSpec("api", "serve", testutil.FreePort(t), "HELPER_GRANDCHILD=1")); err != nil {
		t.Fatal(err)
	}
	gc := grepPID(s.Logs("api"), "grandchild")
	if gc == 0 {
		t.Fatalf("no grandchild pid in %v", s.Logs("api"))
	}
	if !alive(int32(gc)) {
		t.Fatal("grandchild not running before Stop")
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitGoneT(t, gc, "grandchild")
}

// A backend the app starts in a session of its own (Python's start_new_session=True, setsid)
// leaves the service's session and group; it carries the service's mark, and Stop ends it.
func TestDetachedGrandchildDiesWithTheService(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		testutil.Unavailable(t, "no setsid command here (util-linux)")
	}
	s := newTestSupervisor(t, Options{})
	if err := s.Start(context.Background(), Spec{Name: "app", Argv: []string{"/bin/sh", "-c", "setsid sleep 1000 & echo detached $!; exec sleep 1000"}}); err != nil {
		t.Fatal(err)
	}
	var gc int
	for i := 0; i < 200 && gc == 0; i++ {
		gc = grepPID(s.Logs("app"), "detached")
		time.Sleep(10 * time.Millisecond)
	}
	if gc == 0 {
		t.Fatalf("no detached pid in %v", s.Logs("app"))
	}
	gcRec, err := identify(int32(gc))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if now, err := identify(int32(gc)); err == nil && now == gcRec {
			_ = syscall.Kill(gc, syscall.SIGKILL)
		}
	})
	if _, sid, _ := groupOf(int32(gc)); sid != int32(gc) {
		t.Fatalf("the grandchild's session is %d: it did not leave the service's", sid)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitGoneT(t, gc, "detached grandchild")
}

// startSupervisorProcess runs this test binary as a supervisor (the helper "supervise") with env
// added; its stdout tells the pids of what it starts.
func startSupervisorProcess(t *testing.T, env ...string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(append(os.Environ(), helperEnv+"=supervise"), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(out)
}

// killProcess ends cmd with SIGKILL, as a crash would, and reaps it.
func killProcess(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var exit *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &exit) {
		t.Fatalf("after SIGKILL: %v, want a killed process's status", err)
	}
}

func TestSupervisorKilledChildrenGone(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Pdeathsig is Linux only; elsewhere leftovers are reaped at the next start")
	}
	cmd, sc := startSupervisorProcess(t, "HELPER_PORT="+strconv.Itoa(testutil.FreePort(t)), "HELPER_RUNDIR="+t.TempDir())
	child := readPIDLine(t, sc, "child")
	if !alive(int32(child)) {
		t.Fatal("child not running")
	}
	killProcess(t, cmd)
	waitGoneT(t, child, "child of the killed supervisor")
}

// A service's own children outlive a supervisor killed with SIGKILL (Pdeathsig reaches only the
// service's main process); the next start finds them by the service's session and stops them.
func TestGrandchildOfAKilledSupervisorIsReapedAtTheNextStart(t *testing.T) {
	run := t.TempDir()
	cmd, sc := startSupervisorProcess(t, "HELPER_RUNDIR="+run, "HELPER_SH=sleep 1000 & echo grandchild $!; wait")
	child := readPIDLine(t, sc, "child")
	gc := readPIDLine(t, sc, "grandchild")
	gcRec, err := identify(int32(gc))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // never leave the sleep behind, nor kill a process that reused its pid
		if now, err := identify(int32(gc)); err == nil && now == gcRec {
			_ = syscall.Kill(gc, syscall.SIGKILL)
		}
	})
	killProcess(t, cmd)
	if runtime.GOOS == "linux" {
		waitGoneT(t, child, "service of the killed supervisor")
	}
	if !alive(int32(gc)) {
		t.Fatal("the grandchild died with the supervisor: nothing left to reap")
	}

	s := newTestSupervisor(t, Options{RunDir: run})
	if err := s.Start(context.Background(), Spec{Name: "child", Argv: []string{"/bin/sh", "-c", "exec sleep 1000"}}); err != nil {
		t.Fatal(err)
	}
	waitGoneT(t, gc, "grandchild of the killed supervisor")
}

// A process in the recorded session that was not started by that service (it lacks the
// service's mark, as after a reused pid) is never touched.
func TestStrangerInARecordedSessionIsLeftAlone(t *testing.T) {
	sh := exec.Command("/bin/sh", "-c", "sleep 1000 & echo stranger $!; wait")
	sh.Env = []string{"PATH=" + os.Getenv("PATH")}
	sh.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	out, err := sh.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	stranger := readPIDLine(t, bufio.NewScanner(out), "stranger")
	t.Cleanup(func() { _ = syscall.Kill(stranger, syscall.SIGKILL) })
	rec, err := identify(int32(sh.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	rec.PGID, rec.SID, _ = groupOf(rec.PID)
	rec.Mark = "child-0123456789abcdef"
	killProcess(t, sh) // the session's leader is gone; its pid is not reused while the session lives

	s := newTestSupervisor(t, Options{})
	if err := writePIDFile(s.opts.RunDir, "child", rec); err != nil {
		t.Fatal(err)
	}
	if got := leftovers(rec); len(got) != 0 {
		t.Errorf("leftovers %v, want none", got)
	}
	if err := s.Start(context.Background(), Spec{Name: "child", Argv: []string{"/bin/sh", "-c", "exec sleep 1000"}}); err != nil {
		t.Fatal(err)
	}
	if !alive(int32(stranger)) {
		t.Fatal("the stranger was stopped")
	}
}

func TestLeftoverIsReaped(t *testing.T) {
	s := newTestSupervisor(t, Options{})
	port := testutil.FreePort(t)
	old := startForeign(t, port)
	rec, err := identify(int32(old.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	if err := writePIDFile(s.opts.RunDir, "api", rec); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background(), helperSpec("api", "serve", port)); err != nil {
		t.Fatalf("Start with a leftover on the port: %v", err)
	}
	waitGoneT(t, old.Process.Pid, "leftover")
	if pid := s.Snapshot()[0].PID; pid == old.Process.Pid || pid == 0 {
		t.Errorf("new pid %d, old %d", pid, old.Process.Pid)
	}
}

func TestForeignProcessIsNamedAndLeftAlive(t *testing.T) {
	tests := []struct {
		name    string
		pidFile func(pid int32) *pidRecord
	}{
		{"no pid file", func(int32) *pidRecord { return nil }},
		{"pid file of another process", func(pid int32) *pidRecord {
			rec, _ := identify(pid)
			rec.CreateTimeMS-- // same pid, different process: a reused pid
			return &rec
		}},
		{"pid file with another command line", func(pid int32) *pidRecord {
			rec, _ := identify(pid)
			rec.Cmdline += " --other"
			return &rec
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSupervisor(t, Options{})
			port := testutil.FreePort(t)
			foreign := startForeign(t, port)
			pid := int32(foreign.Process.Pid)
			if rec := tt.pidFile(pid); rec != nil {
				if err := writePIDFile(s.opts.RunDir, "api", *rec); err != nil {
					t.Fatal(err)
				}
			}
			err := s.Start(context.Background(), helperSpec("api", "serve", port))
			var pe *PortInUseError
			if !errors.As(err, &pe) {
				t.Fatalf("Start error %v, want a PortInUseError", err)
			}
			if pe.PID != pid || pe.Port != port || pe.Service != "api" || pe.Name == "" || !strings.Contains(pe.Cmdline, filepath.Base(os.Args[0])) {
				t.Errorf("holder %+v, want pid %d", pe, pid)
			}
			if want := fmt.Sprintf("port %d (api) is in use by %s (pid %d: ", port, pe.Name, pid); !strings.HasPrefix(err.Error(), want) {
				t.Errorf("message %q, want prefix %q", err, want)
			}
			if len(s.Snapshot()) != 0 {
				t.Errorf("a service started: %+v", s.Snapshot())
			}
			if !alive(pid) {
				t.Fatal("the foreign process was stopped")
			}
			resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/healthz", port))
			if err != nil {
				t.Fatalf("the foreign process no longer serves: %v", err)
			}
			resp.Body.Close()
		})
	}
}

// Another program takes a service's port while the service starts (it binds later: uvicorn
// after its imports): its answer to the readiness check is not the service's, so the service is
// not Ready, and the error names that program.
func TestForeignListenerIsNotReady(t *testing.T) {
	s := newTestSupervisor(t, Options{})
	port := testutil.FreePort(t)
	sp := Spec{Name: "api", Argv: []string{"/bin/sh", "-c", "echo started; exec sleep 1000"}, Port: port,
		ReadyTimeout: 20 * time.Second, Grace: time.Second, Restart: RestartPolicy{MinBackoff: time.Hour, MaxBackoff: time.Hour}}
	res := make(chan error, 1)
	go func() { res <- s.Start(context.Background(), sp) }()
	for i := 0; i < 500 && !slices.ContainsFunc(s.Logs("api"), func(l LogLine) bool { return l.Text == "started" }); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	stranger := exec.Command(os.Args[0])
	stranger.Env = append(os.Environ(), helperEnv+"=serve", "HELPER_PORT="+strconv.Itoa(port))
	if err := stranger.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stranger.Process.Kill(); _ = stranger.Wait() })
	err := <-res
	want := fmt.Sprintf("port %d (api) is in use by ", port)
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), fmt.Sprintf("(pid %d", stranger.Process.Pid)) {
		t.Fatalf("Start = %v, want it to name the stranger (pid %d) holding the port", err, stranger.Process.Pid)
	}
	for _, st := range s.Snapshot() {
		if st.Name == "api" && st.State == Ready {
			t.Errorf("status %+v: Ready on a stranger's answer", st)
		}
	}
}

// A service that listens on another port than its own (Flask's app.run() on 5000, where Desklit
// gave it PORT) is not ready, and the error says where it listens; its coloured output is quoted
// as text.
func TestNotReadyNamesThePortItListensOn(t *testing.T) {
	s := newTestSupervisor(t, Options{})
	port, other := testutil.FreePort(t), testutil.FreePort(t)
	sp := helperSpec("api", "serve", other)
	sp.Port, sp.HealthURL, sp.ReadyTimeout = port, fmt.Sprintf("http://127.0.0.1:%d/healthz", port), 2*time.Second
	sp.Restart = RestartPolicy{MinBackoff: time.Hour, MaxBackoff: time.Hour}
	err := s.Start(context.Background(), sp)
	want := fmt.Sprintf(", but it listens on port %d instead of %d", other, port)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Start = %v, want %q", err, want)
	}
}
