package desktop_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/desklit/desklit/app/desktop"
	"github.com/desklit/desklit/app/desktop/desktoptest"
)

func TestBoundMethodsWaitForStartup(t *testing.T) {
	fb := &desktoptest.FakeBackend{Scenario: desktoptest.Ready, Pace: time.Millisecond}
	a := desktop.NewApp(fb, nil, time.Second)
	got := make(chan error, 1)
	go func() {
		_, err := a.Snapshot()
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("Snapshot returned before start-up: %v", err)
	default:
	}
	ui := newFakeUI()
	desktop.StartForTest(a, context.Background(), ui)
	defer desktop.ShutdownForTest(a)
	if err := <-got; err != nil {
		t.Fatalf("Snapshot after start-up: %v", err)
	}
}

func TestBoundMethodGivesUpWhenStartupNeverCompletes(t *testing.T) {
	restore := desktop.SetStartupWaitForTest(time.Millisecond)
	defer restore()
	a := desktop.NewApp(&desktoptest.FakeBackend{}, nil, time.Second)
	if err := a.Login(); err == nil || !strings.Contains(err.Error(), "still starting") {
		t.Fatalf("Login before start-up: got %v, want a 'still starting' error", err)
	}
}

func TestFirstRunThenReady(t *testing.T) {
	a, _, ui := started(t, desktoptest.FirstRun)
	p := ui.waitFor(t, desktop.EvProgress, nil).(desktop.ProgressView)
	if p.Step == "" || p.Done {
		t.Fatalf("first progress = %+v, want a step", p)
	}
	ui.waitFor(t, desktop.EvProgress, func(d any) bool { return d.(desktop.ProgressView).Done })
	url := ui.waitFor(t, desktop.EvAppURL, nil).(string)
	if !strings.Contains(url, "desklit_token=") {
		t.Errorf("app url %q has no launch token", url)
	}
	ui.waitFor(t, desktop.EvServices, allReady)
	snap, err := a.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if snap.Progress != nil || snap.Error != nil || snap.StreamlitURL != url || len(snap.Services) != 3 {
		t.Errorf("snapshot = %+v", snap)
	}
}

func TestErrorsAndActions(t *testing.T) {
	tests := []struct {
		scenario  string
		kind      string
		action    string
		wantCall  string
		wantError bool
	}{
		{desktoptest.PortInUse, desktop.ErrPortInUse, "use_port:8889", "UsePort:api:8889", false},
		{desktoptest.PortInUse, desktop.ErrPortInUse, "retry", "RetryStart", false},
		{desktoptest.NoPython, desktop.ErrNoPython, "retry", "RetryStart", false},
		{desktoptest.CrashLoop, desktop.ErrCrashLoop, "restart:api", "RestartService:api", false},
		{desktoptest.RuntimeBuild, desktop.ErrRuntimeBuild, "retry", "RetryStart", false},
		{desktoptest.PortInUse, desktop.ErrPortInUse, "use_port:99999", "", true},
		{desktoptest.PortInUse, desktop.ErrPortInUse, "restart:", "", true},
		{desktoptest.PortInUse, desktop.ErrPortInUse, "format_disk", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.scenario+"/"+tt.action, func(t *testing.T) {
			a, fb, ui := started(t, tt.scenario)
			e := ui.waitFor(t, desktop.EvError, nil).(desktop.ErrorView)
			if e.Kind != tt.kind || e.Message == "" {
				t.Fatalf("error = %+v, want kind %s with a message", e, tt.kind)
			}
			err := a.Act(tt.action)
			if tt.wantError {
				if err == nil {
					t.Fatalf("Act(%q) = nil, want an error", tt.action)
				}
				return
			}
			if err != nil {
				t.Fatalf("Act(%q): %v", tt.action, err)
			}
			if !slices.Contains(fb.Calls(), tt.wantCall) {
				t.Errorf("calls = %v, want %s", fb.Calls(), tt.wantCall)
			}
			cleared := ui.waitFor(t, desktop.EvError, nil).(desktop.ErrorView)
			if cleared.Kind != "" {
				t.Errorf("after %s the error was not cleared: %+v", tt.action, cleared)
			}
			if snap, _ := a.Snapshot(); snap.Error != nil {
				t.Errorf("snapshot still holds the error %+v", snap.Error)
			}
		})
	}
}

func TestUsePortNeedsAService(t *testing.T) {
	a, _, ui := started(t, desktoptest.NoPython)
	ui.waitFor(t, desktop.EvError, nil)
	if err := a.Act("use_port:8889"); err == nil {
		t.Fatal("use_port without a service in the error: want an error")
	}
}

func TestLoginLogoutSessionEvents(t *testing.T) {
	a, _, ui := started(t, desktoptest.Ready)
	ui.waitFor(t, desktop.EvServices, allReady)
	if err := a.Login(); err != nil {
		t.Fatal(err)
	}
	s := ui.waitFor(t, desktop.EvSession, func(d any) bool { return d.(desktop.SessionView).SignedIn }).(desktop.SessionView)
	if s.Name == "" || s.Expiry.IsZero() {
		t.Errorf("session = %+v", s)
	}
	if err := a.Logout(); err != nil {
		t.Fatal(err)
	}
	ui.waitFor(t, desktop.EvSession, func(d any) bool { return !d.(desktop.SessionView).SignedIn })
	if snap, _ := a.Snapshot(); snap.Session.SignedIn {
		t.Error("snapshot still signed in")
	}
}

func TestLogsCopyAndDiagnostics(t *testing.T) {
	a, _, ui := started(t, desktoptest.Ready)
	line := ui.waitFor(t, desktop.EvLog, nil).(desktop.LogLine)
	if line.Service == "" || line.Line == "" {
		t.Fatalf("log event = %+v", line)
	}
	logs, err := a.Logs(line.Service)
	if err != nil || !slices.Contains(logs, line.Line) {
		t.Fatalf("Logs(%s) = %v, %v; want it to hold %q", line.Service, logs, err, line.Line)
	}
	if err := a.CopyText("abc"); err != nil || ui.clip != "abc" {
		t.Errorf("CopyText: %v, clipboard %q", err, ui.clip)
	}
	ui.saveTo = filepath.Join(t.TempDir(), "diag.txt")
	path, err := a.SaveDiagnostics()
	if err != nil || path != ui.saveTo {
		t.Fatalf("SaveDiagnostics = %q, %v", path, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Size() == 0 {
		t.Fatalf("diagnostics file: %v", err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("diagnostics mode %v, want 0600", st.Mode().Perm())
	}
	ui.saveTo = "" // cancelled
	if path, err := a.SaveDiagnostics(); path != "" || err != nil {
		t.Errorf("cancelled save = %q, %v", path, err)
	}
}

func TestShutdownStopsOnceWithinTimeout(t *testing.T) {
	fb := &desktoptest.FakeBackend{Scenario: desktoptest.Ready, Pace: time.Millisecond, StopDelay: time.Hour}
	a := desktop.NewApp(fb, nil, 50*time.Millisecond)
	desktop.StartForTest(a, context.Background(), newFakeUI())
	err := desktop.ShutdownForTest(a)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("shutdown with a stuck backend = %v, want a deadline error", err)
	}
	_ = desktop.ShutdownForTest(a)
	n := 0
	for _, c := range fb.Calls() {
		if c == "Stop" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("Stop called %d times, want 1", n)
	}
}

func TestWindowState(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		content string // "" = no file
		want    desktop.WindowState
		wantErr bool
	}{
		{"missing", "", desktop.DefaultWindowState(), false},
		{"malformed", "{", desktop.DefaultWindowState(), true},
		{"saved", `{"x":10,"y":20,"width":1000,"height":700,"hasPosition":true}`, desktop.WindowState{X: 10, Y: 20, Width: 1000, Height: 700, HasPosition: true}, false},
		{"tiny", `{"width":10,"height":10}`, desktop.DefaultWindowState(), false},
		{"far away", `{"x":99999,"y":5,"width":1000,"height":700,"hasPosition":true}`, desktop.WindowState{Width: 1000, Height: 700}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".json")
			if tt.content != "" {
				if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := desktop.LoadWindowState(path)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	path := filepath.Join(dir, "sub", "window.json")
	want := desktop.WindowState{X: 5, Y: 6, Width: 900, Height: 600, Maximised: true, HasPosition: true}
	if err := desktop.SaveWindowState(path, want); err != nil {
		t.Fatal(err)
	}
	if got, err := desktop.LoadWindowState(path); err != nil || got != want {
		t.Errorf("round trip = %+v, %v; want %+v", got, err, want)
	}
}

func TestDistFS(t *testing.T) {
	tests := []struct {
		name    string
		fs      fstest.MapFS
		wantErr bool
	}{
		{"embed layout", fstest.MapFS{"dist/index.html": {Data: []byte("x")}}, false},
		{"flat", fstest.MapFS{"index.html": {Data: []byte("x")}}, false},
		{"not built", fstest.MapFS{"dist/.gitkeep": {}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := desktop.DistFSForTest(tt.fs)
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}

func TestSigninURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://tenant.auth0.com/authorize?x=1", true},
		{"http://127.0.0.1:9010/authorize", true},
		{"http://localhost:9010/authorize", true},
		{"http://example.com/authorize", false},
		{"javascript:alert(1)", false},
		{"file:///etc/passwd", false},
		{"https:///nohost", false},
	}
	for _, tt := range tests {
		if err := desktop.CheckSigninURLForTest(tt.url); (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok=%v", tt.url, err, tt.ok)
		}
	}
	page, err := desktop.SigninPageForTest(`https://idp.example/authorize?a=1&b="</script>`)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(page), `"</script>`) {
		t.Errorf("the URL is not escaped in the page: %s", page)
	}
}

func TestOpenInBrowserKeepsTheSecretOffTheCommandLine(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script as $BROWSER")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "args")
	script := filepath.Join(dir, "browser.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s' \"$1\" > "+out+".tmp && mv "+out+".tmp "+out+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BROWSER", script)
	a, _, ui := started(t, desktoptest.Ready)
	ui.waitFor(t, desktop.EvServices, allReady)
	if err := a.OpenInBrowser(); err != nil {
		t.Fatal(err)
	}
	var arg []byte
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(out); err == nil {
			arg = b
			break
		}
	}
	if len(arg) == 0 {
		t.Fatal("the browser was not started")
	}
	if strings.Contains(string(arg), "desklit_token") {
		t.Fatalf("the launch secret is on the command line: %s", arg)
	}
	page, err := os.ReadFile(string(arg))
	if err != nil {
		t.Fatalf("redirect page: %v", err)
	}
	if !strings.Contains(string(page), "desklit_token=s") {
		t.Errorf("redirect page does not lead to the app: %s", page)
	}
	if st, _ := os.Stat(string(arg)); st.Mode().Perm() != 0o600 {
		t.Errorf("redirect page mode %v, want 0600", st.Mode().Perm())
	}
}

func TestApplicationMenu(t *testing.T) {
	a := desktop.NewApp(&desktoptest.FakeBackend{}, nil, time.Second)
	got := desktop.MenuForTest(a, []string{"streamlit", "api"})
	for _, want := range []string{
		"File/Open App… [cmdorctrl+o]",
		"File/Open Script… [cmdorctrl+shift+o]",
		"File/Open in Browser [cmdorctrl+shift+b]",
		"File/Save Diagnostics… [cmdorctrl+s]",
		"File/Open Log Folder",
		"File/Quit [cmdorctrl+q]",
		"View/App [cmdorctrl+1]",
		"View/Apps [cmdorctrl+2]",
		"View/Logs [cmdorctrl+l]",
		"View/Reload App [cmdorctrl+r]",
		"Account/Log In…",
		"Account/Log Out",
		"Services/Restart streamlit",
		"Services/Restart api",
		"Help/About Desklit",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("menu lacks %q; it has %q", want, got)
		}
	}
}
