package shell

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/pyruntime"
)

func TestChildEnvDropsSettingsAndSecrets(t *testing.T) {
	got := childEnv([]string{
		"PATH=/usr/bin", "AUTH0_CLIENT_SECRET=s", "DESKLIT_LAUNCH_SECRET=x", "DESKLIT_API_PORT=1",
		"DESKLIT_TRACE_EVENTS=/tmp/trace", "HOME=/home/a",
	}, []string{"DESKLIT_API_PORT=8888"})
	want := []string{"PATH=/usr/bin", "HOME=/home/a", "DESKLIT_API_PORT=8888"}
	if !slices.Equal(got, want) {
		t.Fatalf("childEnv = %q, want %q", got, want)
	}
}

// TestStreamlitHasItsEnvironmentOnPath: Streamlit runs with the app's environment first on PATH
// and VIRTUAL_ENV set, as in an activated venv (and under `uv run`, Docker, Community Cloud): an
// app that starts `uvicorn` or `python` in a subprocess (YoussBGD/ssm-dta's run.py) gets the
// environment's, not the first on the user's PATH.
func TestStreamlitHasItsEnvironmentOnPath(t *testing.T) {
	dir := t.TempDir()
	p := &project.Project{Dir: dir, Script: filepath.Join(dir, "app.py")}
	s := New(Options{Project: p, Config: &config.Config{StreamlitPort: 4010}, Environ: []string{"HOME=" + dir, "PATH=/usr/local/bin" + string(os.PathListSeparator) + "/usr/bin"}})
	envDir := filepath.Join(dir, "envs", "py")
	python := filepath.Join(envDir, "bin", "python")
	s.rt = pyruntime.Runtime{Env: pyruntime.Env{Dir: envDir, Python: python}, Argv: []string{python, "-m", "streamlit", "run", p.Script}, Script: p.Script, Dir: dir}
	spec, err := s.streamlitSpec()
	if err != nil {
		t.Fatal(err)
	}
	lookup := envLookup(spec.Env)
	if path := lookup("PATH"); !strings.HasPrefix(path, filepath.Dir(python)+string(os.PathListSeparator)) || !strings.HasSuffix(path, "/usr/local/bin"+string(os.PathListSeparator)+"/usr/bin") {
		t.Errorf("Streamlit's PATH = %q, want the environment's %s first, then the user's", path, filepath.Dir(python))
	}
	if got := lookup("VIRTUAL_ENV"); got != envDir {
		t.Errorf("Streamlit's VIRTUAL_ENV = %q, want %s", got, envDir)
	}
}

// TestFileWatcherOnlyForOwnProjects: a packaged app's Streamlit runs with the file watcher off,
// as a flag, which outranks anything its project's .streamlit/config.toml says (runOnSave, a
// watcher type): its files are never edited in place. `desklit run` of one's own project leaves
// Streamlit's watcher to Streamlit and the project, so live reload works (issue 21).
func TestFileWatcherOnlyForOwnProjects(t *testing.T) {
	dir := t.TempDir()
	p := &project.Project{Dir: dir, Script: filepath.Join(dir, "app.py")}
	for _, single := range []bool{true, false} {
		s := New(Options{Project: p, Single: single, Config: &config.Config{StreamlitPort: 4010}, Environ: []string{"HOME=" + dir}})
		s.rt = pyruntime.Runtime{Env: pyruntime.Env{Dir: dir}, Argv: []string{"python", "-m", "streamlit", "run", p.Script}, Script: p.Script, Dir: dir}
		spec, err := s.streamlitSpec()
		if err != nil {
			t.Fatal(err)
		}
		i := slices.Index(spec.Argv, "--server.fileWatcherType")
		switch {
		case single && (i < 0 || i+1 >= len(spec.Argv) || spec.Argv[i+1] != "none"):
			t.Errorf("packaged app: Streamlit's argv %q lacks --server.fileWatcherType none", spec.Argv)
		case !single && i >= 0:
			t.Errorf("own project: Streamlit's argv %q sets the file watcher", spec.Argv)
		}
	}
	// A packaged app on a Streamlit that predates an option is not given it (1.15 stops at
	// --client.toolbarMode), and its health check is the one that Streamlit answers.
	for version, want := range map[string][2]string{"1.15.2": {"", "/healthz"}, "1.22.0": {"viewer", "/_stcore/health"}, "1.67.0": {"viewer", "/_stcore/health"}} {
		s := New(Options{Project: p, Single: true, Config: &config.Config{StreamlitPort: 4010}, Environ: []string{"HOME=" + dir}})
		s.rt = pyruntime.Runtime{Env: pyruntime.Env{Dir: dir, Lock: pyruntime.Lock{Streamlit: version}}, Argv: []string{"python", "-m", "streamlit", "run", p.Script}, Script: p.Script, Dir: dir}
		spec, err := s.streamlitSpec()
		if err != nil {
			t.Fatal(err)
		}
		mode := ""
		if i := slices.Index(spec.Argv, "--client.toolbarMode"); i >= 0 {
			mode = spec.Argv[i+1]
		}
		if mode != want[0] || !strings.HasSuffix(spec.HealthURL, want[1]) {
			t.Errorf("streamlit %s: toolbar mode %q, health %s; want %q, %s", version, mode, spec.HealthURL, want[0], want[1])
		}
	}
}

// A src-layout project (uv init --package) imports its own package, as under `uv run`: a Python
// started with the project's environment finds it from any folder, with the user's PYTHONPATH
// after it; bytecode goes to the environment's cache whatever the user's shell says.
func TestPythonEnvImportsTheProjectsPackage(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		testutil.Unavailable(t, "no python3 on PATH")
	}
	dir := testutil.Tree(t, map[string]string{
		"pyproject.toml":            "[project]\nname = \"salesdash\"\ndependencies = [\"streamlit\"]\n[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n",
		"src/salesdash/__init__.py": "def total(xs):\n    return sum(xs)\n",
		"app.py":                    "import streamlit as st\nfrom salesdash import total\n",
		"user/userlib.py":           "NAME = 'user'\n",
	})
	p, err := project.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{Config: &config.Config{}, Environ: []string{"PATH=" + os.Getenv("PATH"), "PYTHONPATH=" + filepath.Join(dir, "user"), "PYTHONDONTWRITEBYTECODE=1"}})
	env := s.pythonEnv(p, pyruntime.Env{Dir: filepath.Join(dir, "env")})
	if slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "PYTHONDONTWRITEBYTECODE=") }) {
		t.Errorf("PYTHONDONTWRITEBYTECODE kept: %v", env)
	}
	cmd := exec.Command(python, "-c", "import salesdash, userlib; print(salesdash.total([1, 2, 3]), userlib.NAME)")
	cmd.Dir, cmd.Env = t.TempDir(), env
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "6 user" {
		t.Fatalf("python: %v\n%s\nenv %v", err, out, env)
	}
}
