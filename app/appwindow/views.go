package appwindow

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/supervisor"
	"github.com/desklit/desklit/app/windowapi"
)

// progressView puts the runtime build's steps in a user's words. pip reports each package while
// it collects them, then nothing until the install is done: that phase shows no package count.
func progressView(p pyruntime.Progress) windowapi.ProgressView {
	v := windowapi.ProgressView{Percent: p.Percent}
	switch p.Step {
	case pyruntime.StepLock:
		v.Step = "Waiting for another Desklit to finish setting up"
	case pyruntime.StepResolve:
		v.Step = "Resolving the dependencies"
	case pyruntime.StepVenv:
		v.Step = "Creating the Python environment"
	case pyruntime.StepInstall:
		switch {
		case p.Package != "":
			v.Step, v.Package, v.N, v.Total = "Unpacking packages", p.Package, p.N, p.Total
		case p.Percent < 90 && p.Total > 0:
			v.Step = fmt.Sprintf("Installing %d packages", p.Total)
		default:
			v.Step = "Packages installed"
		}
	case pyruntime.StepCheck:
		v.Step = "Checking the environment"
	case pyruntime.StepReady:
		v.Step, v.Percent = "Ready", 100
	case pyruntime.StepFailed:
		v.Step = "The environment could not be built"
	default:
		v.Step = "Preparing"
	}
	return v
}

func sessionView(s *session.Session, warning string) windowapi.SessionView {
	v := windowapi.SessionView{StoreWarning: warning}
	if s != nil {
		v.SignedIn = true
		v.Name, v.Email, v.Sub, v.Expiry = s.User.Name, s.User.Email, s.User.Sub, s.Expiry
	}
	return v
}

// stateViews are the window's states for the supervisor's; the frontend's pills know each.
var stateViews = map[supervisor.State]string{
	supervisor.Starting: windowapi.StateStarting, supervisor.Ready: windowapi.StateReady,
	supervisor.Unhealthy: windowapi.StateUnhealthy, supervisor.Backoff: windowapi.StateBackoff,
	supervisor.Failed: windowapi.StateFailed, supervisor.Stopping: windowapi.StateStopping,
	supervisor.Stopped: windowapi.StateStopped,
}

func serviceView(st supervisor.Status) windowapi.ServiceView {
	state, ok := stateViews[st.State]
	if !ok {
		state = string(st.State)
	}
	return windowapi.ServiceView{
		Name: st.Name, State: state, URL: st.URL, PID: st.PID, Restarts: st.Restarts,
		CPUPercent: st.CPUPercent, RSSBytes: st.RSSBytes, CPUHigh: st.CPUHigh,
		LastError: st.LastError, Reason: st.Reason,
	}
}

// serviceOrder is where each service's pill sits in the header, whatever order the services were
// registered in (Streamlit may start before or after the Go services).
var serviceOrder = map[string]int{"api": 0, "component": 1, "streamlit": 2}

func sortServices(v []windowapi.ServiceView) {
	rank := func(name string) int {
		if r, ok := serviceOrder[name]; ok {
			return r
		}
		return len(serviceOrder)
	}
	slices.SortStableFunc(v, func(a, b windowapi.ServiceView) int { return rank(a.Name) - rank(b.Name) })
}

// formatLine puts our timestamp (when the supervisor read the line) in front of a log line and
// drops the one the service wrote itself: Streamlit's logger begins a line with
// "2006-01-02 15:04:05.000 " and the Go services' JSON lines with a "time" member.
func formatLine(l supervisor.LogLine) string {
	text := l.Text
	if m := ownTimestamp.FindStringIndex(text); m != nil {
		text = text[m[1]:]
	} else if rest, ok := strings.CutPrefix(text, `{"time":"`); ok {
		if _, after, ok := strings.Cut(rest, `",`); ok {
			text = "{" + after
		}
	}
	return l.Time.Format("15:04:05.000") + " " + text
}

var ownTimestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)? `)
