package appwindow

import (
	"context"
	"errors"
	"fmt"

	"github.com/desklit/desklit/app/desktop"
	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/shell"
	"github.com/desklit/desklit/app/supervisor"
)

// CurrentApp is the app running (or starting) now.
func (b *Backend) CurrentApp() desktop.AppView {
	p := b.sh.Project()
	if p == nil {
		return desktop.AppView{Name: shell.DemoName, Demo: true, Current: true, EnvReady: true}
	}
	v := desktop.AppView{Name: p.Name, Path: p.Path, Script: p.Script, Current: true, EnvReady: true}
	for _, r := range project.ReadRecent(b.paths.State) {
		if r.Path == p.Path {
			v.LastOpened = r.LastOpened
		}
	}
	return v
}

// Apps is the recent list (newest first, missing ones marked, each with whether its environment
// is built) and the demo last.
func (b *Backend) Apps() []desktop.AppView {
	if b.sh.Single() { // a packaged app: its own, nothing else
		return []desktop.AppView{b.CurrentApp()}
	}
	cur := b.sh.Project()
	var out []desktop.AppView
	for _, r := range project.ReadRecent(b.paths.State) {
		v := desktop.AppView{Name: r.Name, Path: r.Path, LastOpened: r.LastOpened, Missing: r.Missing}
		if cur != nil && cur.Path == r.Path {
			v.Current, v.EnvReady, v.Script = true, true, cur.Script
		} else if !r.Missing {
			if p, err := project.Load(r.Path); err == nil {
				v.Name, v.Script = p.Name, p.Script
			}
			v.EnvReady = b.sh.EnvReady(context.Background(), r.Path)
		}
		out = append(out, v)
	}
	return append(out, desktop.AppView{Name: shell.DemoName, Demo: true, Current: cur == nil, EnvReady: b.sh.EnvReady(context.Background(), "")})
}

// OpenApp switches to the project at path ("" = the demo): its environment is built (progress on
// the window) while the running app goes on; then only Streamlit restarts. A failure is shown
// and leaves the running app as it was; Retry tries the same switch again.
func (b *Backend) OpenApp(ctx context.Context, path string) error {
	ev := b.events()
	b.mu.Lock()
	b.failedOpen = nil
	b.mu.Unlock()
	err := b.sh.OpenProject(ctx, path)
	if ev == nil {
		return err
	}
	ev.Progress(desktop.ProgressView{Done: true})
	if err != nil {
		if errors.Is(err, shell.ErrSwitching) {
			return err
		}
		b.mu.Lock()
		b.failedOpen = &path
		b.mu.Unlock()
		b.log.Warn("open app", "path", path, "err", err)
		if !errors.Is(err, context.Canceled) {
			ev.Error(b.classify(err))
		}
		return err
	}
	ev.App(b.CurrentApp())
	ev.Services(b.views())
	return nil
}

// retryOpen runs again the switch that failed last, if the last thing that failed was one.
func (b *Backend) retryOpen(ctx context.Context) bool {
	b.mu.Lock()
	failed := b.failedOpen
	b.mu.Unlock()
	if failed == nil {
		return false
	}
	go func() { _ = b.OpenApp(context.WithoutCancel(ctx), *failed) }()
	return true
}

// reportOpenError tells the window that the app asked for at start could not be opened (the
// demo runs instead).
func (b *Backend) reportOpenError(ev desktop.Events) {
	err := b.sh.OpenError()
	if err == nil {
		return
	}
	ev.Error(desktop.ErrorView{
		Kind: desktop.ErrAppFailed, Title: "The app could not be opened",
		Message: "Desklit started its demo instead. Fix what is said below, then open the app again.",
		Detail:  err.Error(), Actions: []string{desktop.ActOpenApp, desktop.ActDismiss},
	})
}

// classifyApp explains the errors that are about the app rather than Desklit; ok is false for
// any other error.
func classifyApp(err error) (desktop.ErrorView, bool) {
	var se *shell.ScriptError
	var nf *pyruntime.NotFoundError
	var re *pyruntime.ResolveError
	var pe *project.Error
	var ns *project.NoScriptError
	var ae *shell.AuthChangeError
	var be *pyruntime.BuildError
	var sve *shell.ServiceError
	var port *supervisor.PortInUseError
	switch {
	case errors.As(err, &sve) && !errors.As(err, &port):
		return desktop.ErrorView{Kind: desktop.ErrAppFailed, Service: sve.Name, Title: sve.Name + " could not start",
			Message: fmt.Sprintf("The app's service %s (%s) did not start. Its last log lines:", sve.Name, sve.Where),
			Detail:  sve.Err.Error(), Actions: []string{desktop.ActRetry, desktop.ActShowLogs, desktop.ActOpenApp}}, true
	case errors.As(err, &se):
		return desktop.ErrorView{Kind: desktop.ErrAppFailed, Service: "streamlit", Title: se.Name + " could not start",
			Message: "Python cannot run " + se.Script + ". The app that was running goes on.", Detail: se.Output,
			Actions: []string{desktop.ActRetry, desktop.ActShowLogs, desktop.ActOpenApp}}, true
	case errors.As(err, &nf):
		return desktop.ErrorView{Kind: desktop.ErrRuntimeBuild, Title: "A package " + nf.Name + " needs is missing",
			Message: firstLine(nf.Error()), Detail: nf.Explanation, Actions: []string{desktop.ActRetry, desktop.ActOpenLogs}}, true
	case errors.As(err, &re):
		return desktop.ErrorView{Kind: desktop.ErrRuntimeBuild, Title: "The dependencies of " + re.Name + " cannot be installed together",
			Message: "The resolver explains why (" + re.File + "):", Detail: re.Explanation, Actions: []string{desktop.ActRetry, desktop.ActOpenLogs}}, true
	case errors.As(err, &pe), errors.As(err, &ns):
		return desktop.ErrorView{Kind: desktop.ErrAppFailed, Title: "The app could not be opened", Message: err.Error(),
			Actions: []string{desktop.ActRetry, desktop.ActOpenApp}}, true
	case errors.As(err, &ae):
		return desktop.ErrorView{Kind: desktop.ErrOther, Title: ae.Name + " signs in elsewhere", Message: err.Error(),
			Actions: []string{desktop.ActDismiss}}, true
	case errors.As(err, &be):
		return desktop.ErrorView{Kind: desktop.ErrRuntimeBuild, Title: "The Python environment could not be built",
			Message: firstLine(err.Error()), Detail: err.Error(), Actions: []string{desktop.ActRetry, desktop.ActOpenLogs}}, true
	}
	return desktop.ErrorView{}, false
}

// appProgress names the app in the progress's step when the window shows a switch.
func appProgress(v desktop.ProgressView, p pyruntime.Progress) desktop.ProgressView {
	v.App = p.App
	if p.App == shell.DemoName {
		v.App = ""
	}
	if v.Message == "" {
		v.Message = fmt.Sprint(p.Message)
	}
	return v
}
