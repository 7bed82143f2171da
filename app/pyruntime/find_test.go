package pyruntime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakePython writes a shell script that answers the probe like an interpreter would.
func fakePython(t *testing.T, dir, name, version, impl string, venv bool) string {
	t.Helper()
	p := filepath.Join(dir, name)
	body := fmt.Sprintf("#!/bin/sh\necho '{\"exe\": \"%s\", \"version\": \"%s\", \"impl\": \"%s\", \"venv\": %t, \"ensurepip\": %t}'\n",
		p, version, impl, venv, venv)
	if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFindPicksFirstQualifying(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("fake interpreters are shell scripts")
	}
	dir := t.TempDir()
	old := fakePython(t, dir, "old", "3.9.18", "cpython", true)
	novenv := fakePython(t, dir, "novenv", "3.12.1", "cpython", false)
	pypy := fakePython(t, dir, "pypy", "3.11.9", "pypy", true)
	good := fakePython(t, dir, "good", "3.13.0", "cpython", true)
	alsoGood := fakePython(t, dir, "alsogood", "3.11.7", "cpython", true)
	missing := filepath.Join(dir, "missing")

	tests := []struct {
		name      string
		cands     []string
		want      string
		rng       string
		wantTried []string // substrings of the error, when none qualifies
	}{
		{"first good wins", []string{good, alsoGood}, good, "", nil},
		{"skips unusable", []string{missing, old, pypy, alsoGood}, alsoGood, "", nil},
		{"no venv module is fine: uv makes the environment", []string{novenv, good}, novenv, "", nil},
		{"in the project's range", []string{alsoGood, good}, good, ">=3.12", nil},
		{"none", []string{old, pypy, missing}, "", "", []string{"older than 3.11", "not CPython", "missing"}},
		{"none in range", []string{alsoGood}, "", ">=3.12,<3.13", []string{"3.11.7 is not >=3.12,<3.13", "no Python >=3.12,<3.13"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cands []candidate
			for _, c := range tt.cands {
				cands = append(cands, candidate{argv: []string{c}})
			}
			rng, err := ParseRange(tt.rng)
			if err != nil {
				t.Fatal(err)
			}
			py, err := find(context.Background(), "linux", "", rng, cands)
			if tt.want != "" {
				if err != nil || py.Path != tt.want {
					t.Fatalf("find = %+v, %v; want %s", py, err, tt.want)
				}
				return
			}
			var np *NoPythonError
			if !errors.As(err, &np) {
				t.Fatalf("find = %+v, %v; want *NoPythonError", py, err)
			}
			for _, s := range tt.wantTried {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

func TestFindNoPythonMessage(t *testing.T) {
	tests := []struct {
		goos string
		want []string
	}{
		{"linux", []string{"apt install python3", "DESKLIT_PYTHON"}},
		{"darwin", []string{"brew install python@", "python.org/downloads/macos", "DESKLIT_PYTHON"}},
		{"windows", []string{"winget install Python.Python.", "Add python.exe to PATH", "DESKLIT_PYTHON"}},
	}
	for _, tt := range tests {
		t.Run(tt.goos, func(t *testing.T) {
			_, err := find(context.Background(), tt.goos, "", Range{}, nil)
			var np *NoPythonError
			if !errors.As(err, &np) {
				t.Fatalf("find with no candidates = %v, want *NoPythonError", err)
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q lacks %q", err, s)
				}
			}
		})
	}
	// A packaged app's wheels are for one Python: it is the one named, and the one to install.
	want, _ := ParseRange("==3.11.*")
	_, err := find(context.Background(), "windows", "", want, nil)
	if msg := fmt.Sprint(err); !strings.Contains(msg, "no Python 3.11 was found (the app is made for it). Install Python 3.11 from") ||
		!strings.Contains(msg, "winget install Python.Python.3.11,") {
		t.Errorf("a packaged app's message: %q", msg)
	}
	// On Linux too: the distribution's python3 may be another version (Ubuntu 24.04's is 3.12).
	_, err = find(context.Background(), "linux", "", want, nil)
	if msg := fmt.Sprint(err); !strings.Contains(msg, "no Python 3.11 was found (the app is made for it). Install Python 3.11 with your package manager (Debian/Ubuntu: sudo apt install python3.11 python3.11-venv") {
		t.Errorf("a packaged app's message on Linux: %q", msg)
	}
	// A configured Python of another version: which one the app needs, and how to get it.
	_, err = find(context.Background(), "linux", "/usr/bin/python3.12", want, nil)
	if msg := fmt.Sprint(err); !strings.Contains(msg, `the configured Python "/usr/bin/python3.12" cannot be used: the app is made for Python 3.11. Install Python 3.11`) {
		t.Errorf("a packaged app with another configured Python: %q", msg)
	}
}

func TestFindConfiguredIsTheOnlyCandidate(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DESKLIT_PYTHON": filepath.Join(dir, "nope"), "PATH": os.Getenv("PATH")}
	_, err := Find(context.Background(), "", func(k string) string { return env[k] })
	var np *NoPythonError
	if !errors.As(err, &np) || np.Configured != env["DESKLIT_PYTHON"] {
		t.Fatalf("Find with a bad DESKLIT_PYTHON = %v, want *NoPythonError naming it", err)
	}
	if !strings.Contains(err.Error(), "configured Python") {
		t.Errorf("message %q does not say the configured python is unusable", err)
	}
}

func TestFindEmptyPathUsesKnownLocations(t *testing.T) {
	// With an empty PATH and HOME the search still looks at the install locations a GUI app
	// does not inherit; it either finds one or says what it tried.
	env := map[string]string{}
	py, err := Find(context.Background(), "", func(k string) string { return env[k] })
	var np *NoPythonError
	switch {
	case err == nil:
		if py.Path == "" || py.Version == "" {
			t.Fatalf("Find = %+v", py)
		}
	case errors.As(err, &np):
		if !strings.Contains(err.Error(), "DESKLIT_PYTHON") {
			t.Fatalf("message %q lacks DESKLIT_PYTHON", err)
		}
	default:
		t.Fatal(err)
	}
}

func TestFindRealPython(t *testing.T) {
	py := testPython(t)
	major, minor, ok := versionParts(py.Version)
	if !ok || major != 3 || minor < MinMinor || !filepath.IsAbs(py.Path) {
		t.Fatalf("Find = %+v", py)
	}
}

// A project that allows only Pythons older than Desklit runs apps with (Poetry's python =
// ">=3.7.1,<3.10") is told so, not to install a Python: no installation can help.
func TestFindOlderOnlyRange(t *testing.T) {
	for _, tt := range []struct {
		want  string
		older bool
	}{{">=3.7.1,<3.10", true}, {"<3.11", true}, {"==3.9.*", true}, {">=3.9,!=3.9.7,<3.12", false}, {">=3.8", false}, {"", false}} {
		r, err := ParseRange(tt.want)
		if err != nil {
			t.Fatal(err)
		}
		_, err = find(context.Background(), "linux", "", r, nil)
		var np *NoPythonError
		if !errors.As(err, &np) || np.Older != tt.older {
			t.Fatalf("find(%q) = %v, want Older %v", tt.want, err, tt.older)
		}
		if tt.older && (!strings.Contains(err.Error(), "allow a newer Python in the project") || strings.Contains(err.Error(), "apt install")) {
			t.Errorf("find(%q): %v", tt.want, err)
		}
	}
}

// A project that needs a newer Python than any found (hayabhay/fastapi-streamlit-starter's Poetry
// python = "^3.12.7") is told which to install, python3.12 rather than "python3", which the
// computer has, and that the range is the project's.
func TestFindNewerOnlyRange(t *testing.T) {
	r, err := ParseRange(">=3.12.7,<4")
	if err != nil {
		t.Fatal(err)
	}
	_, err = find(context.Background(), "linux", "", r, nil)
	var np *NoPythonError
	if !errors.As(err, &np) || np.Older {
		t.Fatalf("find = %v, want a NoPythonError", err)
	}
	for _, want := range []string{"no Python >=3.12.7,<4 was found: the app asks for it (requires-python in pyproject.toml", "Install Python 3.12", "sudo apt install python3.12 python3.12-venv"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
}

func TestProbeMessage(t *testing.T) {
	pyenv := "pyenv: python3.12: command not found\n\nThe `python3.12' command exists in these Python versions:\n  3.12.1\n\n" +
		"Note: See 'pyenv help global' for tips on allowing both\n      python2 and python3 to be found at the same time.\n"
	trace := "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\nModuleNotFoundError: No module named 'encodings'\n"
	for in, want := range map[string]string{pyenv: "pyenv: python3.12: command not found", trace: "ModuleNotFoundError: No module named 'encodings'", "\n": ""} {
		if got := probeMessage(in); got != want {
			t.Errorf("probeMessage(%q) = %q, want %q", in, got, want)
		}
	}
}
