package pyruntime

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestPackagesForOtherSystemsLeftOut: a requirements file frozen on another system names packages
// made for that system only. One with wheels alone for it (pywin32 in a Windows freeze) is left
// out when resolving; one that also has a source that builds there only (pywinpty) is left out of
// the lock when its build fails here. Each is said, in the progress and at the top of the lock,
// and the app's environment is built. A package whose source fails and that has no wheel for any
// system is not left out: its error stands.
func TestPackagesForOtherSystemsLeftOut(t *testing.T) {
	other, tag := otherSystemWheel()
	f := newFixture(t, testPython(t))
	makeTaggedWheel(t, f.wheelhouse, "desklit-fake-win", "desklit_fake_win", "1.0", "w", tag)
	makeTaggedWheel(t, f.wheelhouse, "desklit-fake-pty", "desklit_fake_pty", "2.0", "p", tag)
	makeFailingSdist(t, f.wheelhouse, "desklit-fake-pty", "2.0", true)
	makeFailingSdist(t, f.wheelhouse, "desklit-fake-c", "1.0", true)

	o := f.opts
	o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": "desklit-fake-a==1.0\ndesklit-fake-b==2.0\nDesklit_Fake_Win==1.0\ndesklit-fake-pty==2.0\n"})
	env, err := Ensure(context.Background(), o)
	if err != nil {
		t.Fatalf("Ensure: %v\n%s", err, o.Log)
	}
	lock, _ := os.ReadFile(env.Lock.File)
	said := f.events.take()
	for _, pin := range []string{"desklit-fake-win==1.0", "desklit-fake-pty==2.0"} {
		note := "# " + pin + " is left out on " + systemName[runtime.GOOS] + ": it is made for " + other + " only"
		if !strings.Contains(string(lock), note+"\n") || strings.Contains(string(lock), "\n"+pin) {
			t.Errorf("the lock does not leave %s out with %q:\n%s", pin, note, lock)
		}
		if !slices.ContainsFunc(said, func(p Progress) bool { return p.Message == note[2:] }) {
			t.Errorf("no progress says %q", note[2:])
		}
	}
	if got := runPy(t, env.Python, "import desklit_fake_a; print(desklit_fake_a.VALUE)"); strings.TrimSpace(got) != "a1" {
		t.Errorf("the environment lacks the project's other packages: %q", got)
	}
	// The next start takes the lock as it was left: nothing resolved or built again.
	again, err := Ensure(context.Background(), o)
	if err != nil || again.Dir != env.Dir {
		t.Errorf("Ensure again = %+v, %v; want %s", again, err, env.Dir)
	}

	// A version PyPI never had, as conda reports pywin32 (305.1) in Anaconda's Windows freezes: left
	// out all the same, since no release has a wheel for this system.
	o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": "desklit-fake-a==1.0\ndesklit-fake-b==2.0\ndesklit-fake-win==1.0.1\n"})
	env, err = Ensure(context.Background(), o)
	if err != nil {
		t.Fatalf("Ensure with a version no index has: %v\n%s", err, o.Log)
	}
	lock, _ = os.ReadFile(env.Lock.File)
	if note := "# desklit-fake-win==1.0.1 is left out on " + systemName[runtime.GOOS] + ": it is made for " + other + " only\n"; !strings.Contains(string(lock), note) {
		t.Errorf("the lock does not leave desklit-fake-win==1.0.1 out with %q:\n%s", note, lock)
	}

	o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": "desklit-fake-a==1.0\ndesklit-fake-b==2.0\ndesklit-fake-c==1.0\n"})
	if _, err := Ensure(context.Background(), o); err == nil {
		t.Fatal("a package that builds nowhere was left out")
	} else if sb, ok := err.(*SourceBuildError); !ok || sb.Package != "desklit-fake-c==1.0" {
		t.Errorf("Ensure = %v (%T), want the SourceBuildError of desklit-fake-c==1.0", err, err)
	}
}

// TestOtherSystemOnly reads uv 0.13's hint: pywin32's as uv wrote it resolving a Windows freeze on
// Linux, the others in its form.
func TestOtherSystemOnly(t *testing.T) {
	pywin32 := "No solution found when resolving dependencies\n  cause: Because pywin32==306 has no wheels with a matching platform tag (e.g., `manylinux_2_36_x86_64`) " +
		"and you require pywin32==306, we can conclude that your requirements are unsatisfiable.\n\nhint: Wheels are available for `pywin32` (v306) on the following platforms: `win32`, `win_amd64`, `win_arm64`"
	pyobjc := "hint: Wheels are available for `PyObjC-Core` (v10.1) on the following platform: `macosx_10_9_universal2`"
	both := "hint: Wheels are available for `uvloop` (v0.19.0) on the following platforms: `macosx_10_9_x86_64`, `manylinux_2_17_x86_64`"
	glibc := "hint: Wheels are available for `polars` (v1.0) on the following platform: `manylinux_2_28_x86_64`"
	for _, tt := range []struct {
		text, goos           string
		req, marker, systems string
	}{
		{pywin32, "linux", "pywin32==306", `sys_platform == "win32"`, "Windows"},
		{pywin32, "darwin", "pywin32==306", `sys_platform == "win32"`, "Windows"},
		{pywin32, "windows", "", "", ""},
		{pyobjc, "windows", "pyobjc-core==10.1", `sys_platform == "darwin"`, "macOS"},
		{both, "windows", "uvloop==0.19.0", `sys_platform == "darwin" or sys_platform == "linux"`, "macOS and Linux"},
		{glibc, "linux", "", "", ""}, // a wheel for Linux, for a newer glibc: not another system's
		{"Because you require pandas==2.2.3 and streamlit==1.51.0 depends on pandas<2.2", "linux", "", "", ""},
	} {
		err := &uvError{lines: strings.Split(tt.text, "\n")}
		req, marker, systems, ok := otherSystemOnly(err, tt.goos)
		if req != tt.req || marker != tt.marker || systems != tt.systems || ok != (tt.req != "") {
			t.Errorf("otherSystemOnly(%.40q, %s) = %q, %q, %q, %v; want %q, %q, %q", tt.text, tt.goos, req, marker, systems, ok, tt.req, tt.marker, tt.systems)
		}
		if re := (&ResolveError{Explanation: err.Error()}); tt.req != "" {
			if r, _, _, _ := otherSystemOnly(re, tt.goos); r != tt.req {
				t.Errorf("from a ResolveError: %q, want %q", r, tt.req)
			}
		}
	}
}

// A resolution says each of its notes once, though the dated resolution and today's each find
// the same package for other systems; the install's counted progress is not held back.
func TestResolutionSaysEachNoteOnce(t *testing.T) {
	var got []string
	say := onceEach(func(p Progress) { got = append(got, p.Message) })
	note := "pywin32==306 is left out on Linux: it is made for Windows only"
	for _, p := range []Progress{{Step: StepResolve, Message: note}, {Step: StepResolve, Message: "resolving as of today"},
		{Step: StepResolve, Message: note}, {Step: StepInstall, Percent: 40, Message: "unpacking numpy (1/2)"}, {Step: StepInstall, Percent: 40, Message: "unpacking numpy (1/2)"}} {
		say(p)
	}
	if want := []string{note, "resolving as of today", "unpacking numpy (1/2)", "unpacking numpy (1/2)"}; !slices.Equal(got, want) {
		t.Errorf("said %q, want %q", got, want)
	}
	if onceEach(nil) != nil {
		t.Error("no progress to report to became one")
	}
}

// A hash-pinned requirements file made on Windows (`pip-compile --generate-hashes` pins pywin32
// with its hashes) is installed as it is, but for what only another system can install: Desklit
// leaves that out of its own copy of the file; the project's file is not changed, and the next
// start takes the copy.
func TestHashPinnedFileForOtherSystems(t *testing.T) {
	other, tag := otherSystemWheel()
	f := newFixture(t, testPython(t))
	sum := makeTaggedWheel(t, f.wheelhouse, "desklit-fake-win", "desklit_fake_win", "1.0", "w", tag)
	base, err := os.ReadFile(f.opts.Source.File)
	if err != nil {
		t.Fatal(err)
	}
	hashed := string(base) + "desklit-fake-win==1.0 \\\n    --hash=sha256:" + sum + "\n"
	o := f.opts
	o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": hashed})
	env, err := Ensure(context.Background(), o)
	if err != nil {
		t.Fatalf("Ensure: %v\n%s", err, o.Log)
	}
	if got, _ := os.ReadFile(o.Source.File); string(got) != hashed {
		t.Errorf("the project's file was changed:\n%s", got)
	}
	if env.Lock.File != o.ownCopy(o.Source.File) || filepath.Dir(env.Lock.File) != o.lockDir() {
		t.Errorf("the environment's lock is %s, want Desklit's copy", env.Lock.File)
	}
	lock, _ := os.ReadFile(env.Lock.File)
	note := "# desklit-fake-win==1.0 is left out on " + systemName[runtime.GOOS] + ": it is made for " + other + " only\n"
	if !strings.Contains(string(lock), note) || strings.Contains(string(lock), "\ndesklit-fake-win") {
		t.Errorf("the copy does not leave desklit-fake-win out:\n%s", lock)
	}
	again, err := Ensure(context.Background(), o)
	if err != nil || again.Dir != env.Dir || again.Lock.File != env.Lock.File {
		t.Errorf("Ensure again = %+v, %v; want %s from the copy", again, err, env.Dir)
	}
}

// otherSystemWheel is another system than this one (its name in Desklit's notes) and a wheel tag
// of it for this architecture: Windows here, macOS on Windows.
func otherSystemWheel() (name, tag string) {
	switch {
	case runtime.GOOS == "windows" && runtime.GOARCH == "amd64":
		return "macOS", "py3-none-macosx_10_9_x86_64"
	case runtime.GOOS == "windows":
		return "macOS", "py3-none-macosx_11_0_arm64"
	case runtime.GOARCH == "arm64":
		return "Windows", "py3-none-win_arm64"
	}
	return "Windows", "py3-none-win_amd64"
}
