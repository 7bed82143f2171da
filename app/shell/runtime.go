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

// unpackApp unpacks (or checks) the bundled Streamlit app and its desklit_auth.
func (s *Shell) unpackApp() error {
	if s.o.Streamlit == nil {
		return nil
	}
	rep, err := bundle.Unpack(s.o.Streamlit, s.appDir())
	if err != nil {
		return fmt.Errorf("unpack the Streamlit app: %w", err)
	}
	if len(rep.Restored) > 0 {
		s.log.Info("unpacked the Streamlit app", "dir", s.appDir(), "files", rep.Files, "written", len(rep.Restored))
	}
	return nil
}

// runtimeRequest is what pyruntime needs to run p (nil: the demo): its interpreter (in its
// python range), how its environment is built, and its script and folder — chosen here only
// (s.script): the runtime carries them to the Streamlit service (streamlitSpec).
func (s *Shell) runtimeRequest(p *project.Project) (pyruntime.Request, error) {
	var want pyruntime.Range
	if p != nil {
		var err error
		if want, err = p.PythonRange(); err != nil {
			return pyruntime.Request{}, err
		}
	}
	script, dir := s.script(p)
	return pyruntime.Request{
		Options:    s.runtimeOptions(p),
		Configured: s.cfg.Python,
		Want:       want,
		Getenv:     envLookup(s.o.Environ),
		Exe:        s.o.Exe,
		Script:     script,
		Dir:        dir,
		Port:       s.cfg.StreamlitPort,
	}, nil
}

// runtimeOptions are the environment options of p (nil: the demo).
func (s *Shell) runtimeOptions(p *project.Project) pyruntime.Options {
	base := filepath.Join(s.appDir(), "requirements.txt")
	o := pyruntime.Options{
		DataDir:     s.o.Paths.Data,
		CacheDir:    filepath.Join(s.o.Paths.Cache, "uv"),
		UV:          s.o.UV,
		Source:      pyruntime.Source{Kind: pyruntime.SourceLocked, File: base},
		FindLinks:   append(s.wheelhouses(), s.cfg.FindLinks...),
		Offline:     s.cfg.Offline,
		AuthPackage: filepath.Join(s.appDir(), "desklit_auth"),
		Name:        appName(p),
		Progress:    s.o.Progress,
		Logger:      s.log.With("component", "runtime"),
	}
	if p == nil {
		return o
	}
	if p.Wheels != "" {
		o.FindLinks = append([]string{p.Wheels}, o.FindLinks...)
	}
	src, err := p.Source(base)
	if err != nil {
		o.Logger.Warn("the app's code could not be read for the Streamlit it needs", "err", err)
		src = p.Deps.Source(base)
	}
	o.Source = src
	if p.AuthWarning != "" {
		o.Logger.Warn(p.AuthWarning)
	}
	if len(p.Deps.LeftOut) > 0 {
		o.Logger.Info("not Python packages: conda installs them, Desklit does not", "file", p.Deps.File, "left_out", p.Deps.LeftOut)
	}
	return o
}

// prepare runs pyruntime.Prepare with uv's full output in <logs>/runtime-build.log; on an
// environment it built, the warm-up of the app's imports begins beside Streamlit's start.
func (s *Shell) prepare(ctx context.Context, r pyruntime.Request) (pyruntime.Runtime, error) {
	logw, closeLog := s.buildLog()
	defer closeLog()
	r.Log = logw
	rt, err := pyruntime.Prepare(ctx, r)
	if err == nil && rt.Built {
		s.warmImports(ctx, rt.Env, rt.Dir)
	}
	return rt, err
}

// pruneEnvs removes, in the background, the environments unused for 30 days but keep.
func (s *Shell) pruneEnvs(o pyruntime.Options, keep string) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		if removed := pyruntime.Prune(o, keep, time.Now()); len(removed) > 0 {
			s.log.Info("removed python environments unused for 30 days", "dirs", removed)
		}
	}()
}

// warmImports compiles, beside Streamlit's first start from a new environment, the packages the
// app's scripts import (a project's, or the bundled demo's: pyruntime.WarmImports); it lasts beyond the start that asked for it,
// until it ends, another one begins, or the shell stops.
func (s *Shell) warmImports(ctx context.Context, env pyruntime.Env, dir string) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.mu.Lock()
	prev := s.warmCancel
	s.warmCancel = cancel
	s.mu.Unlock()
	if prev != nil {
		prev()
	}
	logw, closeLog := s.buildLog()
	s.bg.Add(1)
	pyruntime.WarmImports(ctx, env, dir, logw, func() {
		cancel()
		closeLog()
		s.bg.Done()
	})
}

func (s *Shell) buildLog() (io.Writer, func()) { return s.logFile("runtime-build.log") }

// logFile appends to <logs>/name (io.Discard when it cannot be opened).
func (s *Shell) logFile(name string) (io.Writer, func()) {
	if err := os.MkdirAll(s.o.Paths.Logs, 0o755); err != nil {
		return io.Discard, func() {}
	}
	f, err := os.OpenFile(filepath.Join(s.o.Paths.Logs, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
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
	return s.rt.Env.Lock.File
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
	r, err := s.runtimeRequest(p)
	return err == nil && pyruntime.Built(ctx, r)
}
