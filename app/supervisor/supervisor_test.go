//go:build unix

package supervisor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
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
