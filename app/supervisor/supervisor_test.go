//go:build unix

package supervisor

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
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

func TestStartReadyAndStop(t *testing.T) {
	s := newTestSupervisor(t, Options{})
	port := testutil.FreePort(t)
	ctx := context.Background()
	if err := s.Start(ctx, helperSpec("api", "serve", port)); err != nil {
		t.Fatalf("Start: %v", err)
	}
	snap := s.Snapshot()
	if len(snap) != 1 || snap[0].State != Ready || snap[0].PID == 0 {
		t.Fatalf("after Start: %+v", snap)
	}
	st := snap[0]
	if want := fmt.Sprintf("http://127.0.0.1:%d", port); st.URL != want || st.Port != port {
		t.Errorf("URL %q port %d, want %q %d", st.URL, st.Port, want, port)
	}
	if st.RSSBytes == 0 {
		t.Errorf("RSS not sampled: %+v", st)
	}
	resp, err := http.Get(st.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	rec, ok, err := readPIDFile(s.opts.RunDir, "api")
	if err != nil || !ok || int(rec.PID) != st.PID || !leaderIsOurs(rec) {
		t.Fatalf("pid file: %+v ok=%v err=%v, want pid %d", rec, ok, err, st.PID)
	}

	if err := s.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	waitGoneT(t, st.PID, "service")
	if got := s.Snapshot()[0]; got.State != Stopped || got.PID != 0 {
		t.Errorf("after Stop: %+v", got)
	}
	if _, err := os.Stat(pidPath(s.opts.RunDir, "api")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pid file left after a clean stop: %v", err)
	}
}

func TestStartFailures(t *testing.T) {
	tests := []struct {
		name     string
		mode     string
		timeout  time.Duration
		wantErrs []string
	}{
		{"readiness timeout", "silent", 300 * time.Millisecond, []string{"api: not ready within 300ms", "booting slowly"}},
		{"exit during start-up", "exit", 20 * time.Second, []string{"api: exited during start-up (exit status 3)", "bad config: no such file"}},
		{"no such program", "", 20 * time.Second, []string{"api: start /nonexistent/desklit-helper:", "no such file or directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSupervisor(t, Options{})
			events, cancel := s.Subscribe()
			defer cancel()
			sp := helperSpec("api", tt.mode, testutil.FreePort(t))
			sp.ReadyTimeout = tt.timeout
			if tt.mode == "" {
				sp.Argv = []string{"/nonexistent/desklit-helper"}
			}
			err := s.Start(context.Background(), sp)
			if err == nil {
				t.Fatal("Start succeeded")
			}
			t.Logf("the user reads:\n%v", err)
			for _, want := range tt.wantErrs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			var pid int
			failed := waitFor(t, events, func(ev Event) bool {
				if ev.Status.State == Starting {
					pid = ev.Status.PID
				}
				return ev.Status.State == Failed
			})
			if failed.Status.LastError != err.Error() {
				t.Errorf("LastError %q, want the Start error", failed.Status.LastError)
			}
			if pid != 0 {
				waitGoneT(t, pid, "service")
			}
		})
	}
}

func TestCrashRestartsWithGrowingDelay(t *testing.T) {
	s := newTestSupervisor(t, Options{Rand: func() float64 { return 0 }})
	events, cancel := s.Subscribe()
	defer cancel()
	sp := helperSpec("api", "serve", testutil.FreePort(t), "HELPER_CRASH_AFTER=100ms")
	sp.Restart = RestartPolicy{MaxCrashes: 100, Window: time.Hour, MinBackoff: 20 * time.Millisecond, MaxBackoff: time.Hour, StableAfter: time.Hour, HealthyFor: time.Hour}
	if err := s.Start(context.Background(), sp); err != nil {
		t.Fatal(err)
	}
	var delays []time.Duration
	pids := map[int]bool{}
	for len(delays) < 4 {
		ev := waitFor(t, events, func(ev Event) bool { return ev.Status.State == Backoff || ev.Status.State == Ready })
		if ev.Status.State == Ready {
			pids[ev.Status.PID] = true
			continue
		}
		if ev.Status.ExitStatus != "exit status 3" || !strings.Contains(ev.Status.LastError, "crashing now") {
			t.Errorf("backoff status: exit %q, last error %q", ev.Status.ExitStatus, ev.Status.LastError)
		}
		if ev.Status.Restarts != len(delays) {
			t.Errorf("Restarts = %d at crash %d", ev.Status.Restarts, len(delays)+1)
		}
		delays = append(delays, ev.Status.RetryIn)
	}
	want := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond}
	if !slices.Equal(delays, want) {
		t.Errorf("delays %v, want %v", delays, want)
	}
	if len(pids) != 4 {
		t.Errorf("%d distinct pids, want one per start: %v", len(pids), pids)
	}
}

func TestCrashLoopFails(t *testing.T) {
	s := newTestSupervisor(t, Options{})
	events, cancel := s.Subscribe()
	defer cancel()
	sp := helperSpec("api", "serve", testutil.FreePort(t), "HELPER_CRASH_AFTER=50ms")
	sp.Restart = RestartPolicy{MaxCrashes: 3, Window: time.Hour, MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, StableAfter: time.Hour}
	if err := s.Start(context.Background(), sp); err != nil {
		t.Fatal(err)
	}
	ev := waitFor(t, events, isState(Failed))
	st := ev.Status
	t.Logf("LastError:\n%s", st.LastError)
	if st.ExitStatus != "exit status 3" || st.Restarts != 2 || st.PID != 0 {
		t.Errorf("failed status: %+v", st)
	}
	for _, want := range []string{"api crashed 3 times within 1h0m0s; the last time: exit status 3; last output:", "hello stdout", "crashing now"} {
		if !strings.Contains(st.LastError, want) {
			t.Errorf("LastError %q lacks %q", st.LastError, want)
		}
	}
	// A requested restart brings a Failed service back.
	sp2 := s.lookup("api")
	if sp2 == nil {
		t.Fatal("service gone")
	}
	if err := s.Restart(context.Background(), "api"); err != nil {
		t.Fatalf("Restart of a Failed service: %v", err)
	}
}

func TestStopEscalation(t *testing.T) {
	tests := []struct {
		name string
		stop func(t *testing.T, s *Supervisor) error
	}{
		{"grace period over", func(t *testing.T, s *Supervisor) error { return s.Stop(context.Background()) }},
		{"second Stop", func(t *testing.T, s *Supervisor) error {
			events, cancel := s.Subscribe()
			defer cancel()
			first := make(chan error, 1)
			go func() { first <- s.Stop(context.Background()) }()
			waitFor(t, events, isState(Stopping))
			if err := s.Stop(context.Background()); err != nil {
				return err
			}
			return <-first
		}},
		{"Stop context ends", func(t *testing.T, s *Supervisor) error {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			if err := s.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
				return fmt.Errorf("Stop error %v, want a deadline", err)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSupervisor(t, Options{})
			events, cancel := s.Subscribe()
			defer cancel()
			sp := helperSpec("api", "serve", testutil.FreePort(t), "HELPER_IGNORE_TERM=1")
			sp.Grace = 300 * time.Millisecond
			if tt.name != "grace period over" {
				sp.Grace = time.Hour
			}
			if err := s.Start(context.Background(), sp); err != nil {
				t.Fatal(err)
			}
			pid := s.Snapshot()[0].PID
			if err := tt.stop(t, s); err != nil {
				t.Fatal(err)
			}
			ev := waitFor(t, events, isState(Stopped))
			if ev.Status.ExitStatus != "signal: killed" {
				t.Errorf("exit status %q, want killed", ev.Status.ExitStatus)
			}
			waitGoneT(t, pid, "service")
		})
	}
}

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

func TestSupervisorKilledChildrenGone(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Pdeathsig is Linux only; elsewhere leftovers are reaped at the next start")
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"=supervise", "HELPER_PORT="+strconv.Itoa(testutil.FreePort(t)), "HELPER_RUNDIR="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	child := readPIDLine(t, bufio.NewScanner(out), "child")
	if !alive(int32(child)) {
		t.Fatal("child not running")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	waitGoneT(t, child, "child of the killed supervisor")
}

// A service's own children outlive a supervisor killed with SIGKILL (Pdeathsig reaches only the
// service's main process); the next start finds them by the service's session and stops them.
func TestGrandchildOfAKilledSupervisorIsReapedAtTheNextStart(t *testing.T) {
	run := t.TempDir()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"=supervise", "HELPER_RUNDIR="+run,
		"HELPER_SH=sleep 1000 & echo grandchild $!; wait")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
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
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
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
	_ = sh.Process.Kill() // the session's leader is gone; its pid is not reused while the session lives
	_ = sh.Wait()

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

func TestLogsReachFileRingAndSubscribers(t *testing.T) {
	s := newTestSupervisor(t, Options{RingSize: 5})
	lines, cancel := s.SubscribeLogs()
	defer cancel()
	if err := s.Start(context.Background(), helperSpec("api", "serve", testutil.FreePort(t), "HELPER_LINES=10")); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The ring keeps the last 5 stdout/stderr lines; stdout ends with line 9.
	ring := s.Logs("api")
	if len(ring) != 5 {
		t.Fatalf("ring holds %d lines, want 5: %v", len(ring), ring)
	}
	var stdout []string
	for _, l := range ring {
		if l.Service != "api" || l.Time.IsZero() {
			t.Errorf("line %+v", l)
		}
		if l.Stream == "stdout" {
			stdout = append(stdout, l.Text)
		}
	}
	if len(stdout) == 0 || stdout[len(stdout)-1] != "line 9" {
		t.Errorf("ring stdout %q, want it to end with line 9", stdout)
	}

	b, err := os.ReadFile(filepath.Join(s.opts.LogDir, "api.log"))
	if err != nil {
		t.Fatal(err)
	}
	file := string(b)
	for _, want := range []string{" stdout hello stdout\n", " stderr hello stderr\n", " stdout line 0\n", " stdout line 9\n"} {
		if !strings.Contains(file, want) {
			t.Errorf("log file lacks %q:\n%s", want, file)
		}
	}
	first, _, _ := strings.Cut(file, " ")
	if _, err := time.Parse("2006-01-02T15:04:05.000Z07:00", first); err != nil {
		t.Errorf("line not time-stamped: %v", err)
	}

	var got []string
	for len(got) < 12 {
		select {
		case l := <-lines:
			got = append(got, l.Stream+" "+l.Text)
		case <-time.After(30 * time.Second):
			t.Fatalf("subscriber got %d lines: %q", len(got), got)
		}
	}
	if !slices.Contains(got, "stderr hello stderr") || !slices.Contains(got, "stdout line 9") {
		t.Errorf("subscriber lines %q", got)
	}
}

func TestSubscribersSeeEveryChangeInOrder(t *testing.T) {
	s := newTestSupervisor(t, Options{})
	live, cancelLive := s.Subscribe()
	defer cancelLive()
	slow, cancelSlow := s.Subscribe() // read only at the end
	defer cancelSlow()
	ctx := context.Background()
	if err := s.Start(ctx, helperSpec("api", "serve", testutil.FreePort(t)), helperSpec("component", "serve", testutil.FreePort(t))); err != nil {
		t.Fatal(err)
	}
	if err := s.Restart(ctx, "api"); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	want := map[string][]State{
		"api":       {Starting, Ready, Stopping, Starting, Ready, Stopping, Stopped},
		"component": {Starting, Ready, Stopping, Stopped},
	}
	const total = 11
	for _, sub := range []struct {
		name string
		ch   <-chan Event
	}{{"live", live}, {"slow", slow}} {
		got := map[string][]State{}
		var last uint64
		var stopOrder []string
		for i := range total {
			var ev Event
			select {
			case ev = <-sub.ch:
			case <-time.After(30 * time.Second):
				t.Fatalf("%s: %d events, want %d: %v", sub.name, i, total, got)
			}
			if ev.Seq != last+1 {
				t.Errorf("%s: seq %d after %d", sub.name, ev.Seq, last)
			}
			last = ev.Seq
			got[ev.Status.Name] = append(got[ev.Status.Name], ev.Status.State)
			if ev.Status.State == Stopped {
				stopOrder = append(stopOrder, ev.Status.Name)
			}
		}
		for name, w := range want {
			if !slices.Equal(got[name], w) {
				t.Errorf("%s: %s states %v, want %v", sub.name, name, got[name], w)
			}
		}
		if !slices.Equal(stopOrder, []string{"component", "api"}) {
			t.Errorf("%s: stop order %v, want reverse start order", sub.name, stopOrder)
		}
	}
	cancelLive()
	if _, open := <-live; open {
		// drain whatever was queued; the channel must close
		for range live {
		}
	}
}

func TestStopServiceStopsOneAndItCanStartAgain(t *testing.T) {
	s := newTestSupervisor(t, Options{})
	ctx := context.Background()
	a, b := testutil.FreePort(t), testutil.FreePort(t)
	if err := s.Start(ctx, helperSpec("one", "serve", a), helperSpec("two", "serve", b)); err != nil {
		t.Fatalf("Start: %v", err)
	}
	pids := map[string]int{}
	for _, st := range s.Snapshot() {
		pids[st.Name] = st.PID
	}
	if err := s.StopService(ctx, "one"); err != nil {
		t.Fatalf("StopService: %v", err)
	}
	waitGoneT(t, pids["one"], "stopped service")
	for _, st := range s.Snapshot() {
		switch {
		case st.Name == "one" && st.State != Stopped:
			t.Errorf("one after StopService: %+v", st)
		case st.Name == "two" && (st.State != Ready || st.PID != pids["two"]):
			t.Errorf("two was touched: %+v", st)
		}
	}
	if err := s.StopService(ctx, "one"); err != nil {
		t.Errorf("stopping a stopped service: %v", err)
	}
	if err := s.StopService(ctx, "nosuch"); err != nil {
		t.Errorf("stopping an unknown service: %v", err)
	}
	if err := s.Start(ctx, helperSpec("one", "serve", a)); err != nil {
		t.Fatalf("Start again: %v", err)
	}
	for _, st := range s.Snapshot() {
		if st.Name == "one" && (st.State != Ready || st.PID == pids["one"]) {
			t.Errorf("one after its second Start: %+v", st)
		}
	}
}

// When a restart does not come up because another program took the port meanwhile, the status
// names that program, not only "exit status 1".
func TestFailedRestartNamesThePortHolder(t *testing.T) {
	clock := newManualClock()
	s := newTestSupervisor(t, Options{Clock: clock})
	events, cancel := s.Subscribe()
	defer cancel()
	port := testutil.FreePort(t)
	sp := helperSpec("api", "serve", port, "HELPER_CRASH_AFTER=10ms")
	sp.Watch.Interval = -1 // the clock's only timers are the backoff's
	if err := s.Start(context.Background(), sp); err != nil {
		t.Fatal(err)
	}
	waitFor(t, events, isState(Backoff))
	backoffTimer := <-clock.created
	// Another program (here: this test) takes the port while the service waits to restart.
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	backoffTimer.fire()
	ev := waitFor(t, events, isState(Backoff))
	t.Logf("reason: %s", ev.Status.Reason)
	want := fmt.Sprintf("exited during start-up (exit status 1): port %d (api) is in use by ", port)
	if st := ev.Status; !strings.HasPrefix(st.Reason, want) || !strings.Contains(st.Reason, fmt.Sprintf("(pid %d: ", os.Getpid())) {
		t.Errorf("reason %q, want it to start %q and name pid %d", st.Reason, want, os.Getpid())
	}
	if st := ev.Status; st.Breaker != (Breaker{Crashes: 2, Max: 5, Window: time.Minute}) || !strings.Contains(st.LastError, "in use by") {
		t.Errorf("breaker %+v, last error %q", st.Breaker, st.LastError)
	}
}
