package desktop

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wailsapp/wails/v2/pkg/menu"
)

// startupWait bounds how long a bound method waits for the window's start-up.
var startupWait = 15 * time.Second

// nativeUI is what the App asks of the Wails runtime: events to the page, dialogs, the clipboard,
// the title and menu, quit. Tests fake it.
type nativeUI interface {
	Emit(name string, data any)
	OpenURL(url string)
	SetClipboard(text string) error
	SaveFileDialog(defaultName string) (string, error)
	// OpenDirectoryDialog and OpenFileDialog return "" when the user cancels; pattern is
	// semicolon-separated ("*.py").
	OpenDirectoryDialog(title, defaultDir string) (string, error)
	OpenFileDialog(title, defaultDir, filterName, pattern string) (string, error)
	SetTitle(title string)
	// SetMenu replaces the application menu (not on Linux: see menuRebuilds).
	SetMenu(m *menu.Menu)
	// UpdateRecent relabels File › Open Recent's fixed items in place (Linux).
	UpdateRecent(items []RecentItem)
	// UpdateServices relabels Services' fixed Restart items in place (Linux).
	UpdateServices(items []RecentItem)
	Message(title, text string)
	Quit()
}

// Snapshot is the window's whole state, for a page that (re)loads after events were sent.
type Snapshot struct {
	Services     []ServiceView     `json:"services"`
	Session      SessionView       `json:"session"`
	Progress     *ProgressView     `json:"progress"`
	Error        *ErrorView        `json:"error"`
	StreamlitURL string            `json:"streamlitUrl"`
	Versions     map[string]string `json:"versions"`
	App          AppView           `json:"app"`
	Apps         []AppView         `json:"apps"`
	SingleApp    bool              `json:"singleApp"` // a packaged app: no other app to open
}

// App is bound to the frontend: its exported methods are what the UI calls. Each waits until
// the window's start-up is complete.
type App struct {
	b    Backend
	log  *slog.Logger
	opts Options // for the menu's rebuilds and the window title; set by Run

	startupDone chan struct{}
	ui          nativeUI
	ctx         context.Context // the window's context, set at start-up
	cancelStart context.CancelFunc

	mu   sync.Mutex
	snap Snapshot
	// pkgCancel and pkgDone are set while File › Package App… runs (one at a time): the window's
	// close cancels it and waits for it, so that its temporary folder does not stay behind.
	pkgCancel context.CancelFunc
	pkgDone   chan struct{}
	pkgOut    string // the folder of the last packages made (OpenPackageFolder)
	// menuRebuilds: the menu is replaced after a switch (see the package variable).
	menuRebuilds bool
	// appsMu serialises reading Backend.Apps and publishing it, so a slower read never
	// overwrites a newer list.
	appsMu sync.Mutex

	stopOnce sync.Once
	stopErr  error
	stopWait time.Duration

	// beforeQuit runs before the app quits on the user's request (remembers the window).
	beforeQuit func()
	// openPath shows a folder in the file manager (tests replace it).
	openPath func(path string) error
}

// quit closes the window on the user's request.
func (a *App) quit() {
	if a.beforeQuit != nil {
		a.beforeQuit()
	}
	if a.ui != nil {
		a.ui.Quit()
	}
}

// NewApp returns the App that Run binds; exported for tests and tools, not for the integrator.
func NewApp(b Backend, log *slog.Logger, stopTimeout time.Duration) *App {
	if log == nil {
		log = slog.Default()
	}
	if stopTimeout <= 0 {
		stopTimeout = 2500 * time.Millisecond
	}
	return &App{b: b, log: log, startupDone: make(chan struct{}), stopWait: stopTimeout, menuRebuilds: menuRebuilds, openPath: openPath}
}

// startup records the window's context and native UI, starts the backend and opens the gate.
func (a *App) startup(ctx context.Context, ui nativeUI) {
	a.ctx, a.ui = ctx, ui
	startCtx, cancel := context.WithCancel(ctx)
	a.cancelStart = cancel
	a.mu.Lock()
	a.snap.Versions = a.b.Versions()
	a.mu.Unlock()
	a.loadApps()
	a.mu.Lock()
	cur := a.snap.App
	a.mu.Unlock()
	ui.SetTitle(a.windowTitle(cur))
	if !a.menuRebuilds { // hide the fixed items the lists do not fill
		ui.UpdateRecent(a.recentItems())
		ui.UpdateServices(a.restartItems(a.opts))
	}
	close(a.startupDone)
	go func() {
		if err := a.b.Start(startCtx, appEvents{a}); err != nil && !errors.Is(err, context.Canceled) {
			a.log.Error("start", "err", err)
			a.mu.Lock()
			shown := a.snap.Error != nil
			a.mu.Unlock()
			if !shown { // the backend normally reports its own error; never leave the user without one
				appEvents{a}.Error(ErrorView{Kind: ErrOther, Title: "Desklit could not start",
					Message: "Something went wrong while starting the services.", Detail: err.Error(),
					Actions: []string{ActRetry, ActOpenLogs}})
			}
		}
	}()
}

// shutdown stops the backend within the stop timeout; safe to call more than once.
func (a *App) shutdown() error {
	a.stopOnce.Do(func() {
		a.log.Info("stopping services")
		start := time.Now()
		defer func() { a.log.Info("services stopped", "took", time.Since(start).Round(time.Millisecond)) }()
		if a.cancelStart != nil {
			a.cancelStart()
		}
		packaged := a.endPackaging()
		ctx, cancel := context.WithTimeout(context.Background(), a.stopWait)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- a.b.Stop(ctx) }()
		select {
		case a.stopErr = <-done:
		case <-ctx.Done():
			a.stopErr = fmt.Errorf("stop services: %w", ctx.Err())
		}
		select {
		case <-packaged:
		case <-ctx.Done():
		}
		if a.stopErr != nil {
			a.log.Error("stop", "err", a.stopErr)
		}
	})
	return a.stopErr
}

var errNotStarted = errors.New("the window is still starting; try again in a moment")

func (a *App) wait() error {
	select {
	case <-a.startupDone:
		return nil
	default:
	}
	t := time.NewTimer(startupWait)
	defer t.Stop()
	select {
	case <-a.startupDone:
		return nil
	case <-t.C:
		return errNotStarted
	}
}

// Snapshot returns the current state: services, session, progress, error, versions.
func (a *App) Snapshot() (Snapshot, error) {
	if err := a.wait(); err != nil {
		return Snapshot{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.snap
	s.Services = slices.Clone(s.Services)
	s.Apps = slices.Clone(s.Apps)
	s.SingleApp = a.opts.SingleApp
	return s, nil
}

// Login starts a sign-in; the result arrives as a session event.
func (a *App) Login() error {
	if err := a.wait(); err != nil {
		return err
	}
	if err := a.b.Login(a.ctx); err != nil {
		a.log.Warn("login", "err", err)
		return userError("Sign-in did not complete", err)
	}
	return nil
}

// Logout signs out.
func (a *App) Logout() error {
	if err := a.wait(); err != nil {
		return err
	}
	if err := a.b.Logout(a.ctx); err != nil {
		a.log.Warn("logout", "err", err)
		return userError("Sign-out did not complete", err)
	}
	return nil
}

// RestartService restarts one service.
func (a *App) RestartService(name string) error {
	if err := a.wait(); err != nil {
		return err
	}
	if err := a.b.RestartService(a.ctx, name); err != nil {
		a.log.Warn("restart", "service", name, "err", err)
		return userError("Could not restart "+name, err)
	}
	return nil
}

// Logs returns a service's recent log lines.
func (a *App) Logs(name string) ([]string, error) {
	if err := a.wait(); err != nil {
		return nil, err
	}
	return a.b.Logs(name), nil
}

// StreamlitURL is the address the window's frame loads (with the launch secret).
func (a *App) StreamlitURL() (string, error) {
	if err := a.wait(); err != nil {
		return "", err
	}
	return a.b.StreamlitURL(), nil
}

// OpenInBrowser opens the Streamlit app in the system browser, without putting the launch
// secret on a command line (see openInBrowser).
func (a *App) OpenInBrowser() error {
	if err := a.wait(); err != nil {
		return err
	}
	u := a.b.StreamlitURL()
	if u == "" {
		return errors.New("the app is not running yet")
	}
	if err := openInBrowser(u); err != nil {
		a.log.Warn("open in browser", "err", err)
		return userError("Could not open the browser", err)
	}
	return nil
}

// OpenLogFolder shows the log folder in the file manager.
func (a *App) OpenLogFolder() error {
	if err := a.wait(); err != nil {
		return err
	}
	if err := a.openPath(a.b.LogDir()); err != nil {
		a.log.Warn("open log folder", "err", err)
		return userError("Could not open the log folder "+a.b.LogDir(), err)
	}
	return nil
}

// SaveDiagnostics asks where to save the diagnostics and writes them; it returns the path, or
// "" when the user cancelled.
func (a *App) SaveDiagnostics() (string, error) {
	if err := a.wait(); err != nil {
		return "", err
	}
	data, err := a.b.Diagnostics()
	if err != nil {
		a.log.Warn("diagnostics", "err", err)
		return "", userError("Could not collect diagnostics", err)
	}
	name := "desklit-diagnostics-" + time.Now().Format("20060102-150405") + diagExt(data)
	path, err := a.ui.SaveFileDialog(name)
	if err != nil || path == "" {
		return "", err
	}
	if err := writePrivate(path, data); err != nil {
		return "", userError("Could not save diagnostics", err)
	}
	return path, nil
}

// CopyText puts text on the clipboard (the page's own clipboard API is not available on
// wails:// pages everywhere).
func (a *App) CopyText(text string) error {
	if err := a.wait(); err != nil {
		return err
	}
	return a.ui.SetClipboard(text)
}

// CancelStart cancels the first-run build.
func (a *App) CancelStart() error {
	if err := a.wait(); err != nil {
		return err
	}
	a.b.CancelStart()
	return nil
}

// about is the text of Help → About.
func (a *App) about() string {
	v := a.b.Versions()
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var sb strings.Builder
	if a.opts.SingleApp {
		fmt.Fprintf(&sb, "%s, a Streamlit app made with Desklit.\n\n", a.appTitle())
	} else {
		sb.WriteString("Desklit: your Streamlit app on the desktop, signed in.\n\n")
	}
	for _, k := range keys {
		fmt.Fprintf(&sb, "%s: %s\n", k, v[k])
	}
	return sb.String()
}
