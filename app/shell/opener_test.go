package shell

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/pyruntime"
)

// openerShell is a Shell with its own state folder, on Desklit itself (single=false) or on a
// packaged app's project.
func openerShell(t *testing.T, p *project.Project, single bool) *Shell {
	t.Helper()
	dir := t.TempDir()
	return New(Options{
		Project: p, Single: single,
		Config:  &config.Config{StreamlitPort: 4010},
		Paths:   config.Paths{State: filepath.Join(dir, "state"), Data: filepath.Join(dir, "data")},
		Environ: []string{"HOME=" + dir},
	})
}

// writeProject makes a project folder with one script and, when name is set, a desklit.toml
// naming it.
func writeProject(t *testing.T, dir, name string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte("import streamlit as st\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if name != "" {
		if err := os.WriteFile(filepath.Join(dir, project.SettingsFile), []byte("name = \""+name+"\"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestOpenRule: a packaged app refuses every other app, and the demo, with one message (the
// command line shows the same: cli's packagedApp asks OpenRule); Desklit itself opens anything.
func TestOpenRule(t *testing.T) {
	own := &project.Project{Name: "Sales dashboard", Path: "/opt/sales", Dir: "/opt/sales", Script: "/opt/sales/app.py"}
	packaged := openerShell(t, own, true)
	for _, tt := range []struct{ asked, want string }{
		{"/home/ada/other", "Sales dashboard opens its own app only (not /home/ada/other)"},
		{"", "Sales dashboard opens its own app only (not the demo)"},
	} {
		_, err := packaged.BeginOpen(tt.asked)
		var oe *OwnAppError
		if !errors.As(err, &oe) || err.Error() != tt.want {
			t.Errorf("packaged BeginOpen(%q) = %v, want an OwnAppError %q", tt.asked, err, tt.want)
		}
		if err := packaged.OpenProject(context.Background(), tt.asked); err == nil || err.Error() != tt.want {
			t.Errorf("packaged OpenProject(%q) = %v, want %q", tt.asked, err, tt.want)
		}
		if err := packaged.Rule().Check(tt.asked); err == nil || err.Error() != tt.want {
			t.Errorf("Rule().Check(%q) = %v, want %q", tt.asked, err, tt.want)
		}
	}
	if err := (OpenRule{}).Check("/home/ada/other"); err != nil {
		t.Errorf("Desklit's rule refused an app: %v", err)
	}
	if r := openerShell(t, nil, false).Rule(); r.Own != "" {
		t.Errorf("Desklit's rule = %+v, want no own app", r)
	}
}

// TestBeginOpenOneAtATime: while a switch runs, another is refused with the one message naming
// the app being opened; once it ended (here: a folder that does not exist, which Run reports),
// the next one is accepted.
func TestBeginOpenOneAtATime(t *testing.T) {
	s := openerShell(t, nil, false)
	first, err := s.BeginOpen("")
	if err != nil {
		t.Fatalf("BeginOpen(demo) = %v", err)
	}
	other := writeProject(t, filepath.Join(t.TempDir(), "churn"), "")
	_, err = s.BeginOpen(other)
	want := "another app is opening (" + DemoName + "); wait until it runs"
	if !errors.Is(err, ErrSwitching) || err.Error() != want {
		t.Fatalf("second BeginOpen = %v, want %q (errors.Is ErrSwitching)", err, want)
	}
	if err := s.OpenProject(context.Background(), other); err == nil || err.Error() != want {
		t.Errorf("OpenProject during a switch = %v, want %q", err, want)
	}
	if first.Name != DemoName {
		t.Errorf("the demo's switch is named %q, want %q", first.Name, DemoName)
	}

	s = openerShell(t, nil, false)
	missing := filepath.Join(t.TempDir(), "gone")
	op, err := s.BeginOpen(missing)
	if err != nil {
		t.Fatalf("BeginOpen(missing) = %v: a folder that cannot be read is Run's error, not a refusal", err)
	}
	if err := op.Run(context.Background()); err == nil || err.Error() != missing+" does not exist" {
		t.Errorf("Run(missing) = %v, want %q", err, missing+" does not exist")
	}
	if op, err := s.BeginOpen(other); err != nil || op.Name != "Churn" {
		t.Errorf("after the switch ended BeginOpen = %v, %v, want it accepted as Churn", op, err)
	}
}

// TestNameFor: what an app is called while it opens — the demo's name, the project's own name,
// for a project that cannot be read its name in the recent list, else the project's naming
// rule applied to the path.
func TestNameFor(t *testing.T) {
	state := t.TempDir()
	root := t.TempDir()
	named := writeProject(t, filepath.Join(root, "q3"), "Quarterly report")
	plain := writeProject(t, filepath.Join(root, "sales_dashboard"), "")
	gone := writeProject(t, filepath.Join(root, "old_one"), "Old one renamed")
	p, err := project.Load(gone)
	if err != nil {
		t.Fatal(err)
	}
	if err := project.Touch(state, p, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(gone); err != nil {
		t.Fatal(err)
	}
	load := func(path string) *project.Project {
		p, err := project.Load(path)
		if err != nil {
			return nil
		}
		return p
	}
	for _, tt := range []struct{ path, want string }{
		{"", DemoName},
		{named, "Quarterly report"},
		{plain, "Sales dashboard"},
		{filepath.Join(plain, "app.py"), "App"},
		{gone, "Old one renamed"},
		{filepath.Join(root, "never_seen"), "Never seen"},
		{filepath.Join(root, "report_draft.py"), "Report draft"},
	} {
		if got := nameFor(state, tt.path, load(tt.path)); got != tt.want {
			t.Errorf("nameFor(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
	s := openerShell(t, nil, false)
	if op, err := s.BeginOpen(named); err != nil || op.Name != "Quarterly report" {
		t.Errorf("BeginOpen(named) = %v, %v, want it named Quarterly report", op, err)
	}
}

// TestScriptChosenOnce: the script and its folder are chosen with the runtime request (the
// demo's app.py in Desklit's data folder, else the project's) and the Streamlit service runs the
// runtime's, never a second choice.
func TestScriptChosenOnce(t *testing.T) {
	dir := writeProject(t, filepath.Join(t.TempDir(), "sales"), "")
	p, err := project.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := openerShell(t, p, false)
	for _, tt := range []struct {
		p           *project.Project
		script, dir string
	}{
		{nil, filepath.Join(s.appDir(), "app.py"), s.appDir()},
		{p, filepath.Join(dir, "app.py"), dir},
	} {
		r, err := s.runtimeRequest(tt.p)
		if err != nil {
			t.Fatal(err)
		}
		if r.Script != tt.script || r.Dir != tt.dir {
			t.Errorf("runtimeRequest(%v) script, dir = %q, %q, want %q, %q", tt.p, r.Script, r.Dir, tt.script, tt.dir)
		}
	}
	// The service takes the runtime's script and folder, whatever the project says now.
	s.rt = pyruntime.Runtime{Argv: []string{"python", "-m", "streamlit", "run", "/chosen/app.py"}, Script: "/chosen/app.py", Dir: "/chosen"}
	sp, err := s.streamlitSpec()
	if err != nil {
		t.Fatal(err)
	}
	if sp.Dir != "/chosen" {
		t.Errorf("streamlit runs in %q, want the runtime's /chosen", sp.Dir)
	}
}
