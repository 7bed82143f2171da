package appwindow

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/desklit/desklit/app/desktop"
	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/supervisor"
)

// classify turns a start-up error into something a user can act on.
func (b *Backend) classify(err error) desktop.ErrorView {
	if v, ok := classifyApp(err); ok {
		return v
	}
	var pe *supervisor.PortInUseError
	var np *pyruntime.NoPythonError
	switch {
	case errors.As(err, &pe):
		holder := "another program"
		if pe.Name != "" {
			holder = fmt.Sprintf("%s (pid %d)", pe.Name, pe.PID)
		}
		v := desktop.ErrorView{
			Kind: desktop.ErrPortInUse, Title: fmt.Sprintf("Port %d is in use", pe.Port), Service: pe.Service,
			Message: fmt.Sprintf("Desklit needs port %d for %s, but %s is using it. Desklit does not stop programs it did not start: quit that program, or let Desklit use another port.",
				pe.Port, serviceWords[pe.Service], holder),
			Detail: pe.Cmdline,
		}
		// The services can move; the dev IdP and the callback cannot (the issuer URL and the
		// registered redirect URI name their ports).
		if movable[pe.Service] {
			if p := freePortNear(pe.Port, b.sh.Config().Ports()); p > 0 {
				v.Actions = append(v.Actions, desktop.ActUsePort+":"+strconv.Itoa(p))
			}
		} else {
			v.Message = fmt.Sprintf("Desklit needs port %d for %s, but %s is using it. Quit that program and try again.",
				pe.Port, serviceWords[pe.Service], holder)
		}
		v.Actions = append(v.Actions, desktop.ActRetry)
		return v
	case errors.As(err, &np):
		return desktop.ErrorView{Kind: desktop.ErrNoPython, Title: "Python is needed", Message: np.Error(), Actions: []string{desktop.ActRetry}}
	case errors.Is(err, context.Canceled):
		return desktop.ErrorView{Kind: desktop.ErrRuntimeBuild, Title: "Start-up cancelled", Message: "The start was cancelled. Nothing half-built is kept.", Actions: []string{desktop.ActRetry, desktop.ActQuit}}
	default:
		// An error no case above explains: the user reads a sentence of ours, and Go's own
		// words go to the details (collapsed) and the log, for a bug report.
		return desktop.ErrorView{Kind: desktop.ErrOther, Title: "Desklit could not start",
			Message: "Something Desklit did not expect stopped the start. Try again; if it happens again, save the diagnostics (File › Save Diagnostics) to report it.",
			Detail:  err.Error(), Actions: []string{desktop.ActRetry, desktop.ActShowLogs}}
	}
}

func crashLoop(st supervisor.Status) desktop.ErrorView {
	return desktop.ErrorView{
		Kind: desktop.ErrCrashLoop, Service: st.Name,
		Title:   fmt.Sprintf("%s keeps stopping", st.Name),
		Message: fmt.Sprintf("%s stopped %d times in a short while (%s); Desklit stopped restarting it.", st.Name, st.Restarts+1, orDash(st.ExitStatus)),
		Detail:  st.LastError,
		Actions: []string{desktop.ActRestart + ":" + st.Name, desktop.ActShowLogs},
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func orDash(s string) string {
	if s == "" {
		return "no exit status"
	}
	return s
}

// serviceWords name each service (and the fixed ports) in a user's words.
var serviceWords = map[string]string{
	"streamlit": "the Streamlit app", "component": "the sign-in component", "api": "the protected API",
	"idp": "the built-in sign-in provider", "callback": "sign-in",
}

// movable are the services whose port the user may change; the dev IdP and the callback cannot
// move: the issuer URL and the registered redirect URI name their ports.
var movable = map[string]bool{"streamlit": true, "component": true, "api": true}

// freePortNear finds a free loopback port above p that no other setting uses, for the "use
// another port" button.
func freePortNear(p int, taken []int) int {
	for c := p + 1; c < p+50 && c < 65536; c++ {
		if slices.Contains(taken, c) {
			continue
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(c)))
		if err == nil {
			ln.Close()
			return c
		}
	}
	return 0
}
