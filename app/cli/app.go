package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/packaged"
	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/shell"
)

// App is the Streamlit project a launch opens: nil Project is the bundled demo. Err is why the
// project asked for could not be opened (the window shows it and runs the demo).
type App struct {
	Project *project.Project
	Err     error
}

// OpenError is a project that could not be opened, naming the path.
type OpenError struct {
	Path string
	Err  error
}

func (e *OpenError) Error() string { return fmt.Sprintf("cannot open the app %s: %v", e.Path, e.Err) }
func (e *OpenError) Unwrap() error { return e.Err }

// resolveApp finds what a launch opens: the PATH argument, else --app / DESKLIT_APP, else the
// project opened last, else the bundled demo. A project asked for by name that cannot be opened
// is an error; a last project that cannot be opened any more only a warning (the demo runs).
// The project's [auth] settings go into cfg.
func resolveApp(fs *flag.FlagSet, cfg *config.Config, paths config.Paths, stderr io.Writer, m *packaged.Manifest) (App, error) {
	if m != nil {
		app, err := packagedApp(fs, cfg, paths, m)
		for _, f := range m.Unpacked.Kept {
			fmt.Fprintf(stderr, "%s: %s is kept as the app last wrote it (your data; the package's copy is not put back)\n", m.Name, f)
		}
		for _, f := range m.Unpacked.BackedUp {
			fmt.Fprintf(stderr, "%s: this version brings its own %s: the copy the app wrote is kept beside it (.mine-…)\n", m.Name, f)
		}
		return app, err
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return App{}, &UsageError{Msg: fmt.Sprintf("one app at a time: unexpected argument %q", fs.Arg(1))}
	}
	path, named := "", true
	var err error
	switch {
	case fs.NArg() == 1:
		path, _ = filepath.Abs(fs.Arg(0))
		cfg.AppPath = path
		cfg.Sources["DESKLIT_APP"] = "command line"
	case cfg.AppPath != "":
		path = cfg.AppPath
	default:
		path, named = project.Last(paths.State), false
	}
	if path == "" {
		if scriptFlag(fs) != "" {
			return App{}, &UsageError{Msg: "--script names a script of an app's folder: give the folder too (desklit run FOLDER --script NAME)"}
		}
		return App{}, nil
	}
	if script := scriptFlag(fs); script != "" {
		if path, err = withScript(path, script); err != nil {
			return App{}, err
		}
	}
	p, err := project.Load(path)
	if err != nil {
		if !named {
			fmt.Fprintf(stderr, "desklit: the app opened last (%s) cannot be opened: %v; starting the demo\n", path, err)
			return App{}, nil
		}
		return App{Err: &OpenError{Path: path, Err: err}}, &OpenError{Path: path, Err: err}
	}
	return App{Project: p}, applyProject(cfg, p)
}

// applyProject puts a project's [auth] and [ports] into the configuration.
func applyProject(cfg *config.Config, p *project.Project) error {
	cfg.ApplyProject(p.Auth.Values(), p.Auth.Source)
	return cfg.ApplyPorts(p.Ports, p.PortSources)
}

// packagedApp is a packaged app's own project: its files, checked against the manifest, kept in
// the app's data folder (where it runs), its environment from the package's lock and wheels. A
// packaged app opens nothing else.
func packagedApp(fs *flag.FlagSet, cfg *config.Config, paths config.Paths, m *packaged.Manifest) (App, error) {
	if fs.NArg() > 0 {
		return App{}, &UsageError{Msg: shell.OpenRule{Own: m.Name}.Check(fs.Arg(0)).Error()}
	}
	dir := filepath.Join(paths.Data, "project")
	if err := m.Unpack(dir); err != nil {
		return App{}, err
	}
	p, err := project.LoadScript(dir, m.Script)
	if err != nil {
		return App{}, fmt.Errorf("%s: %w (reinstall the app)", m.Name, err)
	}
	p.Name = m.Name
	p.Deps = project.Deps{Kind: project.DepsLocked, File: m.LockFile()}
	if m.Python != "" {
		// Its wheels are for that Python (numpy's cp311 does not install on 3.12): another one,
		// even newer, is no use, and the colleague is told which to install.
		p.Python = "==" + m.Python + ".*"
	}
	for i, sv := range p.Services {
		if lock := m.ServiceLock(sv.Name); lock != "" {
			p.Services[i].Deps = &project.Deps{Kind: project.DepsLocked, File: lock}
		}
	}
	p.Wheels, p.StLogin = m.WheelhouseDir(), m.StLogin
	return App{Project: p}, applyProject(cfg, p)
}

// addScriptFlag declares --script, the entrypoint of a folder that holds several.
func addScriptFlag(fs *flag.FlagSet) {
	fs.String("script", "", "the script to run in the app's folder, when it holds several (e.g. \"0_👋_Hello.py\")")
}

func scriptFlag(fs *flag.FlagSet) string {
	if f := fs.Lookup("script"); f != nil {
		return f.Value.String()
	}
	return ""
}

// withScript is the script named by --script in the app's folder: a file of the folder, or of a
// folder in it ("src/Overview.py", as a candidate one folder down is named).
func withScript(path, script string) (string, error) {
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		path = filepath.Dir(path)
	}
	p := filepath.Join(path, filepath.FromSlash(script))
	if !filepath.IsLocal(filepath.FromSlash(script)) || !strings.EqualFold(filepath.Ext(p), ".py") {
		return "", &UsageError{Msg: fmt.Sprintf("--script %q: name a .py file of %s (one of: %s)", script, path, strings.Join(project.Scripts(path), ", "))}
	}
	return p, nil
}
