package desktoptest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/desklit/desklit/app/desktop"
)

// The sample projects of a FakeBackend whose Recent is nil.
const (
	SalesPath  = "/home/ada/projects/sales"          // environment built
	ChurnPath  = "/home/ada/projects/churn/churn.py" // a script; its environment is not built yet
	BrokenPath = "/home/ada/projects/quarterly"      // its script has a syntax error: app_failed
	OldPath    = "/home/ada/archive/forecast-2023"   // gone from the disk
)

const maxRecent = 10

// sampleApps are a few recent projects relative to now.
func sampleApps(now time.Time) []desktop.AppView {
	return []desktop.AppView{
		{Name: "Sales dashboard", Path: SalesPath, Script: SalesPath + "/streamlit_app.py", LastOpened: now.Add(-2 * 24 * time.Hour), EnvReady: true},
		{Name: "churn", Path: ChurnPath, Script: ChurnPath, LastOpened: now.Add(-5 * 24 * time.Hour)},
		{Name: "Quarterly report", Path: BrokenPath, Script: BrokenPath + "/app.py", LastOpened: now.Add(-9 * 24 * time.Hour), EnvReady: true},
		{Name: "Forecast 2023", Path: OldPath, Script: OldPath + "/app.py", LastOpened: now.Add(-40 * 24 * time.Hour), Missing: true, EnvReady: true},
	}
}

func demoApp() desktop.AppView {
	return desktop.AppView{Name: "Desklit demo", Script: "/opt/desklit/runtime/streamlit/app.py", EnvReady: true, Demo: true}
}

// initApps seeds the recent list once; the caller holds f.mu.
func (f *FakeBackend) initApps() {
	if f.appsReady {
		return
	}
	f.appsReady = true
	if f.Recent == nil {
		f.recent = sampleApps(time.Now())
	} else {
		f.recent = slices.Clone(f.Recent)
	}
	f.demo = demoApp()
	f.current = f.Current
	if f.Scenario == AppFailed {
		f.current = BrokenPath
	}
}

// view is the AppView of path (the demo for ""); ok is false for a path never opened.
func (f *FakeBackend) view(path string) (desktop.AppView, bool) {
	if path == "" {
		v := f.demo
		v.Current = f.current == ""
		return v, true
	}
	for _, v := range f.recent {
		if v.Path == path {
			v.Current = f.current == path
			return v, true
		}
	}
	return desktop.AppView{}, false
}

// Apps is the recent list, newest first, then the demo.
func (f *FakeBackend) Apps() []desktop.AppView {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.initApps()
	out := make([]desktop.AppView, 0, len(f.recent)+1)
	for _, v := range f.recent {
		v.Current = v.Path == f.current
		out = append(out, v)
	}
	d, _ := f.view("")
	return append(out, d)
}

// CurrentApp is the app running now.
func (f *FakeBackend) CurrentApp() desktop.AppView {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.initApps()
	v, _ := f.view(f.current)
	return v
}

// OpenApp plays a switch: refused while another runs (as the shell's opener refuses it), the
// environment's build when it is not built yet (with progress and cancel), then only Streamlit
// restarts. Quarterly report fails with a syntax error.
func (f *FakeBackend) OpenApp(ctx context.Context, path string, opening func(name string)) error {
	f.record("OpenApp:" + path)
	f.mu.Lock()
	f.initApps()
	if f.ev == nil {
		f.mu.Unlock()
		return errors.New("the services are not started")
	}
	if f.opening != "" {
		busy := f.opening
		f.mu.Unlock()
		return fmt.Errorf("another app is opening (%s); wait until it runs", busy)
	}
	v, known := f.view(path)
	if !known {
		v = newApp(path)
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(f.ctx, cancel) // Stop ends a switch too
	f.opening, f.cancelOpen = v.Name, cancel
	ev := f.ev
	f.mu.Unlock()
	if opening != nil {
		opening(v.Name)
	}
	if v.Missing {
		f.mu.Lock()
		f.opening, f.cancelOpen = "", nil
		f.mu.Unlock()
		stop()
		cancel()
		return fmt.Errorf("%s no longer exists", path)
	}
	defer func() {
		stop()
		cancel()
		f.mu.Lock()
		f.opening, f.cancelOpen = "", nil
		f.mu.Unlock()
	}()

	if !v.EnvReady {
		if err := f.buildEnv(ctx, ev, v.Name); err != nil {
			return err
		}
		v.EnvReady = true
	}
	f.mu.Lock()
	f.cancelOpen = nil // Cancel is offered while the environment builds, not once Streamlit restarts
	f.mu.Unlock()
	return f.restartOn(ctx, ev, path, v)
}

// restartOn restarts Streamlit on the app at path, as a switch does.
func (f *FakeBackend) restartOn(ctx context.Context, ev desktop.Events, path string, v desktop.AppView) error {
	f.setState("streamlit", desktop.StateStopping, 0, "")
	f.line("streamlit", "stopping for "+v.Name)
	if !sleep(ctx, f.pace()) {
		return ctx.Err()
	}
	f.setState("streamlit", desktop.StateStarting, 0, "")
	f.line("streamlit", "starting "+v.Script)
	if !sleep(ctx, f.pace()) {
		return ctx.Err()
	}
	f.mu.Lock()
	f.current = path
	f.remember(v)
	cur, _ := f.view(path)
	f.mu.Unlock()
	if path == BrokenPath {
		f.failApp(cur)
		return fmt.Errorf("%s: the script exited with status 1", v.Script)
	}
	f.line("streamlit", "You can now view "+v.Name+" in your browser.")
	f.setState("streamlit", desktop.StateReady, 0, "")
	ev.App(cur)
	return nil
}

// buildEnv shows a project's environment being built (Cancel ends it).
func (f *FakeBackend) buildEnv(ctx context.Context, ev desktop.Events, name string) error {
	defer ev.Progress(desktop.ProgressView{Done: true})
	pkgs := []string{"numpy", "pandas", "scikit-learn", "scipy", "streamlit", "desklit-auth"}
	ev.Progress(desktop.ProgressView{App: name, Step: "Resolving the project's packages", Message: "From uv.lock"})
	if !sleep(ctx, 2*f.pace()) {
		return ctx.Err()
	}
	for i, p := range pkgs {
		ev.Progress(desktop.ProgressView{App: name, Step: "Installing packages", Package: p, N: i + 1, Total: len(pkgs),
			Percent: float64(i+1) / float64(len(pkgs)) * 100, Message: "From the shared cache (offline)"})
		if !sleep(ctx, f.pace()) {
			return ctx.Err()
		}
	}
	return nil
}

// failApp reports the broken app's syntax error as the real backend does: Streamlit failed,
// its last lines as the detail.
func (f *FakeBackend) failApp(v desktop.AppView) {
	lines := []string{
		`  File "` + v.Script + `", line 14`,
		`    st.metric("Revenue", total`,
		`                        ^`,
		`SyntaxError: '(' was never closed`,
	}
	for _, l := range lines {
		f.line("streamlit", l)
	}
	logs := f.Logs("streamlit")
	f.setState("streamlit", desktop.StateFailed, 0, "exited with status 1")
	f.ev.App(v) // it is the current app, failed: Retry starts it again
	f.ev.Error(desktop.ErrorView{Kind: desktop.ErrAppFailed, Service: "streamlit",
		Title:   v.Name + " could not start",
		Message: "Its script stopped with an error before showing anything.",
		Detail:  strings.Join(logs[max(0, len(logs)-len(lines)):], "\n"),
		Actions: []string{desktop.ActRetry, desktop.ActShowLogs, desktop.ActOpenApp}})
}

// remember puts v first in the recent list (the demo is not in it); the caller holds f.mu.
func (f *FakeBackend) remember(v desktop.AppView) {
	v.LastOpened, v.Current = time.Now(), false
	if v.Demo {
		f.demo = v
		return
	}
	f.recent = slices.DeleteFunc(f.recent, func(x desktop.AppView) bool { return x.Path == v.Path })
	f.recent = append([]desktop.AppView{v}, f.recent...)
	if len(f.recent) > maxRecent {
		f.recent = f.recent[:maxRecent]
	}
}

// newApp is a project opened for the first time: named after its folder or script.
func newApp(path string) desktop.AppView {
	script := path
	if !strings.HasSuffix(path, ".py") {
		script = filepath.Join(path, "streamlit_app.py")
	}
	return desktop.AppView{Name: strings.TrimSuffix(filepath.Base(path), ".py"), Path: path, Script: script}
}
