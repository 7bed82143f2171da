package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func runCLI(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runCLIWith(t, nil, env, args...)
}

// runCLIWith runs the command line on a build whose windows w opens (nil: a build without one).
func runCLIWith(t *testing.T, w WindowRunner, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	dir := t.TempDir()
	vars := map[string]string{"XDG_CONFIG_HOME": dir, "XDG_STATE_HOME": dir, "XDG_DATA_HOME": dir}
	for k, v := range env {
		vars[k] = v
	}
	var out, errb bytes.Buffer
	err := Run(context.Background(), &Env{
		Args: args, Getenv: func(k string) string { return vars[k] },
		Stdout: &out, Stderr: &errb, Window: w,
	})
	if err != nil {
		errb.WriteString("\nerror: " + err.Error())
	}
	return out.String(), errb.String(), ExitCode(err)
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		name       string
		window     bool // a build with windows (a fake that must not be reached)
		env        map[string]string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: 2,
			wantStderr: []string{"Usage: desklit", `unknown command "frobnicate"`}},
		{name: "unknown flag", args: []string{"run", "--no-such-flag"}, wantCode: 2,
			wantStderr: []string{"flag provided but not defined", "-api-port"}},
		{name: "stray argument", args: []string{"status", "extra"}, wantCode: 2,
			wantStderr: []string{`unexpected argument "extra"`}},
		{name: "port out of range from a flag", args: []string{"run", "--api-port", "70000"}, wantCode: 2,
			wantStderr: []string{"DESKLIT_API_PORT", "flag --api-port", "out of range"}},
		{name: "bad setting from the environment", env: map[string]string{"DESKLIT_LOGIN_MODE": "popup"}, args: []string{"status"}, wantCode: 2,
			wantStderr: []string{"DESKLIT_LOGIN_MODE", "environment DESKLIT_LOGIN_MODE"}},
		{name: "version", args: []string{"version"}, wantCode: 0,
			wantStdout: []string{"desklit ", "commit", "go      go1.", "wails"}},
		{name: "help", args: []string{"help"}, wantCode: 0, wantStdout: []string{"run ", "serve", "doctor"}},
		{name: "flag help", args: []string{"run", "-h"}, wantCode: 0, wantStderr: []string{"-streamlit-port"}},
		{name: "serve without a service", args: []string{"serve"}, wantCode: 2, wantStderr: []string{"api, component or idp"}},
		{name: "serve an unknown service", args: []string{"serve", "db"}, wantCode: 2, wantStderr: []string{`unknown service "db"`}},
		{name: "component outside the shell", args: []string{"serve", "component"}, wantCode: 2,
			wantStderr: []string{"started by the shell"}},
		{name: "idp with an issuer configured", env: map[string]string{"AUTH0_DOMAIN": "t.auth0.com", "AUTH0_CLIENT_ID": "x"},
			args: []string{"serve", "idp"}, wantCode: 2, wantStderr: []string{"only used without one"}},
		{name: "login with an issuer but no client id", env: map[string]string{"AUTH0_DOMAIN": "t.auth0.com"},
			args: []string{"login"}, wantCode: 2, wantStderr: []string{"AUTH0_CLIENT_ID is required", "environment AUTH0_DOMAIN"}},
		{name: "run with an issuer but no client id", env: map[string]string{"AUTH0_DOMAIN": "t.auth0.com"},
			args: []string{"run"}, wantCode: 2, wantStderr: []string{"AUTH0_CLIENT_ID is required"}},
		{name: "window in a build without one", args: []string{}, wantCode: 1, wantStderr: []string{"has no window"}},
		{name: "window without a display", window: true, args: []string{}, wantCode: 1,
			wantStderr: []string{"no display to open the window on", "desklit run"}},
		{name: "signin window without a URL", args: []string{"signin-window"}, wantCode: 2, wantStderr: []string{"DESKLIT_SIGNIN_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "window without a display" && hasDisplay(func(string) string { return "" }) {
				t.Skip("Windows and macOS always have a display")
			}
			var w *refusingWindow
			if tt.window {
				w = &refusingWindow{t: t}
			}
			stdout, stderr, code := runCLIWith(t, windowOrNil(w), tt.env, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout, stderr)
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

// The API never uses a client id: it starts with an issuer alone (#17). The context is already
// cancelled, so that it stops as soon as it has started.
func TestServeAPIWithoutClientID(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := t.TempDir()
	vars := map[string]string{"XDG_CONFIG_HOME": dir, "XDG_STATE_HOME": dir, "XDG_DATA_HOME": dir,
		"AUTH0_DOMAIN": "t.auth0.com", "DESKLIT_API_PORT": strconv.Itoa(port)}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	err = Run(ctx, &Env{Args: []string{"serve", "api"}, Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: &errb})
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("serve api with an issuer and no client id: %v\n%s", err, errb.String())
	}
}

// refusingWindow is a window build's runner that no test case may reach.
type refusingWindow struct{ t *testing.T }

func (w *refusingWindow) RunMain(context.Context, *Env, MainWindow) error {
	w.t.Error("the main window was opened")
	return nil
}

func (w *refusingWindow) RunSignin(context.Context, *Env, string) error {
	w.t.Error("the sign-in window was opened")
	return nil
}

func windowOrNil(w *refusingWindow) WindowRunner {
	if w == nil {
		return nil
	}
	return w
}

// TestScriptFlag: a folder with several scripts is refused with the list and the way to choose;
// --script names one of its files, nothing outside it.
func TestScriptFlag(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"report.py", "explore.py"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("import streamlit as st\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr []string
	}{
		{"several scripts", []string{"run", dir}, 1, []string{"holds several Streamlit scripts (explore.py, report.py)", "--script NAME"}},
		{"a script outside the folder", []string{"run", dir, "--script", "../x.py"}, 2, []string{`--script "../x.py"`, "explore.py, report.py"}},
		{"not a script", []string{"run", dir, "--script", "data.csv"}, 2, []string{"name a .py file"}},
		{"no folder", []string{"run", "--script", "report.py"}, 2, []string{"give the folder too"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, map[string]string{"DESKLIT_OFFLINE": "true"}, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\n%s", code, tt.wantCode, stderr)
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
	// The choice made: resolveApp opens the named script of the folder.
	cfg, paths, fs, err := parse(&Env{Getenv: func(string) string { return "" }, Stderr: io.Discard}, "run", []string{dir, "--script", "report.py"}, addScriptFlag)
	if err != nil {
		t.Fatal(err)
	}
	app, err := resolveApp(fs, cfg, paths, io.Discard, nil)
	if err != nil || app.Project == nil || app.Project.Script != filepath.Join(dir, "report.py") {
		t.Fatalf("resolveApp = %+v, %v", app, err)
	}
	// A candidate one folder down (an app in src/) is named by its path in the folder.
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "src", "app.py"), []byte("import streamlit as st\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, paths, fs, err = parse(&Env{Getenv: func(string) string { return "" }, Stderr: io.Discard}, "run", []string{dir, "--script", "src/app.py"}, addScriptFlag)
	if err != nil {
		t.Fatal(err)
	}
	if app, err = resolveApp(fs, cfg, paths, io.Discard, nil); err != nil || app.Project == nil || app.Project.Script != filepath.Join(dir, "src", "app.py") {
		t.Fatalf("resolveApp src/app.py = %+v, %v", app, err)
	}
}
