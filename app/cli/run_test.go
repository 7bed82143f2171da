package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/supervisor"
)

func TestPrintStates(t *testing.T) {
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.Local)
	ev := func(st supervisor.Status) supervisor.Event { return supervisor.Event{Time: at, Status: st} }
	events := make(chan supervisor.Event, 10)
	for _, e := range []supervisor.Event{
		ev(supervisor.Status{Name: "api", State: supervisor.Backoff, ExitStatus: "exit status 1",
			Reason: "exited during start-up (exit status 1): port 8888 (api) is in use by nc (pid 42: nc -l 8888)"}),
		ev(supervisor.Status{Name: "api", State: supervisor.Unhealthy, PID: 9,
			Reason: "health check failed 3 times in a row (the last: no answer within 2s)"}),
		ev(supervisor.Status{Name: "streamlit", State: supervisor.Ready, PID: 7, CPUHigh: true, CPUPercent: 99.4}),
		ev(supervisor.Status{Name: "streamlit", State: supervisor.Ready, PID: 7, CPUHigh: true, CPUPercent: 99.6}),
		ev(supervisor.Status{Name: "streamlit", State: supervisor.Ready, PID: 7}),
	} {
		events <- e
	}
	close(events)
	var out bytes.Buffer
	printStates(&out, events)
	got := out.String()
	t.Logf("printed:\n%s", got)
	for _, want := range []string{
		"12:00:00  api        Backoff: exited during start-up (exit status 1): port 8888 (api) is in use by nc (pid 42: nc -l 8888)\n",
		"12:00:00  api        Unhealthy (pid 9): health check failed 3 times in a row (the last: no answer within 2s)\n",
		"12:00:00  streamlit  Warning: uses 99 % CPU for a while; if that is not wanted (a script stuck in a loop keeps running after its page is closed), restart it\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if n := strings.Count(got, "Warning:"); n != 1 {
		t.Errorf("%d CPU warnings, want one", n)
	}
	if n := strings.Count(got, "streamlit  Ready"); n != 1 {
		t.Errorf("%d Ready lines for one Ready run, want one", n)
	}
}
