package appwindow

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/supervisor"
	"github.com/desklit/desklit/app/windowapi"
)

// classify turns a start-up error into something a user can act on.
func (b *Backend) classify(err error) windowapi.ErrorView {
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
		v := windowapi.ErrorView{
			Kind: windowapi.ErrPortInUse, Title: fmt.Sprintf("Port %d is in use", pe.Port), Service: pe.Service,
			Message: fmt.Sprintf("Desklit needs port %d for %s, but %s is using it. Desklit does not stop programs it did not start: quit that program, or let Desklit use another port.",
				pe.Port, words(pe.Service), holder),
			Detail: pe.Cmdline,
		}
		// The services can move; the dev IdP and the callback cannot (the issuer URL and the
		// registered redirect URI name their ports).
		if movable[pe.Service] {
			if p := freePortNear(pe.Port, b.sh.Config().Ports()); p > 0 {
				v.Actions = append(v.Actions, windowapi.ActUsePort+":"+strconv.Itoa(p))
			}
		} else {
			v.Message = fmt.Sprintf("Desklit needs port %d for %s, but %s is using it. Quit that program and try again.",
				pe.Port, words(pe.Service), holder)
		}
		v.Actions = append(v.Actions, windowapi.ActRetry)
		return v
	case errors.As(err, &np):
		return windowapi.ErrorView{Kind: windowapi.ErrNoPython, Title: "Python is needed", Message: np.Error(), Actions: []string{windowapi.ActRetry}}
	case errors.Is(err, context.Canceled):
		return windowapi.ErrorView{Kind: windowapi.ErrRuntimeBuild, Title: "Start-up cancelled", Message: "The start was cancelled. Nothing half-built is kept.", Actions: []string{windowapi.ActRetry, windowapi.ActQuit}}
	default:
		// An error no case above explains: the user reads a sentence of ours, and Go's own
		// words go to the details (collapsed) and the log, for a bug report.
		return windowapi.ErrorView{Kind: windowapi.ErrOther, Title: "Desklit could not start",
			Message: "Something Desklit did not expect stopped the start. Try again; if it happens again, save the diagnostics (File › Save Diagnostics) to report it.",
			Detail:  err.Error(), Actions: []string{windowapi.ActRetry, windowapi.ActShowLogs}}
	}
}

func crashLoop(st supervisor.Status) windowapi.ErrorView {
	return windowapi.ErrorView{
		Kind: windowapi.ErrCrashLoop, Service: st.Name,
		Title:   fmt.Sprintf("%s keeps stopping", st.Name),
		Message: fmt.Sprintf("%s stopped %d times in a short while (%s); Desklit stopped restarting it.", st.Name, st.Restarts+1, orDash(st.ExitStatus)),
		Detail:  st.LastError,
		Actions: []string{windowapi.ActRestart + ":" + st.Name, windowapi.ActShowLogs},
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

// words names a service in a user's words; one of the app's own is "the app's service NAME".
func words(service string) string {
	if w, ok := serviceWords[service]; ok {
		return w
	}
	return "the app's service " + service
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
