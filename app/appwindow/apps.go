package appwindow

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/shell"
	"github.com/desklit/desklit/app/supervisor"
	"github.com/desklit/desklit/app/windowapi"
)

// CurrentApp is the app running (or starting) now.
func (b *Backend) CurrentApp() windowapi.AppView {
	p := b.sh.Project()
	if p == nil {
		return windowapi.AppView{Name: shell.DemoName, Demo: true, Current: true, EnvReady: true, Services: shell.ServiceNames(nil)}
	}
	v := windowapi.AppView{Name: p.Name, Path: p.Path, Script: p.Script, Current: true, EnvReady: true, Services: shell.ServiceNames(p)}
	for _, r := range project.ReadRecent(b.paths.State) {
		if r.Path == p.Path {
			v.LastOpened = r.LastOpened
		}
	}
	return v
}

// Apps is the recent list (newest first, missing ones marked, each with whether its environment
// is built) and the demo last.
func (b *Backend) Apps() []windowapi.AppView {
	if b.sh.Single() { // a packaged app: its own, nothing else
		return []windowapi.AppView{b.CurrentApp()}
	}
	cur := b.sh.Project()
	var out []windowapi.AppView
	for _, r := range project.ReadRecent(b.paths.State) {
		v := windowapi.AppView{Name: r.Name, Path: r.Path, LastOpened: r.LastOpened, Missing: r.Missing}
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
	return append(out, windowapi.AppView{Name: shell.DemoName, Demo: true, Current: cur == nil, EnvReady: b.sh.EnvReady(context.Background(), "")})
}

// OpenApp switches to the project at path ("" = the demo): the shell's opener decides whether it
// may (a refusal returns at once, nothing shown) and what the app is called (opening, when not
// nil, hears it before the switch begins); then its environment is built (progress on the
// window) while the running app goes on, and only Streamlit restarts. A failure is shown and
// leaves the running app as it was; Retry tries the same switch again.
func (b *Backend) OpenApp(ctx context.Context, path string, opening func(name string)) error {
	op, err := b.sh.BeginOpen(path)
	if err != nil {
		return err
	}
	if opening != nil {
		opening(op.Name)
	}
	ev := b.events()
	b.mu.Lock()
	b.failedOpen = nil
	b.mu.Unlock()
	err = op.Run(ctx)
	if ev == nil {
		return err
	}
	ev.Progress(windowapi.ProgressView{Done: true})
	if err != nil {
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
	go func() { _ = b.OpenApp(context.WithoutCancel(ctx), *failed, nil) }()
	return true
}

// reportOpenError tells the window that the app asked for at start could not be opened (the
// demo runs instead).
func (b *Backend) reportOpenError(ev windowapi.Events) {
	err := b.sh.OpenError()
	if err == nil {
		return
	}
	if v, ok := classifyApp(err); ok && v.Kind == windowapi.ErrChooseScript {
		v.Message += " Desklit runs its demo meanwhile."
		ev.Error(v)
		return
	}
	ev.Error(windowapi.ErrorView{
		Kind: windowapi.ErrAppFailed, Title: "The app could not be opened",
		Message: "Desklit started its demo instead. Fix what is said below, then open the app again.",
		Detail:  err.Error(), Actions: []string{windowapi.ActOpenApp, windowapi.ActDismiss},
	})
}

// classifyApp explains the errors that are about the app rather than Desklit; ok is false for
// any other error.
func classifyApp(err error) (windowapi.ErrorView, bool) {
	var se *shell.ScriptError
	var nf *pyruntime.NotFoundError
	var re *pyruntime.ResolveError
	var pe *project.Error
	var ns *project.NoScriptError
	var ae *shell.AuthChangeError
	var be *pyruntime.BuildError
	var sb *pyruntime.SourceBuildError
	var ge *pyruntime.GitFetchError
	var su *pyruntime.SourceUnreachableError
	var sve *shell.ServiceError
	var port *supervisor.PortInUseError
	switch {
	case errors.As(err, &sve) && !errors.As(err, &port):
		return windowapi.ErrorView{Kind: windowapi.ErrAppFailed, Service: sve.Name, Title: sve.Name + " could not start",
			Message: fmt.Sprintf("The app's service %s (%s) did not start. Its last log lines:", sve.Name, sve.Where),
			Detail:  sve.Err.Error(), Actions: []string{windowapi.ActRetry, windowapi.ActShowLogs, windowapi.ActOpenApp}}, true
	case errors.As(err, &se):
		return windowapi.ErrorView{Kind: windowapi.ErrAppFailed, Service: "streamlit", Title: se.Name + " could not start",
			Message: "Python cannot run " + se.Script + ". The app that was running goes on.", Detail: se.Output,
			Actions: []string{windowapi.ActRetry, windowapi.ActShowLogs, windowapi.ActOpenApp}}, true
	case errors.As(err, &nf):
		return windowapi.ErrorView{Kind: windowapi.ErrRuntimeBuild, Title: "A package " + nf.Name + " needs is missing",
			Message: firstLine(nf.Error()), Detail: nf.Explanation, Folder: filepath.Dir(nf.Wheels),
			Actions: []string{windowapi.ActRetry, windowapi.ActOpenFolder, windowapi.ActOpenLogs}}, true
	case errors.As(err, &re):
		return dependenciesView(re), true
	case errors.As(err, &sb):
		return sourceBuildView(sb), true
	case errors.As(err, &ge):
		return gitFetchView(ge), true
	case errors.As(err, &su):
		return inFile(windowapi.ErrorView{Title: "A package source of " + su.Name + " could not be reached", Message: su.Error()}, su.File), true
	case errors.As(err, &ns) && len(ns.Candidates) > 1:
		v := windowapi.ErrorView{Kind: windowapi.ErrChooseScript, Title: "Which script is the app?", Folder: ns.Dir,
			Message: filepath.Base(ns.Dir) + " holds several Streamlit scripts. Choose the one to run: Desklit opens it and keeps it in File › Open Recent."}
		for _, c := range ns.Candidates {
			v.Actions = append(v.Actions, windowapi.ActScript+":"+c)
		}
		v.Actions = append(v.Actions, windowapi.ActOpenApp)
		return v, true
	case errors.As(err, &pe), errors.As(err, &ns):
		return windowapi.ErrorView{Kind: windowapi.ErrAppFailed, Title: "The app could not be opened", Message: err.Error(),
			Actions: []string{windowapi.ActRetry, windowapi.ActOpenApp}}, true
	case errors.As(err, &ae):
		return windowapi.ErrorView{Kind: windowapi.ErrOther, Title: ae.Name + " signs in elsewhere", Message: err.Error(),
			Actions: []string{windowapi.ActDismiss}}, true
	case errors.As(err, &be):
		return windowapi.ErrorView{Kind: windowapi.ErrRuntimeBuild, Title: "The Python environment could not be built",
			Message: firstLine(err.Error()), Detail: err.Error(), Actions: []string{windowapi.ActRetry, windowapi.ActOpenLogs}}, true
	}
	return windowapi.ErrorView{}, false
}

// dependenciesView shows a conflict among an app's requirements: the resolver's explanation, the
// project's requirements it names (file and line), and what to do: change one of them.
func dependenciesView(re *pyruntime.ResolveError) windowapi.ErrorView {
	file := filepath.Base(re.File)
	v := inFile(windowapi.ErrorView{Title: "The requirements of " + re.Name + " cannot be installed together", Message: re.Explanation}, re.File)
	if len(re.Requirements) > 0 {
		lines := []string{"Change one of these requirements so that they agree, save " + file + ", then open the app again:"}
		for _, r := range re.Requirements {
			lines = append(lines, "  "+r.String())
		}
		v.Detail = strings.Join(lines, "\n")
	} else {
		v.Detail = "Change the requirements the explanation names in " + file + " so that they agree, save it, then open the app again."
	}
	return v
}

// sourceBuildView shows a package that did not build from its source: what to change where the
// project pins it (a pin frozen for an older Python), else the build's own words below.
func sourceBuildView(sb *pyruntime.SourceBuildError) windowapi.ErrorView {
	name, version, _ := strings.Cut(sb.Package, "==")
	v := windowapi.ErrorView{Kind: windowapi.ErrRuntimeBuild, Title: name + " " + version + " could not be installed",
		Message: sb.Error(), Detail: sb.Err.Error(), Actions: []string{windowapi.ActRetry, windowapi.ActOpenLogs}}
	if sb.Pinned != nil {
		// What to change is said; the build's traceback is for the log (Show logs).
		v.Detail = ""
		v = inFile(v, sb.Pinned.File)
	}
	return v
}

// gitFetchView shows a requirement installed from a Git repository that could not be fetched:
// retry once connected (or with Git installed), or change the line.
func gitFetchView(ge *pyruntime.GitFetchError) windowapi.ErrorView {
	v := windowapi.ErrorView{Kind: windowapi.ErrRuntimeBuild, Title: "A package " + ge.Name + " installs from Git could not be fetched",
		Message: ge.Error(), Actions: []string{windowapi.ActRetry, windowapi.ActOpenLogs}}
	if ge.Requirement != nil {
		v = inFile(v, ge.Requirement.File)
	}
	return v
}

// inFile makes v a fault of the project's dependency file: what to change is in file, which the
// window opens (Edit requirements) or shows (Open folder), and then opens the app again.
func inFile(v windowapi.ErrorView, file string) windowapi.ErrorView {
	v.Kind, v.Folder, v.File = windowapi.ErrDependencies, filepath.Dir(file), file
	v.Actions = []string{windowapi.ActEditDeps, windowapi.ActOpenFolder, windowapi.ActReopen}
	return v
}

// appProgress names the app in the progress's step when the window shows a switch.
func appProgress(v windowapi.ProgressView, p pyruntime.Progress) windowapi.ProgressView {
	v.App = p.App
	if p.App == shell.DemoName {
		v.App = ""
	}
	if v.Message == "" {
		v.Message = fmt.Sprint(p.Message)
	}
	return v
}
