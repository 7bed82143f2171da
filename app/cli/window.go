package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
)

// cmdWindow opens the desktop window: what a double-click runs.
func cmdWindow(ctx context.Context, e *Env, args []string) error {
	cfg, paths, fs, err := parse(e, "", args, nil)
	if err != nil {
		return err
	}
	app, err := resolveApp(fs, cfg, paths, e.Stderr)
	var ue *UsageError
	if errors.As(err, &ue) {
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
	return e.Window.RunMain(ctx, e, cfg, app)
}

// cmdSigninWindow is the native sign-in window: a second process of this binary, because Wails v2
// has one window per process. The sign-in flow starts it and passes the authorize URL on stdin or
// in DESKLIT_SIGNIN_URL (never on the command line).
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
