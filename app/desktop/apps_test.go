package desktop_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/desktop"
	"github.com/desklit/desklit/app/desktop/desktoptest"
)

// startedWith starts an App on fb (for tests that need their own pace or list).
func startedWith(t *testing.T, fb *desktoptest.FakeBackend, rebuildMenu bool) (*desktop.App, *fakeUI) {
	t.Helper()
	a := desktop.NewApp(fb, nil, time.Second)
	desktop.SetMenuRebuildsForTest(a, rebuildMenu)
	ui := newFakeUI()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	desktop.StartForTest(a, ctx, ui)
	t.Cleanup(func() { _ = desktop.ShutdownForTest(a) })
	ui.waitFor(t, desktop.EvApp, nil) // the Backend has started (it sends the current app first)
	return a, ui
}

// waitTitle reads window titles until want comes.
func (s *fakeUI) waitTitle(t *testing.T, want string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	var seen []string
	for {
		select {
		case got := <-s.titles:
			if got == want {
				return
			}
			seen = append(seen, got)
		case <-timeout:
			t.Fatalf("the window title never became %q (it was %q)", want, seen)
		}
	}
}

func TestOpenAppSwitchesAndKeepsTheSession(t *testing.T) {
	a, fb, ui := started(t, desktoptest.SignedIn)
	ui.waitFor(t, desktop.EvServices, allReady)
	if err := a.OpenApp(desktoptest.SalesPath); err != nil {
		t.Fatalf("OpenApp: %v", err)
	}
	if !slices.Contains(fb.Calls(), "OpenApp:"+desktoptest.SalesPath) {
		t.Errorf("calls = %v, want OpenApp:%s", fb.Calls(), desktoptest.SalesPath)
	}
	if slices.Contains(fb.Calls(), "Logout") || slices.Contains(fb.Calls(), "Stop") {
		t.Errorf("a switch signed out or stopped everything: %v", fb.Calls())
	}
	app := ui.waitFor(t, desktop.EvApp, nil).(desktop.AppView)
	if app.Name != "Sales dashboard" || app.Path != desktoptest.SalesPath || !app.Current {
		t.Errorf("app event = %+v", app)
	}
	ui.waitTitle(t, "Sales dashboard — Desklit")
	apps := ui.waitFor(t, desktop.EvApps, nil).([]desktop.AppView)
	if len(apps) == 0 || apps[0].Path != desktoptest.SalesPath || !apps[0].Current || !apps[len(apps)-1].Demo {
		t.Errorf("apps after the switch = %+v, want Sales first and current, the demo last", apps)
	}
	snap, err := a.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if snap.App.Path != desktoptest.SalesPath || !snap.Session.SignedIn {
		t.Errorf("snapshot app = %+v, signed in = %v", snap.App, snap.Session.SignedIn)
	}
	if list, _ := a.Apps(); len(list) != len(apps) || list[0].Path != desktoptest.SalesPath {
		t.Errorf("Apps() = %+v, want the list sent", list)
	}
}

func TestOpenAppBuildsAnEnvironmentWithProgress(t *testing.T) {
	a, _, ui := started(t, desktoptest.Ready)
	ui.waitFor(t, desktop.EvServices, allReady)
	if err := a.OpenApp(desktoptest.ChurnPath); err != nil {
		t.Fatalf("OpenApp: %v", err)
	}
	if name := ui.waitFor(t, desktop.EvOpening, nil).(string); name != "churn" {
		t.Errorf("opening %q, want churn", name)
	}
	p := ui.waitFor(t, desktop.EvProgress, func(d any) bool { return d.(desktop.ProgressView).Total > 0 }).(desktop.ProgressView)
	if p.App != "churn" || p.N < 1 || p.Package == "" {
		t.Errorf("progress = %+v, want churn's packages counted", p)
	}
	ui.waitFor(t, desktop.EvProgress, func(d any) bool { return d.(desktop.ProgressView).Done })
	// The list is read on a goroutine of its own: it may come before the opening ends, or after.
	apps := ui.waitEach(t, map[string]func(any) bool{
		desktop.EvOpening: func(d any) bool { return d.(string) == "" },
		desktop.EvApps:    nil,
	})[desktop.EvApps].([]desktop.AppView)
	if apps[0].Path != desktoptest.ChurnPath || !apps[0].EnvReady {
		t.Errorf("first app = %+v, want churn with its environment built", apps[0])
	}
}

func TestOpenAppWhileAnotherOpensThenCancel(t *testing.T) {
	// An hour's pace: the first switch stays in its environment build until cancelled.
	fb := &desktoptest.FakeBackend{Scenario: desktoptest.Ready, Pace: time.Hour}
	a, ui := startedWith(t, fb, false)
	first := make(chan error, 1)
	go func() { first <- a.OpenApp(desktoptest.ChurnPath) }()
	ui.waitFor(t, desktop.EvProgress, func(d any) bool { return d.(desktop.ProgressView).App == "churn" })
	err := a.OpenApp(desktoptest.SalesPath)
	if err == nil || !strings.Contains(err.Error(), "another app is opening") {
		t.Fatalf("second OpenApp = %v, want 'another app is opening'", err)
	}
	if err := a.CancelStart(); err != nil {
		t.Fatal(err)
	}
	if err := <-first; err != nil {
		t.Errorf("a cancelled switch = %v, want nil (the running app stays)", err)
	}
	if msg := ui.waitFor(t, desktop.EvNotice, nil).(string); !strings.Contains(msg, "cancelled") {
		t.Errorf("notice %q, want it to say cancelled", msg)
	}
	if snap, _ := a.Snapshot(); !snap.App.Demo {
		t.Errorf("after the cancel the current app is %+v, want the demo still", snap.App)
	}
}

func TestOpenAppFailedOffersOpenApp(t *testing.T) {
	a, fb, ui := started(t, desktoptest.Ready)
	ui.waitFor(t, desktop.EvServices, allReady)
	err := a.OpenApp(desktoptest.BrokenPath)
	if err == nil || !strings.Contains(err.Error(), "Could not open Quarterly report") {
		t.Fatalf("OpenApp(broken) = %v, want 'Could not open Quarterly report'", err)
	}
	e := ui.waitFor(t, desktop.EvError, nil).(desktop.ErrorView)
	if e.Kind != desktop.ErrAppFailed || !strings.Contains(e.Detail, "SyntaxError") ||
		!slices.Equal(e.Actions, []string{desktop.ActRetry, desktop.ActShowLogs, desktop.ActOpenApp}) {
		t.Fatalf("error = %+v, want app_failed with the log lines and Retry / Show Logs / Open App", e)
	}
	ui.chooseDir = desktoptest.SalesPath
	if err := a.Act(desktop.ActOpenApp); err != nil {
		t.Fatalf("Act(open_app): %v", err)
	}
	if !slices.Contains(fb.Calls(), "OpenApp:"+desktoptest.SalesPath) {
		t.Errorf("calls = %v, want the chosen folder opened", fb.Calls())
	}
	if cleared := ui.waitFor(t, desktop.EvError, nil).(desktop.ErrorView); cleared.Kind != "" {
		t.Errorf("the failed app's error stayed: %+v", cleared)
	}
}

func TestChooseAppCancelledDoesNothing(t *testing.T) {
	a, fb, ui := started(t, desktoptest.Ready)
	ui.waitFor(t, desktop.EvServices, allReady)
	ui.chooseDir = "" // the user closes the chooser
	path, err := a.ChooseApp()
	if path != "" || err != nil {
		t.Fatalf("cancelled ChooseApp = %q, %v; want \"\", nil", path, err)
	}
	if len(ui.dialogs) != 1 || !strings.HasPrefix(ui.dialogs[0], "dir:") {
		t.Errorf("dialogs = %v, want one folder chooser", ui.dialogs)
	}
	for _, c := range fb.Calls() {
		if strings.HasPrefix(c, "OpenApp") {
			t.Errorf("a cancelled chooser opened something: %v", fb.Calls())
		}
	}
	if snap, _ := a.Snapshot(); !snap.App.Demo {
		t.Errorf("current app = %+v, want the demo still", snap.App)
	}
}

func TestChooseScriptOpensAPythonFile(t *testing.T) {
	a, fb, ui := started(t, desktoptest.Ready)
	ui.waitFor(t, desktop.EvServices, allReady)
	ui.chooseFile = "/home/ada/scratch/report.py"
	path, err := a.ChooseScript()
	if err != nil || path != ui.chooseFile {
		t.Fatalf("ChooseScript = %q, %v", path, err)
	}
	if !slices.Equal(ui.dialogs, []string{"file:*.py"}) {
		t.Errorf("dialogs = %v, want one file chooser for *.py", ui.dialogs)
	}
	if !slices.Contains(fb.Calls(), "OpenApp:/home/ada/scratch/report.py") {
		t.Errorf("calls = %v", fb.Calls())
	}
	ui.waitTitle(t, "report — Desklit")
}

func TestRecentMenu(t *testing.T) {
	tests := []struct {
		name   string
		recent []desktop.AppView // nil = the fake's samples
		want   []string          // File › Open Recent, in order
	}{
		{"samples", nil, []string{
			"File/Open Recent/Sales dashboard",
			"File/Open Recent/churn",
			"File/Open Recent/Quarterly report",
			"File/Open Recent/Forecast 2023 (missing) (disabled)",
			"File/Open Recent/Desklit demo",
			"File/Open Recent/All Apps…",
		}},
		{"none", []desktop.AppView{}, []string{
			"File/Open Recent/No recent apps (disabled)",
			"File/Open Recent/Desklit demo",
			"File/Open Recent/All Apps…",
		}},
		{"same names", []desktop.AppView{{Name: "app", Path: "/a/app"}, {Name: "app", Path: "/b/app"}}, []string{
			"File/Open Recent/app — /a/app",
			"File/Open Recent/app — /b/app",
			"File/Open Recent/Desklit demo",
			"File/Open Recent/All Apps…",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := desktop.NewApp(&desktoptest.FakeBackend{Recent: tt.recent}, nil, time.Second)
			desktop.SetMenuRebuildsForTest(a, true) // the menu as built where it can be replaced
			var got []string
			for _, l := range desktop.MenuForTest(a, nil) {
				if strings.HasPrefix(l, "File/Open Recent/") {
					got = append(got, l)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Open Recent =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// TestRecentRelabelledInPlace: where the menu cannot be replaced (Linux), Open Recent is made of
// fixed items, the unused ones hidden at start, relabelled after a switch; each item opens what
// its slot holds when clicked.
func TestRecentRelabelledInPlace(t *testing.T) {
	fb := &desktoptest.FakeBackend{Scenario: desktoptest.Ready, Pace: time.Millisecond}
	a, ui := startedWith(t, fb, false)
	var fixed []string
	for _, l := range desktop.MenuForTest(a, nil) {
		if strings.HasPrefix(l, "File/Open Recent/") {
			fixed = append(fixed, l)
		}
	}
	if len(fixed) != 10+1+2 { // the slots, "No recent apps", the demo, All Apps
		t.Fatalf("Open Recent has %d items, want the 10 fixed slots and three more: %q", len(fixed), fixed)
	}
	visible := func(items []desktop.RecentItem) []string {
		var out []string
		for _, it := range items {
			if it.Visible {
				out = append(out, it.Label)
			}
		}
		return out
	}
	first := ui.recentCalls()
	if len(first) == 0 || !slices.Equal(visible(first[0]), []string{"Sales dashboard", "churn", "Quarterly report", "Forecast 2023 (missing)"}) {
		t.Fatalf("at start UpdateRecent = %v", first)
	}
	if err := a.OpenApp(desktoptest.ChurnPath); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		calls := ui.recentCalls()
		if last := calls[len(calls)-1]; len(calls) > 1 && visible(last)[0] == "churn" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Open Recent not relabelled after the switch: %v", calls)
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case m := <-ui.menus:
		t.Fatalf("the menu was replaced (%d items) where it cannot be", len(desktop.MenuLabelsForTest(m)))
	default:
	}
}

func TestMenuRebuiltAfterASwitch(t *testing.T) {
	fb := &desktoptest.FakeBackend{Scenario: desktoptest.Ready, Pace: time.Millisecond}
	a, ui := startedWith(t, fb, true) // as on macOS and Windows
	if err := a.OpenApp(desktoptest.ChurnPath); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m := <-ui.menus:
			labels := desktop.MenuLabelsForTest(m)
			i := slices.IndexFunc(labels, func(l string) bool { return strings.HasPrefix(l, "File/Open Recent/") })
			if i >= 0 && labels[i] == "File/Open Recent/churn" {
				return
			}
		case <-timeout:
			t.Fatal("no menu with churn first in Open Recent")
		}
	}
}

func TestWindowTitleFollowsTheApp(t *testing.T) {
	fb := &desktoptest.FakeBackend{Scenario: desktoptest.AppFailed, Pace: time.Millisecond}
	a, ui := startedWith(t, fb, false)
	ui.waitTitle(t, "Quarterly report — Desklit")
	e := ui.waitFor(t, desktop.EvError, nil).(desktop.ErrorView)
	if e.Kind != desktop.ErrAppFailed || e.Title != "Quarterly report could not start" {
		t.Errorf("error = %+v", e)
	}
	if err := a.OpenApp(""); err != nil { // back to the demo
		t.Fatal(err)
	}
	ui.waitTitle(t, "Desklit")
}
