//go:build unix

package supervisor

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/desklit/desklit/app/internal/testutil"
)

// A service that stops answering while it runs (here: SIGSTOPped) is noticed by the liveness
// check, shown Unhealthy, and restarted through the crash path.
func TestHungServiceIsRestarted(t *testing.T) {
	s := newTestSupervisor(t, Options{})
	events, cancel := s.Subscribe()
	defer cancel()
	sp := helperSpec("api", "serve", testutil.FreePort(t))
	sp.Watch = Watch{Interval: 20 * time.Millisecond, Timeout: 500 * time.Millisecond, Failures: 2}
	if err := s.Start(context.Background(), sp); err != nil {
		t.Fatal(err)
	}
	pid := s.Snapshot()[0].PID
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGCONT) })

	var seen []State
	until := func(s State) func(Event) bool {
		return func(ev Event) bool { seen = append(seen, ev.Status.State); return ev.Status.State == s }
	}
	unhealthy := waitFor(t, events, until(Unhealthy))
	if st := unhealthy.Status; st.PID != pid || !strings.Contains(st.Reason, "health check failed 2 times in a row") {
		t.Errorf("unhealthy status: pid %d (want %d), reason %q", st.PID, pid, st.Reason)
	}
	ready := waitFor(t, events, until(Ready))
	if ready.Status.PID == pid || ready.Status.Restarts != 1 {
		t.Errorf("after the restart: %+v", ready.Status)
	}
	want := []State{Starting, Ready, Unhealthy, Backoff, Starting, Ready}
	if strings.Join(states(seen), " ") != strings.Join(states(want), " ") {
		t.Errorf("states %v, want %v", seen, want)
	}
	waitGoneT(t, pid, "hung service")
}

func states(s []State) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return out
}

// A service busy at full CPU while its health check passes is reported (Status.CPUHigh) and left
// running: only the user knows whether that work is wanted.
func TestHighCPUIsReported(t *testing.T) {
	s := newTestSupervisor(t, Options{})
	events, cancel := s.Subscribe()
	defer cancel()
	sp := helperSpec("streamlit", "serve", testutil.FreePort(t), "HELPER_SPIN=1")
	sp.Watch = Watch{Interval: 50 * time.Millisecond, Failures: 1000, CPUHigh: 25, CPUFor: time.Nanosecond}
	if err := s.Start(context.Background(), sp); err != nil {
		t.Fatal(err)
	}
	pid := s.Snapshot()[0].PID
	ev := waitFor(t, events, func(ev Event) bool { return ev.Status.CPUHigh })
	if st := ev.Status; st.State != Ready || st.PID != pid || st.CPUPercent <= 25 {
		t.Errorf("high-CPU status: %+v", st)
	}
	if st := s.Snapshot()[0]; st.State != Ready || st.PID != pid || !st.CPUHigh {
		t.Errorf("snapshot: %+v", st)
	}
}
