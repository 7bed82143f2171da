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
