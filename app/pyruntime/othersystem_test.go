package pyruntime

import (
	"context"
	"os"
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
	other, tag := "Windows", "py3-none-win_amd64"
	if runtime.GOOS == "windows" {
		other, tag = "macOS", "py3-none-macosx_11_0_arm64"
		if runtime.GOARCH == "amd64" {
			tag = "py3-none-macosx_10_9_x86_64"
		}
	} else if runtime.GOARCH == "arm64" {
		tag = "py3-none-win_arm64"
	}
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

	o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": "desklit-fake-a==1.0\ndesklit-fake-b==2.0\ndesklit-fake-c==1.0\n"})
	if _, err := Ensure(context.Background(), o); err == nil {
		t.Fatal("a package that builds nowhere was left out")
	} else if sb, ok := err.(*SourceBuildError); !ok || sb.Package != "desklit-fake-c==1.0" {
		t.Errorf("Ensure = %v (%T), want the SourceBuildError of desklit-fake-c==1.0", err, err)
	}
}
