package shell

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/desklit/desklit/app/bundle"
	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/pyruntime"
)

// PrepareBundle unpacks (or checks) the bundled Streamlit app and desklit_auth, for what needs
// them without starting anything (desklit package).
func (s *Shell) PrepareBundle() error {
	if s.o.Streamlit == nil {
		return nil
	}
	if _, err := bundle.Unpack(s.o.Streamlit, s.appDir()); err != nil {
		return fmt.Errorf("unpack the Streamlit app: %w", err)
	}
	return nil
}

// RuntimeOptions are the environment options of the demo built with py and uv: the data and
// cache folders, Desklit's lock, the wheel folders, offline or not, desklit_auth.
func (s *Shell) RuntimeOptions(py pyruntime.Python, uv string) pyruntime.Options {
	o := s.runtimeOptions(nil, py, nil)
	o.UV = uv
	return o
}

// prepareApp unpacks (or checks) the bundled Streamlit app and its desklit_auth, and finds the
// Python for the current project.
func (s *Shell) prepareApp(ctx context.Context) error {
	if s.o.Streamlit != nil {
		rep, err := bundle.Unpack(s.o.Streamlit, s.appDir())
		if err != nil {
			return fmt.Errorf("unpack the Streamlit app: %w", err)
		}
		if len(rep.Restored) > 0 {
			s.log.Info("unpacked the Streamlit app", "dir", s.appDir(), "files", rep.Files, "written", len(rep.Restored))
		}
	}
	py, err := s.findPython(ctx, s.Project())
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.python = py
	s.mu.Unlock()
	return nil
}

// findPython finds the interpreter for p (in its python range), remembered between starts.
func (s *Shell) findPython(ctx context.Context, p *project.Project) (pyruntime.Python, error) {
	var want pyruntime.Range
	if p != nil && p.Python != "" {
		r, err := pyruntime.ParseRange(p.Python)
		if err != nil {
			return pyruntime.Python{}, fmt.Errorf("%s: python %q: %w", p.Name, p.Python, err)
		}
		want = r
	}
	return pyruntime.FindCached(ctx, s.o.Paths.Data, s.cfg.Python, envLookup(s.o.Environ), want)
}

// runtimeOptions are the environment options of p (nil: the demo) built with py.
func (s *Shell) runtimeOptions(p *project.Project, py pyruntime.Python, beforeBuild func()) pyruntime.Options {
	base := filepath.Join(s.appDir(), "requirements.txt")
	o := pyruntime.Options{
		DataDir:     s.o.Paths.Data,
		CacheDir:    filepath.Join(s.o.Paths.Cache, "uv"),
		UV:          s.o.UV,
		Source:      pyruntime.Source{Kind: pyruntime.SourceLocked, File: base},
		FindLinks:   append(s.wheelhouses(), s.cfg.FindLinks...),
		Offline:     s.cfg.Offline,
		AuthPackage: filepath.Join(s.appDir(), "desklit_auth"),
		Python:      py,
		Name:        appName(p),
		Progress:    s.o.Progress,
		Logger:      s.log.With("component", "runtime"),
		BeforeBuild: beforeBuild,
	}
	if p == nil {
		return o
	}
	if p.Wheels != "" {
		o.FindLinks = append([]string{p.Wheels}, o.FindLinks...)
	}
	switch p.Deps.Kind {
	case project.DepsNone:
		// the demo's locked stack
	case project.DepsUVLock:
		o.Source = pyruntime.Source{Kind: pyruntime.SourceUVLock, File: p.Deps.File, Base: base}
	case project.DepsPyproject:
		o.Source = pyruntime.Source{Kind: pyruntime.SourcePyproject, File: p.Deps.File, Requirements: p.Deps.Requirements, Base: base}
	case project.DepsRequirements:
		o.Source = pyruntime.Source{Kind: pyruntime.SourceRequirements, File: p.Deps.File, Base: base}
	}
	return o
}

// currentOptions are the environment options of the running project.
func (s *Shell) currentOptions(beforeBuild func()) pyruntime.Options {
	s.mu.Lock()
	p, py := s.project, s.python
	s.mu.Unlock()
	return s.runtimeOptions(p, py, beforeBuild)
}

// ensureRuntime builds or reuses the environment of the running project (prepareApp first);
// beforeBuild runs before a rebuild. Once it is ready, environments unused for 30 days go.
func (s *Shell) ensureRuntime(ctx context.Context, beforeBuild func()) error {
	o := s.currentOptions(beforeBuild)
	env, err := s.ensure(ctx, o)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.env = env
	s.mu.Unlock()
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		if removed := pyruntime.Prune(o, env.Key, time.Now()); len(removed) > 0 {
			s.log.Info("removed python environments unused for 30 days", "dirs", removed)
		}
	}()
	return nil
}

// ensure runs pyruntime.Ensure with its full output in <logs>/runtime-build.log.
func (s *Shell) ensure(ctx context.Context, o pyruntime.Options) (pyruntime.Env, error) {
	if s.uvErr != nil {
		return pyruntime.Env{}, s.uvErr
	}
	logw, closeLog := s.buildLog()
	defer closeLog()
	o.Log = logw
	return pyruntime.Ensure(ctx, o)
}

func (s *Shell) buildLog() (io.Writer, func()) {
	if err := os.MkdirAll(s.o.Paths.Logs, 0o755); err != nil {
		return io.Discard, func() {}
	}
	f, err := os.OpenFile(filepath.Join(s.o.Paths.Logs, "runtime-build.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return io.Discard, func() {}
	}
	return f, func() { f.Close() }
}

// wheelhouses are the local wheel folders: beside the binary (a distribution), the installed
// share folder, and the source tree's build/wheelhouse.
func (s *Shell) wheelhouses() []string {
	var dirs []string
	if s.o.Exe != "" {
		exeDir := filepath.Dir(s.o.Exe)
		dirs = append(dirs,
			filepath.Join(exeDir, "wheelhouse"),
			filepath.Join(exeDir, "..", "share", "desklit", "wheelhouse"),
			filepath.Join(exeDir, "..", "wheelhouse"),
			filepath.Join(exeDir, "..", "Resources", "wheelhouse"), // macOS: Desklit.app/Contents
		)
	}
	if wd, err := os.Getwd(); err == nil {
		dirs = append(dirs, filepath.Join(wd, "build", "wheelhouse"))
	}
	return dirs
}

// LockFile is the lock the running app's environment was built from ("" before it is ready).
func (s *Shell) LockFile() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.env.Lock.File
}

// EnvReady reports whether the environment of the project at path ("" = the demo) is built, so
// that opening it takes seconds. It runs no process.
func (s *Shell) EnvReady(ctx context.Context, path string) bool {
	var p *project.Project
	if path != "" {
		var err error
		if p, err = project.Load(path); err != nil {
			return false
		}
	}
	py, err := s.findPython(ctx, p)
	if err != nil {
		return false
	}
	state, _, err := pyruntime.Inspect(s.runtimeOptions(p, py, nil))
	return err == nil && state == "ready"
}
