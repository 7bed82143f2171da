// Package appwindow adapts the shell (supervisor, session, runtime) to the window's Backend
// (app/windowapi): it turns supervisor events, session changes and start-up errors into the
// window's plain views, and turns the window's buttons into shell calls. It does not import the
// window (app/desktop), which asks it only through windowapi.Backend.
package appwindow

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/desklit/desklit/app/authflow"
	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/shell"
	"github.com/desklit/desklit/app/supervisor"
	"github.com/desklit/desklit/app/version"
	"github.com/desklit/desklit/app/windowapi"
)

// Backend is the windowapi.Backend of the real app.
type Backend struct {
	sh    *shell.Shell
	paths config.Paths
	log   *slog.Logger
	// exe is this program; another system's Desklit binaries are looked for from its folder.
	exe string

	mu          sync.Mutex
	ev          windowapi.Events
	startCancel context.CancelFunc
	starting    bool
	stopSubs    []func()
	// early is the result of a start begun by Prestart that ended before the window attached;
	// lastProgress is the runtime build's latest progress, replayed when the window attaches.
	early        *startResult
	lastProgress *pyruntime.Progress
	// failedOpen is the path of the switch that failed last (Retry tries it again).
	failedOpen *string
	// openErrorShown: why the app asked for at start could not be opened is shown once, when
	// the start-up has succeeded (its success clears the errors shown before it).
	openErrorShown sync.Once
}

type startResult struct{ err error }

var _ windowapi.Backend = (*Backend)(nil)

// New adapts sh. Progress reaches the window through ProgressFunc, which the shell must be built with.
func New(sh *shell.Shell, paths config.Paths, log *slog.Logger) *Backend {
	exe, _ := os.Executable()
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real // /usr/bin/desklit may be a link to where the binaries are
	}
	return &Backend{sh: sh, paths: paths, log: log, exe: exe}
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

func (b *Backend) events() windowapi.Events {
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
func (b *Backend) Start(ctx context.Context, ev windowapi.Events) error {
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
	return nil
}

func (b *Backend) forwardSession(ev windowapi.Events) {
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
				ev.Error(sessionError(c))
			}
			ev.Session(v)
		}
	}()
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

func (b *Backend) views() []windowapi.ServiceView {
	var out []windowapi.ServiceView
	for _, st := range b.sh.Supervisor().Snapshot() {
		out = append(out, serviceView(st))
	}
	sortServices(out)
	return out
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

func (b *Backend) report(ev windowapi.Events, err error) {
	ev.Progress(windowapi.ProgressView{Done: true})
	if err != nil {
		b.log.Error("start-up failed", "err", err)
		ev.Error(b.classify(err))
		return
	}
	ev.Error(windowapi.ErrorView{}) // clears an earlier error
	ev.Services(b.views())
	b.openErrorShown.Do(func() { b.reportOpenError(ev) })
}

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
	v := map[string]string{
		"desklit": version.Version, "commit": version.CommitOrVCS(), "built": version.Date,
		"go": version.GoVersion(), "wails": version.WailsVersion(), "os": runtime.GOOS + "/" + runtime.GOARCH,
	}
	if p := b.sh.Project(); b.sh.Single() && p != nil {
		v["app"] = strings.TrimSpace(p.Name + " " + p.Version)
	}
	return v
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
	ev.Error(windowapi.ErrorView{})
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

// sessionError is the window's view of a session Error change: the session's sentence, with the
// cause's own sentence when it is one a user may read (authflow.Message); Go's words only in the
// collapsed details.
func sessionError(c session.Change) windowapi.ErrorView {
	v := windowapi.ErrorView{Kind: windowapi.ErrOther, Title: "Sign-in problem", Message: c.Message, Actions: []string{windowapi.ActDismiss}}
	if c.Err == nil {
		return v
	}
	if msg, ok := authflow.Message(c.Err); ok {
		v.Message = strings.TrimSuffix(c.Message, ".") + ": " + strings.TrimSuffix(msg, ".") + "."
	} else {
		v.Message += " The reason is in Desklit's log (Logs)."
		v.Detail = c.Err.Error()
	}
	return v
}
