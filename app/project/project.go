// Package project reads an analyst's Streamlit project from disk: a folder (or one .py file) with
// its script, its dependencies and an optional desklit.toml. It only reads and checks; building
// the project's environment is pyruntime's, running it the shell's.
package project

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/desklit/desklit/app/pyruntime"
)

// PythonRange is the Python versions p runs on (Python parsed; the zero Range when it names none).
func (p *Project) PythonRange() (pyruntime.Range, error) {
	r, err := pyruntime.ParseRange(p.Python)
	if err != nil {
		return pyruntime.Range{}, fmt.Errorf("%s: python %q: %w", p.Name, p.Python, err)
	}
	return r, nil
}

// SettingsFile is the optional per-project settings file.
const SettingsFile = "desklit.toml"

// scriptNames are tried in order when desklit.toml names no script and no script sits beside a
// pages/ folder.
var scriptNames = []string{"streamlit_app.py", "app.py", "main.py"}

// Project is a Streamlit app as found on disk.
type Project struct {
	// Path is what was opened (absolute): the folder, or the .py file.
	Path string
	// Dir is the project's folder: the app's working directory, where its .streamlit/, data files
	// and dependency files are.
	Dir string
	// Script is the Streamlit script that runs (absolute).
	Script string
	// WorkDir is the folder the app runs in: Dir, or, when the app's dependency file is in its
	// repository's root above Dir, that root (Streamlit Community Cloud runs every app from its
	// repository's root: an app in src/ reads "src/data/x.csv" and imports "src.utils").
	WorkDir string
	// Name is desklit.toml's name, else the folder's name (the script's, for a lone .py file).
	Name string
	// Version is desklit.toml's version (a package's version), if any.
	Version string
	// Ports are desklit.toml's [ports] by setting name (DESKLIT_STREAMLIT_PORT…), and
	// PortSources where each came from; they apply when Desklit starts on the project.
	Ports       map[string]int
	PortSources map[string]string
	// Icon is desklit.toml's icon (absolute), if any.
	Icon string
	// Python is desklit.toml's python version range, else pyproject.toml's requires-python.
	Python string
	// Auth overrides the global sign-in settings for this project (empty fields override nothing).
	Auth Auth
	// AuthWarning says why the providers of the project's secrets.toml were not taken (several
	// issuers), "" otherwise.
	AuthWarning string
	// Deps is where the dependencies come from.
	Deps Deps
	// Settings is the desklit.toml that was read ("" when there is none).
	Settings string
	// Services are desklit.toml's [services.*], in the file's order. A project with services
	// gets them instead of Desklit's demo API, unless DemoAPI (desklit.toml demo_api = true).
	Services []Service
	DemoAPI  bool
	// Compose is the Compose file the services came from, when desklit.toml names none and the
	// project has one (compose.go); AppEnv is the environment that file gives the app, and
	// ComposeLeftOut the services Desklit does not run, with why.
	Compose        string
	AppEnv         []string
	ComposeLeftOut []string
	// ProcfileLeftOut are the processes of a Procfile beside the app other than Streamlit's
	// ("web: uvicorn api:app --port 8000"), which Desklit does not run (no Compose file or
	// desklit.toml names services): said, so that the app's "backend not reachable" has a reason.
	ProcfileLeftOut []string
	// ImportPaths are the folders of a src-layout project's own package (importPaths), which its
	// processes get on PYTHONPATH.
	ImportPaths []string
	// Wheels is the project's own wheels/ folder, when it has one (used offline).
	Wheels string
	// StLogin is what a package recorded of its app's st.login [auth], for a packaged app (whose
	// secrets.toml the package leaves out); nil for a project, whose secrets the shell reads and
	// whose code StLoginShape reads.
	StLogin *StLogin
}

// StLogin is the shape of an st.login app's [auth]: its named providers and expose_tokens,
// never a secret.
type StLogin struct {
	Providers    []string `json:"providers,omitempty"`
	ExposeTokens any      `json:"expose_tokens,omitempty"`
}

// Auth is the [auth] table of desklit.toml. Source says where each value came from
// ("desklit.toml line N"), for the configuration's provenance.
type Auth struct {
	Issuer   string
	ClientID string
	Audience string
	Scope    string
	Source   map[string]string // setting name (AUTH0_*) -> "<file> line N"
	// ClientSecret is the confidential client's secret of an st.login app's [auth] (see
	// streamlitAuth), when that is the project's sign-in; never logged or shown.
	ClientSecret string
}

// Values are the overrides by setting name (AUTH0_*), for config.ApplyProject.
func (a Auth) Values() map[string]string {
	return map[string]string{"AUTH0_ISSUER_BASE_URL": a.Issuer, "AUTH0_CLIENT_ID": a.ClientID,
		"AUTH0_AUDIENCE": a.Audience, "AUTH0_SCOPE": a.Scope}
}

// Empty reports whether the project overrides no sign-in setting.
func (a Auth) Empty() bool {
	return a.Issuer == "" && a.ClientID == "" && a.Audience == "" && a.Scope == ""
}

// Error is a problem with a project's files that names the file and, when it is about one
// setting, the key and the line.
type Error struct {
	File string
	Key  string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
	}
	if e.Key != "" {
		fmt.Fprintf(&b, ": %s", e.Key)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// NoScriptError says that a folder holds no script Desklit can pick, with the candidates.
type NoScriptError struct {
	Dir        string
	Candidates []string // the folder's scripts (none, or several), file names
	// Plain is the script Desklit would have run (main.py) when none of the folder's Python
	// files imports streamlit: a pipeline or a Flask app, not a Streamlit app.
	Plain string
}

func (e *NoScriptError) Error() string {
	want := strings.Join(scriptNames, ", ")
	if e.Plain != "" {
		return fmt.Sprintf("%s holds no Streamlit app: none of its Python files imports streamlit, and %s is a plain Python script, which Desklit does not run as a page. Open the folder of your Streamlit app, or its script", e.Dir, e.Plain)
	}
	if len(e.Candidates) == 1 {
		return fmt.Sprintf("%s holds no Streamlit script of its own; the one deeper in it is %s: open that (desklit run --script %s, or open the script itself), or name it with script = \"...\" in %s",
			e.Dir, e.Candidates[0], e.Candidates[0], SettingsFile)
	}
	if len(e.Candidates) == 0 {
		return fmt.Sprintf("%s holds no Streamlit script: put your app in %s there (or name it with script = \"...\" in %s)", e.Dir, want, SettingsFile)
	}
	return fmt.Sprintf("%s holds several Streamlit scripts (%s): choose the one to run (desklit run --script NAME, or open the script itself), or name it with script = \"...\" in %s",
		e.Dir, strings.Join(e.Candidates, ", "), SettingsFile)
}

// Load reads the project at path: a folder, or a .py file (then its folder is the project's).
func Load(path string) (*Project, error) { return load(path, "") }

// LoadScript reads the project in the folder dir whose script is script (a slash path inside
// it), as a package records it: the folder's settings, dependencies and services, with no
// choice of script to make.
func LoadScript(dir, script string) (*Project, error) { return load(dir, script) }

func load(path, script string) (*Project, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s does not exist", abs)
		}
		return nil, err
	}
	p := &Project{Path: abs, Dir: abs}
	if !st.IsDir() {
		if !strings.EqualFold(filepath.Ext(abs), ".py") {
			return nil, fmt.Errorf("%s is not a Python script (.py) or a folder", abs)
		}
		p.Dir, p.Script = filepath.Dir(abs), abs
	}
	if script != "" {
		p.Script = filepath.Join(p.Dir, filepath.FromSlash(script))
	}
	s, err := readSettings(filepath.Join(p.Dir, SettingsFile))
	if err != nil {
		return nil, err
	}
	if s != nil {
		p.Settings = s.file
		p.Name, p.Version, p.Python, p.Auth = s.Name, s.Version, s.Python, s.auth()
		p.Ports, p.PortSources = s.portValues()
		p.Services, p.DemoAPI = s.services(), s.DemoAPI
		if s.Icon != "" {
			p.Icon = filepath.Join(p.Dir, filepath.FromSlash(s.Icon))
		}
		if p.Script == "" && s.Script != "" {
			p.Script = filepath.Join(p.Dir, filepath.FromSlash(s.Script))
		}
	}
	if p.Script == "" {
		if p.Script, err = chooseScript(p.Dir); err != nil {
			return nil, err
		}
	}
	// As Streamlit Community Cloud looks: the app's own folder first (frontend/app.py beside
	// frontend/requirements.txt, whatever the repository's root has), then up to the root.
	if sub := filepath.Dir(p.Script); sub != p.Dir && strings.HasPrefix(sub, p.Dir+string(filepath.Separator)) {
		if p.Deps, err = findDeps(sub); err != nil {
			return nil, err
		}
		p.WorkDir = runDirOf(p.Dir, sub, p.Script)
	}
	if p.Deps.Kind == "" || p.Deps.Kind == DepsNone {
		if p.Deps, p.WorkDir, err = findDepsUp(p.Dir, p.Script); err != nil {
			return nil, err
		}
	}
	p.ImportPaths = importPaths(p.WorkDir)
	if s == nil || s.Services == nil {
		if err := p.readCompose(); err != nil {
			return nil, err
		}
	}
	if p.Auth.Empty() {
		if p.Auth, p.AuthWarning, err = streamlitAuth(p.WorkDir); err != nil {
			return nil, err
		}
	}
	if p.Name == "" {
		p.Name = defaultName(p)
	}
	if p.Python == "" {
		p.Python = p.Deps.RequiresPython
	}
	if st, err := os.Stat(filepath.Join(p.Dir, "wheels")); err == nil && st.IsDir() {
		p.Wheels = filepath.Join(p.Dir, "wheels")
	}
	return p, nil
}

// runDirOf is where an app in sub (below the folder opened, root) runs: sub, as a container
// built from it would (a Compose frontend's WORKDIR), unless the app's files say it runs from
// root, as Streamlit Community Cloud runs every app: root has the .streamlit/ folder and sub has
// none, or more of the files the script names by relative path ("logo.png", "data/sales.csv")
// are in root than in sub (blackary/st_pages' example_app/streamlit_app.py and its st.logo).
func runDirOf(root, sub, script string) string {
	if isDir(filepath.Join(root, ".streamlit")) && !isDir(filepath.Join(sub, ".streamlit")) {
		return root
	}
	data, err := readHead(script, 1<<20)
	if err != nil {
		return sub
	}
	inRoot, inSub := 0, 0
	for _, m := range relPathRE.FindAllStringSubmatch(string(data), -1) {
		rel := filepath.FromSlash(m[2])
		if !filepath.IsLocal(rel) {
			continue
		}
		if isFile(filepath.Join(root, rel)) {
			inRoot++
		}
		if isFile(filepath.Join(sub, rel)) {
			inSub++
		}
	}
	if inRoot > inSub {
		return root
	}
	return sub
}

// relPathRE finds a string literal that may name a file by a relative path: a name with an
// extension, in a folder or not ("logo.png", 'data/sales.csv').
var relPathRE = regexp.MustCompile(`(["'])([\w.-]+(?:/[\w.-]+)*\.[A-Za-z0-9]{1,8})(["'])`)

// chooseScript is the script of a folder opened with none named: findScript's choice, else the
// one a deployment recipe of the folder runs (a Compose file's streamlit run
// iris_app/frontend/app.py, a Dockerfile, a Procfile, a dev container). findScript's choice of a
// script that is not empty is refused where no Python file of the project has a word of
// streamlit: run as a page, it would do whatever it does (a pipeline that writes its reports) and
// show nothing.
func chooseScript(dir string) (string, error) {
	script, err := findScript(dir)
	var ns *NoScriptError
	if errors.As(err, &ns) {
		if deployed := deployedScript(dir); deployed != "" {
			return deployed, nil
		}
		if len(ns.Candidates) == 0 {
			ns.Candidates = scriptsDeeper(dir) // apps/sales/app.py, apps/hr/app.py: named, for the user to choose
		}
	}
	if err != nil {
		return "", err
	}
	// The script's own imports first: the walk of the project is for a script that does not
	// import streamlit itself, not a cost of every start.
	if !isEmpty(script) && !usesStreamlit(filepath.Dir(script), filepath.Base(script)) && !mentionsStreamlit(dir) {
		rel, _ := filepath.Rel(dir, script)
		return "", &NoScriptError{Dir: dir, Plain: filepath.ToSlash(rel)}
	}
	return script, nil
}

// readCompose takes the project's services from a Compose file in its folder or the one above
// (an app opened in its frontend/ folder), when there is one; without one, a Procfile's other
// processes are named (ProcfileLeftOut).
func (p *Project) readCompose() error {
	for i, d := 0, p.Dir; i < 2 && !isHome(d) && filepath.Dir(d) != d; i, d = i+1, filepath.Dir(d) {
		c, err := readCompose(d, filepath.Dir(p.Script))
		if err != nil || c == nil {
			if err != nil {
				return err
			}
			continue
		}
		p.Compose, p.Services, p.AppEnv, p.ComposeLeftOut = c.File, c.Services, c.AppEnv, c.LeftOut
		for i, sv := range p.Services {
			if sv.Deps != nil && sv.Deps.File == p.Deps.File {
				p.Services[i].Deps = nil // the app's own requirements: the app's environment
			}
		}
		return nil
	}
	p.ProcfileLeftOut = procfileOthers(p.RunDir())
	return nil
}

// RunDir is the folder the app runs in: WorkDir, or Dir for a Project that Load did not make.
func (p *Project) RunDir() string {
	if p.WorkDir != "" {
		return p.WorkDir
	}
	return p.Dir
}

// NameOf is the name Load gives the project at path when its desklit.toml names none, worked out
// from the path alone: for a project that cannot be read (yet).
func NameOf(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	p := &Project{Path: abs, Dir: abs}
	if strings.EqualFold(filepath.Ext(abs), ".py") {
		p.Dir, p.Script = filepath.Dir(abs), abs
	}
	return defaultName(p)
}

// codeFolders are folder names that say where code is, not what the app is: an app in one is
// named after the folder above ("load_shifting/src" → "Load shifting").
var codeFolders = map[string]bool{"src": true, "source": true, "app": true, "apps": true, "code": true, "streamlit": true}

// defaultName is the folder's name (the one above a code folder such as src/), or the script's
// for a lone .py file (not the entry page of a multipage app), made readable
// ("sales_report" → "Sales report").
func defaultName(p *Project) string {
	base := filepath.Base(p.Dir)
	if up := filepath.Dir(p.Dir); codeFolders[strings.ToLower(base)] && up != p.Dir && filepath.Dir(up) != up && !isHome(up) {
		base = filepath.Base(up)
	}
	if p.Path != p.Dir && !isDir(filepath.Join(p.Dir, "pages")) { // a multipage app is its folder's
		base = strings.TrimSuffix(filepath.Base(p.Script), filepath.Ext(p.Script))
	}
	base = strings.TrimSpace(strings.NewReplacer("_", " ", "-", " ").Replace(base))
	if base == "" {
		return "Streamlit app"
	}
	return strings.ToUpper(base[:1]) + base[1:]
}

func isHome(dir string) bool {
	home, err := os.UserHomeDir()
	return err == nil && filepath.Clean(home) == filepath.Clean(dir)
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
