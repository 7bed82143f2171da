package desktop_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/desklit/desklit/app/desktop"
	"github.com/desklit/desklit/app/desktop/desktoptest"
)

// startedOpening starts an App on scenario with the paths it opens sent to the returned channel.
func startedOpening(t *testing.T, scenario string) (*desktop.App, *desktoptest.FakeBackend, *fakeUI, chan string) {
	t.Helper()
	fb := &desktoptest.FakeBackend{Scenario: scenario, Pace: 5 * time.Millisecond}
	a := desktop.NewApp(fb, nil, time.Second)
	opened := make(chan string, 10)
	desktop.SetOpenPathForTest(a, func(p string) error { opened <- p; return nil })
	ui := newFakeUI()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	desktop.StartForTest(a, ctx, ui)
	t.Cleanup(func() { _ = desktop.ShutdownForTest(a) })
	return a, fb, ui, opened
}

// TestDependenciesActions: a conflict's screen opens the project's requirements and folder (the
// ones the backend named, never a path from the page), and "Open again" retries the open.
func TestDependenciesActions(t *testing.T) {
	a, fb, ui, opened := startedOpening(t, desktoptest.Dependencies)
	e := ui.waitFor(t, desktop.EvError, func(v any) bool { return v.(desktop.ErrorView).Kind == desktop.ErrDependencies }).(desktop.ErrorView)
	for action, want := range map[string]string{desktop.ActEditDeps: e.File, desktop.ActOpenFolder: e.Folder} {
		if err := a.Act(action); err != nil {
			t.Fatalf("Act(%s): %v", action, err)
		}
		if got := <-opened; got != want || want == "" {
			t.Errorf("%s opened %q, want %q", action, got, want)
		}
	}
	for _, bad := range []string{"edit_deps:/etc/passwd", desktop.ActScript + ":x.py"} {
		if err := a.Act(bad); err == nil {
			t.Errorf("Act(%q) = nil: an action the error does not offer must be refused", bad)
		}
	}
	if err := a.Act(desktop.ActReopen); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(fb.Calls(), "RetryStart") {
		t.Errorf("reopen: calls %v, want RetryStart", fb.Calls())
	}
}

// TestChooseScript: the window asks which script runs; the choice opens that script of the
// folder, and nothing outside it.
func TestChooseScript(t *testing.T) {
	a, fb, ui, _ := startedOpening(t, desktoptest.ChooseScript)
	e := ui.waitFor(t, desktop.EvError, func(v any) bool { return v.(desktop.ErrorView).Kind == desktop.ErrChooseScript }).(desktop.ErrorView)
	if e.Folder != desktoptest.HelloPath || len(e.Actions) != 3 {
		t.Fatalf("error = %+v", e)
	}
	if err := a.Act(desktop.ActScript + ":../../etc/x.py"); err == nil {
		t.Error("a script outside the folder was accepted")
	}
	if err := a.Act(desktop.ActScript + ":0_👋_Hello.py"); err != nil {
		t.Fatal(err)
	}
	if want := "OpenApp:" + desktoptest.HelloPath + "/0_👋_Hello.py"; !slices.Contains(fb.Calls(), want) {
		t.Errorf("calls %v, want %s", fb.Calls(), want)
	}
}
