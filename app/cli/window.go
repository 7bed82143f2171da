package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"runtime"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/shell"
)

// WindowRunner opens the desktop windows: app/window, which main injects so that this package
// stays free of Wails.
type WindowRunner interface {
	RunMain(ctx context.Context, e *Env, w MainWindow) error
	RunSignin(ctx context.Context, e *Env, url string) error
}

// MainWindow is what the main window runs on. Its shell and log are made only when the window
// runs in this process: the plain desklit hands the window to desklit-window untouched.
type MainWindow struct {
	Paths config.Paths
	// Name and AppID are the app's: "Desklit" and "desklit", or a packaged app's. Whether it
	// opens other apps is the shell's to say (Shell.Rule).
	Name, AppID string
	// Open makes the window's shell and the log it writes (closeLog ends it); the runtime
	// build's progress goes to progress.
	Open func(progress func(pyruntime.Progress)) (sh *shell.Shell, logger *slog.Logger, closeLog func())
}

// cmdWindow opens the desktop window: what a double-click runs.
func cmdWindow(ctx context.Context, e *Env, args []string) error {
	cfg, paths, fs, err := parse(e, "", args, addScriptFlag)
	if err != nil {
		return err
	}
	app, err := resolveApp(fs, cfg, paths, e.Stderr, e.Packaged)
	var ue *UsageError
	if errors.As(err, &ue) || (err != nil && e.Packaged != nil) {
		return err
	} // a project that cannot be opened is shown in the window, which runs the demo
	if err := cfg.RequireClientID(); err != nil {
		return err
	}
	if e.Window == nil {
		return errors.New("this build of desklit has no window; use 'desklit run'")
	}
	if !hasDisplay(e.Getenv) {
		return errors.New("no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); use 'desklit run' to start the services without a window")
	}
	return e.Window.RunMain(ctx, e, MainWindow{
		Paths: paths, Name: e.appName(), AppID: e.appID(),
		Open: func(progress func(pyruntime.Progress)) (*shell.Shell, *slog.Logger, func()) {
			logger, closeLog := appLogger(paths, e.Stderr)
			return newShell(e, cfg, paths, logger, progress, app), logger, closeLog
		},
	})
}

// cmdSigninWindow is the native sign-in window: a second process of this binary, because Wails v2
// has one window per process. The sign-in flow starts it with the authorize URL in
// DESKLIT_SIGNIN_URL (never on the command line, where other users could read it).
func cmdSigninWindow(ctx context.Context, e *Env, args []string) error {
	fs := flag.NewFlagSet("desklit signin-window", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	urlFlag := fs.String("url", "", "the authorize URL (prefer DESKLIT_SIGNIN_URL)")
	if err := fs.Parse(args); err != nil {
		return &UsageError{Msg: err.Error()}
	}
	u := *urlFlag
	if u == "" {
		u = e.Getenv("DESKLIT_SIGNIN_URL")
	}
	if u == "" {
		return &UsageError{Msg: "signin-window needs the authorize URL in DESKLIT_SIGNIN_URL"}
	}
	if e.Window == nil {
		return fmt.Errorf("this build of desklit has no window")
	}
	return e.Window.RunSignin(ctx, e, u)
}

// hasDisplay reports whether a window can be shown: an X or Wayland display, or macOS and
// Windows, where a GUI program always has one.
func hasDisplay(getenv func(string) string) bool {
	return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != "" || runtime.GOOS == "darwin" || runtime.GOOS == "windows"
}
