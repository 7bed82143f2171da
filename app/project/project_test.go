package project

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/internal/testutil"
)

// tree writes files (slash path → body) under a new folder and returns it.
var tree = testutil.Tree

func TestScriptChoice(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string   // the script's base name
		cands []string // a NoScriptError's candidates
	}{
		{"streamlit_app.py first", map[string]string{"streamlit_app.py": "", "app.py": "", "main.py": ""}, "streamlit_app.py", nil},
		{"then app.py", map[string]string{"app.py": "", "main.py": "", "x.py": ""}, "app.py", nil},
		{"then main.py", map[string]string{"main.py": "", "x.py": ""}, "main.py", nil},
		{"the only .py", map[string]string{"dashboard.py": "", "data.csv": ""}, "dashboard.py", nil},
		{"desklit.toml names it", map[string]string{"desklit.toml": "script = \"src/report.py\"\n", "src/report.py": "", "app.py": ""}, "report.py", nil},
		{"several, none known", map[string]string{"b.py": "", "a.py": ""}, "", []string{"a.py", "b.py"}},
		// Streamlit's docs' multipage layout (the streamlit/hello repository): the entrypoint
		// beside pages/, a helper module that the pages import.
		{"the script beside pages/", map[string]string{
			"0_👋_Hello.py":               "import streamlit as st\nst.write('# Welcome')\n",
			"utils.py":                   "import inspect\nimport textwrap\n\nimport streamlit as st\n",
			"pages/1_📈_Plotting_Demo.py": "import streamlit as st\nfrom utils import show_code\n",
		}, "0_👋_Hello.py", nil},
		{"pages/ and a named script: the named one", map[string]string{"app.py": "", "tools.py": "", "pages/a.py": ""}, "app.py", nil},
		{"a helper imported by the only script", map[string]string{
			"dashboard.py": "import os, helpers as h\n", "helpers.py": "import streamlit as st\n"}, "dashboard.py", nil},
		{"pages/, several scripts", map[string]string{"a.py": "", "b.py": "", "lib.py": "", "pages/p.py": "import lib\n"}, "", []string{"a.py", "b.py"}},
		// streamlit/llm-examples: the app beside pages/, and its AppTest test beside it.
		{"a test beside the app", map[string]string{
			"Chatbot.py":     "import streamlit as st\n",
			"app_test.py":    "from streamlit.testing.v1 import AppTest\n",
			"pages/1_Fun.py": "import streamlit as st\n",
		}, "Chatbot.py", nil},
		{"tests, conftest and setup.py are not scripts", map[string]string{
			"report.py": "", "test_report.py": "", "conftest.py": "", "setup.py": ""}, "report.py", nil},
		{"the one script that imports streamlit", map[string]string{
			"dashboard.py": "import pandas as pd\nimport streamlit as st\n", "fetch_data.py": "import requests\n"}, "dashboard.py", nil},
		// An app.py that imports streamlit only through its own module is still the named
		// script, beside pages/ and another script that imports streamlit.
		{"pages/ and an app that imports streamlit indirectly", map[string]string{"app.py": "from ui import main\nmain()\n",
			"ui.py": "import streamlit as st\n", "admin.py": "import streamlit as st\n", "pages/a.py": "import streamlit as st\n"}, "app.py", nil},
		{"several import streamlit", map[string]string{
			"a.py": "import streamlit as st\n", "b.py": "from streamlit import write\n", "c.py": "import os\n"}, "", []string{"a.py", "b.py"}},
		// PeterAVG/load_shifting: nothing at the top, the app in src/ beside its pages.
		{"the app one folder down", map[string]string{"README.md": "", "src/__init__.py": "", "src/utils.py": "",
			"src/Overview.py": "import streamlit as st\nfrom src.utils import x\n", "src/pages/1_P.py": "import streamlit as st\n",
			"tests/test_app.py": "import streamlit\n", ".venv/lib/x.py": "import streamlit\n", "docs/conf.py": ""}, "Overview.py", nil},
		// take-takashi/try-streamlit's shape: Poetry's src layout, the app in its package's folder.
		{"the src layout", map[string]string{"pyproject.toml": "[tool.poetry]\npackages = [{include = \"sample_streamlit\", from = \"src\"}]\n",
			"src/sample_streamlit/__init__.py": "", "src/sample_streamlit/app.py": "import streamlit as st\n", "tests/test_x.py": "import streamlit\n"}, "app.py", nil},
		{"apps in two folders", map[string]string{"sales/app.py": "import streamlit as st\n", "admin/main.py": "import streamlit as st\n",
			"etl/job.py": "import pandas\n"}, "", []string{"admin/main.py", "sales/app.py"}},
		// dmenezesgabriel/streamlit-crud's shape: the app's script reaches streamlit through its own
		// package, beside an API's (opened at the repository's root).
		{"streamlit through its own package", map[string]string{"app/init_api.py": "from src.api import run\nrun()\n",
			"app/init_streamlit.py": "from src.ui.main import main\nmain()\n", "app/src/__init__.py": "", "app/src/ui/main.py": "import streamlit as st\n",
			"app/src/api.py": "import fastapi\n", "app/requirements.txt": "streamlit\nfastapi\n"}, "init_streamlit.py", nil},
		// sicara/dvc-streamlit-example's shape: the dashboard and its helpers in st_scripts/, imported
		// through the folder's name.
		{"helpers imported by the folder's name", map[string]string{"st_scripts/st_dashboard.py": "import streamlit as st\nfrom st_scripts.st_inference import st_inference\n",
			"st_scripts/st_inference.py": "import streamlit as st\nfrom st_scripts.st_utils import REPO\n", "st_scripts/st_utils.py": "import streamlit as st\n",
			"scripts/train.py": "import pandas\n"}, "st_dashboard.py", nil},
		// hayabhay/fastapi-streamlit-starter's shape: the root's one script is invoke's tasks.py, the
		// app is ui/ with its pages.
		{"a root script that is no app", map[string]string{"tasks.py": "from invoke import task\n", "ui/01_Home.py": "import streamlit as st\n",
			"ui/pages/02_Other.py": "import streamlit as st\n", "api/main.py": "import fastapi\n"}, "01_Home.py", nil},
		// xinge-ji/dashboard's shape: the entrypoint lists index.py as its home page for
		// st.navigation; both import streamlit.
		{"the script that names the others as pages", map[string]string{
			"streamlit_navigation.py": "import streamlit as st\npages = {\"\": [st.Page(\"index.py\", title=\"Home\")],\n  \"Data\": [st.Page('pub/tracker.py')]}\nst.navigation(pages).run()\n",
			"index.py":                "import streamlit as st\nst.markdown('# Dashboard')\n", "pub/tracker.py": "import streamlit as st\n"}, "streamlit_navigation.py", nil},
		{"a main.py that names app.py as a page", map[string]string{
			"main.py": "import streamlit as st\npg = st.navigation([st.Page(page=\"app.py\"), st.Page(\"report.py\")])\npg.run()\n",
			"app.py":  "import streamlit as st\n", "report.py": "import streamlit as st\n"}, "main.py", nil},
		// Genie-Scripts/Streamlit-Inpatient-Dashboard's shape: Windows line ends and imports
		// parenthesised over several lines (reading them had crashed Desklit).
		{"CRLF and parenthesised imports", map[string]string{
			"dashboard.py":    "import streamlit as st\r\nfrom analysis_tab import render\r\nrender()\r\n",
			"analysis_tab.py": "import streamlit as st\r\nfrom alos_charts import (\r\n    los_chart,  # the length of stay\r\n    trend,\r\n)\r\nfrom utils import (fmt,\r\n  pct)\r\n",
			"alos_charts.py":  "import streamlit as st\r\n",
			"utils.py":        "import pandas as pd\r\n",
		}, "dashboard.py", nil},
		// im-zhong/chatbot's shape: the main.py `uv init` writes, the app in a folder below.
		{"uv init's main.py", map[string]string{"main.py": "def main():\n    print(\"Hello from chatbot!\")\n", "pyproject.toml": "[project]\nname = \"chatbot\"\n",
			"try_streamlit/entrypoint.py": "import streamlit as st\n", "try_streamlit/pages/3_login.py": "import streamlit as st\n"}, "entrypoint.py", nil},
		{"a main.py that is no app beside one that is", map[string]string{"main.py": "import pandas\n", "dashboard.py": "import streamlit as st\n"}, "dashboard.py", nil},
		// randyzwitch/streamlit-folium's shape: the package beside the examples.
		{"a package's __init__.py is no app", map[string]string{"streamlit_folium/__init__.py": "import streamlit as st\n",
			"examples/streamlit_app.py": "import streamlit as st\n", "setup.py": "import setuptools\n"}, "streamlit_app.py", nil},
		// Deeper than findScript looks: named, for the user to choose (apps/sales/app.py).
		{"no app one folder down", map[string]string{"lib/tool.py": "import os\n", "a/b/app.py": "import streamlit as st\n"}, "", []string{"a/b/app.py"}},
		{"apps two folders down", map[string]string{"requirements.txt": "streamlit\n", "apps/sales/app.py": "import streamlit as st\n",
			"apps/hr/app.py": "import streamlit as st\n", "apps/hr/test_app.py": "import streamlit\n", "apps/.venv/x/y.py": "import streamlit\n"}, "", []string{"apps/hr/app.py", "apps/sales/app.py"}},
		{"none", map[string]string{"README.md": ""}, "", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Load(tree(t, tt.files))
			if tt.cands != nil {
				var ns *NoScriptError
				if !errors.As(err, &ns) {
					t.Fatalf("Load = %v, want a NoScriptError", err)
				}
				if strings.Join(ns.Candidates, ",") != strings.Join(tt.cands, ",") {
					t.Errorf("candidates %v, want %v", ns.Candidates, tt.cands)
				}
				want := map[bool]string{true: "streamlit_app.py, app.py, main.py", false: "--script"}[len(tt.cands) == 0]
				if len(tt.cands) == 1 {
					want = "desklit run --script " + tt.cands[0]
				}
				if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "desklit.toml") {
					t.Errorf("message %q does not say what to do", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(p.Script) != tt.want || !filepath.IsAbs(p.Script) {
				t.Errorf("script %s, want …/%s", p.Script, tt.want)
			}
		})
	}
}

// TestNoStreamlitApp: a folder in which no Python file has a word of streamlit holds no app
// (AAdewunmi/Diabetes-Risk-Prediction-Project's shape: main.py runs an ML pipeline that writes
// its reports, src/dashboard/app.py is Flask): Desklit says so rather than run main.py as a page.
// A main.py that reaches streamlit deeper than imports are followed is still the app, and an
// empty one is the app just begun.
func TestNoStreamlitApp(t *testing.T) {
	dir := tree(t, map[string]string{"main.py": "import pandas as pd\nfrom src.pipeline import run\nrun()\n", "src/pipeline.py": "import sklearn\n",
		"src/dashboard/app.py": "from flask import Flask\n", "requirements.txt": "pandas\nflask\n"})
	_, err := Load(dir)
	var ns *NoScriptError
	if !errors.As(err, &ns) || ns.Plain != "main.py" || !strings.Contains(err.Error(), "none of its Python files imports streamlit") {
		t.Errorf("Load of a project with no Streamlit code = %v, want a NoScriptError naming main.py", err)
	}
	for name, files := range map[string]map[string]string{
		"streamlit deeper": {"main.py": "from app.runner import go\ngo()\n", "app/runner.py": "from app.ui.views import show\n", "app/ui/views.py": "import streamlit as st\n"},
		"just begun":       {"main.py": "", "notes.txt": "a dashboard\n"},
	} {
		if p, err := Load(tree(t, files)); err != nil || filepath.Base(p.Script) != "main.py" {
			t.Errorf("%s: Load = %+v, %v; want main.py", name, p, err)
		}
	}
}

// TestAppInItsFolderRunsFromTheRoot: an app whose requirements are beside it in a folder of the
// repository runs from the repository's root when its files say so, as on Community Cloud
// (blackary/st_pages: example_app/streamlit_app.py calls st.logo("logo.png"), which is at the
// root; the theme in the root's .streamlit/), and from its folder otherwise (a Compose frontend
// that reads its own data/).
func TestAppInItsFolderRunsFromTheRoot(t *testing.T) {
	for name, tt := range map[string]struct {
		files map[string]string
		root  bool
	}{
		"a file at the root": {map[string]string{"logo.png": "png", "example_app/requirements.txt": "streamlit\n",
			"example_app/streamlit_app.py": "import streamlit as st\nst.logo(\"logo.png\")\n"}, true},
		"the root's .streamlit": {map[string]string{".streamlit/config.toml": "[theme]\nbase = \"dark\"\n", "example_app/requirements.txt": "streamlit\n",
			"example_app/streamlit_app.py": "import streamlit as st\n"}, true},
		"its own data": {map[string]string{"frontend/data/x.csv": "a\n", "data/x.csv": "a\n", "frontend/requirements.txt": "streamlit\n",
			"frontend/app.py": "import streamlit as st\nimport pandas as pd\npd.read_csv('data/x.csv')\n", "backend/main.py": "import fastapi\n"}, false},
		"nothing to say": {map[string]string{"own/requirements.txt": "rich\n", "own/app.py": "import streamlit as st\nst.image('https://x/y.png')\n"}, false},
	} {
		dir := tree(t, tt.files)
		p, err := Load(dir)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := map[bool]string{true: dir, false: filepath.Dir(p.Script)}[tt.root]; p.WorkDir != want || filepath.Dir(p.Deps.File) != filepath.Dir(p.Script) {
			t.Errorf("%s: runs in %s with %s, want %s with the requirements beside the script", name, p.WorkDir, p.Deps.File, want)
		}
	}
}

func TestLoadScriptFile(t *testing.T) {
	dir := tree(t, map[string]string{"sales_report.py": "", "other.py": "", "requirements.txt": "tabulate\n"})
	p, err := Load(filepath.Join(dir, "sales_report.py"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Dir != dir || p.Script != filepath.Join(dir, "sales_report.py") || p.Name != "Sales report" {
		t.Errorf("project %+v", p)
	}
	if p.Deps.Kind != DepsRequirements {
		t.Errorf("deps %+v: a script's folder holds its dependencies", p.Deps)
	}
	if _, err := Load(filepath.Join(dir, "requirements.txt")); err == nil || !strings.Contains(err.Error(), "not a Python script") {
		t.Errorf("Load(requirements.txt) = %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Load(missing) = %v", err)
	}
}

func TestDependencies(t *testing.T) {
	pyproject := "[project]\nname = \"x\"\nrequires-python = \">=3.11\"\ndependencies = [\"tabulate>=0.9\"]\n"
	tests := []struct {
		name  string
		files map[string]string
		kind  string
		file  string
	}{
		{"uv.lock wins", map[string]string{"uv.lock": "", "pyproject.toml": pyproject, "requirements.txt": ""}, DepsUVLock, "uv.lock"},
		{"uv.lock without pyproject is ignored", map[string]string{"uv.lock": "", "requirements.txt": ""}, DepsRequirements, "requirements.txt"},
		{"pyproject dependencies", map[string]string{"pyproject.toml": pyproject, "requirements.txt": ""}, DepsPyproject, "pyproject.toml"},
		{"a requirements.txt that lists anything before pyproject dependencies", map[string]string{"pyproject.toml": pyproject, "requirements.txt": "# pins\n\nstreamlit\nplotly\n"}, DepsRequirements, "requirements.txt"},
		{"uv init's empty dependencies give way to requirements.txt", map[string]string{"pyproject.toml": "[project]\nname = \"x\"\ndependencies = []\n", "requirements.txt": "streamlit\n"}, DepsRequirements, "requirements.txt"},
		{"a requirements.txt of comments says nothing", map[string]string{"pyproject.toml": pyproject, "requirements.txt": "# see pyproject.toml\n"}, DepsPyproject, "pyproject.toml"},
		{"pyproject without dependencies", map[string]string{"pyproject.toml": "[tool.black]\n", "requirements.txt": ""}, DepsRequirements, "requirements.txt"},
		{"none", map[string]string{}, DepsNone, ""},
		{"none it reads", map[string]string{"requirements/base.txt": "plotly\n", "requirements-dev.txt": "pytest\n"}, DepsNone, ""},
		// As Community Cloud looks: a Pipfile that lists a package before a requirements.txt
		// (Jcharis/Streamlit_DataScience_Apps); one that lists none gives way.
		{"a Pipfile before requirements.txt", map[string]string{"Pipfile": "[packages]\nstreamlit = \"*\"\n", "requirements.txt": "botocore==1.13.48\nurllib3>=1.26.5\n"}, DepsPipenv, "Pipfile"},
		{"an empty Pipfile gives way", map[string]string{"Pipfile": "[packages]\n", "requirements.txt": "streamlit\n"}, DepsRequirements, "requirements.txt"},
		// As Windows and macOS open it; and the singular (Rama-Mwenda/Telco_churn_app).
		{"Requirements.txt", map[string]string{"Requirements.txt": ""}, DepsRequirements, "Requirements.txt"},
		{"requirement.txt", map[string]string{"requirement.txt": ""}, DepsRequirements, "requirement.txt"},
		{"requirements.txt before requirement.txt", map[string]string{"requirement.txt": "", "requirements.txt": ""}, DepsRequirements, "requirements.txt"},
	}
	// A lock without the file it locks: said, with the
	// command that makes a file it reads.
	for file, export := range map[string]string{"poetry.lock": "poetry export", "Pipfile.lock": "pipenv requirements"} {
		_, err := Load(tree(t, map[string]string{"app.py": "", file: "", "pyproject.toml": "[tool.black]\n"}))
		var pe *Error
		if !errors.As(err, &pe) || filepath.Base(pe.File) != file || !strings.Contains(err.Error(), export) || !strings.Contains(err.Error(), "requirements.txt") {
			t.Errorf("%s: %v", file, err)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.files["app.py"] = ""
			dir := tree(t, tt.files)
			p, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if p.Deps.Kind != tt.kind || (tt.file != "" && !strings.EqualFold(p.Deps.File, filepath.Join(dir, tt.file))) { // a case-blind file system's name
				t.Errorf("deps %+v, want %s from %s", p.Deps, tt.kind, tt.file)
			}
			// Requirements files of other names, where there is none Desklit reads: named, to be said.
			if want := map[bool]string{true: "requirements-dev.txt requirements/base.txt"}[tt.name == "none it reads"]; strings.Join(p.Deps.Unread, " ") != want {
				t.Errorf("unread %q, want %q", p.Deps.Unread, want)
			}
		})
	}
	// `poetry export`'s requirements.txt beside its pyproject.toml (fgebhart/mapa-streamlit): the
	// packages are the file's, the Python Poetry's (every line's marker leaves out the others).
	p, err := Load(tree(t, map[string]string{"app.py": "", "requirements.txt": "streamlit==1.39.0 ; python_version >= \"3.10\" and python_version < \"3.11\"\n",
		"pyproject.toml": "[tool.poetry]\nname = \"mapa\"\n[tool.poetry.dependencies]\npython = \">=3.10,<3.11\"\nstreamlit = \"^1.39\"\n"}))
	if err != nil || p.Deps.Kind != DepsRequirements || p.Python != ">=3.10,<3.11" {
		t.Errorf("poetry export beside its pyproject: %+v, %v; want requirements.txt, python >=3.10,<3.11", p, err)
	}
	// A member of a uv workspace: the workspace's uv.lock, for its package; a folder the
	// workspace leaves out, or one with no lock at its root, reads its own pyproject.toml.
	root := "[project]\nname = \"platform\"\nversion = \"0.1.0\"\ndependencies = []\n\n" +
		"[tool.uv.workspace]\nmembers = [\"apps/*\", \"./common/\"]\nexclude = [\"apps/legacy\"]\n"
	member := "[project]\nname = \"Dashboard\"\nversion = \"0.1.0\"\ndependencies = [\"streamlit\", \"common\"]\n\n[tool.uv.sources]\ncommon = { workspace = true }\n"
	ws := tree(t, map[string]string{"pyproject.toml": root, "uv.lock": "", "apps/dashboard/pyproject.toml": member, "apps/dashboard/app.py": "",
		"apps/legacy/pyproject.toml": member, "apps/legacy/app.py": "", "common/pyproject.toml": member, "common/app.py": ""})
	for dir, want := range map[string]Deps{
		"apps/dashboard": {Kind: DepsUVLock, File: filepath.Join(ws, "uv.lock"), Package: "Dashboard"},
		"common":         {Kind: DepsUVLock, File: filepath.Join(ws, "uv.lock"), Package: "Dashboard"},
		"apps/legacy":    {Kind: DepsPyproject, File: filepath.Join(ws, "apps", "legacy", "pyproject.toml")},
	} {
		p, err := Load(filepath.Join(ws, dir))
		if err != nil {
			t.Fatal(err)
		}
		if p.Deps.Kind != want.Kind || p.Deps.File != want.File || p.Deps.Package != want.Package {
			t.Errorf("%s: deps %s %s %q, want %s %s %q", dir, p.Deps.Kind, p.Deps.File, p.Deps.Package, want.Kind, want.File, want.Package)
		}
		if src := p.Deps.Source(""); src.Package != want.Package {
			t.Errorf("%s: source package %q", dir, src.Package)
		}
	}
	os.Remove(filepath.Join(ws, "uv.lock"))
	if p, err := Load(filepath.Join(ws, "apps", "dashboard")); err != nil || p.Deps.Kind != DepsPyproject {
		t.Errorf("a workspace with no lock: %+v, %v; want its pyproject.toml", p, err)
	}

	p, err = Load(tree(t, map[string]string{"app.py": "", "pyproject.toml": pyproject}))
	if err != nil {
		t.Fatal(err)
	}
	if p.Python != ">=3.11" || strings.Join(p.Deps.Requirements, ",") != "tabulate>=0.9" {
		t.Errorf("pyproject: python %q, requirements %v", p.Python, p.Deps.Requirements)
	}
	// Optional groups the app runs with are installed; tooling groups are not.
	p, err = Load(tree(t, map[string]string{"app.py": "", "pyproject.toml": pyproject +
		"[project.optional-dependencies]\nviz = [\"altair>=5\"]\ndev = [\"pytest\"]\nml = [\"scikit-learn\"]\n"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.Deps.Requirements, ","); got != "tabulate>=0.9,scikit-learn,altair>=5" {
		t.Errorf("pyproject with optional groups: requirements %v", got)
	}
	inputs, _ := p.Deps.Inputs()
	if !strings.Contains(string(inputs), "tabulate>=0.9") {
		t.Errorf("inputs %q", inputs)
	}
}

func TestSettings(t *testing.T) {
	dir := tree(t, map[string]string{
		"desklit.toml": "name = \"Sales dashboard\"\npython = \">=3.11,<3.14\"\nicon = \"icon.png\"\n\n[auth]\nissuer = \"team.eu.auth0.com\"\nclient_id = \"abc\"\naudience = \"https://api.team\"\n\n[ports]\nstreamlit = 4110\napi = 8988\n",
		"app.py":       "", "icon.png": "",
	})
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Sales dashboard" || p.Python != ">=3.11,<3.14" || p.Icon != filepath.Join(dir, "icon.png") {
		t.Errorf("project %+v", p)
	}
	if p.Auth.Issuer != "https://team.eu.auth0.com/" || p.Auth.ClientID != "abc" || p.Auth.Audience != "https://api.team" || p.Auth.Scope != "" {
		t.Errorf("auth %+v", p.Auth)
	}
	if got := p.Auth.Source["AUTH0_CLIENT_ID"]; got != filepath.Join(dir, "desklit.toml")+" line 7" {
		t.Errorf("client id from %q", got)
	}
	if len(p.Ports) != 2 || p.Ports["DESKLIT_STREAMLIT_PORT"] != 4110 || p.Ports["DESKLIT_API_PORT"] != 8988 ||
		p.PortSources["DESKLIT_API_PORT"] != filepath.Join(dir, "desklit.toml")+" line 12" {
		t.Errorf("ports %v from %v", p.Ports, p.PortSources)
	}
}

// TestSettingsErrors: unknown keys and bad values name the file, the key and the line.
func TestSettingsErrors(t *testing.T) {
	tests := []struct {
		name string
		toml string
		key  string
		line int
		msg  string
	}{
		{"unknown key", "name = \"x\"\nscritp = \"app.py\"\n", "scritp", 2, "unknown key"},
		{"unknown [auth] key", "[auth]\nissuerr = \"x\"\n", "auth.issuerr", 2, "unknown key"},
		{"not a string", "name = 3\n", "name", 1, "must be a string"},
		{"empty name", "\nname = \"  \"\n", "name", 2, "must not be empty"},
		{"script outside", "script = \"../x.py\"\n", "script", 1, "inside the project"},
		{"script missing", "script = \"nope.py\"\n", "script", 1, "does not exist"},
		{"script not .py", "script = \"app.txt\"\n", "script", 1, ".py"},
		{"icon not an image", "icon = \"app.py\"\n", "icon", 1, ".png or .svg"},
		{"bad python range", "python = \"3.11\"\n", "python", 1, "not a version range"},
		{"http issuer", "[auth]\nissuer = \"http://idp.example\"\nclient_id = \"a\"\n", "auth.issuer", 2, "loopback"},
		{"issuer without client", "[auth]\nissuer = \"https://idp.example\"\n", "auth.issuer", 2, "client_id"},
		{"scope without openid", "[auth]\nscope = \"profile\"\n", "auth.scope", 2, "openid"},
		{"syntax", "name = \n", "", 1, ""},
		{"bad version", "version = \"one\"\n", "version", 1, "not a version"},
		{"port not a number", "[ports]\napi = \"x\"\n", "ports.api", 2, "must be a port number"},
		{"port out of range", "[ports]\napi = 80\n", "ports.api", 2, "outside 1024-65535"},
		{"ports twice", "[ports]\napi = 8988\nstreamlit = 8988\n", "ports.streamlit", 3, "also ports.api"},
		{"unknown port", "[ports]\nweb = 8000\n", "ports.web", 2, "unknown key"},
		{"name twice", "name = \"a\"\nname = \"b\"\n", "name", 2, "is set twice"},
		{"a value and a table", "[auth]\nissuer = \"x\"\n[auth.issuer]\n", "auth.issuer", 3, "both as a value and as a table"},
		{"auth not a table", "auth = \"x\"\n", "auth", 1, "must be a table: [auth]"},
		{"demo_api not a bool", "demo_api = \"yes\"\n", "demo_api", 1, "true or false"},
		{"port too large for TOML", "[ports]\napi = 99999999999999999999\n", "", 2, "too large"},
		{"service not a table", "[services]\nweb = 3\n", "services.web", 2, "must be a table: [services.web]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tree(t, map[string]string{"desklit.toml": tt.toml, "app.py": "", "app.txt": ""})
			_, err := Load(dir)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Load = %v, want a project.Error", err)
			}
			if pe.File != filepath.Join(dir, "desklit.toml") || pe.Key != tt.key || pe.Line != tt.line || !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("error %+v, want key %q line %d with %q", pe, tt.key, tt.line, tt.msg)
			}
			if want := "desklit.toml line "; !strings.Contains(err.Error(), want) {
				t.Errorf("message %q lacks %q", err, want)
			}
		})
	}
}

func TestRecent(t *testing.T) {
	state := t.TempDir()
	if ReadRecent(state) != nil || Last(state) != "" {
		t.Fatal("a new state folder has recent apps")
	}
	var dirs []string
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for i := 0; i < MaxRecent+2; i++ {
		dir := tree(t, map[string]string{"app.py": ""})
		dirs = append(dirs, dir)
		p, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := Touch(state, p, now.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	list := ReadRecent(state)
	if len(list) != MaxRecent || list[0].Path != dirs[len(dirs)-1] || list[MaxRecent-1].Path != dirs[2] {
		t.Fatalf("recent = %+v", list)
	}
	// Opening one again moves it to the top; a deleted one is marked and skipped by Last.
	p, _ := Load(dirs[5])
	Touch(state, p, now.Add(time.Hour))
	if err := os.RemoveAll(dirs[5]); err != nil {
		t.Fatal(err)
	}
	list = ReadRecent(state)
	if list[0].Path != dirs[5] || !list[0].Missing || len(list) != MaxRecent {
		t.Errorf("after reopening and deleting: %+v", list[0])
	}
	if Last(state) != dirs[len(dirs)-1] {
		t.Errorf("Last = %s, want the newest that exists (the last opened is gone)", Last(state))
	}
	if err := TouchDemo(state); err != nil || Last(state) != "" {
		t.Errorf("after the demo was opened: Last = %q, %v; want the demo", Last(state), err)
	}
	if got := ReadRecent(state); len(got) != MaxRecent {
		t.Errorf("opening the demo changed the list: %d entries", len(got))
	}
	p, _ = Load(dirs[7])
	Touch(state, p, now.Add(2*time.Hour))
	if Last(state) != dirs[7] {
		t.Errorf("Last = %s after opening %s", Last(state), dirs[7])
	}
	if err := os.WriteFile(filepath.Join(state, RecentFile), []byte("{broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	if ReadRecent(state) != nil {
		t.Error("a broken recent file is not an empty list")
	}
}

// An st.login app's .streamlit/secrets.toml [auth] is the project's sign-in when its desklit.toml
// has none; desklit.toml's [auth] wins; a discovery URL Desklit cannot use names file and key.
func TestStreamlitAuthIsTheIssuerWithoutDesklitTomlAuth(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("app.py", "import streamlit as st\n")
	write(".streamlit/secrets.toml", `[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "c"
client_id = "cloud-client"
client_secret = "cloud-secret"
server_metadata_url = "https://tenant.eu.auth0.com/.well-known/openid-configuration"
client_kwargs = { scope = "openid profile email offline_access", prompt = "login" }
`)
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, ".streamlit", "secrets.toml") + " [auth]"
	if p.Auth.Issuer != "https://tenant.eu.auth0.com" || p.Auth.ClientID != "cloud-client" || p.Auth.ClientSecret != "cloud-secret" ||
		p.Auth.Scope != "openid profile email offline_access" || p.Auth.Source["AUTH0_ISSUER_BASE_URL"] != src {
		t.Fatalf("auth %+v", p.Auth)
	}
	if v := p.Auth.Values(); v["AUTH0_CLIENT_ID"] != "cloud-client" || len(v) != 4 {
		t.Fatalf("values %v (the secret is not a setting)", v)
	}

	write("desklit.toml", "[auth]\nissuer = \"other.eu.auth0.com\"\nclient_id = \"native\"\n")
	if p, err = Load(dir); err != nil || p.Auth.ClientID != "native" || p.Auth.ClientSecret != "" {
		t.Fatalf("desklit.toml [auth] wins: %+v %v", p.Auth, err)
	}

	_ = os.Remove(filepath.Join(dir, "desklit.toml"))
	write(".streamlit/secrets.toml", "[auth]\nclient_id = \"x\"\nserver_metadata_url = \"https://idp.example/oauth\"\n")
	if _, err = Load(dir); err == nil || !strings.Contains(err.Error(), "secrets.toml: auth.server_metadata_url") {
		t.Fatalf("bad discovery URL: %v", err)
	}
	write(".streamlit/secrets.toml", "api_key = \"x\"\n")
	if p, err = Load(dir); err != nil || !p.Auth.Empty() {
		t.Fatalf("no [auth]: %+v %v", p.Auth, err)
	}

	// A named provider, as Streamlit's docs write it (xabuteo/streamlit-auth0-test): its issuer.
	named := "[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \"c\"\n\n[auth.auth0]\nclient_id = \"a0\"\nclient_secret = \"s\"\n" +
		"server_metadata_url = \"https://dev-abc123.us.auth0.com/.well-known/openid-configuration\"\nclient_kwargs = { scope = \"openid profile email\" }\n"
	write(".streamlit/secrets.toml", named)
	if p, err = Load(dir); err != nil || p.Auth.Issuer != "https://dev-abc123.us.auth0.com" || p.Auth.ClientID != "a0" || p.Auth.Scope != "openid profile email" ||
		p.Auth.Source["AUTH0_ISSUER_BASE_URL"] != filepath.Join(dir, ".streamlit", "secrets.toml")+" [auth.auth0]" || p.AuthWarning != "" {
		t.Fatalf("a named provider: %+v %q %v", p.Auth, p.AuthWarning, err)
	}
	// Two that agree are one; two issuers cannot be one session: none, and a warning naming them.
	write(".streamlit/secrets.toml", named+"\n[auth.again]\nclient_id = \"a0\"\nserver_metadata_url = \"https://dev-abc123.us.auth0.com/.well-known/openid-configuration\"\n")
	if p, err = Load(dir); err != nil || p.Auth.Issuer != "https://dev-abc123.us.auth0.com" || p.AuthWarning != "" {
		t.Fatalf("two named providers of one issuer: %+v %q %v", p.Auth, p.AuthWarning, err)
	}
	write(".streamlit/secrets.toml", named+"\n[auth.google]\nclient_id = \"g\"\nserver_metadata_url = \"https://accounts.google.com/.well-known/openid-configuration\"\n")
	if p, err = Load(dir); err != nil || !p.Auth.Empty() ||
		!strings.Contains(p.AuthWarning, "names several sign-in providers (auth0 (https://dev-abc123.us.auth0.com), google (https://accounts.google.com))") {
		t.Fatalf("named providers of two issuers: %+v %q %v", p.Auth, p.AuthWarning, err)
	}
	write(".streamlit/secrets.toml", "[auth.okta]\nclient_id = \"o\"\nserver_metadata_url = \"https://okta.example/oauth\"\n")
	if _, err = Load(dir); err == nil || !strings.Contains(err.Error(), "secrets.toml: auth.okta.server_metadata_url") {
		t.Fatalf("a named provider's bad discovery URL: %v", err)
	}
}

// A repository with the app in frontend/ beside its requirements.txt and an API in backend/ (the
// shape of FastAPI + Streamlit repositories): opened at its root, the app is frontend/app.py,
// its dependencies frontend's, and it runs there.
func TestAppOneFolderDownWithItsDependencies(t *testing.T) {
	t.Parallel()
	dir := tree(t, map[string]string{
		"frontend/app.py":           "import streamlit as st\nimport requests\n",
		"frontend/requirements.txt": "streamlit==1.41.1\nrequests\n",
		"backend/app.py":            "from fastapi import FastAPI\napp = FastAPI()\n",
		"backend/requirements.txt":  "fastapi\nuvicorn\n",
		"README.md":                 "# demo\n",
	})
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	front := filepath.Join(dir, "frontend")
	testutil.WriteFile(t, filepath.Join(dir, "requirements.txt"), "psycopg2\npython-dotenv\n") // the root's, for the API: the app's own wins
	if p, err = Load(dir); err != nil {
		t.Fatal(err)
	}
	if p.Script != filepath.Join(front, "app.py") || p.Deps.File != filepath.Join(front, "requirements.txt") || p.RunDir() != front {
		t.Fatalf("script %s, deps %s, runs in %s", p.Script, p.Deps.File, p.RunDir())
	}
}
