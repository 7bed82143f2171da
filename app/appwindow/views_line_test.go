package appwindow

import (
	"testing"
	"time"

	"github.com/desklit/desklit/app/supervisor"
	"github.com/desklit/desklit/app/windowapi"
)

// A log line shows one timestamp: ours. Streamlit's logger and the Go services' JSON logs add
// their own.
func TestLogLineHasOneTimestamp(t *testing.T) {
	at := time.Date(2026, 11, 27, 12, 0, 1, 234e6, time.Local)
	tests := []struct{ text, want string }{
		{"2026-11-27 12:00:01.230 Uvicorn running on http://127.0.0.1:4010", "12:00:01.234 Uvicorn running on http://127.0.0.1:4010"},
		{"2026-11-27 12:00:01,230 INFO    streamlit.web: ready", "12:00:01.234 INFO    streamlit.web: ready"},
		{`{"time":"2026-11-27T12:00:01.23+01:00","level":"INFO","msg":"listening"}`, `12:00:01.234 {"level":"INFO","msg":"listening"}`},
		{"  You can now view your Streamlit app in your browser.", "12:00:01.234   You can now view your Streamlit app in your browser."},
		{"2026 was a good year", "12:00:01.234 2026 was a good year"},
	}
	for _, tt := range tests {
		if got := formatLine(supervisor.LogLine{Time: at, Text: tt.text}); got != tt.want {
			t.Errorf("formatLine(%q)\n got %q\nwant %q", tt.text, got, tt.want)
		}
	}
}

// Every state the supervisor reports has the window's word for it, and the CPU warning reaches
// the window.
func TestServiceView(t *testing.T) {
	want := map[supervisor.State]string{
		supervisor.Starting: windowapi.StateStarting, supervisor.Ready: windowapi.StateReady,
		supervisor.Unhealthy: windowapi.StateUnhealthy, supervisor.Backoff: windowapi.StateBackoff,
		supervisor.Failed: windowapi.StateFailed, supervisor.Stopping: windowapi.StateStopping,
		supervisor.Stopped: windowapi.StateStopped,
	}
	for st, w := range want {
		if got := serviceView(supervisor.Status{Name: "api", State: st}).State; got != w {
			t.Errorf("%s shown as %q, want %q", st, got, w)
		}
	}
	v := serviceView(supervisor.Status{Name: "streamlit", State: supervisor.Ready, PID: 7, CPUHigh: true, CPUPercent: 99,
		Reason: "exit status 3", LastError: "exit status 3; last output:\n  boom"})
	if !v.CPUHigh || v.CPUPercent != 99 || v.Reason != "exit status 3" {
		t.Errorf("view %+v", v)
	}
}
