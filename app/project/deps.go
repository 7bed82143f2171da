package project

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
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
	}
	return pyruntime.Source{Kind: d.Kind, File: d.File, Requirements: d.Requirements, Base: base}
}

// Deps is a project's dependency source.
type Deps struct {
	Kind string // one of the Deps* constants
	// File is the file the dependencies are read from (uv.lock, pyproject.toml or
	// requirements.txt); "" for DepsNone.
	File string
	// Requirements are pyproject.toml's [project].dependencies (DepsPyproject only).
	Requirements []string
	// RequiresPython is pyproject.toml's requires-python, when it has one.
	RequiresPython string
}

type pyproject struct {
	Project struct {
		Dependencies         *[]string           `toml:"dependencies"`
		OptionalDependencies map[string][]string `toml:"optional-dependencies"`
		RequiresPython       string              `toml:"requires-python"`
	} `toml:"project"`
}

// toolingGroups are optional-dependency groups for developing a project, not for running it:
// the other groups (a "viz" or "ml" extra) are installed with [project].dependencies.
var toolingGroups = map[string]bool{"dev": true, "test": true, "tests": true, "testing": true, "docs": true, "doc": true,
	"lint": true, "linting": true, "typing": true, "types": true, "style": true, "build": true, "release": true}

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

func findDeps(dir string) (Deps, error) {
	var d Deps
	pyprojectFile := filepath.Join(dir, "pyproject.toml")
	var pp *pyproject
	if data, err := os.ReadFile(pyprojectFile); err == nil {
		pp = &pyproject{}
		if err := toml.Unmarshal(data, pp); err != nil {
			var de *toml.DecodeError
			if errors.As(err, &de) {
				row, _ := de.Position()
				return d, &Error{File: pyprojectFile, Line: row, Msg: de.Error()}
			}
			return d, &Error{File: pyprojectFile, Msg: err.Error()}
		}
		d.RequiresPython = pp.Project.RequiresPython
	} else if !errors.Is(err, os.ErrNotExist) {
		return d, err
	}
	switch {
	case pp != nil && isFile(filepath.Join(dir, "uv.lock")):
		d.Kind, d.File = DepsUVLock, filepath.Join(dir, "uv.lock")
	case pp != nil && pp.Project.Dependencies != nil:
		d.Kind, d.File, d.Requirements = DepsPyproject, pyprojectFile, pp.requirements()
	case isFile(filepath.Join(dir, "requirements.txt")):
		d.Kind, d.File = DepsRequirements, filepath.Join(dir, "requirements.txt")
	default:
		if err := unsupportedDeps(dir); err != nil {
			return d, err
		}
		d.Kind = DepsNone
	}
	return d, nil
}

// otherTools are dependency files of tools Desklit does not read, with the command that writes
// what it reads.
var otherTools = []struct{ file, tool, export string }{
	{"poetry.lock", "Poetry", "poetry export -f requirements.txt -o requirements.txt (poetry-plugin-export)"},
	{"Pipfile.lock", "Pipenv", "pipenv requirements > requirements.txt"},
	{"Pipfile", "Pipenv", "pipenv requirements > requirements.txt"},
	{"environment.yml", "conda", "write the pip packages it lists into requirements.txt"},
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
	case DepsPyproject, DepsRequirements:
		return []string{d.File}
	}
	return nil
}
