// Package pyruntime finds a Python interpreter and builds, validates and reuses the virtual
// environment that Desklit's Streamlit app runs in.
//
// The environment lives in <DataDir>/runtime/<key>, where the key hashes the locked requirements
// and the Python version. It is built in a temporary sibling directory and renamed into place only
// after pip and an import check succeed, so a half-built environment is never used. A warm start
// reads a marker and stats the files listed in a manifest written at build time: no process is
// started and pip is not run.
package pyruntime

import (
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"strconv"
)

// MinMinor is the oldest Python 3 minor version accepted. streamlit 1.67.0 requires Python 3.11.
const MinMinor = 11

// Python is an interpreter that qualified: CPython >= 3.MinMinor with the venv and ensurepip modules.
type Python struct {
	Path    string // the interpreter's sys.executable (shims and launchers resolved)
	Version string // "3.11.7"
}

// Progress is one step of building the environment, for the window and the terminal.
type Progress struct {
	Step     string  // StepLock, StepVenv, StepInstall, StepCheck, StepReady, StepFailed
	Package  string  // current package, when pip reports one
	N, Total int     // package N of Total (from the requirements)
	Percent  float64 // 0..100 over the whole build
	Message  string  // a short line for people
}

// Steps reported in Progress.Step.
const (
	StepLock    = "lock"    // waiting for another Desklit process that builds the same runtime
	StepVenv    = "venv"    // creating the virtual environment
	StepInstall = "install" // pip: collecting and installing packages
	StepCheck   = "check"   // import check and manifest
	StepReady   = "ready"   // the environment is usable
	StepFailed  = "failed"  // the build stopped; Ensure returns the error
)

// Options configure Ensure and Inspect.
type Options struct {
	DataDir      string   // xdg.DataHome/desklit; the environments go to DataDir/runtime
	Requirements string   // path of the locked requirements file
	Wheelhouses  []string // directories tried in order; the first holding every needed wheel is used offline
	Python       Python   // from Find
	Imports      []string // modules the build-time check imports; default streamlit, requests
	Progress     func(Progress)
	Log          io.Writer    // the full output of venv, pip and the import check
	Logger       *slog.Logger // decisions (warm, rebuild, cleanup)
	// BeforeBuild, when set, is called once the environment has failed its check and before
	// Ensure rebuilds it (the shell stops a Streamlit it started early from it).
	BeforeBuild func()
}

// Env is a built and validated environment.
type Env struct {
	Dir    string // DataDir/runtime/<key>
	Python string // the environment's interpreter
	Key    string
}

// DefaultImports are the modules the build-time check imports when Options.Imports is empty.
var DefaultImports = []string{"streamlit", "requests"}

// Launcher is the file beside the bundled app that starts Streamlit and warms the app's first
// run (runtime/streamlit/desklit_serve.py); it passes its arguments to Streamlit's CLI unchanged.
const Launcher = "desklit_serve.py"

// StreamlitArgv is the command line of the supervisor's streamlit service (ARCHITECTURE.md):
// through the Launcher when the app has one beside it (the bundled app), else `python -m
// streamlit` (an app of the user's own, DESKLIT_APP).
func StreamlitArgv(env Env, app string, port int) []string {
	start := []string{env.Python, "-m", "streamlit"}
	if launcher := filepath.Join(filepath.Dir(app), Launcher); isFile(launcher) {
		start = []string{env.Python, launcher}
	}
	return append(start, "run", app,
		"--server.port", strconv.Itoa(port),
		"--server.address", "127.0.0.1",
		"--server.headless", "true",
		"--browser.gatherUsageStats", "false",
		"--global.developmentMode", "false",
	)
}

// venvPython is the interpreter inside an environment directory.
func venvPython(dir string) string {
	if runtime.GOOS == "windows" {
		return filepath.Join(dir, "Scripts", "python.exe")
	}
	return filepath.Join(dir, "bin", "python")
}

func (o Options) runtimeDir() string { return filepath.Join(o.DataDir, "runtime") }

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (o Options) log() io.Writer {
	if o.Log != nil {
		return o.Log
	}
	return io.Discard
}

func (o Options) imports() []string {
	if len(o.Imports) > 0 {
		return o.Imports
	}
	return DefaultImports
}

func (o Options) report(p Progress) {
	if o.Progress != nil {
		o.Progress(p)
	}
}
