package pyruntime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// NoPythonError says that no usable Python was found, what was tried and how to get one.
type NoPythonError struct {
	GOOS       string
	Configured string   // DESKLIT_PYTHON or the configured path, when one was given
	Want       string   // the version range asked for (a project's python), when one was given
	Tried      []string // "<candidate>: <why not>"
	// Older: Want admits no Python Desklit runs apps with (3.MinMinor or newer), so that no
	// installation can help: the project must allow a newer Python.
	Older bool
}

// olderOnly reports whether r admits no Python from 3.MinMinor on.
func olderOnly(r Range) bool {
	if r.String() == "" {
		return false
	}
	for minor := MinMinor; minor <= MinMinor+20; minor++ {
		if r.AdmitsMinor(minor) {
			return false
		}
	}
	return true
}

// exactMinorRE is a range of one minor version ("==3.12.*").
var exactMinorRE = regexp.MustCompile(`^==3\.\d+\.\*$`)

func (e *NoPythonError) Error() string {
	var b strings.Builder
	version := fmt.Sprintf("3.%d", MinMinor+1) // the one to install
	exact := exactMinorRE.MatchString(e.Want)  // a packaged app's: its wheels are for that Python
	if exact {
		version = strings.TrimSuffix(strings.TrimPrefix(e.Want, "=="), ".*")
	}
	switch {
	case e.Configured != "" && exact:
		fmt.Fprintf(&b, "the configured Python %q cannot be used: the app is made for Python %s", e.Configured, version)
	case e.Configured != "":
		fmt.Fprintf(&b, "the configured Python %q cannot be used", e.Configured)
	case e.Older:
		fmt.Fprintf(&b, "the app asks for Python %s, and Desklit runs apps with Python 3.%d or newer (its Streamlit needs it): "+
			"allow a newer Python in the project (requires-python in pyproject.toml, python in its [tool.poetry.dependencies], or python in desklit.toml), "+
			"with dependencies that have releases for it", e.Want, MinMinor)
		return b.String()
	case exact:
		fmt.Fprintf(&b, "no Python %s was found (the app is made for it)", version)
	case e.Want != "":
		// A project that needs a newer Python than this computer's (Poetry's python = "^3.12.7"):
		// the one to install is the oldest the range admits, and the range is the project's.
		if r, err := ParseRange(e.Want); err == nil {
			for minor := MinMinor; minor <= MinMinor+20; minor++ {
				if r.AdmitsMinor(minor) {
					version, exact = fmt.Sprintf("3.%d", minor), true
					break
				}
			}
		}
		fmt.Fprintf(&b, "no Python %s was found: the app asks for it (requires-python in pyproject.toml, python in its [tool.poetry.dependencies] "+
			"or in desklit.toml; allow the Python you have there if the app runs on it)", e.Want)
	default:
		fmt.Fprintf(&b, "no Python 3.%d or newer was found", MinMinor)
	}
	b.WriteString(". ")
	b.WriteString(installHint(e.GOOS, version, exact))
	if len(e.Tried) > 0 {
		b.WriteString(" Tried: ")
		b.WriteString(strings.Join(e.Tried, "; "))
		b.WriteString(".")
	}
	return b.String()
}

// installHint says how to install Python v on goos.
func installHint(goos, v string, exact bool) string {
	switch goos {
	case "darwin":
		return "Install Python " + v + " from https://www.python.org/downloads/macos/ or with Homebrew (brew install python@" + v +
			"), or set DESKLIT_PYTHON to the full path of a python3 executable."
	case "windows":
		return "Install Python " + v + " from https://www.python.org/downloads/windows/ (tick \"Add python.exe to PATH\") or with " +
			"winget install Python.Python." + v + ", or set DESKLIT_PYTHON to the full path of python.exe."
	case "linux":
		if exact { // a packaged app's: the distribution's python3 may be another version
			return "Install Python " + v + " with your package manager (Debian/Ubuntu: sudo apt install python" + v + " python" + v + "-venv, " +
				"from the deadsnakes archive where the release has no " + v + "; Fedora: sudo dnf install python" + v +
				"), or set DESKLIT_PYTHON to the full path of a python" + v + " executable."
		}
		fallthrough
	default:
		return "Install python3 with your package manager (Debian/Ubuntu: sudo apt install python3; " +
			"Fedora: sudo dnf install python3), or set DESKLIT_PYTHON to the full path of a python3 executable."
	}
}

// candidate is one way to start a Python: a command and its fixed leading arguments (py -3).
type candidate struct {
	argv []string
}

func (c candidate) String() string { return strings.Join(c.argv, " ") }

// Find returns the first qualifying Python: configured (or DESKLIT_PYTHON) when given — then it is
// the only one tried — else python3/python on the PATH, else the usual install locations that an
// app started from a GUI does not inherit in its PATH.
func Find(ctx context.Context, configured string, getenv func(string) string) (Python, error) {
	return FindIn(ctx, configured, getenv, Range{})
}

// FindIn is Find for a project that asks for a version range: the first qualifying Python in it.
func FindIn(ctx context.Context, configured string, getenv func(string) string, want Range) (Python, error) {
	if configured == "" {
		configured = getenv("DESKLIT_PYTHON")
	}
	if configured != "" {
		return find(ctx, runtime.GOOS, configured, want, []candidate{{argv: []string{configured}}})
	}
	cands := pathCandidates(runtime.GOOS, getenv)
	cands = append(cands, knownLocations(runtime.GOOS, getenv)...)
	return find(ctx, runtime.GOOS, "", want, cands)
}

func find(ctx context.Context, goos, configured string, want Range, cands []candidate) (Python, error) {
	seen := map[string]bool{}
	e := &NoPythonError{GOOS: goos, Configured: configured, Want: want.String(), Older: olderOnly(want)}
	if e.Older && configured == "" {
		return Python{}, e
	}
	for _, c := range cands {
		id := c.String()
		if real, err := filepath.EvalSymlinks(c.argv[0]); err == nil && len(c.argv) == 1 {
			id = real
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		py, err := probe(ctx, c)
		if err == nil && !want.Admits(py.Version) {
			err = fmt.Errorf("version %s is not %s", py.Version, want)
		}
		if err == nil {
			return py, nil
		}
		if ctx.Err() != nil {
			return Python{}, fmt.Errorf("find python: %w", ctx.Err())
		}
		e.Tried = append(e.Tried, fmt.Sprintf("%s: %v", c, err))
	}
	return Python{}, e
}

// probeScript reports what Find needs in one interpreter start.
const probeScript = `import sys, json
print(json.dumps({"exe": sys.executable, "version": "%d.%d.%d" % sys.version_info[:3],
    "impl": sys.implementation.name}))`

type probeResult struct {
	Exe     string `json:"exe"`
	Version string `json:"version"`
	Impl    string `json:"impl"`
}

func probe(ctx context.Context, c candidate) (Python, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	args := append(append([]string{}, c.argv[1:]...), "-I", "-c", probeScript)
	cmd := exec.CommandContext(ctx, c.argv[0], args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	hideWindow(cmd)
	out, err := cmd.Output()
	if err != nil {
		msg := probeMessage(stderr.String())
		if msg != "" {
			return Python{}, fmt.Errorf("%w (%s)", err, msg)
		}
		return Python{}, err
	}
	var r probeResult
	if err := json.Unmarshal(bytes.TrimSpace(lastLineBytes(out)), &r); err != nil {
		return Python{}, fmt.Errorf("unexpected output: %w", err)
	}
	major, minor, ok := versionParts(r.Version)
	switch {
	case !ok:
		return Python{}, fmt.Errorf("unexpected version %q", r.Version)
	case r.Impl != "cpython":
		return Python{}, fmt.Errorf("%s %s is not CPython", r.Impl, r.Version)
	case major != 3 || minor < MinMinor:
		return Python{}, fmt.Errorf("version %s is older than 3.%d", r.Version, MinMinor)
	}
	exe := r.Exe
	if exe == "" {
		exe = c.argv[0]
	}
	return Python{Path: exe, Version: r.Version}, nil
}

func versionParts(v string) (major, minor int, ok bool) {
	parts := strings.Split(v, ".")
	if len(parts) < 2 {
		return 0, 0, false
	}
	a, err1 := strconv.Atoi(parts[0])
	b, err2 := strconv.Atoi(parts[1])
	return a, b, err1 == nil && err2 == nil
}

// probeMessage is what a candidate that failed said: a traceback's last line (the exception), else
// the first line (a pyenv shim's "pyenv: python3.12: command not found" before its advice).
func probeMessage(stderr string) string {
	if strings.Contains(stderr, "Traceback (most recent call last)") {
		return strings.TrimSpace(lastLine(stderr))
	}
	for _, line := range strings.Split(stderr, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return ""
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\r\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func lastLineBytes(b []byte) []byte { return []byte(lastLine(string(b))) }

// versionedNames are interpreter names tried after python3 and python, newest first.
func versionedNames() []string {
	var names []string
	for m := MinMinor + 4; m >= MinMinor; m-- {
		names = append(names, fmt.Sprintf("python3.%d", m))
	}
	return names
}

// pathCandidates looks the interpreter names up in getenv("PATH").
func pathCandidates(goos string, getenv func(string) string) []candidate {
	names := append([]string{"python3", "python"}, versionedNames()...)
	sep, exts := ":", []string{""}
	if goos == "windows" {
		sep, exts = ";", []string{".exe"}
	}
	path := getenv("PATH")
	if path == "" && goos == "windows" {
		path = getenv("Path") // a case-sensitive getenv over a Windows environment
	}
	var out []candidate
	for _, name := range names {
		for _, dir := range strings.Split(path, sep) {
			if dir == "" {
				continue
			}
			for _, ext := range exts {
				p := filepath.Join(dir, name+ext)
				if goos == "darwin" && p == "/usr/bin/python3" && !hasCommandLineTools() {
					continue // the stub asks to install the developer tools in a dialog
				}
				if isFile(p) {
					out = append(out, candidate{argv: []string{p}})
				}
			}
		}
	}
	return out
}

// knownLocations are the usual install places that a GUI-started app does not have on its PATH.
func knownLocations(goos string, getenv func(string) string) []candidate {
	home := getenv("HOME")
	var paths []string
	inDirs := func(dirs ...string) {
		for _, d := range dirs {
			for _, n := range append([]string{"python3"}, versionedNames()...) {
				paths = append(paths, filepath.Join(d, n))
			}
		}
	}
	var out []candidate
	switch goos {
	case "darwin":
		inDirs("/opt/homebrew/bin", "/usr/local/bin")
		paths = append(paths, newestFirst(filepath.Glob("/Library/Frameworks/Python.framework/Versions/*/bin/python3"))...)
		if home != "" {
			paths = append(paths, filepath.Join(home, ".pyenv", "shims", "python3"))
		}
	case "windows":
		if py := windowsPyLauncher(getenv); py != "" {
			out = append(out, candidate{argv: []string{py, "-3"}})
		}
		var bases []string
		if l := getenv("LOCALAPPDATA"); l != "" {
			bases = append(bases, filepath.Join(l, "Programs", "Python"))
		}
		if pf := getenv("ProgramFiles"); pf != "" {
			bases = append(bases, pf)
		}
		for _, base := range bases {
			paths = append(paths, newestFirst(filepath.Glob(filepath.Join(base, "Python3*", "python.exe")))...)
		}
	default:
		inDirs("/usr/bin", "/usr/local/bin")
		if home != "" {
			paths = append(paths, filepath.Join(home, ".pyenv", "shims", "python3"))
			paths = append(paths, newestFirst(filepath.Glob(filepath.Join(home, ".pyenv", "versions", "3.*", "bin", "python3")))...)
		}
	}
	for _, p := range paths {
		if isFile(p) {
			out = append(out, candidate{argv: []string{p}})
		}
	}
	return out
}

func windowsPyLauncher(getenv func(string) string) string {
	for _, p := range []string{
		filepath.Join(getenv("SystemRoot"), "py.exe"),
		filepath.Join(getenv("LOCALAPPDATA"), "Programs", "Python", "Launcher", "py.exe"),
	} {
		if filepath.IsAbs(p) && isFile(p) {
			return p
		}
	}
	for _, dir := range strings.Split(getenv("PATH"), ";") {
		if p := filepath.Join(dir, "py.exe"); dir != "" && isFile(p) {
			return p
		}
	}
	return ""
}

func hasCommandLineTools() bool {
	_, err := os.Stat("/Library/Developer/CommandLineTools/usr/bin/python3")
	if err == nil {
		return true
	}
	_, err = os.Stat("/Applications/Xcode.app")
	return err == nil
}

// newestFirst sorts version-named paths (Python3.9 < Python3.12) descending.
func newestFirst(paths []string, err error) []string {
	if err != nil {
		return nil
	}
	key := func(p string) int {
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, filepath.Base(filepath.Dir(p))+filepath.Base(filepath.Dir(filepath.Dir(p))))
		n, _ := strconv.Atoi(digits)
		return n
	}
	sort.SliceStable(paths, func(i, j int) bool { return key(paths[i]) > key(paths[j]) })
	return paths
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}
