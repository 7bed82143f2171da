// Package appwindow adapts the shell (supervisor, session, runtime) to the desktop window's
// Backend: it turns supervisor events, session changes and start-up errors into the window's
// plain views, and turns the window's buttons into shell calls.
package appwindow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/desktop"
	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/shell"
	"github.com/desklit/desklit/app/supervisor"
	"github.com/desklit/desklit/app/version"
)

// Backend is the desktop.Backend of the real app.
type Backend struct {
	sh    *shell.Shell
	paths config.Paths
	log   *slog.Logger

	mu          sync.Mutex
	ev          desktop.Events
	startCancel context.CancelFunc
	starting    bool
	stopSubs    []func()
	// early is the result of a start begun by Prestart that ended before the window attached;
	// lastProgress is the runtime build's latest progress, replayed when the window attaches.
	early        *startResult
	lastProgress *pyruntime.Progress
	// failedOpen is the path of the switch that failed last (Retry tries it again).
	failedOpen *string
}

type startResult struct{ err error }

var _ desktop.Backend = (*Backend)(nil)

// New adapts sh. Progress reaches the window through ProgressFunc, which the shell must be built with.
func New(sh *shell.Shell, paths config.Paths, log *slog.Logger) *Backend {
	return &Backend{sh: sh, paths: paths, log: log}
}

// ProgressFunc forwards the runtime build's progress to the window once it is attached.
func (b *Backend) ProgressFunc() func(pyruntime.Progress) {
	return func(p pyruntime.Progress) {
		b.mu.Lock()
		b.lastProgress = &p
		ev := b.ev
		b.mu.Unlock()
		if ev != nil {
			ev.Progress(appProgress(progressView(p), p))
		}
	}
}

// progressView puts the runtime build's steps in a user's words. pip reports each package while
// it collects them, then nothing until the install is done: that phase shows no package count.
func progressView(p pyruntime.Progress) desktop.ProgressView {
	v := desktop.ProgressView{Percent: p.Percent}
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

func (b *Backend) events() desktop.Events {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ev
}

// Prestart begins starting the services before the window exists, so that the runtime check
// and Streamlit's start-up run while GTK and WebKit load (about 0.4 s on Linux); Start attaches
// the window to it. Only for the first instance: a second launch only focuses the first window.
func (b *Backend) Prestart(ctx context.Context) {
	b.mu.Lock()
	b.starting = true // Start must not begin a second start-up
	b.mu.Unlock()
	go b.runStart(ctx)
}

// Start attaches the window: it replays what happened before, forwards events, and starts the
// services in the background unless Prestart did.
func (b *Backend) Start(ctx context.Context, ev desktop.Events) error {
	b.mu.Lock()
	b.ev = ev
	early, prestarted := b.early, b.starting
	b.early = nil
	var progress *pyruntime.Progress
	if prestarted {
		progress = b.lastProgress
	}
	b.mu.Unlock()
	if progress != nil {
		ev.Progress(appProgress(progressView(*progress), *progress))
	}
	ev.App(b.CurrentApp())

	events, unsub := b.sh.Supervisor().Subscribe()
	logs, unsubLogs := b.sh.Supervisor().SubscribeLogs()
	b.mu.Lock()
	b.stopSubs = append(b.stopSubs, unsub, unsubLogs)
	b.mu.Unlock()
	go b.forwardServices(events)
	ev.Services(b.views()) // what happened before the window attached
	go func() {
		for l := range logs {
			if strings.TrimSpace(l.Text) != "" {
				ev.LogLine(l.Service, formatLine(l))
			}
		}
	}()

	// The services start at once (the runtime check runs beside the session's start-up), unless
	// Prestart began that already; the session's events are forwarded as soon as it is up.
	switch {
	case early != nil:
		b.report(ev, early.err)
	case !prestarted && b.claimStart():
		go b.runStart(ctx)
	}
	if err := b.sh.StartSession(); err != nil {
		return nil // runStart reports it
	}
	b.forwardSession(ev)
	b.reportOpenError(ev)
	return nil
}

func (b *Backend) forwardSession(ev desktop.Events) {
	m := b.sh.Sessions()
	changes, unsub := m.Subscribe()
	b.mu.Lock()
	b.stopSubs = append(b.stopSubs, unsub)
	b.mu.Unlock()
	warning := b.sh.StoreStatus().Warning
	ev.Session(sessionView(m.Current(), warning))
	go func() {
		for c := range changes {
			v := sessionView(m.Current(), warning)
			if c.Kind == session.Error && c.Message != "" {
				ev.Error(desktop.ErrorView{Kind: desktop.ErrOther, Title: "Sign-in problem", Message: c.Message, Actions: []string{desktop.ActDismiss}})
			}
			ev.Session(v)
		}
	}()
}

func sessionView(s *session.Session, warning string) desktop.SessionView {
	v := desktop.SessionView{StoreWarning: warning}
	if s != nil {
		v.SignedIn = true
		v.Name, v.Email, v.Sub, v.Expiry = s.User.Name, s.User.Email, s.User.Sub, s.Expiry
	}
	return v
}

func (b *Backend) forwardServices(events <-chan supervisor.Event) {
	for e := range events {
		ev := b.events()
		if ev == nil {
			continue
		}
		ev.Services(b.views())
		if e.Status.State == supervisor.Failed {
			b.mu.Lock()
			starting := b.starting
			b.mu.Unlock()
			if !starting { // a failure during start-up is reported by runStart
				ev.Error(crashLoop(e.Status))
			}
		}
	}
}

func (b *Backend) views() []desktop.ServiceView {
	var out []desktop.ServiceView
	for _, st := range b.sh.Supervisor().Snapshot() {
		out = append(out, serviceView(st))
	}
	sortServices(out)
	return out
}

// stateViews are the window's states for the supervisor's; the frontend's pills know each.
var stateViews = map[supervisor.State]string{
	supervisor.Starting: desktop.StateStarting, supervisor.Ready: desktop.StateReady,
	supervisor.Unhealthy: desktop.StateUnhealthy, supervisor.Backoff: desktop.StateBackoff,
	supervisor.Failed: desktop.StateFailed, supervisor.Stopping: desktop.StateStopping,
	supervisor.Stopped: desktop.StateStopped,
}

func serviceView(st supervisor.Status) desktop.ServiceView {
	state, ok := stateViews[st.State]
	if !ok {
		state = string(st.State)
	}
	return desktop.ServiceView{
		Name: st.Name, State: state, URL: st.URL, PID: st.PID, Restarts: st.Restarts,
		CPUPercent: st.CPUPercent, RSSBytes: st.RSSBytes, CPUHigh: st.CPUHigh,
		LastError: st.LastError, Reason: st.Reason,
	}
}

// serviceOrder is where each service's pill sits in the header, whatever order the services were
// registered in (Streamlit may start before or after the Go services).
var serviceOrder = map[string]int{"api": 0, "component": 1, "streamlit": 2}

func sortServices(v []desktop.ServiceView) {
	rank := func(name string) int {
		if r, ok := serviceOrder[name]; ok {
			return r
		}
		return len(serviceOrder)
	}
	slices.SortStableFunc(v, func(a, b desktop.ServiceView) int { return rank(a.Name) - rank(b.Name) })
}

// claimStart marks a start-up as running, unless one runs already: the caller then runs it.
func (b *Backend) claimStart() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.starting {
		return false
	}
	b.starting = true
	return true
}

// runStart starts the services (b.starting is already set) and reports the outcome to the
// window, or keeps it for Start when the window has not attached yet.
func (b *Backend) runStart(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	b.mu.Lock()
	b.startCancel = cancel
	b.mu.Unlock()
	err := b.sh.StartServices(ctx)
	b.mu.Lock()
	b.starting, b.startCancel = false, nil
	ev := b.ev
	if ev == nil {
		b.early = &startResult{err: err}
	}
	b.lastProgress = nil
	b.mu.Unlock()
	cancel()
	if ev != nil {
		b.report(ev, err)
	}
}

func (b *Backend) report(ev desktop.Events, err error) {
	ev.Progress(desktop.ProgressView{Done: true})
	if err != nil {
		b.log.Error("start-up failed", "err", err)
		ev.Error(b.classify(err))
		return
	}
	ev.Error(desktop.ErrorView{}) // clears an earlier error
	ev.Services(b.views())
}

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
		return desktop.ErrorView{Kind: desktop.ErrOther, Title: "Desklit could not start", Message: firstLine(err.Error()), Detail: err.Error(), Actions: []string{desktop.ActRetry, desktop.ActShowLogs}}
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

var serviceWords = map[string]string{
	"streamlit": "the Streamlit app", "component": "the sign-in component", "api": "the protected API",
	"idp": "the built-in sign-in provider", "callback": "sign-in",
}

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

// Stop stops everything; the window calls it on close.
func (b *Backend) Stop(ctx context.Context) error {
	b.CancelStart()
	err := b.sh.Stop(ctx)
	b.mu.Lock()
	subs := b.stopSubs
	b.stopSubs = nil
	b.mu.Unlock()
	for _, u := range subs {
		u()
	}
	return err
}

func (b *Backend) Login(ctx context.Context) error  { return b.sh.Login(ctx) }
func (b *Backend) Logout(ctx context.Context) error { return b.sh.Logout(ctx) }

func (b *Backend) RestartService(ctx context.Context, name string) error {
	return b.sh.Supervisor().Restart(ctx, name)
}

func (b *Backend) Logs(name string) []string {
	var out []string
	for _, l := range b.sh.Supervisor().Logs(name) {
		if strings.TrimSpace(l.Text) != "" {
			out = append(out, formatLine(l))
		}
	}
	return out
}

func (b *Backend) StreamlitURL() string { return b.sh.StreamlitURL() }
func (b *Backend) LogDir() string       { return b.paths.Logs }

func (b *Backend) Versions() map[string]string {
	return map[string]string{
		"desklit": version.Version, "commit": version.CommitOrVCS(), "built": version.Date,
		"go": version.GoVersion(), "wails": version.WailsVersion(), "os": runtime.GOOS + "/" + runtime.GOARCH,
	}
}

func (b *Backend) CancelStart() {
	b.mu.Lock()
	cancel := b.startCancel
	b.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

func (b *Backend) RetryStart(ctx context.Context) error {
	ev := b.events()
	if ev == nil {
		return errors.New("the window is not ready")
	}
	if b.retryOpen(ctx) {
		return nil
	}
	if b.sh.Sessions() == nil {
		if err := b.sh.StartSession(); err != nil {
			ev.Error(b.classify(err))
			return nil
		}
		b.forwardSession(ev)
	}
	ev.Error(desktop.ErrorView{})
	if b.claimStart() {
		go b.runStart(context.WithoutCancel(ctx))
	}
	return nil
}

func (b *Backend) UsePort(service string, port int) error { return b.sh.SetPort(service, port) }

// Diagnostics is a zip of the logs, the effective configuration and versions, tokens redacted.
func (b *Backend) Diagnostics() ([]byte, error) {
	return diagnostics(b.paths, b.sh.Config(), b.Versions(), b.sh.Supervisor().Snapshot(), b.sh.LockFile(), time.Now())
}
