package appwindow

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/desklit/desklit/app/authflow"
	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/shell"
	"github.com/desklit/desklit/app/supervisor"
	"github.com/desklit/desklit/app/windowapi"
)

func TestProgressViewIsInAUsersWords(t *testing.T) {
	tests := []struct {
		in       pyruntime.Progress
		wantStep string
		wantN    int
	}{
		{pyruntime.Progress{Step: pyruntime.StepVenv}, "Creating the Python environment", 0},
		{pyruntime.Progress{Step: pyruntime.StepResolve}, "Resolving the dependencies", 0},
		{pyruntime.Progress{Step: pyruntime.StepInstall, Package: "streamlit", N: 28, Total: 34, Percent: 40}, "Unpacking packages", 28},
		{pyruntime.Progress{Step: pyruntime.StepInstall, N: 34, Total: 34, Percent: 50, Message: "installing 34 packages"}, "Installing 34 packages", 0},
		{pyruntime.Progress{Step: pyruntime.StepInstall, N: 34, Total: 34, Percent: 90}, "Packages installed", 0},
		{pyruntime.Progress{Step: pyruntime.StepReady}, "Ready", 0},
	}
	for _, tt := range tests {
		got := progressView(tt.in)
		if got.Step != tt.wantStep || got.N != tt.wantN {
			t.Errorf("progressView(%+v) = %+v, want step %q n %d", tt.in, got, tt.wantStep, tt.wantN)
		}
	}
}

func TestClassify(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		return map[string]string{"XDG_STATE_HOME": dir, "XDG_DATA_HOME": dir, "XDG_CONFIG_HOME": dir}[k]
	}
	paths := config.PathsFrom(getenv)
	cfg, err := config.Load(nil, getenv, paths.Config)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b := New(shell.New(shell.Options{Config: cfg, Paths: paths, Logger: log}), paths, log)

	api := b.classify(fmt.Errorf("start: %w", &supervisor.PortInUseError{Service: "api", Port: 8888, PID: 42, Name: "python3", Cmdline: "python3 -m http.server 8888"}))
	if api.Kind != windowapi.ErrPortInUse || api.Service != "api" || !strings.Contains(api.Message, "python3 (pid 42)") || !strings.Contains(api.Message, "protected API") {
		t.Errorf("api conflict: %+v", api)
	}
	if len(api.Actions) == 0 || !strings.HasPrefix(api.Actions[0], windowapi.ActUsePort+":") {
		t.Errorf("api conflict offers no other port: %v", api.Actions)
	}
	for _, a := range api.Actions {
		for _, taken := range cfg.Ports() {
			if a == fmt.Sprintf("%s:%d", windowapi.ActUsePort, taken) {
				t.Errorf("offered port %d, which another setting uses", taken)
			}
		}
	}
	idp := b.classify(&supervisor.PortInUseError{Service: "idp", Port: 9010, Name: "nc", PID: 7})
	for _, a := range idp.Actions {
		if strings.HasPrefix(a, windowapi.ActUsePort) {
			t.Errorf("the dev IdP cannot move, but %q was offered", a)
		}
	}
	np := b.classify(&pyruntime.NoPythonError{GOOS: "linux"})
	if np.Kind != windowapi.ErrNoPython {
		t.Errorf("no python: %+v", np)
	}
	script := b.classify(fmt.Errorf("open: %w", &shell.ScriptError{Name: "Sales", Script: "/p/app.py", Output: "SyntaxError: '(' was never closed"}))
	if script.Kind != windowapi.ErrAppFailed || script.Title != "Sales could not start" || !strings.Contains(script.Detail, "SyntaxError") ||
		strings.Join(script.Actions, ",") != "retry,show_logs,open_app" {
		t.Errorf("script error: %+v", script)
	}
	missing := b.classify(&pyruntime.NotFoundError{Package: "plotly", Name: "Sales", Wheels: "/p/wheels", Offline: true})
	if missing.Kind != windowapi.ErrRuntimeBuild || !strings.Contains(missing.Message, "plotly") || !strings.Contains(missing.Message, "/p/wheels") {
		t.Errorf("missing package: %+v", missing)
	}
	if missing.Folder != filepath.Dir("/p/wheels") || !slices.Contains(missing.Actions, windowapi.ActOpenFolder) { // \p on Windows
		t.Errorf("missing package: no folder to put the wheel in: %+v", missing)
	}
	conflict := b.classify(fmt.Errorf("start: %w", &pyruntime.ResolveError{Name: "Sales", File: "/p/requirements.txt",
		Explanation:  "Because you require pandas==2.2.3 and streamlit==1.51.0 depends on pandas<2.2, we can conclude that your requirements are unsatisfiable.",
		Requirements: []pyruntime.Requirement{{Text: "pandas==2.2.3", File: "/p/requirements.txt", Line: 2}, {Text: "streamlit==1.51.0", File: "/p/requirements.txt", Line: 7}}}))
	if conflict.Kind != windowapi.ErrDependencies || !strings.HasPrefix(conflict.Message, "Because you require pandas==2.2.3") ||
		!strings.Contains(conflict.Detail, "pandas==2.2.3 (requirements.txt line 2)") || !strings.Contains(conflict.Detail, "streamlit==1.51.0 (requirements.txt line 7)") ||
		strings.Join(conflict.Actions, ",") != "edit_deps,open_folder,reopen" || conflict.File != "/p/requirements.txt" || conflict.Folder != filepath.Dir("/p/requirements.txt") {
		t.Errorf("conflict: %+v", conflict)
	}
	choose := b.classify(&project.NoScriptError{Dir: "/p/hello", Candidates: []string{"0_👋_Hello.py", "explore.py"}})
	if choose.Kind != windowapi.ErrChooseScript || choose.Folder != "/p/hello" || strings.Join(choose.Actions, ",") != "script:0_👋_Hello.py,script:explore.py,open_app" {
		t.Errorf("several scripts: %+v", choose)
	}
	frozen := b.classify(fmt.Errorf("start: %w", &pyruntime.SourceBuildError{Name: "Demo", Package: "pandas==1.1.5", Python: "3.11.7",
		Pinned:    &pyruntime.Requirement{Text: "pandas==1.1.5", File: "/p/requirements.txt", Line: 4},
		FrozenFor: "3.6.12", FrozenFile: "/p/runtime.txt", Err: errors.New("Failed to build `pandas==1.1.5`")}))
	if frozen.Kind != windowapi.ErrDependencies || frozen.Title != "pandas 1.1.5 could not be installed" || frozen.File != "/p/requirements.txt" ||
		!strings.Contains(frozen.Message, "Demo needs pandas==1.1.5 (requirements.txt line 4), which has no wheel for Python 3.11") || !strings.Contains(frozen.Message, "made for Python 3.6.12 (runtime.txt)") ||
		!strings.Contains(frozen.Message, "pandas>=1.1.5") || strings.Join(frozen.Actions, ",") != "edit_deps,open_folder,reopen" ||
		frozen.Detail != "" {
		t.Errorf("a pin that did not build from its source: %+v", frozen)
	}
	git := b.classify(fmt.Errorf("start: %w", &pyruntime.GitFetchError{Name: "Graphs", Repository: "https://github.com/o/mock.git",
		Requirement: &pyruntime.Requirement{Text: "git+https://github.com/o/mock.git", File: "/p/requirements.txt", Line: 2},
		Reason:      "Could not resolve host: github.com", Wheels: "/p/wheels"}))
	if git.Kind != windowapi.ErrDependencies || git.File != "/p/requirements.txt" || strings.Join(git.Actions, ",") != "edit_deps,open_folder,reopen" ||
		!strings.Contains(git.Message, "Graphs needs git+https://github.com/o/mock.git (requirements.txt line 2), which is installed from its Git repository, "+
			"and the repository could not be fetched (git: Could not resolve host: github.com): connect to the internet") {
		t.Errorf("a Git dependency not fetched: %+v", git)
	}
	source := b.classify(&pyruntime.SourceUnreachableError{Name: "Kman", URL: "https://wheels.internal.example/simple/", File: "/p/requirements.txt", Reason: "dns error"})
	if source.Kind != windowapi.ErrDependencies || source.File != "/p/requirements.txt" || !strings.Contains(source.Message, "name the package source https://wheels.internal.example/simple/, which could not be reached (dns error)") {
		t.Errorf("a project's source not reached: %+v", source)
	}
	noGit := b.classify(&pyruntime.GitFetchError{Name: "Graphs", Repository: "https://github.com/o/mock.git", NoGit: true})
	if noGit.Kind != windowapi.ErrRuntimeBuild || !strings.Contains(noGit.Message, "Git is not installed: install Git") ||
		strings.Join(noGit.Actions, ",") != "retry,open_logs" {
		t.Errorf("no Git: %+v", noGit)
	}
	build := b.classify(fmt.Errorf("start: %w", &pyruntime.BuildError{Step: "install the packages", Err: errors.New("uv failed")}))
	if build.Kind != windowapi.ErrRuntimeBuild {
		t.Errorf("build error: %+v", build)
	}
	if words := b.classify(errors.New("the runtime said pip")); words.Kind != windowapi.ErrOther {
		t.Errorf("an error is classified by its type, not its words: %+v", words)
	}
	svc := b.classify(fmt.Errorf("start: %w", &shell.ServiceError{Name: "notes-api", Where: "/p/desklit.toml line 3",
		Err: errors.New("notes-api: not ready within 1m0s; last output:\nTraceback: ModuleNotFoundError: No module named 'flask'")}))
	if svc.Kind != windowapi.ErrAppFailed || svc.Service != "notes-api" || svc.Title != "notes-api could not start" ||
		!strings.Contains(svc.Message, "desklit.toml line 3") || !strings.Contains(svc.Detail, "No module named 'flask'") {
		t.Errorf("a service of the app that did not start: %+v", svc)
	}
	svcPort := b.classify(&shell.ServiceError{Name: "notes-api", Err: &supervisor.PortInUseError{Service: "notes-api", Port: 8123, PID: 7, Name: "nc"}})
	if svcPort.Kind != windowapi.ErrPortInUse || !strings.Contains(svcPort.Message, "the app's service notes-api") {
		t.Errorf("a service's port conflict: %+v", svcPort)
	}
	other := b.classify(errors.New("boom\nsecond line"))
	if other.Kind != windowapi.ErrOther || strings.Contains(other.Message, "boom") || other.Detail != "boom\nsecond line" {
		t.Errorf("other: a raw Go error must not be the message, only the detail: %+v", other)
	}
}

// TestSessionErrorView: a failed sign-in shows our sentence for our own errors and never Go's
// words in the message (they go to the collapsed details, for an error that is not ours).
func TestSessionErrorView(t *testing.T) {
	cancelled := sessionError(session.Change{Kind: session.Error, Message: "Sign-in did not complete.",
		Err: fmt.Errorf("login: wait for the callback: %w", authflow.ErrCancelled)})
	if cancelled.Message != "Sign-in did not complete: sign-in cancelled." || cancelled.Detail != "" {
		t.Errorf("cancelled sign-in: %+v", cancelled)
	}
	network := sessionError(session.Change{Kind: session.Error, Message: "Sign-in did not complete.",
		Err: errors.New(`Post "http://127.0.0.1:9/token": dial tcp 127.0.0.1:9: connect: connection refused`)})
	if strings.Contains(network.Message, "dial tcp") || !strings.Contains(network.Message, "Sign-in did not complete.") ||
		!strings.Contains(network.Message, "log") || !strings.Contains(network.Detail, "connection refused") {
		t.Errorf("network failure: %+v", network)
	}
	if v := sessionError(session.Change{Kind: session.Error, Message: "The stored session could not be read, so you are signed out. Sign in again."}); v.Detail != "" || v.Kind != windowapi.ErrOther {
		t.Errorf("no cause: %+v", v)
	}
}
