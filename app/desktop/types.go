// Package desktop is the desktop window: the one Go package that imports Wails. It shows the
// Streamlit app, the session, the services' states, their logs, the first-run progress and
// errors a user can act on. It knows nothing of the supervisor, the session manager or the
// runtime builder: it asks the small Backend interface and hears Events, both declared in
// app/windowapi, which app/appwindow implements on the shell.
package desktop

import (
	"io/fs"
	"log/slog"
	"time"

	"github.com/desklit/desklit/app/windowapi"
)

// The window's contract lives in app/windowapi (plain Go, shared with app/appwindow); the
// desktop names it as its own so that the window's code and tests read unqualified.
type (
	ServiceView    = windowapi.ServiceView
	SessionView    = windowapi.SessionView
	ProgressView   = windowapi.ProgressView
	ErrorView      = windowapi.ErrorView
	AppView        = windowapi.AppView
	PackageTarget  = windowapi.PackageTarget
	PackageRequest = windowapi.PackageRequest
	PackageResult  = windowapi.PackageResult
	Events         = windowapi.Events
	Backend        = windowapi.Backend
)

const (
	StateStarting   = windowapi.StateStarting
	StateReady      = windowapi.StateReady
	StateUnhealthy  = windowapi.StateUnhealthy
	StateBackoff    = windowapi.StateBackoff
	StateFailed     = windowapi.StateFailed
	StateStopping   = windowapi.StateStopping
	StateStopped    = windowapi.StateStopped
	ErrPortInUse    = windowapi.ErrPortInUse
	ErrNoPython     = windowapi.ErrNoPython
	ErrCrashLoop    = windowapi.ErrCrashLoop
	ErrRuntimeBuild = windowapi.ErrRuntimeBuild
	ErrAppFailed    = windowapi.ErrAppFailed
	ErrDependencies = windowapi.ErrDependencies
	ErrChooseScript = windowapi.ErrChooseScript
	ErrOther        = windowapi.ErrOther
	ActRetry        = windowapi.ActRetry
	ActRestart      = windowapi.ActRestart
	ActUsePort      = windowapi.ActUsePort
	ActOpenLogs     = windowapi.ActOpenLogs
	ActShowLogs     = windowapi.ActShowLogs
	ActQuit         = windowapi.ActQuit
	ActDismiss      = windowapi.ActDismiss
	ActOpenApp      = windowapi.ActOpenApp
	ActReopen       = windowapi.ActReopen
	ActOpenFolder   = windowapi.ActOpenFolder
	ActEditDeps     = windowapi.ActEditDeps
	ActScript       = windowapi.ActScript
)

// Options configure the main window.
type Options struct {
	Title string // "Desklit" when empty
	// Assets is the built frontend (frontend.Dist); index.html at its root or under "dist".
	Assets fs.FS
	// WindowStatePath is the JSON file for the window's size and position ("" = not remembered).
	WindowStatePath string
	Logger          *slog.Logger
	// Services names the services for the Services menu, in order, when the Backend's AppView
	// names none (streamlit, component, api when empty).
	Services []string
	// UniqueID identifies the single instance ("io.desklit.desktop" when empty).
	UniqueID string
	// SingleApp is a packaged app's window: it runs its own app, so the menus offer no other.
	SingleApp bool
	// Icon is the PNG for the window (Linux).
	Icon []byte
	// StopTimeout bounds Backend.Stop when the window closes (2.5 s when zero).
	StopTimeout time.Duration
}

// SigninOptions configure the sign-in window process.
type SigninOptions struct {
	Title  string // "Sign in — Desklit" when empty
	Width  int
	Height int
	Icon   []byte
	Logger *slog.Logger
}
