package project

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/desklit/desklit/app/pyruntime"
)

// Where a project's dependencies come from, first found wins.
const (
	DepsUVLock       = pyruntime.SourceUVLock       // uv.lock with pyproject.toml: exported as it is
	DepsPyproject    = pyruntime.SourcePyproject    // [project].dependencies, resolved
	DepsRequirements = pyruntime.SourceRequirements // ranges or pins (hashes honoured), resolved
	DepsLocked       = pyruntime.SourceLocked       // a packaged app's hash lock, installed as it is
	DepsPoetry       = "poetry"                     // [tool.poetry.dependencies], resolved (poetry.lock's pins as constraints)
	DepsPipenv       = "pipenv"                     // Pipfile's [packages], resolved (Pipfile.lock's pins as constraints)
	DepsConda        = "conda"                      // environment.yml's packages by their PyPI names, and its pip: list, resolved
	DepsNone         = "none"                       // the demo's locked stack
)

// Source is what pyruntime builds the project's environment from; base is Desklit's own lock
// (the demo's stack, and the versions preferred for everything else).
func (d Deps) Source(base string) pyruntime.Source {
	switch d.Kind {
	case DepsNone:
		return pyruntime.Source{Kind: pyruntime.SourceLocked, File: base}
	case DepsLocked:
		return pyruntime.Source{Kind: pyruntime.SourceLocked, File: d.File}
	case DepsPoetry, DepsPipenv, DepsConda:
		return pyruntime.Source{Kind: pyruntime.SourcePyproject, File: d.File, Requirements: d.Requirements,
			Constraints: d.Constraints, LockFile: d.LockFile, LockPython: d.LockPython, Base: base}
	}
	return pyruntime.Source{Kind: d.Kind, File: d.File, Requirements: d.Requirements, Constraints: d.Constraints, LockFile: d.LockFile,
		LockPython: d.LockPython, Base: base, Package: d.Package}
}

// Deps is a project's dependency source.
type Deps struct {
	Kind string // one of the Deps* constants
	// File is the file the dependencies are read from (uv.lock, pyproject.toml, requirements.txt,
	// Pipfile or environment.yml); "" for DepsNone.
	File string
	// Requirements are pyproject.toml's [project].dependencies (DepsPyproject), its
	// [tool.poetry.dependencies] (DepsPoetry), Pipfile's [packages] (DepsPipenv) or
	// environment.yml's packages (DepsConda), as PEP 508 requirements.
	Requirements []string
	// LockFile is the lock another tool wrote beside them (poetry.lock, Pipfile.lock), whose pins
	// are the Constraints of the resolution; "" when none.
	LockFile    string
	Constraints []string
	// LockPython is the Pythons LockFile was made for ("==3.8.*"), "" when it does not say.
	LockPython string
	// LeftOut are what an environment.yml names that is no Python package (python, nodejs,
	// libgdal…): conda installs them, Desklit cannot.
	LeftOut []string
	// RequiresPython is pyproject.toml's requires-python, when it has one.
	RequiresPython string
	// Package is the project's name when it is a member of a uv workspace (DepsUVLock, File the
	// workspace's uv.lock).
	Package string
	// Unread are requirements files of other names that Desklit, as Community Cloud, does not
	// read (requirements/base.txt, requirements-prod.txt), where it found none it reads
	// (DepsNone): said, so that a ModuleNotFoundError is not a mystery.
	Unread []string
}

type pyproject struct {
	Project struct {
		Name                 string              `toml:"name"`
		Dependencies         *[]string           `toml:"dependencies"`
		OptionalDependencies map[string][]string `toml:"optional-dependencies"`
		RequiresPython       string              `toml:"requires-python"`
	} `toml:"project"`
	Tool struct {
		Poetry *poetryTool `toml:"poetry"`
		UV     struct {
			Workspace *struct {
				Members []string `toml:"members"`
				Exclude []string `toml:"exclude"`
			} `toml:"workspace"`
		} `toml:"uv"`
	} `toml:"tool"`
}

// toolingGroups are optional-dependency groups for developing a project, not for running it:
// the other groups (a "viz" or "ml" extra) are installed with [project].dependencies.
var toolingGroups = map[string]bool{"dev": true, "test": true, "tests": true, "testing": true, "docs": true, "doc": true,
	"lint": true, "linting": true, "typing": true, "types": true, "style": true, "build": true, "release": true,
	// a developer's interactive session: IPython, Jupyter, a debugger (PeterAVG/load_shifting's
	// "interactive" group holds ipdb, which has no wheel and so no place in a package)
	"interactive": true, "notebook": true, "notebooks": true, "jupyter": true, "debug": true}

// requirements are [project].dependencies and the optional groups an app runs with, in a stable
// order.
func (pp *pyproject) requirements() []string {
	out := slices.Clone(*pp.Project.Dependencies)
	groups := slices.Sorted(maps.Keys(pp.Project.OptionalDependencies))
	for _, g := range groups {
		if !toolingGroups[strings.ToLower(g)] {
			out = append(out, pp.Project.OptionalDependencies[g]...)
		}
	}
	return out
}

// findDepsUp finds the project's dependencies where Streamlit Community Cloud looks for them:
// in the app's folder, else in its repository's root — every folder up to the nearest one with
// .git — as in a repository whose app is src/app.py and whose pyproject.toml is at the top.
// Outside a repository (a downloaded archive) the folder just above is asked, and those above it
// only while the folders climbed out of are code folders (src/app/Home.py of an archive whose
// requirements.txt is at its top) or where its README or a recipe runs the script; never the home
// folder or the file system's root. The folder where they are is the app's working directory
// (dir when none are found).
func findDepsUp(dir, script string) (Deps, string, error) {
	levels, repo := 3, false
	for up := dir; ; up = filepath.Dir(up) {
		if isDir(filepath.Join(up, ".git")) {
			levels = strings.Count(dir, string(filepath.Separator)) - strings.Count(up, string(filepath.Separator))
			repo = true
			break
		}
		if filepath.Dir(up) == up || isHome(up) {
			break
		}
	}
	inCode := true // the folders climbed out of so far are code folders
	none := Deps{Kind: DepsNone}
	for i, d := 0, dir; i <= levels; i, d = i+1, filepath.Dir(d) {
		if i > 0 && (isHome(d) || filepath.Dir(d) == d) {
			break
		}
		if i > 1 && !repo && !inCode && filepath.Clean(deployedScript(d)) != filepath.Clean(script) {
			break
		}
		deps, err := findDeps(d)
		if err != nil || deps.Kind != DepsNone {
			return deps, d, err
		}
		if i == 0 {
			none.Unread = deps.Unread // the app's own folder's, by paths from it
		}
		inCode = inCode && codeFolders[strings.ToLower(filepath.Base(d))]
	}
	return none, dir, nil
}

func findDeps(dir string) (Deps, error) {
	var d Deps
	pyprojectFile := filepath.Join(dir, "pyproject.toml")
	pp, err := readPyproject(pyprojectFile)
	if err != nil {
		return d, err
	}
	if d.RequiresPython, err = pp.python(pyprojectFile); err != nil {
		return d, err
	}
	conda := condaFile(dir)
	workspace := ""
	if pp != nil && pp.Project.Name != "" && !isFile(filepath.Join(dir, "uv.lock")) {
		workspace = uvWorkspace(dir)
	}
	pipfile, err := pipfileIn(dir)
	if err != nil {
		return d, err
	}
	switch {
	case pp != nil && isFile(filepath.Join(dir, "uv.lock")):
		d.Kind, d.File = DepsUVLock, filepath.Join(dir, "uv.lock")
	case workspace != "":
		// A member of a uv workspace: the workspace's lock pins it, and its sources (another
		// member, `common = { workspace = true }`) are the workspace's, not the index's.
		d.Kind, d.File, d.Package = DepsUVLock, filepath.Join(workspace, "uv.lock"), pp.Project.Name
	case slices.ContainsFunc(pipfile, func(r string) bool { return !strings.HasPrefix(r, "-") }):
		// A Pipfile that lists a package comes before a requirements.txt, as on Community Cloud
		// (Jcharis/Streamlit_DataScience_Apps: a requirements.txt that contradicts itself beside
		// the Pipfile the app was deployed with).
		d.Kind, d.File, d.Requirements = DepsPipenv, filepath.Join(dir, "Pipfile"), pipfile
	case pp != nil && pp.Project.Dependencies != nil && !listsAnything(requirementsFile(dir)):
		d.Kind, d.File, d.Requirements = DepsPyproject, pyprojectFile, pp.requirements()
	case requirementsFile(dir) != "":
		// A requirements.txt that lists anything comes before pyproject.toml's dependencies, as
		// on Community Cloud and as `pip install -r requirements.txt` has it: `uv init`'s
		// `dependencies = []` or a package's own list beside the pins the app is run with.
		d.Kind, d.File = DepsRequirements, requirementsFile(dir)
	case pp != nil && pp.Tool.Poetry != nil && pp.Tool.Poetry.Dependencies != nil:
		d.Kind, d.File = DepsPoetry, pyprojectFile
		if d.Requirements, err = poetryRequirements(pyprojectFile, pp.Tool.Poetry); err != nil {
			return d, err
		}
	case isFile(filepath.Join(dir, "Pipfile")):
		d.Kind, d.File, d.Requirements = DepsPipenv, filepath.Join(dir, "Pipfile"), pipfile
	case conda != "":
		d.Kind, d.File = DepsConda, conda
		if d.Requirements, d.LeftOut, err = condaRequirements(d.File); err != nil {
			return d, err
		}
	default:
		if err := unsupportedDeps(dir); err != nil {
			return d, err
		}
		d.Kind, d.Unread = DepsNone, unreadRequirements(dir)
	}
	return d, d.readLock(dir)
}

// python is pyproject.toml's requires-python, else Poetry's python, which holds when another
// file lists the packages (`poetry export`'s requirements.txt, whose markers leave out every
// other Python); "" for none, or no pyproject.toml.
func (pp *pyproject) python(file string) (string, error) {
	if pp == nil {
		return "", nil
	}
	if pp.Project.RequiresPython != "" || pp.Tool.Poetry == nil {
		return pp.Project.RequiresPython, nil
	}
	return poetryPython(file, pp.Tool.Poetry)
}

// pipfileIn is the requirements of dir's Pipfile, none when it has none.
func pipfileIn(dir string) ([]string, error) {
	if f := filepath.Join(dir, "Pipfile"); isFile(f) {
		return pipfileRequirements(f)
	}
	return nil, nil
}

// readPyproject is the pyproject.toml at file, nil when there is none.
func readPyproject(file string) (*pyproject, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	pp := &pyproject{}
	if err := toml.Unmarshal(data, pp); err != nil {
		return nil, tomlError(file, err)
	}
	return pp, nil
}

// readLock takes the pins of the lock Poetry or Pipenv wrote beside the project's requirements
// as the constraints of their resolution.
func (d *Deps) readLock(dir string) error {
	var lock string
	switch d.Kind {
	case DepsPoetry, DepsPyproject: // Poetry 2 writes [project].dependencies
		lock = filepath.Join(dir, "poetry.lock")
	case DepsPipenv:
		lock = filepath.Join(dir, "Pipfile.lock")
	}
	if lock == "" || !isFile(lock) {
		return nil
	}
	pins, python, err := lockPins(lock)
	if err != nil {
		return err
	}
	d.LockFile, d.Constraints, d.LockPython = lock, pins, python
	return nil
}

// condaFile is the folder's conda environment file, "" when it has none.
func condaFile(dir string) string {
	for _, n := range []string{"environment.yml", "environment.yaml"} {
		if f := filepath.Join(dir, n); isFile(f) {
			return f
		}
	}
	return ""
}

// otherTools are dependency files of tools Desklit does not read, with the command that writes
// what it reads.
var otherTools = []struct{ file, tool, export string }{
	{"poetry.lock", "Poetry", "poetry export -f requirements.txt -o requirements.txt (poetry-plugin-export); or keep its dependencies in pyproject.toml"},
	{"Pipfile.lock", "Pipenv", "pipenv requirements > requirements.txt; or keep the Pipfile beside its lock"},
}

// unsupportedDeps is an error when a folder's dependencies are only in a form Desklit does not
// read: rather than run the app without them, it says how to make one it reads.
func unsupportedDeps(dir string) error {
	for _, o := range otherTools {
		if f := filepath.Join(dir, o.file); isFile(f) {
			return &Error{File: f, Msg: fmt.Sprintf("Desklit does not read %s's files: it reads requirements.txt, pyproject.toml's [project] dependencies or uv.lock. Make a requirements.txt beside it: %s", o.tool, o.export)}
		}
	}
	return nil
}

// Inputs are the bytes that decide the project's lock: when none of them changes, the lock
// resolved before still holds.
func (d Deps) Inputs() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(d.Kind + "\x00")
	for _, f := range d.inputFiles() {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		b.WriteString(filepath.Base(f) + "\x00")
		b.Write(data)
		b.WriteString("\x00")
	}
	return b.Bytes(), nil
}

func (d Deps) inputFiles() []string {
	switch d.Kind {
	case DepsUVLock:
		return []string{filepath.Join(filepath.Dir(d.File), "pyproject.toml"), d.File}
	case DepsPyproject, DepsRequirements, DepsPoetry, DepsPipenv, DepsConda:
		if d.LockFile != "" {
			return []string{d.File, d.LockFile}
		}
		return []string{d.File}
	}
	return nil
}

// uvWorkspace is the root of the uv workspace dir is a member of: the nearest folder above it
// whose pyproject.toml has [tool.uv.workspace] and which has a uv.lock, when the workspace's
// members (globs relative to it) take dir in and its exclude leaves it; "" otherwise.
func uvWorkspace(dir string) string {
	for up, i := filepath.Dir(dir), 0; i < 4 && !isHome(up) && filepath.Dir(up) != up; up, i = filepath.Dir(up), i+1 {
		data, err := os.ReadFile(filepath.Join(up, "pyproject.toml"))
		if err != nil {
			continue
		}
		var pp pyproject
		if toml.Unmarshal(data, &pp) != nil || pp.Tool.UV.Workspace == nil {
			continue
		}
		rel, err := filepath.Rel(up, dir)
		if err != nil || !isFile(filepath.Join(up, "uv.lock")) {
			return ""
		}
		rel = filepath.ToSlash(rel)
		matches := func(globs []string) bool {
			return slices.ContainsFunc(globs, func(g string) bool {
				ok, _ := path.Match(strings.TrimSuffix(strings.TrimPrefix(g, "./"), "/"), rel)
				return ok
			})
		}
		if matches(pp.Tool.UV.Workspace.Members) && !matches(pp.Tool.UV.Workspace.Exclude) {
			return up
		}
		return ""
	}
	return ""
}

// requirementsFile is dir's requirements.txt; else one named so but for its case
// (Requirements.txt, which Windows and macOS open as requirements.txt) or in the singular
// (requirement.txt, a common slip: without it the app would start without its packages); "".
// listsAnything: a requirements file (or "") lists something; one that cannot be read counts as
// listing, so that reading it again says what is wrong with it.
func listsAnything(file string) bool {
	if file == "" {
		return false
	}
	ok, err := pyruntime.ListsAnything(file)
	return ok || err != nil
}

// unreadRequirements are dir's requirements files of other names (requirements-dev.txt,
// requirements_prod.txt, requirements/base.txt), as slash paths from dir.
func unreadRequirements(dir string) []string {
	var out []string
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			if n := strings.ToLower(e.Name()); !e.IsDir() && strings.HasPrefix(n, "requirements") && strings.HasSuffix(n, ".txt") {
				out = append(out, e.Name())
			}
		}
	}
	if entries, err := os.ReadDir(filepath.Join(dir, "requirements")); err == nil {
		for _, e := range entries {
			if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".txt") {
				out = append(out, "requirements/"+e.Name())
			}
		}
	}
	return out
}

func requirementsFile(dir string) string {
	return cmp.Or(findFold(dir, "requirements.txt"), findFold(dir, "requirement.txt"))
}
