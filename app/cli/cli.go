// Package cli is Desklit's command line: it parses commands and flags, loads the configuration
// and hands each command to the package that does the work.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/packaged"
)

// Assets are the files the binary carries (go:embed in package main).
type Assets struct {
	Frontend  fs.FS  // the window UI (frontend/dist)
	Component fs.FS  // the built Streamlit component (runtime/component/dist)
	Streamlit fs.FS  // the Streamlit app and its Python package (runtime/streamlit)
	Icon      []byte // the app's icon, a PNG (build/appicon.png), for the windows
}

// Env is everything a command may touch. Tests build one with fakes.
type Env struct {
	Args   []string
	Getenv func(string) string
	Stdout io.Writer
	Stderr io.Writer
	Assets Assets
	// Window opens the windows (app/window, injected by main so that only a window build links
	// Wails); nil when this build has none.
	Window WindowRunner
	// Exe is the path of this binary; the sign-in window is `Exe signin-window`.
	Exe string
	// WindowExe is the program that opens the window (this binary in a window build, else
	// desklit-window beside it); empty when there is none. For doctor.
	WindowExe string
	// ServiceExe runs the api and component services (`ServiceExe serve <name>`): this binary, or
	// the plain desklit beside an installed desklit-window.
	ServiceExe string
	// Packaged is the manifest of the packaged app this binary belongs to (found beside Exe by
	// Run); nil for Desklit itself.
	Packaged *packaged.Manifest
}

// appName is the app's name as its windows and messages show it.
func (e *Env) appName() string {
	if e.Packaged != nil {
		return e.Packaged.Name
	}
	return "Desklit"
}

// AppName is the app's name ("Desklit", or a packaged app's), for the windows.
func (e *Env) AppName() string { return e.appName() }

// appID is the app this process is: Desklit, or a packaged app.
func (e *Env) appID() string {
	if e.Packaged != nil {
		return e.Packaged.AppID
	}
	return config.DefaultAppID
}

// UsageError makes main exit with status 2 after printing the usage.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// ExitCode maps an error from Run to a process exit status.
func ExitCode(err error) int {
	var ue *UsageError
	var ce *config.Error
	switch {
	case err == nil, IsHelp(err):
		return 0
	case errors.As(err, &ue), errors.As(err, &ce):
		return 2
	case errors.Is(err, context.Canceled):
		return 130
	default:
		return 1
	}
}

type command struct {
	name    string
	summary string
	hidden  bool
	run     func(ctx context.Context, e *Env, args []string) error
}

func commands() []command {
	return []command{
		{name: "run", summary: "start the services without a window; prints their URLs; Ctrl-C stops everything", run: cmdRun},
		{name: "package", summary: "make a project into a branded, offline installer: package PATH [--name --version --icon --target -o]", run: cmdPackage},
		{name: "serve", summary: "run one service in the foreground: api | component | idp", run: cmdServe},
		{name: "login", summary: "sign in with the system browser (--device: with a code on another device)", run: cmdLogin},
		{name: "logout", summary: "sign out: delete the session, revoke the refresh token", run: cmdLogout},
		{name: "token", summary: "print the access token for scripts, refreshed when about to expire (--id: the ID token)", run: cmdToken},
		{name: "status", summary: "show the services and who is signed in (never token values)", run: cmdStatus},
		{name: "doctor", summary: "check python, runtime, ports, keyring and webview libraries", run: cmdDoctor},
		{name: "version", summary: "print version, commit, Go and Wails versions", run: cmdVersion},
		{name: "signin-window", hidden: true, run: cmdSigninWindow},
	}
}

// Run executes the command line in e.Args (without the program name).
func Run(ctx context.Context, e *Env) error {
	args := e.Args
	// Libraries log through slog's default; a terminal user wants warnings, not a trace. The
	// services and the window set up their own structured logs.
	slog.SetDefault(slog.New(slog.NewTextHandler(e.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if e.Packaged == nil {
		m, err := packaged.Find(e.Exe)
		if err != nil {
			return err
		}
		e.Packaged = m
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return cmdWindow(ctx, e, args)
	}
	switch args[0] {
	case "help", "-h", "--help":
		usage(e.Stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	if looksLikePath(args[0]) {
		return cmdWindow(ctx, e, args) // `desklit ./myapp`: the window on a project
	}
	usage(e.Stderr)
	return &UsageError{Msg: fmt.Sprintf("unknown command %q", args[0])}
}

// looksLikePath tells a project path from a mistyped command: it exists, or it is written as a
// path (a separator, a .py name).
func looksLikePath(arg string) bool {
	if _, err := os.Stat(arg); err == nil {
		return true
	}
	return strings.ContainsRune(arg, filepath.Separator) || strings.ContainsRune(arg, '/') || strings.HasSuffix(strings.ToLower(arg), ".py")
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: desklit [command] [flags] [PATH]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "With no command, desklit opens the desktop window on the Streamlit app at PATH (a folder")
	fmt.Fprintln(w, "or a .py script); without PATH, on the app opened last, else on the bundled demo.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		if !c.hidden {
			fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'desklit <command> -h' for the flags of a command. Settings also come from the")
	fmt.Fprintln(w, "environment (AUTH0_*, DESKLIT_*) and $XDG_CONFIG_HOME/desklit/config.env.")
}

// parse parses the configuration flags plus extra ones and loads the configuration.
func parse(e *Env, name string, args []string, extra func(*flag.FlagSet)) (*config.Config, config.Paths, *flag.FlagSet, error) {
	fs := flag.NewFlagSet("desklit "+name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	got := config.Flags(fs)
	if extra != nil {
		extra(fs)
	}
	if err := parseInterspersed(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, config.Paths{}, nil, &UsageError{Msg: "help requested"}
		}
		return nil, config.Paths{}, nil, &UsageError{Msg: err.Error()}
	}
	paths := config.PathsFor(e.appID(), e.Getenv)
	cfg, err := config.Load(got(), e.Getenv, paths.Config)
	if err != nil {
		return nil, paths, fs, err
	}
	cfg.AppID = e.appID()
	return cfg, paths, fs, nil
}

// parseInterspersed parses flags before and after positional arguments (`desklit run ./app
// --offline`); fs.Args() are then the positional ones. "--" ends the flags as usual.
func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		if i := len(args) - fs.NArg(); i > 0 && args[i-1] == "--" {
			pos = append(pos, fs.Args()...)
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

// noArgs rejects stray positional arguments.
func noArgs(e *Env, fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		fs.Usage()
		return &UsageError{Msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

// serviceLogger logs JSON lines to stderr, which the supervisor captures into the service's log.
func serviceLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// printConfig writes the effective settings and where each came from.
func printConfig(w io.Writer, cfg *config.Config) {
	for _, s := range cfg.Effective() {
		v := s.Value
		if v == "" {
			v = "(unset)"
		}
		fmt.Fprintf(w, "  %-32s %-40s %s\n", s.Name, v, s.Source)
	}
}

// IsHelp reports whether err only means that help was printed.
func IsHelp(err error) bool {
	var ue *UsageError
	return errors.As(err, &ue) && ue.Msg == "help requested"
}
