package project

import (
	"path/filepath"
	"slices"
	"testing"
)

// The folders installing a project itself would make importable, as its build settings say; none
// for a project that is no package (uv's default app, Poetry's package-mode = false) or keeps its
// package beside the script (the working folder is on sys.path already).
func TestImportPaths(t *testing.T) {
	t.Parallel()
	pkg := map[string]string{"src/salesdash/__init__.py": "def total(xs): return sum(xs)\n"}
	with := func(files map[string]string) map[string]string {
		out := map[string]string{"app.py": "import streamlit as st\n"}
		for k, v := range pkg {
			out[k] = v
		}
		for k, v := range files {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"uv init --package (hatchling)", with(map[string]string{"pyproject.toml": "[project]\nname = \"salesdash\"\n[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n"}), []string{"src"}},
		{"uv's application, no build system", with(map[string]string{"pyproject.toml": "[project]\nname = \"salesdash\"\ndependencies = []\n"}), nil},
		{"uv package = true", with(map[string]string{"pyproject.toml": "[project]\nname = \"x\"\n[tool.uv]\npackage = true\n"}), []string{"src"}},
		{"Poetry's packages from lib", map[string]string{"lib/dash/__init__.py": "", "app.py": "",
			"pyproject.toml": "[tool.poetry]\nname = \"dash\"\npackages = [{ include = \"dash\", from = \"lib\" }]\n"}, []string{"lib"}},
		{"Poetry's package-mode = false", with(map[string]string{"pyproject.toml": "[tool.poetry]\npackage-mode = false\n"}), nil},
		{"setuptools' packages.find where", map[string]string{"python/dash/core.py": "", "app.py": "",
			"pyproject.toml": "[build-system]\nrequires = [\"setuptools\"]\n[tool.setuptools.packages.find]\nwhere = [\"python\"]\n"}, []string{"python"}},
		{"setuptools' package-dir", map[string]string{"code/dash/__init__.py": "", "app.py": "",
			"pyproject.toml": "[build-system]\nrequires = [\"setuptools\"]\n[tool.setuptools]\npackage-dir = {\"\" = \"code\"}\n"}, []string{"code"}},
		{"Hatch's wheel packages", with(map[string]string{"pyproject.toml": "[build-system]\nrequires = [\"hatchling\"]\n[tool.hatch.build.targets.wheel]\npackages = [\"src/salesdash\"]\n"}), []string{"src"}},
		{"setup.py with a module in src", map[string]string{"setup.py": "", "src/helpers.py": "", "app.py": ""}, []string{"src"}},
		{"a build system and no code in src", map[string]string{"pyproject.toml": "[build-system]\n", "src/data/x.csv": "", "app.py": ""}, nil},
		{"a package beside the script", map[string]string{"pyproject.toml": "[build-system]\n", "salesdash/__init__.py": "", "app.py": ""}, nil},
		{"a path outside the project is not taken", map[string]string{"app.py": "",
			"pyproject.toml": "[tool.poetry]\npackages = [{ include = \"x\", from = \"../elsewhere\" }]\n"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tree(t, tt.files)
			var want []string
			for _, w := range tt.want {
				want = append(want, filepath.Join(dir, w))
			}
			if got := importPaths(dir); !slices.Equal(got, want) {
				t.Fatalf("importPaths = %v, want %v", got, want)
			}
		})
	}
	// Load gives them to the project.
	dir := tree(t, with(map[string]string{"pyproject.toml": "[project]\nname = \"salesdash\"\ndependencies = [\"streamlit\"]\n[build-system]\nrequires = [\"hatchling\"]\n"}))
	p, err := Load(dir)
	if err != nil || !slices.Equal(p.ImportPaths, []string{filepath.Join(dir, "src")}) {
		t.Fatalf("Load: %v %v", p, err)
	}
}
