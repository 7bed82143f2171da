package pyruntime

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestUVProgress(t *testing.T) {
	lines := []string{
		"Using Python 3.11.7 environment at: env",
		"Resolved 3 packages in 1ms",
		"DEBUG Identified uncached distribution: numpy==2.4.6",
		"DEBUG Identified uncached distribution: typing-extensions==4.16.0",
		"TRACE Checking lock for `/c/wheels-v7/index/240c/numpy/2.4.6-cp311-cp311-manylinux_2_28_x86_64.lock` at `c/…`",
		"TRACE Released lock at `/c/wheels-v7/index/240c/typing-extensions/4.16.0-py3-none-any.lock`",
		"TRACE Released lock at `/tmp/env/.lock`",
		"TRACE Released lock at `/c/wheels-v7/index/240c/numpy/2.4.6-cp311-cp311-manylinux_2_28_x86_64.lock`",
		"Prepared 2 packages in 1.33s",
		"Installed 3 packages in 45ms",
		" + altair==6.3.0",
	}
	var got []Progress
	p := newUVProgress(3, func(e Progress) { got = append(got, e) })
	for _, l := range lines {
		p.line(l)
	}
	var pkgs []string
	for _, e := range got {
		if e.Package != "" {
			pkgs = append(pkgs, fmt.Sprintf("%s %d/%d", e.Package, e.N, e.Total))
		}
	}
	if want := []string{"typing-extensions 1/2", "numpy 2/2"}; !slices.Equal(pkgs, want) {
		t.Errorf("packages = %v, want %v", pkgs, want)
	}
	if got[1].Percent != pctPrepareEnd {
		t.Errorf("last unpack at %v%%, want %v", got[1].Percent, pctPrepareEnd)
	}
	if last := got[len(got)-1]; last.Percent != pctInstallEnd || last.Message != "packages installed" {
		t.Errorf("last event = %+v", last)
	}
	if got[2].Message != "linking 3 packages into the environment" {
		t.Errorf("link event = %+v", got[2])
	}
}

func TestTerminalProgress(t *testing.T) {
	events := []Progress{
		{Step: StepVenv, Message: "creating"},
		{Step: StepInstall, Package: "a", N: 1, Total: 2, Percent: 30, Message: "collecting a (1/2)"},
		{Step: StepInstall, Package: "a", N: 1, Total: 2, Percent: 30, Message: "collecting a (1/2)"},
		{Step: StepReady, Percent: 100, Message: "python runtime ready"},
	}
	t.Run("tty", func(t *testing.T) {
		var b bytes.Buffer
		r := NewTerminalProgress(&b, true)
		for _, e := range events {
			r(e)
		}
		out := b.String()
		if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "python runtime ready\n") {
			t.Errorf("tty output %q: want one redrawn line ending in ready", out)
		}
		if !strings.Contains(out, "\r\x1b[K[#######-----------------]  30% collecting a (1/2)") {
			t.Errorf("tty output %q lacks the 30%% bar", out)
		}
	})
	t.Run("plain", func(t *testing.T) {
		var b bytes.Buffer
		r := NewTerminalProgress(&b, false)
		for _, e := range events {
			r(e)
		}
		want := "python environment: creating\npython environment: collecting a (1/2)\npython environment: python runtime ready\n"
		if b.String() != want {
			t.Errorf("plain output %q, want %q", b.String(), want)
		}
	})
	t.Run("a project's", func(t *testing.T) {
		var b bytes.Buffer
		NewTerminalProgress(&b, false)(Progress{Step: StepInstall, App: "Sales", Message: "unpacking numpy (3/35)"})
		if want := "Sales: python environment: unpacking numpy (3/35)\n"; b.String() != want {
			t.Errorf("plain output %q, want %q (the project's name)", b.String(), want)
		}
	})
}

func TestStreamlitArgv(t *testing.T) {
	flags := []string{"--server.port", "4010", "--server.address", "127.0.0.1",
		"--server.baseUrlPath", "", "--server.headless", "true",
		"--server.enableXsrfProtection", "false", "--server.enableCORS", "true",
		"--browser.gatherUsageStats", "false", "--global.developmentMode", "false"}
	dir := t.TempDir()
	app := filepath.Join(dir, "main.py")
	// An app of the user's own (no launcher beside it): Streamlit's CLI as `python -m streamlit`.
	got := StreamlitArgv(Env{Python: "/env/bin/python"}, app, 4010)
	want := append([]string{"/env/bin/python", "-m", "streamlit", "run", app}, flags...)
	if !slices.Equal(got, want) {
		t.Errorf("StreamlitArgv without launcher = %q\nwant %q", got, want)
	}
	// The bundled app: through the launcher beside it, with the same arguments.
	launcher := filepath.Join(dir, Launcher)
	if err := os.WriteFile(launcher, []byte("# launcher"), 0o644); err != nil {
		t.Fatal(err)
	}
	got = StreamlitArgv(Env{Python: "/env/bin/python"}, app, 4010)
	want = append([]string{"/env/bin/python", launcher, "run", app}, flags...)
	if !slices.Equal(got, want) {
		t.Errorf("StreamlitArgv with launcher = %q\nwant %q", got, want)
	}
}
