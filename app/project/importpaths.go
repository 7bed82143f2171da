package project

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// A project that is itself a package in the src layout (`uv init --package`, Poetry, Hatch,
// setuptools with src/) keeps its code in src/NAME and its app imports NAME: `uv run`, `poetry
// install` and `pip install -e .` install the project itself, which puts src/ on sys.path. Desklit
// installs the project's dependencies only (its environments are shared by every project with the
// same lock), so it puts those folders on the app's PYTHONPATH instead: the same imports, offline,
// with no build backend to fetch.

// importPaths returns the folders under dir that installing the project itself would make
// importable: those its build settings name (Poetry's packages' from, setuptools' package-dir
// and packages.find where, Hatch's wheel packages), else src/ when it holds Python code. Only for
// a project that is a package: pyproject.toml with a [build-system], Poetry's [tool.poetry] (not
// package-mode = false) or uv's package = true; or setup.py / setup.cfg. A build file Desklit
// cannot read names nothing (the dependencies' reader reports it).
func importPaths(dir string) []string {
	var doc struct {
		BuildSystem map[string]any `toml:"build-system"`
		Tool        struct {
			Poetry *struct {
				PackageMode *bool `toml:"package-mode"`
				Packages    []struct {
					From string `toml:"from"`
				} `toml:"packages"`
			} `toml:"poetry"`
			UV struct {
				Package bool `toml:"package"`
			} `toml:"uv"`
			Setuptools struct {
				PackageDir map[string]string `toml:"package-dir"`
				Packages   struct {
					Find struct {
						Where []string `toml:"where"`
					} `toml:"find"`
				} `toml:"packages"`
			} `toml:"setuptools"`
			Hatch struct {
				Build struct {
					Targets struct {
						Wheel struct {
							Packages []string `toml:"packages"`
						} `toml:"wheel"`
					} `toml:"targets"`
				} `toml:"build"`
			} `toml:"hatch"`
		} `toml:"tool"`
	}
	isPackage := isFile(filepath.Join(dir, "setup.py")) || isFile(filepath.Join(dir, "setup.cfg"))
	if data, err := os.ReadFile(filepath.Join(dir, "pyproject.toml")); err == nil && toml.Unmarshal(data, &doc) == nil {
		poetry := doc.Tool.Poetry != nil && (doc.Tool.Poetry.PackageMode == nil || *doc.Tool.Poetry.PackageMode)
		isPackage = isPackage || doc.BuildSystem != nil || poetry || doc.Tool.UV.Package
	}
	if !isPackage {
		return nil
	}
	var named []string
	if doc.Tool.Poetry != nil {
		for _, p := range doc.Tool.Poetry.Packages {
			named = append(named, p.From)
		}
	}
	named = append(named, doc.Tool.Setuptools.PackageDir[""])
	named = append(named, doc.Tool.Setuptools.Packages.Find.Where...)
	for _, p := range doc.Tool.Hatch.Build.Targets.Wheel.Packages {
		named = append(named, path.Dir(p)) // "src/salesdash" → src
	}
	var out []string
	for _, n := range named {
		if n = path.Clean(filepath.ToSlash(n)); n == "." || n == "" || strings.HasPrefix(n, "../") || path.IsAbs(n) {
			continue
		}
		if p := filepath.Join(dir, filepath.FromSlash(n)); isDir(p) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if src := filepath.Join(dir, "src"); len(out) == 0 && holdsPython(src) {
		out = append(out, src)
	}
	return out
}

// holdsPython reports whether a folder has a Python module or a package (a folder with .py
// files) directly in it.
func holdsPython(dir string) bool {
	if files, _ := pyFiles(dir); len(files) > 0 {
		return true
	}
	entries, _ := os.ReadDir(dir)
	return slices.ContainsFunc(entries, func(e os.DirEntry) bool {
		files, _ := pyFiles(filepath.Join(dir, e.Name()))
		return e.IsDir() && len(files) > 0
	})
}
