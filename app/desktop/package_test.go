package desktop_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/desktop"
	"github.com/desklit/desklit/app/desktop/desktoptest"
)

// packaging starts an App on a fake running the project at current ("" = the demo), with the
// folders it opens sent to the returned channel.
func packaging(t *testing.T, current string, pace time.Duration, opts desktop.Options) (*desktop.App, *desktoptest.FakeBackend, *fakeUI, chan string) {
	t.Helper()
	fb := &desktoptest.FakeBackend{Scenario: desktoptest.Ready, Pace: pace, Current: current}
	a := desktop.NewApp(fb, nil, time.Second)
	opened := make(chan string, 10)
	desktop.SetOpenPathForTest(a, func(p string) error { opened <- p; return nil })
	desktop.SetOptionsForTest(a, opts)
	ui := newFakeUI()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	desktop.StartForTest(a, ctx, ui)
	t.Cleanup(func() { _ = desktop.ShutdownForTest(a) })
	ui.waitFor(t, desktop.EvApp, nil)
	return a, fb, ui, opened
}

// packageEvents reads EvPackage events until the one that ends the packaging.
func (s *fakeUI) packageEvents(t *testing.T) (lines []string, done desktop.PackageEvent) {
	t.Helper()
	for {
		e := s.waitFor(t, desktop.EvPackage, nil).(desktop.PackageEvent)
		if e.Done {
			return lines, e
		}
		lines = append(lines, e.Line)
	}
}

func TestPackageAppReportsProgressThenOpensTheFolder(t *testing.T) {
	a, fb, ui, opened := packaging(t, desktoptest.SalesPath, time.Millisecond, desktop.Options{})
	targets, err := a.PackageTargets()
	if err != nil || len(targets) != 3 || !targets[0].Host || !targets[0].Available {
		t.Fatalf("PackageTargets = %+v, %v; want three, this system's first and available", targets, err)
	}
	if mac := targets[2]; mac.Name != "macos" || mac.Available || !strings.Contains(mac.Note, "binaries") {
		t.Errorf("macOS target = %+v, want unavailable with a note about its binaries", mac)
	}
	out, err := a.PackageFolder()
	if want := filepath.Join(desktoptest.SalesPath, "dist"); out != want || err != nil {
		t.Errorf("PackageFolder = %q, %v; want %q", out, err, want)
	}
	if err := a.PackageApp(desktop.PackageRequest{Targets: []string{"linux", "windows"}, OutDir: out}); err != nil {
		t.Fatalf("PackageApp: %v", err)
	}
	lines, done := ui.packageEvents(t)
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "linux: ") || !strings.HasPrefix(lines[len(lines)-1], "windows: ") {
		t.Errorf("progress lines = %q, want each target's steps in order", lines)
	}
	if done.Error != "" || done.Result == nil {
		t.Fatalf("last event = %+v, want a result", done)
	}
	r := done.Result
	if r.OutDir != out || len(r.Artefacts) != 5 || !strings.HasSuffix(r.Artefacts[0], ".deb") || !slices.Equal(r.LeftOut, []string{".streamlit/secrets.toml"}) {
		t.Errorf("result = %+v", r)
	}
	if got := <-opened; got != out {
		t.Errorf("opened %q, want the output folder %q", got, out)
	}
	if err := a.OpenPackageFolder(); err != nil { // the view's Open folder
		t.Fatal(err)
	}
	if got := <-opened; got != out {
		t.Errorf("Open folder opened %q, want %q", got, out)
	}
	if !slices.Contains(fb.Calls(), "Package:linux,windows") {
		t.Errorf("calls = %v", fb.Calls())
	}
	// Done means done: the next packaging may start at once.
	if err := a.PackageApp(desktop.PackageRequest{Targets: []string{"linux"}, OutDir: out}); err != nil {
		t.Errorf("PackageApp after the first ended: %v", err)
	}
	ui.packageEvents(t)
}

func TestPackageAppOneAtATime(t *testing.T) {
	// An hour's pace: the first packaging stays at its first step until the window closes.
	a, _, ui, opened := packaging(t, desktoptest.SalesPath, time.Hour, desktop.Options{})
	if err := a.PackageApp(desktop.PackageRequest{Targets: []string{"linux"}}); err != nil {
		t.Fatal(err)
	}
	ui.waitFor(t, desktop.EvPackage, nil) // it runs
	err := a.PackageApp(desktop.PackageRequest{Targets: []string{"linux"}})
	if err == nil || !strings.Contains(err.Error(), "already") {
		t.Fatalf("second PackageApp = %v, want an error saying one runs already", err)
	}
	// Closing the window cancels it (the packager then removes its temporary folder).
	_ = desktop.ShutdownForTest(a)
	if _, done := ui.packageEvents(t); !strings.Contains(done.Error, "cancelled") || done.Result != nil {
		t.Errorf("after the close: %+v, want it cancelled", done)
	}
	select {
	case p := <-opened:
		t.Errorf("a cancelled packaging opened %q", p)
	default:
	}
}

func TestPackageFailureReadsWell(t *testing.T) {
	a, _, ui, opened := packaging(t, desktoptest.ChurnPath, time.Millisecond, desktop.Options{})
	if out, _ := a.PackageFolder(); out != filepath.Join(filepath.Dir(desktoptest.ChurnPath), "dist") {
		t.Errorf("a script's PackageFolder = %q, want dist beside the script", out)
	}
	if err := a.PackageApp(desktop.PackageRequest{Targets: []string{"windows"}}); err != nil {
		t.Fatal(err)
	}
	_, done := ui.packageEvents(t)
	if !strings.HasPrefix(done.Error, "scikit-learn==1.5.2 has no wheel for Windows") || strings.Contains(done.Error, "\n") ||
		!strings.Contains(done.Detail, "Because scikit-learn") || done.Result != nil {
		t.Errorf("failure = %+v, want the packager's sentence, uv's explanation as the detail, no result", done)
	}
	select {
	case p := <-opened:
		t.Errorf("a failed packaging opened %q", p)
	default:
	}
}

func TestPackageAppRefused(t *testing.T) {
	tests := []struct {
		name    string
		current string
		opts    desktop.Options
		req     desktop.PackageRequest
		want    string
	}{
		{"the demo", "", desktop.Options{}, desktop.PackageRequest{Targets: []string{"linux"}}, "demo"},
		{"no target", desktoptest.SalesPath, desktop.Options{}, desktop.PackageRequest{}, "at least one"},
		{"a packaged app", desktoptest.SalesPath, desktop.Options{SingleApp: true}, desktop.PackageRequest{Targets: []string{"linux"}}, "packaged app"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, fb, _, _ := packaging(t, tt.current, time.Millisecond, tt.opts)
			if err := a.PackageApp(tt.req); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("PackageApp = %v, want an error about %q", err, tt.want)
			}
			for _, c := range fb.Calls() {
				if strings.HasPrefix(c, "Package") {
					t.Errorf("the backend was asked to package: %v", fb.Calls())
				}
			}
		})
	}
	a, _, _, _ := packaging(t, "", time.Millisecond, desktop.Options{})
	if out, err := a.PackageFolder(); out != "" || err != nil {
		t.Errorf("the demo's PackageFolder = %q, %v; want none", out, err)
	}
	if err := a.OpenPackageFolder(); err == nil {
		t.Error("OpenPackageFolder before any package: no error")
	}
}

func TestChoosePackageFolder(t *testing.T) {
	a, _, ui, _ := packaging(t, desktoptest.SalesPath, time.Millisecond, desktop.Options{})
	ui.chooseDir = "/home/ada/installers"
	if got, err := a.ChoosePackageFolder(); got != ui.chooseDir || err != nil {
		t.Errorf("ChoosePackageFolder = %q, %v", got, err)
	}
	ui.chooseDir = ""
	if got, err := a.ChoosePackageFolder(); got != "" || err != nil {
		t.Errorf("cancelled ChoosePackageFolder = %q, %v; want \"\", nil", got, err)
	}
	if len(ui.dialogs) != 2 || !strings.HasPrefix(ui.dialogs[0], "dir:") {
		t.Errorf("dialogs = %v, want two folder choosers", ui.dialogs)
	}
}

func TestPackageMenu(t *testing.T) {
	const item = "File/Package App… [cmdorctrl+shift+p]"
	a := desktop.NewApp(&desktoptest.FakeBackend{}, nil, time.Second)
	if got := desktop.MenuForTest(a, nil); !slices.Contains(got, item) {
		t.Errorf("menu lacks %q; it has %q", item, got)
	}
	a = desktop.NewApp(&desktoptest.FakeBackend{}, nil, time.Second)
	for _, l := range desktop.MenuWithOptionsForTest(a, desktop.Options{SingleApp: true}) {
		if strings.Contains(l, "Package") {
			t.Errorf("a packaged app's menu has %q", l)
		}
	}
}

func TestOpenLogFolder(t *testing.T) {
	a, _, _, opened := packaging(t, "", time.Millisecond, desktop.Options{})
	if err := a.OpenLogFolder(); err != nil {
		t.Fatal(err)
	}
	if got := <-opened; got != "/tmp" {
		t.Errorf("opened %q, want the fake's log folder /tmp", got)
	}
}
