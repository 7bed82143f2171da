// Package pyruntime finds a Python interpreter and builds, validates and reuses the virtual
// environments that Streamlit apps run in: the bundled demo's and each project's.
//
// uv does the work. A project's dependencies are resolved into a lock once per change of their
// inputs (kept in <DataDir>/locks); the environment lives in <DataDir>/envs/<key>, where the key
// hashes the lock and the Python version, so projects on the same stack share one. It is built in
// a temporary sibling directory from uv's one shared cache (files hard-linked, so a second
// environment costs little disk) and renamed into place only after an import check succeeds, so
// a half-built environment is never used. A warm start reads a marker and stats the files listed
// in a manifest written at build time: no process is started.
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

// Python is an interpreter that qualified: CPython >= 3.MinMinor (uv makes the environment, so
// neither venv nor ensurepip is needed).
type Python struct {
	Path    string // the interpreter's sys.executable (shims and launchers resolved)
	Version string // "3.11.7"
}

// Progress is one step of building the environment, for the window and the terminal.
type Progress struct {
	Step     string  // StepLock, StepResolve, StepVenv, StepInstall, StepCheck, StepReady, StepFailed
	App      string  // the name of the app whose environment this is
	Package  string  // current package, when uv reports one
	N, Total int     // package N of Total
	Percent  float64 // 0..100 over the whole build
	Message  string  // a short line for people
}

// Steps reported in Progress.Step.
const (
	StepLock    = "lock"    // waiting for another Desklit process that builds the same runtime
	StepResolve = "resolve" // uv: resolving the project's dependencies into a lock
	StepVenv    = "venv"    // creating the virtual environment
	StepInstall = "install" // uv: preparing and installing packages
	StepCheck   = "check"   // import check and manifest
	StepReady   = "ready"   // the environment is usable
	StepFailed  = "failed"  // the build stopped; Ensure returns the error
)

// Options configure Resolve, Ensure and Inspect.
type Options struct {
	DataDir  string // xdg.DataHome/desklit; environments go to DataDir/envs, locks to DataDir/locks
	CacheDir string // uv's cache, shared by every environment (xdg.CacheHome/desklit/uv)
	UV       string // the uv binary (FindUV)
	Source   Source // the dependencies
	// FindLinks are local wheel folders (the bundled wheelhouse, the project's wheels/,
	// DESKLIT_FIND_LINKS); they are all uv looks in offline.
	FindLinks []string
	// Offline never uses the package index; otherwise it is tried when a package is not in
	// FindLinks.
	Offline bool
	// AuthPackage is the folder of desklit_auth, installed into every environment at the
	// version of the running Desklit ("" installs none).
	AuthPackage string
	Python      Python // from Find
	// Platform, when set, resolves the lock for another system (a package's target) instead of
	// for Python; such a lock is only resolved, never installed here.
	Platform *Platform
	// FromSource are packages (names) that a Platform's lock may take as source distributions:
	// they have no wheel at all (validators 0.20, which every Streamlit 1.12–1.22 freeze pins),
	// and the package is made with a wheel built from the source.
	FromSource []string
	// Plain is a project service's environment (a backend with a requirements file of its own):
	// its dependencies only, no Streamlit or requests added or required, no import check.
	Plain    bool
	Name     string   // the app's name, for progress and messages
	Imports  []string // modules the build-time check imports; default streamlit, requests
	Progress func(Progress)
	Log      io.Writer    // the full output of uv and the import check
	Logger   *slog.Logger // decisions (warm, rebuild, cleanup)
	// BeforeBuild, when set, is called once the environment has failed its check and before
	// Ensure rebuilds it (the shell stops a Streamlit it started early from it).
	BeforeBuild func()
}

// Env is a built and validated environment.
type Env struct {
	Dir    string // DataDir/envs/<key>
	Python string // the environment's interpreter
	Key    string
	Lock   Lock // what it was built from
}

// DefaultImports are the modules the build-time check imports when Options.Imports is empty.
var DefaultImports = []string{"streamlit", "requests"}

// Launcher is the file beside the bundled app that starts Streamlit and warms the app's first
// run (runtime/streamlit/desklit_serve.py); it passes its arguments to Streamlit's CLI unchanged.
const Launcher = "desklit_serve.py"

// StreamlitArgv is the command line of the supervisor's streamlit service (ARCHITECTURE.md):
// through the Launcher when the app has one beside it (the bundled app), else `python -m
// streamlit` (a project of the user's own). The settings Desklit must own are flags, which
// Streamlit ranks above a project's .streamlit/config.toml and STREAMLIT_* variables: the
// address, the port, the path at the server's root (a project deployed behind a proxy names one
// as server.baseUrlPath: the window, the health check and the component all ask at "/"),
// headless, and the window's XSRF/CORS choice (the window frames the app
// cross-site, so WebKit never sends Streamlit's SameSite XSRF cookie; CORS stays on, so no other
// origin may upload: see runtime/streamlit/.streamlit/config.toml).
func StreamlitArgv(env Env, app string, port int) []string {
	start := []string{env.Python, "-m", "streamlit"}
	if launcher := filepath.Join(filepath.Dir(app), Launcher); isFile(launcher) {
		start = []string{env.Python, launcher}
	}
	return append(start, "run", app,
		"--server.port", strconv.Itoa(port),
		"--server.address", "127.0.0.1",
		"--server.baseUrlPath", "",
		"--server.headless", "true",
		"--server.enableXsrfProtection", "false",
		"--server.enableCORS", "true",
		"--browser.gatherUsageStats", "false",
		"--global.developmentMode", "false",
	)
}

// HealthPath is the path of a Streamlit version's health check: /_stcore/health since 1.18
// (which moved Streamlit's own endpoints under /_stcore/), /healthz before (an app that pins an
// older Streamlit, as its poetry.lock or frozen requirements have it). An unknown version ("") is
// taken to be new.
func HealthPath(streamlit string) string {
	if streamlit != "" && CompareVersions(streamlit, "1.18.0") < 0 {
		return "/healthz"
	}
	return "/_stcore/health"
}

// HasToolbarMode reports whether a Streamlit version takes client.toolbarMode (1.22 and newer):
// an older one stops at the unknown flag. An unknown version ("") is taken to be new.
func HasToolbarMode(streamlit string) bool {
	return streamlit == "" || CompareVersions(streamlit, "1.22.0") >= 0
}

// PycachePrefix is where an environment's Python writes its bytecode (PYTHONPYCACHEPREFIX), so
// that a Streamlit start saves what it compiled for the next one without writing __pycache__
// folders into a project or the bundled app (the manifest does not list them).
func (e Env) PycachePrefix() string { return filepath.Join(e.Dir, ".desklit-pycache") }

// venvPython is the interpreter inside an environment directory.
func venvPython(dir string) string {
	if runtime.GOOS == "windows" {
		return filepath.Join(dir, "Scripts", "python.exe")
	}
	return filepath.Join(dir, "bin", "python")
}

func (o Options) runtimeDir() string { return filepath.Join(o.DataDir, "envs") }

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
	if o.Plain {
		return o.Imports
	}
	if len(o.Imports) > 0 {
		return o.Imports
	}
	return DefaultImports
}

func (o Options) report(p Progress) {
	if o.Progress != nil {
		p.App = o.Name
		o.Progress(p)
	}
}
