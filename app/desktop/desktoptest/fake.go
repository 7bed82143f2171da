// Package desktoptest has a FakeBackend for the desktop window: scripted services, session,
// first-run progress and errors, so that the real window can run (and be screenshotted)
// without the supervisor, the session manager or a Python runtime.
package desktoptest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/desklit/desklit/app/desktop"
)

// Scenarios a FakeBackend can play.
const (
	Ready        = "ready"         // services start and become ready
	SignedIn     = "signedin"      // ready, with a signed-in user
	FirstRun     = "firstrun"      // the runtime build's progress, then ready
	PortInUse    = "port_in_use"   // a foreign process holds the API's port
	NoPython     = "no_python"     // no Python found
	NoKeyring    = "no_keyring"    // ready and signed in, but the session is held in memory
	CrashLoop    = "crash_loop"    // the API keeps crashing
	RuntimeBuild = "runtime_build" // the runtime build fails half-way
	Other        = "other"         // an unexpected error with raw detail
	AppFailed    = "app_failed"    // the current app (Quarterly report) has a syntax error
	Dependencies = "dependencies"  // the app's requirements conflict
	ChooseScript = "choose_script" // the app's folder holds several scripts
)

// HelloPath is the folder of ChooseScript's app (Streamlit's docs' multipage layout).
const HelloPath = "/home/ada/streamlit-hello"

// FakeBackend implements desktop.Backend. Zero values are usable; set AppURL to a page the
// frame can load, and Pace to speed the script up (tests) or slow it down (screenshots).
type FakeBackend struct {
	Scenario string
	AppURL   string
	LogPath  string
	Pace     time.Duration // the delay between scripted steps; 150 ms when zero
	// StopDelay makes Stop take this long (to test the close timeout).
	StopDelay time.Duration
	// Recent is the recent apps at start (newest first, without the demo); nil = a few samples
	// (SalesPath, ChurnPath, BrokenPath, OldPath), empty = none.
	Recent []desktop.AppView
	// Current is the path of the app running at start ("" = the demo), one of Recent's.
	Current string

	mu       sync.Mutex
	ev       desktop.Events
	ctx      context.Context
	services []desktop.ServiceView
	session  desktop.SessionView
	logs     map[string][]string
	calls    []string
	stopped  chan struct{}
	stopOnce sync.Once

	appsReady  bool
	recent     []desktop.AppView
	demo       desktop.AppView
	current    string             // the current app's path, "" = the demo
	opening    string             // the name of the app OpenApp opens ("" when none)
	cancelOpen context.CancelFunc // set while OpenApp builds an environment
}

var names = []string{"streamlit", "component", "api"}

func (f *FakeBackend) record(c string) {
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
}

// Calls lists the Backend methods called, in order (with their argument where there is one).
func (f *FakeBackend) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// Stopped is closed when Stop has been called.
func (f *FakeBackend) Stopped() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped == nil {
		f.stopped = make(chan struct{})
	}
	return f.stopped
}

func (f *FakeBackend) pace() time.Duration {
	if f.Pace > 0 {
		return f.Pace
	}
	return 150 * time.Millisecond
}

// sleep waits d or until ctx ends; false means stop the script.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (f *FakeBackend) Start(ctx context.Context, ev desktop.Events) error {
	f.record("Start")
	f.mu.Lock()
	f.ev, f.ctx = ev, ctx
	f.logs = map[string][]string{}
	f.mu.Unlock()
	f.Stopped() // make the channel before anyone waits on it
	ev.App(f.CurrentApp())
	go f.play(ctx, f.Scenario)
	return nil
}

func (f *FakeBackend) play(ctx context.Context, scenario string) {
	if e, ok := scriptedErrors[scenario]; ok {
		if e.running {
			f.startServices(ctx, false, "")
		}
		f.ev.Error(e.view)
		return
	}
	switch scenario {
	case FirstRun, RuntimeBuild:
		f.playBuild(ctx, scenario == RuntimeBuild)
	case CrashLoop:
		f.startServices(ctx, false, "")
		if !sleep(ctx, 2*f.pace()) {
			return
		}
		f.setState("api", desktop.StateFailed, 5, "exited with status 1 five times in 60 s")
		f.ev.Error(desktop.ErrorView{Kind: desktop.ErrCrashLoop, Service: "api",
			Title:   "The API keeps stopping",
			Message: "The API stopped 5 times in a minute (exit status 1), so Desklit stopped restarting it.",
			Detail:  "12:01:07 starting api on 127.0.0.1:8888\n12:01:07 loading signing keys from http://127.0.0.1:9010/jwks\n12:01:08 error: jwks: connection refused\n12:01:08 exiting with status 1",
			Actions: []string{"restart:api", desktop.ActShowLogs, desktop.ActOpenLogs}})
	case AppFailed:
		f.startServices(ctx, true, "streamlit")
		if sleep(ctx, f.pace()) {
			f.failApp(f.CurrentApp())
		}
	default:
		f.startServices(ctx, scenario == SignedIn || scenario == NoKeyring, "")
		if scenario == NoKeyring {
			f.mu.Lock()
			f.session.StoreWarning = "No Secret Service is running, so the session is kept in memory."
			s := f.session
			f.mu.Unlock()
			f.ev.Session(s)
		}
	}
}

// playBuild shows the runtime's first build, package by package; broken stops it half-way.
func (f *FakeBackend) playBuild(ctx context.Context, broken bool) {
	pkgs := []string{"altair", "numpy", "pandas", "pyarrow", "protobuf", "requests", "streamlit", "tornado", "watchdog", "desklit-host"}
	f.ev.Progress(desktop.ProgressView{Step: "Creating the Python environment", Message: "Using Python 3.11.7"})
	if !sleep(ctx, 2*f.pace()) {
		return
	}
	for i, p := range pkgs {
		if broken && i == 6 {
			f.ev.Error(desktop.ErrorView{Kind: desktop.ErrRuntimeBuild,
				Message: "Installing streamlit did not finish: the package archive in the wheelhouse is damaged.",
				Detail:  "pip exited with status 1\nERROR: Wheel 'streamlit' located at wheelhouse/streamlit-1.51.0-py3-none-any.whl is invalid.",
				Actions: []string{desktop.ActRetry, desktop.ActOpenLogs}})
			return
		}
		f.ev.Progress(desktop.ProgressView{Step: "Installing packages", Package: p, N: i + 1, Total: len(pkgs),
			Percent: float64(i+1) / float64(len(pkgs)) * 100, Message: "From the bundled wheelhouse (offline)"})
		if !sleep(ctx, f.pace()) {
			return
		}
	}
	f.ev.Progress(desktop.ProgressView{Done: true})
	f.startServices(ctx, false, "")
}

// startServices starts the three services; the one named notReady stays Starting.
func (f *FakeBackend) startServices(ctx context.Context, signIn bool, notReady string) {
	f.mu.Lock()
	f.services = nil
	for i, n := range names {
		f.services = append(f.services, desktop.ServiceView{Name: n, State: desktop.StateStarting,
			URL: fmt.Sprintf("http://127.0.0.1:%d", []int{4010, 3001, 8888}[i])})
	}
	f.mu.Unlock()
	f.publish()
	if signIn {
		f.signIn()
	} else {
		f.ev.Session(desktop.SessionView{})
	}
	for _, n := range []string{"api", "component", "streamlit"} {
		if n == notReady {
			continue
		}
		if !sleep(ctx, f.pace()) {
			return
		}
		f.line(n, "listening on "+f.urlOf(n))
		f.setState(n, desktop.StateReady, 0, "")
	}
	if notReady != "streamlit" {
		f.line("streamlit", "You can now view your Streamlit app in your browser.")
	}
}

func (f *FakeBackend) urlOf(name string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.services {
		if s.Name == name {
			return s.URL
		}
	}
	return ""
}

func (f *FakeBackend) setState(name, state string, restarts int, lastErr string) {
	f.mu.Lock()
	for i := range f.services {
		s := &f.services[i]
		if s.Name != name {
			continue
		}
		s.State, s.Restarts, s.LastError = state, restarts, lastErr
		s.PID, s.CPUPercent, s.RSSBytes = 0, 0, 0
		if state == desktop.StateReady {
			s.PID = 40000 + i*17
			s.CPUPercent = []float64{1.4, 0.2, 0.1}[i%3]
			s.RSSBytes = []uint64{142 << 20, 18 << 20, 14 << 20}[i%3]
		}
	}
	f.mu.Unlock()
	f.publish()
}

func (f *FakeBackend) publish() {
	f.mu.Lock()
	s := slices.Clone(f.services)
	ev := f.ev
	f.mu.Unlock()
	if ev != nil {
		ev.Services(s)
	}
}

func (f *FakeBackend) line(service, text string) {
	l := time.Now().Format("15:04:05") + " " + text
	f.mu.Lock()
	f.logs[service] = append(f.logs[service], l)
	ev := f.ev
	f.mu.Unlock()
	if ev != nil {
		ev.LogLine(service, l)
	}
}

func (f *FakeBackend) signIn() {
	f.mu.Lock()
	f.session = desktop.SessionView{SignedIn: true, Name: "Ada Lovelace", Email: "ada@example.com", Sub: "dev|ada",
		Expiry: time.Now().Add(50 * time.Minute).Truncate(time.Minute), StoreWarning: f.session.StoreWarning}
	s := f.session
	f.mu.Unlock()
	f.ev.Session(s)
}

func (f *FakeBackend) Stop(ctx context.Context) error {
	f.record("Stop")
	f.Stopped()
	defer f.stopOnce.Do(func() { f.mu.Lock(); close(f.stopped); f.mu.Unlock() })
	if f.StopDelay > 0 && !sleep(ctx, f.StopDelay) {
		return ctx.Err()
	}
	return nil
}

func (f *FakeBackend) Login(ctx context.Context) error {
	f.record("Login")
	if !sleep(ctx, 3*f.pace()) {
		return ctx.Err()
	}
	f.signIn()
	f.line("component", "session changed: signed in as ada@example.com")
	return nil
}

func (f *FakeBackend) Logout(ctx context.Context) error {
	f.record("Logout")
	f.mu.Lock()
	f.session = desktop.SessionView{StoreWarning: f.session.StoreWarning}
	s := f.session
	f.mu.Unlock()
	f.ev.Session(s)
	f.line("component", "session changed: signed out")
	return nil
}

func (f *FakeBackend) RestartService(ctx context.Context, name string) error {
	f.record("RestartService:" + name)
	if f.urlOf(name) == "" {
		return fmt.Errorf("no service named %q", name)
	}
	f.setState(name, desktop.StateStarting, 0, "")
	f.line(name, "restarting")
	go func() {
		if sleep(f.ctx, f.pace()) {
			f.setState(name, desktop.StateReady, 0, "")
			f.line(name, "listening on "+f.urlOf(name))
		}
	}()
	return nil
}

func (f *FakeBackend) Logs(name string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.logs[name])
}

func (f *FakeBackend) StreamlitURL() string {
	if f.AppURL == "" {
		return "http://127.0.0.1:4010/?desklit_token=fake-launch-secret"
	}
	return f.AppURL
}

func (f *FakeBackend) Diagnostics() ([]byte, error) {
	return []byte("desklit diagnostics (fake)\nversions: fake\n"), nil
}

func (f *FakeBackend) LogDir() string {
	if f.LogPath == "" {
		return "/tmp"
	}
	return f.LogPath
}

func (f *FakeBackend) Versions() map[string]string {
	return map[string]string{"desklit": "0.1.0-dev (fake backend)", "go": "go1.26", "wails": "v2.16.0", "python": "3.11.7", "streamlit": "1.51.0"}
}

func (f *FakeBackend) CancelStart() {
	f.record("CancelStart")
	f.mu.Lock()
	cancelOpen := f.cancelOpen
	f.mu.Unlock()
	if cancelOpen != nil { // a switch is building an environment: the running app stays
		cancelOpen()
		return
	}
	f.ev.Progress(desktop.ProgressView{Done: true})
	f.ev.Error(desktop.ErrorView{Kind: desktop.ErrRuntimeBuild, Title: "Setup cancelled",
		Message: "You cancelled setting up the Python runtime. Desklit needs it to run the app.",
		Actions: []string{desktop.ActRetry, desktop.ActQuit}})
}

func (f *FakeBackend) RetryStart(ctx context.Context) error {
	f.record("RetryStart")
	go f.play(f.ctx, Ready)
	return nil
}

func (f *FakeBackend) UsePort(service string, port int) error {
	f.record(fmt.Sprintf("UsePort:%s:%d", service, port))
	go f.play(f.ctx, Ready)
	return nil
}
