// Package windowapi is the window's contract with the rest of Desklit, in plain Go: what the
// window shows (the views, and the constants the frontend shares: Contract), what it hears
// (Events) and what it asks (Backend). app/desktop, the one package that imports Wails, draws it;
// app/appwindow implements Backend on the shell. Neither of the two imports the other: app/window
// wires them, so a request from the window goes down into the shell without a call back up into
// a package that imports its caller.
package windowapi

import (
	"context"
	"time"
)

// Service states as the window shows them.
const (
	StateStarting = "Starting"
	StateReady    = "Ready"
	// StateUnhealthy: it was Ready, then stopped answering its health check; it is being
	// restarted.
	StateUnhealthy = "Unhealthy"
	StateBackoff   = "Backoff"
	StateFailed    = "Failed"
	StateStopping  = "Stopping"
	StateStopped   = "Stopped"
)

// Error kinds the window knows how to explain.
const (
	ErrPortInUse    = "port_in_use"
	ErrNoPython     = "no_python"
	ErrCrashLoop    = "crash_loop"
	ErrRuntimeBuild = "runtime_build"
	ErrAppFailed    = "app_failed" // the app's script failed (e.g. a syntax error); Detail: its last log lines
	// ErrDependencies: the app's requirements conflict. Message: the resolver's explanation;
	// Detail: the requirements it names, each with its file and line; File: the dependency file.
	ErrDependencies = "dependencies"
	// ErrChooseScript: the app's folder holds several scripts; the actions are "script:<name>".
	ErrChooseScript = "choose_script"
	ErrOther        = "other"
)

// Actions an ErrorView may offer. Parameterised ones carry a suffix: "restart:<service>",
// "use_port:<port>" (for ErrorView.Service).
const (
	ActRetry    = "retry"     // Backend.RetryStart
	ActRestart  = "restart"   // "restart:<service>" → Backend.RestartService
	ActUsePort  = "use_port"  // "use_port:<n>" → Backend.UsePort(ErrorView.Service, n)
	ActOpenLogs = "open_logs" // opens the log folder
	ActShowLogs = "show_logs" // handled by the UI: the logs view
	ActQuit     = "quit"      // quits the app
	ActDismiss  = "dismiss"   // handled by the UI: hides a banner
	ActOpenApp  = "open_app"  // the Open App chooser (App.ChooseApp)
	// ActReopen opens the app that failed again (after the user changed its files): as ActRetry.
	ActReopen     = "reopen"
	ActOpenFolder = "open_folder" // shows ErrorView.Folder in the file manager
	ActEditDeps   = "edit_deps"   // opens ErrorView.File with the system's editor for it
	// ActScript is "script:<path>": opens that script of ErrorView.Folder (ErrChooseScript), a
	// file of the folder or of a folder in it ("src/app.py").
	ActScript = "script"
)

// ServiceView is one supervised service as the window shows it.
type ServiceView struct {
	Name       string  `json:"name"`
	State      string  `json:"state"` // one of the State* constants
	URL        string  `json:"url"`
	PID        int     `json:"pid"`
	Restarts   int     `json:"restarts"`
	CPUPercent float64 `json:"cpuPercent"`
	RSSBytes   uint64  `json:"rssBytes"`
	// CPUHigh: CPU stayed high for a while (e.g. > 90 % for 30 s); the window offers a restart.
	CPUHigh   bool   `json:"cpuHigh"`
	LastError string `json:"lastError"`
	Reason    string `json:"reason"` // LastError in one line
}

// SessionView is who is signed in; never a token.
type SessionView struct {
	SignedIn bool      `json:"signedIn"`
	Name     string    `json:"name"`
	Email    string    `json:"email"`
	Sub      string    `json:"sub"`
	Expiry   time.Time `json:"expiry"`
	// StoreWarning is set when the session cannot be kept in the OS keyring (held in memory).
	StoreWarning string `json:"storeWarning"`
}

// ProgressView is the first-run runtime build, or the build of a project's environment.
type ProgressView struct {
	// App is the name of the project whose environment is being built ("" for Desklit's own runtime).
	App     string  `json:"app"`
	Step    string  `json:"step"`
	Package string  `json:"package"`
	N       int     `json:"n"`
	Total   int     `json:"total"`
	Percent float64 `json:"percent"`
	Message string  `json:"message"`
	// Done hides the progress screen.
	Done bool `json:"done"`
}

// ErrorView is an error a user can act on: plain words, never a stack trace.
// An ErrorView with an empty Kind clears the error shown.
type ErrorView struct {
	Kind    string `json:"kind"` // one of the Err* constants
	Title   string `json:"title"`
	Message string `json:"message"`
	// Detail is shown as text (e.g. the last log lines of a crash loop), collapsed for "other".
	Detail string `json:"detail"`
	// Service is the service concerned (port_in_use, crash_loop), if any.
	Service string `json:"service"`
	// Actions are offered as buttons, in order (see the Act* constants).
	Actions []string `json:"actions"`
	// Folder and File are what ActOpenFolder, ActEditDeps and ActScript act on: set by the
	// backend, never taken from the page.
	Folder string `json:"folder,omitempty"`
	File   string `json:"file,omitempty"`
}

// AppView is a Streamlit project the window can open: the one running, or one of the recent ones.
type AppView struct {
	Name       string    `json:"name"`       // desklit.toml name, else the folder's (or script's) name; "Desklit demo" for the demo
	Path       string    `json:"path"`       // the folder or .py file as opened; "" for the bundled demo
	Script     string    `json:"script"`     // the script that runs (absolute)
	LastOpened time.Time `json:"lastOpened"` // zero for the demo when never opened
	Missing    bool      `json:"missing"`    // the path no longer exists (shown, not openable)
	EnvReady   bool      `json:"envReady"`   // its Python environment is built (opening it takes seconds)
	Current    bool      `json:"current"`    // the app running now
	Demo       bool      `json:"demo"`
	// Services are the supervised services Desklit runs for the app, in the window's order
	// (Streamlit, the component, the demo API unless the app's own services replace it, then
	// those): Services › Restart lists them. Empty: desktop.Options.Services.
	Services []string `json:"services,omitempty"`
}

// PackageTarget is a system File › Package App… can make installers for.
type PackageTarget struct {
	Name      string `json:"name"`  // "linux", "windows", "macos"
	Label     string `json:"label"` // "Linux (.deb, .rpm, .tar.gz)"
	Host      bool   `json:"host"`  // this system (checked at first)
	Available bool   `json:"available"`
	// Note says why it is not available ("needs Desklit's Windows binaries (make dist)"), or what
	// to know about it when it is ("no NSIS here: the portable zip only").
	Note string `json:"note"`
}

// PackageRequest is what the Package view asks for.
type PackageRequest struct {
	Targets []string `json:"targets"` // PackageTarget names
	OutDir  string   `json:"outDir"`  // "" = Desklit's packages folder
}

// PackageResult is what a packaging made.
type PackageResult struct {
	Artefacts []string `json:"artefacts"` // the installers and archives (absolute paths)
	LeftOut   []string `json:"leftOut"`   // project files not packaged: they look like secrets
	OutDir    string   `json:"outDir"`    // the folder they are in
}

// Events is how the Backend reports to the window. Calls may come from any goroutine.
type Events interface {
	Services([]ServiceView)
	Session(SessionView)
	Progress(ProgressView)
	Error(ErrorView)
	LogLine(service, line string)
	// App: the current app changed (sent at start and after each switch). The window then
	// reads Backend.Apps on a goroutine of its own, so App may be called with a lock held.
	App(AppView)
}

// Backend is what the window drives: the supervisor, the session and the runtime builder behind
// one small interface (the integrator writes the adapter).
type Backend interface {
	// Start builds the runtime and starts the services, reporting through ev until ctx ends.
	// It may return before the services are ready.
	Start(ctx context.Context, ev Events) error
	// Stop stops every service; it must return when ctx ends.
	Stop(ctx context.Context) error
	Login(ctx context.Context) error
	Logout(ctx context.Context) error
	RestartService(ctx context.Context, name string) error
	// Logs is the service's ring buffer, oldest first.
	Logs(name string) []string
	// StreamlitURL includes ?desklit_token=<launch secret>.
	StreamlitURL() string
	// Diagnostics is a zip (or text) of logs, effective configuration and versions, tokens redacted.
	Diagnostics() ([]byte, error)
	LogDir() string
	Versions() map[string]string
	CancelStart()
	RetryStart(ctx context.Context) error
	UsePort(service string, port int) error
	// Apps is the recent apps, newest first, at most 10, plus the demo (last, Demo=true); the
	// current one has Current=true. Also called before Start (the menu and the title need it).
	Apps() []AppView
	// OpenApp switches to the project at path (a folder or a .py file; "" = the bundled demo).
	// The Backend decides whether it may: a refusal (a packaged app; another switch runs) returns
	// at once with the message to show, before opening is called. Once accepted, opening (when
	// not nil) hears the app's name; OpenApp returns once the new app's Streamlit is Ready, or
	// with the error (also reported through Events.Error / Progress as during start-up). Only the
	// Streamlit service restarts; the session stays signed in.
	OpenApp(ctx context.Context, path string, opening func(name string)) error
	// CurrentApp is the app running (or starting) now; also called before Start.
	CurrentApp() AppView
	// PackageTargets are the systems the current project can be packaged for here, this
	// system's first; one whose Desklit binaries are not found has Available=false and a Note.
	PackageTargets() []PackageTarget
	// Package makes the current project into installers (not the demo's): a line per step to
	// progress, then what was made. It returns when the packages are written or ctx ends.
	Package(ctx context.Context, req PackageRequest, progress func(line string)) (PackageResult, error)
}

// Contract is the window's vocabulary shared with the frontend, by constant name (without its
// Act/Err/State prefix): frontend/src/contract.ts is generated from it, and TestFrontendContract
// fails when the two disagree (`go test ./app/windowapi -run TestFrontendContract -update`
// writes it again).
var Contract = struct{ Actions, Errors, States map[string]string }{
	Actions: map[string]string{
		"Retry": ActRetry, "Restart": ActRestart, "UsePort": ActUsePort, "OpenLogs": ActOpenLogs,
		"ShowLogs": ActShowLogs, "Quit": ActQuit, "Dismiss": ActDismiss, "OpenApp": ActOpenApp,
		"Reopen": ActReopen, "OpenFolder": ActOpenFolder, "EditDeps": ActEditDeps, "Script": ActScript,
	},
	Errors: map[string]string{
		"PortInUse": ErrPortInUse, "NoPython": ErrNoPython, "CrashLoop": ErrCrashLoop, "RuntimeBuild": ErrRuntimeBuild,
		"AppFailed": ErrAppFailed, "Dependencies": ErrDependencies, "ChooseScript": ErrChooseScript, "Other": ErrOther,
	},
	States: map[string]string{
		"Starting": StateStarting, "Ready": StateReady, "Unhealthy": StateUnhealthy, "Backoff": StateBackoff,
		"Failed": StateFailed, "Stopping": StateStopping, "Stopped": StateStopped,
	},
}
