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

// notesPath is a recent app with a service of its own ([services.notes-api] in its desklit.toml),
// which replaces the demo API.
const notesPath = "/home/ada/projects/notes"

func recentWithServices() []desktop.AppView {
	return []desktop.AppView{
		{Name: "Notes", Path: notesPath, Script: notesPath + "/app.py", EnvReady: true,
			Services: []string{"streamlit", "component", "notes-api"}},
		{Name: "Sales dashboard", Path: desktoptest.SalesPath, Script: desktoptest.SalesPath + "/app.py", EnvReady: true},
	}
}

func restartLabels(labels []string) []string {
	var out []string
	for _, l := range labels {
		if strings.HasPrefix(l, "Services/Restart ") {
			out = append(out, strings.TrimPrefix(l, "Services/"))
		}
	}
	return out
}

// TestServicesMenuListsTheAppsServices: Services › Restart lists the services the Backend says
// run for the current app (its own among them), else the window's options.
func TestServicesMenuListsTheAppsServices(t *testing.T) {
	builtins := []string{"streamlit", "component", "api"}
	tests := []struct {
		name    string
		current string
		want    []string
	}{
		{"an app with its own service", notesPath, []string{"Restart streamlit", "Restart component", "Restart notes-api"}},
		{"an app without (the Backend names none)", desktoptest.SalesPath, []string{"Restart streamlit", "Restart component", "Restart api"}},
	}
	for _, tt := range tests {
		for _, rebuilds := range []bool{true, false} {
			t.Run(tt.name, func(t *testing.T) {
				a := desktop.NewApp(&desktoptest.FakeBackend{Recent: recentWithServices(), Current: tt.current}, nil, time.Second)
				desktop.SetMenuRebuildsForTest(a, rebuilds)
				labels := desktop.MenuForTest(a, builtins)
				got := restartLabels(labels)
				if !rebuilds { // every fixed slot is made; UpdateServices hides the unused ones
					got = slices.DeleteFunc(got, func(l string) bool { return l == "Restart " })
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("menu rebuilt %v: Services = %q, want %q", rebuilds, got, tt.want)
				}
				if !slices.Contains(labels, "Services/Show Logs") {
					t.Errorf("Services lacks Show Logs: %q", labels)
				}
			})
		}
	}
}

func visibleLabels(items []desktop.RecentItem) []string {
	var out []string
	for _, it := range items {
		if it.Visible {
			out = append(out, it.Label)
		}
	}
	return out
}

// TestServicesMenuFollowsASwitch: where the menu cannot be replaced (Linux), Services' fixed
// Restart items are relabelled when the app changes, and a slot restarts what it holds then.
func TestServicesMenuFollowsASwitch(t *testing.T) {
	fb := &desktoptest.FakeBackend{Scenario: desktoptest.Ready, Pace: time.Millisecond, Recent: recentWithServices(), Current: desktoptest.SalesPath}
	a := desktop.NewApp(fb, nil, time.Second)
	desktop.SetMenuRebuildsForTest(a, false)
	desktop.SetOptionsForTest(a, desktop.Options{Services: []string{"streamlit", "component", "api"}})
	ui := newFakeUI()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	desktop.StartForTest(a, ctx, ui)
	t.Cleanup(func() { _ = desktop.ShutdownForTest(a) })
	ui.waitFor(t, desktop.EvApp, nil)
	first := ui.servicesCalls()
	if len(first) == 0 || len(first[0]) != 12 || !slices.Equal(visibleLabels(first[0]), []string{"Restart streamlit", "Restart component", "Restart api"}) {
		t.Fatalf("at start UpdateServices = %v, want the 12 fixed slots, Desklit's three shown", first)
	}
	if err := a.OpenApp(notesPath); err != nil {
		t.Fatal(err)
	}
	want := []string{"Restart streamlit", "Restart component", "Restart notes-api"}
	deadline := time.Now().Add(10 * time.Second)
	for {
		calls := ui.servicesCalls()
		if last := calls[len(calls)-1]; slices.Equal(visibleLabels(last), want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Services not relabelled after the switch: %v", calls)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !desktop.ClickMenuForTest(a, "Services/Restart notes-api") {
		t.Fatal("no Services/Restart notes-api item to click")
	}
	for !slices.Contains(fb.Calls(), "RestartService:notes-api") {
		if time.Now().After(deadline) {
			t.Fatalf("the slot did not restart notes-api: %v", fb.Calls())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestServicesMenuRebuiltAfterASwitch: where the menu can be replaced (macOS, Windows), the new
// menu lists the new app's services.
func TestServicesMenuRebuiltAfterASwitch(t *testing.T) {
	fb := &desktoptest.FakeBackend{Scenario: desktoptest.Ready, Pace: time.Millisecond, Recent: recentWithServices(), Current: desktoptest.SalesPath}
	a, ui := startedWith(t, fb, true)
	if err := a.OpenApp(notesPath); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m := <-ui.menus:
			if slices.Contains(desktop.MenuLabelsForTest(m), "Services/Restart notes-api") {
				return
			}
		case <-timeout:
			t.Fatal("no menu with Services/Restart notes-api after the switch")
		}
	}
}
