package project

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/desklit/desklit/app/pyruntime"
)

func TestPoetrySpec(t *testing.T) {
	for in, want := range map[string]string{
		"^1.2.3": ">=1.2.3,<2", "^0.2.3": ">=0.2.3,<0.3", "^0.0.3": ">=0.0.3,<0.0.4", "^0.0": ">=0.0,<0.1",
		"^0": ">=0,<1", "^1.2": ">=1.2,<2", "^2.0.0b1": ">=2.0.0b1,<3",
		"~1.2.3": ">=1.2.3,<1.3", "~1.2": ">=1.2,<1.3", "~1": ">=1,<2", "~=1.4": "~=1.4",
		"1.2.3": "==1.2.3", "==1.2.3": "==1.2.3", "=1.2": "==1.2", "1.2.*": "==1.2.*", "*": "", "": "",
		">=1.2,<2.0": ">=1.2,<2.0", ">= 1.2, < 2.0": ">=1.2,<2.0", ">=1.2 <2.0": ">=1.2,<2.0", "!=1.5": "!=1.5",
		// Either of two ranges: one range that holds both (Poetry's Python form skipping 3.9.7 exactly).
		">=3.9,<3.9.7 || >3.9.7,<3.12": ">=3.9,!=3.9.7,<3.12", "^1.20 || ^2.0": ">=1.20,<3", "1.2.3 | ^2": ">=1.2.3,<3",
		"^2.0 || ^1.5": ">=1.5,<3", ">=1.2 || <0.5": "", "^1.0 || >=3": ">=1.0",
	} {
		got, err := poetrySpec(in)
		if err != nil || got != want {
			t.Errorf("poetrySpec(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"^1.2 || latest", "latest", ">=1.2 pandas"} {
		if got, err := poetrySpec(bad); err == nil {
			t.Errorf("poetrySpec(%q) = %q, want an error", bad, got)
		}
	}
}

// A Poetry project (pyproject.toml's [tool.poetry], the shape `poetry new` and `poetry add` write)
// is read as its dependencies and groups, resolved within poetry.lock's versions.
func TestPoetryProject(t *testing.T) {
	dir := tree(t, map[string]string{
		"app.py": "import streamlit as st\n",
		"pyproject.toml": `[tool.poetry]
name = "sales"
version = "0.1.0"

[[tool.poetry.source]]
name = "corp"
url = "https://pypi.corp.example/simple"
priority = "primary"

[[tool.poetry.source]]
name = "mirror"
url = "https://mirror.example/simple"
priority = "supplemental"

[[tool.poetry.source]]
name = "torch"
url = "https://download.pytorch.org/whl/cpu"
priority = "explicit"

[tool.poetry.dependencies]
python = "^3.10"
streamlit = "^1.40"
pandas = {version = "~2.2", extras = ["excel"]}
tomli = {version = "^2.0", python = "<3.11"}
pywin32 = {version = "*", platform = "win32"}
plotting = {path = "libs/plotting"}
toolkit = {git = "https://github.com/example/toolkit.git", tag = "v1.0"}
pyodbc = {version = "^5", optional = true}

[tool.poetry.group.dev.dependencies]
pytest = "^8"

[tool.poetry.group.viz.dependencies]
altair = ">=5,<6"

[tool.poetry.group.interactive.dependencies]
ipdb = "^0.13.9"

[tool.poetry.group.docs]
optional = true
[tool.poetry.group.docs.dependencies]
mkdocs = "*"
`,
		"poetry.lock": `[[package]]
name = "pandas"
version = "2.2.3"

[[package]]
name = "streamlit"
version = "1.41.1"

[[package]]
name = "pyarrow"
version = "25.0.1"

[[package]]
name = "pyarrow"
version = "26.0.1"

[[package]]
name = "toolkit"
version = "1.0"
[package.source]
type = "git"
url = "https://github.com/example/toolkit.git"

[metadata]
lock-version = "2.0"
python-versions = "^3.10"
`,
	})
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"--index-url https://pypi.corp.example/simple", "--extra-index-url https://mirror.example/simple",
		"pandas[excel]>=2.2,<2.3",
		"plotting @ " + pyruntime.FileURL(filepath.Join(dir, "libs/plotting")),
		"pywin32; sys_platform == \"win32\"",
		"streamlit>=1.40,<2",
		"tomli>=2.0,<3; python_full_version < \"3.11\"",
		"toolkit @ git+https://github.com/example/toolkit.git@v1.0",
		"altair>=5,<6",
	}
	if p.Deps.Kind != DepsPoetry || !slices.Equal(p.Deps.Requirements, want) {
		t.Errorf("deps %s %q,\nwant %q", p.Deps.Kind, p.Deps.Requirements, want)
	}
	if got := strings.Join(p.Deps.Constraints, " "); got != "pandas==2.2.3 streamlit==1.41.1" || p.Deps.LockFile != filepath.Join(dir, "poetry.lock") {
		t.Errorf("constraints %q from %s, want poetry.lock's index packages locked at one version", got, p.Deps.LockFile)
	}
	if p.Deps.LockPython != ">=3.10,<4.0" && p.Deps.LockPython != ">=3.10,<4" {
		t.Errorf("the Pythons poetry.lock was made for: %q, want its python-versions ^3.10", p.Deps.LockPython)
	}
	if p.Python != ">=3.10,<4" {
		t.Errorf("python %q, want Poetry's ^3.10", p.Python)
	}
	src := p.Deps.Source("base.txt")
	if src.Kind != "pyproject.toml" || !slices.Equal(src.Requirements, want) || len(src.Constraints) != 2 {
		t.Errorf("source %+v", src)
	}
	if in, _ := p.Deps.Inputs(); !strings.Contains(string(in), "lock-version") {
		t.Error("poetry.lock does not count among the inputs of the lock")
	}

	// Either of two ranges (Poetry's form for a Python that skips 3.9.7, which `poetry add
	// streamlit` writes): one range that holds both; a constraint that has no requirement form is
	// an error that names the dependency.
	p, err = Load(tree(t, map[string]string{"app.py": "", "pyproject.toml": "[tool.poetry.dependencies]\n" +
		"python = \">=3.9,<3.9.7 || >3.9.7,<3.12\"\nnumpy = \"^1.26 || ^2.0\"\n"}))
	if err != nil || p.Python != ">=3.9,!=3.9.7,<3.12" || !slices.Equal(p.Deps.Source("b").Requirements, []string{"numpy>=1.26,<3"}) {
		t.Errorf("|| constraints: %+v %v", p, err)
	}
	_, err = Load(tree(t, map[string]string{"app.py": "", "pyproject.toml": "[tool.poetry.dependencies]\nnumpy = \"^1.26 || newest\"\n"}))
	var pe *Error
	if !errors.As(err, &pe) || pe.Key != "tool.poetry.dependencies.numpy" || !strings.Contains(pe.Msg, "not a version constraint") {
		t.Errorf("a constraint with no requirement form: %v", err)
	}
}

// A Pipenv project: the Pipfile's [packages] (not [dev-packages]), resolved within Pipfile.lock's
// versions.
func TestPipenvProject(t *testing.T) {
	dir := tree(t, map[string]string{
		"app.py": "import streamlit as st\n",
		"Pipfile": `[[source]]
url = "https://pypi.corp.example/simple"
verify_ssl = true
name = "corp"

[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[[source]]
url = "https://download.pytorch.org/whl/cpu"
verify_ssl = true
name = "pytorch"

[packages]
streamlit = "*"
torch = {version = "*", index = "pytorch"}
pandas = "==2.2.3"
requests = {version = ">=2.31", extras = ["socks"]}
pywin32 = {version = "*", sys_platform = "== 'win32'"}

[dev-packages]
pytest = "*"

[requires]
python_version = "3.11"
`,
		"Pipfile.lock": `{"_meta": {"hash": {"sha256": "x"}, "requires": {"python_version": "3.8"}}, "default": {
  "pandas": {"hashes": ["sha256:aa"], "version": "==2.2.3"},
  "numpy": {"hashes": ["sha256:bb"], "markers": "python_version >= '3.9'", "version": "==1.26.4"},
  "toolkit": {"git": "https://github.com/example/toolkit.git", "ref": "abc"}
}, "develop": {"pytest": {"version": "==8.3.3"}}}`,
	})
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	// PyPI, the second source, is named by no package: Pipenv takes none from it.
	want := []string{"--index-url https://pypi.corp.example/simple", "--extra-index-url https://download.pytorch.org/whl/cpu",
		"pandas==2.2.3", "pywin32; sys_platform == 'win32'", "requests[socks]>=2.31", "streamlit", "torch"}
	if p.Deps.Kind != DepsPipenv || !slices.Equal(p.Deps.Requirements, want) {
		t.Errorf("deps %s %q, want %q", p.Deps.Kind, p.Deps.Requirements, want)
	}
	if got := strings.Join(p.Deps.Constraints, " "); got != "numpy==1.26.4 pandas==2.2.3" {
		t.Errorf("constraints %q, want Pipfile.lock's default packages", got)
	}
	if p.Deps.LockPython != "==3.8.*" {
		t.Errorf("the Pythons Pipfile.lock was made for: %q, want ==3.8.*", p.Deps.LockPython)
	}
	if p.Python != "" {
		t.Errorf("python %q: Pipenv only warns when python_version differs, so Desklit does not require it", p.Python)
	}

	for searchAll, want := range map[string][]string{"": {"streamlit", "tabulate"},
		"[pipenv]\ninstall_search_all_sources = true\n": {"--index-url https://pypi.org/simple", "--extra-index-url https://download.pytorch.org/whl/cpu", "streamlit", "tabulate"}} {
		p, err := Load(tree(t, map[string]string{"app.py": "", "Pipfile": "[[source]]\nurl = \"https://pypi.org/simple\"\nname = \"pypi\"\n\n" +
			"[[source]]\nurl = \"https://download.pytorch.org/whl/cpu\"\nname = \"pytorch\"\n\n[packages]\nstreamlit = \"*\"\ntabulate = \"*\"\n\n" + searchAll}))
		if err != nil || !slices.Equal(p.Deps.Requirements, want) {
			t.Errorf("a second source no package names, %q: %q, %v; want %q", searchAll, p.Deps.Requirements, err, want)
		}
	}
	_, err = Load(tree(t, map[string]string{"app.py": "", "Pipfile": "[packages]\nstreamlit = \"*\"\n", "Pipfile.lock": "{not json"}))
	var pe *Error
	if !errors.As(err, &pe) || filepath.Base(pe.File) != "Pipfile.lock" {
		t.Errorf("a broken Pipfile.lock: %v", err)
	}
}

// The dependency file may be in the repository's root while the app is below it (src/app.py with
// its pages, as in PeterAVG/load_shifting): Desklit looks up to the folder with .git, and without
// a repository one folder up only.
func TestDependenciesInTheRepositoryRoot(t *testing.T) {
	root := tree(t, map[string]string{
		".git/HEAD":                 "ref: refs/heads/main\n",
		"requirements.txt":          "tabulate\n",
		"apps/sales/Overview.py":    "import streamlit as st\n",
		"apps/sales/pages/Spot.py":  "import streamlit as st\n",
		"apps/own/app.py":           "import streamlit as st\n",
		"apps/own/requirements.txt": "rich\n",
	})
	for app, want := range map[string]string{"apps/sales": "requirements.txt", "apps/sales/Overview.py": "requirements.txt", "apps/own": "apps/own/requirements.txt"} {
		p, err := Load(filepath.Join(root, app))
		if err != nil {
			t.Fatal(err)
		}
		if p.Deps.Kind != DepsRequirements || p.Deps.File != filepath.Join(root, want) {
			t.Errorf("%s: deps %+v, want %s", app, p.Deps, want)
		}
		// The app runs where its dependency file is, as on Streamlit Community Cloud.
		if wd := filepath.Dir(filepath.Join(root, want)); p.WorkDir != wd || p.RunDir() != wd {
			t.Errorf("%s: runs in %s, want %s", app, p.WorkDir, wd)
		}
	}
	// No repository: the folder above is asked, the one above that is not.
	plain := tree(t, map[string]string{"pyproject.toml": "[tool.poetry.dependencies]\npandas = \"^2\"\n",
		"src/app.py": "import streamlit as st\n", "deep/er/app.py": "import streamlit as st\n"})
	if p, err := Load(filepath.Join(plain, "src")); err != nil || p.Deps.Kind != DepsPoetry || p.WorkDir != plain {
		t.Errorf("src/ below a Poetry project: %+v, %v", p, err)
	} else if want := NameOf(filepath.Base(plain)); p.Name != want || NameOf(filepath.Join(plain, "src")) != want {
		t.Errorf("an app in src/ is named %q (NameOf %q), want its project's %q", p.Name, NameOf(filepath.Join(plain, "src")), want)
	}
	if p, err := Load(filepath.Join(plain, "deep", "er")); err != nil || p.Deps.Kind != DepsNone || p.WorkDir != p.Dir {
		t.Errorf("two folders below, outside a repository: %+v, %v", p, err)
	}
	// A downloaded archive (no .git) whose app is in code folders two down (src/app/Home.py, as
	// jbx-p/supply-chain-control-tower), or that its README runs (`streamlit run
	// tools/report/app.py`): the archive's top is the project's, opened by its folder or its script.
	archive := tree(t, map[string]string{"requirements.txt": "humanize\n", "README.md": "    streamlit run tools/report/app.py\n",
		"src/app/Home.py": "import streamlit as st\n", "tools/report/app.py": "import streamlit as st\n", "deep/er/app.py": "import streamlit as st\n"})
	for _, app := range []string{"src/app", "src/app/Home.py", "tools/report/app.py"} {
		if p, err := Load(filepath.Join(archive, app)); err != nil || p.Deps.File != filepath.Join(archive, "requirements.txt") || p.WorkDir != archive {
			t.Errorf("%s of an archive: %+v, %v", app, p, err)
		}
	}
	if p, err := Load(filepath.Join(archive, "deep", "er")); err != nil || p.Deps.Kind != DepsNone {
		t.Errorf("deep/er of an archive, which nothing runs: %+v, %v", p, err)
	}
}

// A conda environment file (the shapes analysts' repositories have: exact and fuzzy pins, a
// channel, a build string, conda's names for PyPI's packages, system libraries, a pip: list
// with an include) is read as requirements; python and the libraries are left out.
func TestCondaEnvironment(t *testing.T) {
	dir := tree(t, map[string]string{
		"app.py": "import streamlit as st\n",
		"environment.yml": `# conda env create -f environment.yml
name: rainfall
channels:
  - conda-forge
  - defaults
dependencies:
  - python=3.10
  - pip
  - streamlit=1.33
  - pandas==2.2.1
  - numpy>=1.26,<2
  - conda-forge::altair
  - scikit-learn 1.4.*
  - pyarrow=15.0.0=py310h1234_0
  - pytorch
  - libgdal
  - nodejs
  - bzip2=1.0.8=h5eee18b_5
  - tzdata=2024a=h04d1e81_0
  - vc 14.2 h21ff451_1
  - h3-py=3.7.6=py310hd8f1fbe_1
  - pip:
      - streamlit-option-menu==0.4.0
      - -r requirements-extra.txt
      - -e .
      - ./libs/shared
`,
		"requirements-extra.txt": "tabulate\n",
	})
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"streamlit==1.33.*", "pandas==2.2.1", "numpy>=1.26,<2", "altair", "scikit-learn==1.4.*",
		"pyarrow==15.0.0.*", "torch", "h3==3.7.6.*", "streamlit-option-menu==0.4.0", "-r " + filepath.Join(dir, "requirements-extra.txt"),
		"-e " + pyruntime.FileURL(dir), pyruntime.FileURL(filepath.Join(dir, "libs", "shared"))}
	if p.Deps.Kind != DepsConda || !slices.Equal(p.Deps.Requirements, want) {
		t.Errorf("deps %s %q,\nwant %q", p.Deps.Kind, p.Deps.Requirements, want)
	}
	if got := strings.Join(p.Deps.LeftOut, ","); got != "python=3.10,pip,libgdal,nodejs,bzip2=1.0.8=h5eee18b_5,tzdata=2024a=h04d1e81_0,vc 14.2 h21ff451_1" || p.Python != "" {
		t.Errorf("left out %q, python %q", got, p.Python)
	}
	_, err = Load(tree(t, map[string]string{"app.py": "", "environment.yml": "dependencies:\n  - pandas[version='>=1']\n"}))
	var pe *Error
	if !errors.As(err, &pe) || pe.Line != 2 || !strings.Contains(pe.Msg, "conda package spec") {
		t.Errorf("bracket spec: %v", err)
	}
	_, err = Load(tree(t, map[string]string{"app.py": "", "environment.yml": "dependencies:\n  - pandas\n  - pip:\n    - -r requirements-pip.txt\n"}))
	if !errors.As(err, &pe) || filepath.Base(pe.File) != "environment.yml" || pe.Line != 3 || !strings.Contains(pe.Msg, "includes -r requirements-pip.txt, which does not exist") {
		t.Errorf("a missing include of the pip: list: %v", err)
	}
}

// A code folder's name (src, app) gives way to its project's, but not to the home folder's.
func TestCodeFolderName(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	for dir, want := range map[string]string{
		filepath.Join(home, "app"):                    "App",
		filepath.Join(home, "sales_dashboard", "src"): "Sales dashboard",
		filepath.Join(home, "sales", "streamlit"):     "Sales",
		filepath.Join(home, "sales", "pages_app"):     "Pages app",
	} {
		if got := NameOf(dir); got != want {
			t.Errorf("NameOf(%s) = %q, want %q", dir, got, want)
		}
	}
}
