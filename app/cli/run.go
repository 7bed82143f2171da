package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/desklit/desklit/app/authflow"
	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/shell"
	"github.com/desklit/desklit/app/supervisor"
	"github.com/desklit/desklit/app/wiring"
)

// stopTimeout bounds a clean stop: every service gets its grace period within it.
const stopTimeout = 5 * time.Second

func cmdRun(ctx context.Context, e *Env, args []string) error {
	cfg, paths, fs, err := parse(e, "run", args, addScriptFlag)
	if err != nil {
		return err
	}
	app, err := resolveApp(fs, cfg, paths, e.Stderr, e.Packaged)
	if err != nil {
		return err
	}
	if err := cfg.RequireClientID(); err != nil {
		return err
	}
	logger, closeLog := appLogger(paths, e.Stderr)
	defer closeLog()
	sh := newShell(e, cfg, paths, logger, pyruntime.NewTerminalProgress(e.Stderr, isTerminal(e.Stderr)), app)

	events, unsubscribe := sh.Supervisor().Subscribe()
	defer unsubscribe()
	go printStates(e.Stdout, events)

	fmt.Fprintf(e.Stdout, "Desklit %s: starting %s (logs in %s)\n", versionString(), sh.AppName(), paths.Logs)
	if err := sh.StartServices(ctx); err != nil {
		stopShell(sh)
		return err
	}
	if st := sh.StoreStatus(); st.Warning != "" {
		fmt.Fprintf(e.Stdout, "\nNote: %s\n", st.Warning)
	}
	fmt.Fprintf(e.Stdout, "\nDesklit is running. Open the app at:\n  %s\n\n", sh.StreamlitURL())
	for _, st := range sh.Supervisor().Snapshot() { // component, the demo API or the app's own services
		if st.Name != "streamlit" && st.URL != "" {
			fmt.Fprintf(e.Stdout, "  %-10s %s\n", st.Name, st.URL)
		}
	}
	if cfg.UsesDevIdP() {
		fmt.Fprintf(e.Stdout, "  dev IdP    %s (embedded; demo users in %s)\n", cfg.Issuer(), wiring.IdPDir(paths))
	} else {
		fmt.Fprintf(e.Stdout, "  issuer     %s\n", cfg.Issuer())
	}
	fmt.Fprintln(e.Stdout, "\nPress Ctrl-C to stop.")
	<-ctx.Done()
	fmt.Fprintln(e.Stdout, "\nStopping…")
	return stopShell(sh)
}

// newShell builds the shell for this process's configuration and app.
func newShell(e *Env, cfg *config.Config, paths config.Paths, logger *slog.Logger, progress func(pyruntime.Progress), app App) *shell.Shell {
	return shell.New(shell.Options{
		Config:    cfg,
		Paths:     paths,
		Exe:       e.ServiceExe,
		Streamlit: e.Assets.Streamlit,
		Project:   app.Project,
		OpenError: app.Err,
		Single:    e.Packaged != nil,
		Icon:      e.Assets.Icon,
		Opener:    signinOpener(e, cfg),
		Logger:    logger,
		Progress:  progress,
	})
}

// signinOpener picks how the authorize URL is shown: a native window (a second process of this
// binary, as Wails v2 has one window per process) or the system browser.
func signinOpener(e *Env, cfg *config.Config) authflow.Opener {
	if cfg.LoginMode == config.LoginWindow && e.Window != nil && e.Exe != "" && hasDisplay(e.Getenv) {
		return &authflow.ProcessWindowOpener{Exe: e.Exe}
	}
	// The address is printed too: a terminal's browser may not open (no display, xdg-open with
	// no method), and an st.login app's page then waits with nothing said.
	return printingOpener{inner: authflow.BrowserOpener{Getenv: e.Getenv}, w: e.Stdout, issuer: cfg.Issuer(), wait: authflow.DefaultTimeout}
}

func stopShell(sh *shell.Shell) error {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	return sh.Stop(ctx)
}

// printStates prints each service's state changes with why a service is Unhealthy, in Backoff
// or Failed (e.g. the program that took its port), and a warning, once, when a service keeps a
// core busy for a while.
func printStates(w io.Writer, events <-chan supervisor.Event) {
	last := map[string]supervisor.State{}
	cpuWarned := map[string]bool{}
	for ev := range events {
		st := ev.Status
		at := ev.Time.Format("15:04:05")
		if st.State != last[st.Name] {
			last[st.Name] = st.State
			line := fmt.Sprintf("%s  %-10s %s", at, st.Name, st.State)
			if st.PID > 0 && (st.State == supervisor.Ready || st.State == supervisor.Starting || st.State == supervisor.Unhealthy) {
				line += fmt.Sprintf(" (pid %d)", st.PID)
			}
			if st.State == supervisor.Backoff || st.State == supervisor.Failed || st.State == supervisor.Unhealthy {
				if why := cmp.Or(st.Reason, st.ExitStatus); why != "" {
					line += ": " + why
				}
			}
			fmt.Fprintln(w, line)
		}
		switch {
		case st.CPUHigh && !cpuWarned[st.Name]:
			cpuWarned[st.Name] = true
			fmt.Fprintf(w, "%s  %-10s Warning: uses %.0f %% CPU for a while; if that is not wanted (a script stuck in a loop keeps running after its page is closed), restart it\n",
				at, st.Name, st.CPUPercent)
		case !st.CPUHigh:
			cpuWarned[st.Name] = false
		}
	}
}

// appLogger writes the shell's own log to State/logs/desklit.log; warnings also go to stderr.
func appLogger(paths config.Paths, stderr io.Writer) (*slog.Logger, func()) {
	warnings := slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})
	if err := os.MkdirAll(paths.Logs, 0o755); err != nil {
		return slog.New(warnings), func() {}
	}
	f, err := os.OpenFile(filepath.Join(paths.Logs, "desklit.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return slog.New(warnings), func() {}
	}
	h := fanout{slog.NewJSONHandler(f, &slog.HandlerOptions{Level: slog.LevelInfo}), warnings}
	return slog.New(h), func() { f.Close() }
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
