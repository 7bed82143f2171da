package pyruntime

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPrepare: one call finds the interpreter, builds or reuses the environment and returns the
// Streamlit command line; a warm start hands the runtime over early, before the full check, and
// a failed full check runs BeforeBuild before the rebuild.
func TestPrepare(t *testing.T) {
	t.Parallel()
	py := testPython(t)
	f := newFixture(t, py)
	ctx := context.Background()
	opts := f.opts
	opts.Python = Python{} // Prepare finds it
	var early []Runtime
	builds := 0
	opts.BeforeBuild = func() { builds++ }
	r := Request{
		Options: opts, Configured: py.Path, Getenv: func(string) string { return "" },
		Script: filepath.Join(f.root, "app.py"), Port: 4010,
		Early: func(rt Runtime) { early = append(early, rt) },
	}
	if Built(ctx, r) {
		t.Fatal("Built before the first build")
	}
	rt, err := Prepare(ctx, r)
	if err != nil {
		t.Fatalf("cold Prepare: %v\n%s", err, f.opts.Log)
	}
	if !slices.Equal(rt.Argv, StreamlitArgv(rt.Env, r.Script, 4010)) || rt.Env.Python == "" {
		t.Fatalf("runtime %+v, want the environment's Streamlit on port 4010", rt)
	}
	if len(early) != 0 || builds != 1 || !Built(ctx, r) {
		t.Fatalf("cold: %d early starts, %d builds, built %v; want 0, 1, true", len(early), builds, Built(ctx, r))
	}

	warm, err := Prepare(ctx, r)
	if err != nil || !slices.Equal(warm.Argv, rt.Argv) || warm.Env != rt.Env {
		t.Fatalf("warm Prepare = %+v, %v; want %+v", warm, err, rt)
	}
	if len(early) != 1 || !slices.Equal(early[0].Argv, rt.Argv) || builds != 1 {
		t.Fatalf("warm: %d early starts, %d builds; want the runtime early once and no build", len(early), builds)
	}

	// A file gone from the environment passes the quick check only: the early runtime comes
	// first, then BeforeBuild, then the rebuild.
	if err := os.Remove(filepath.Join(sitePackages(t, rt.Env), "desklit_fake_a", "data.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := Prepare(ctx, r); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	if len(early) != 2 || builds != 2 {
		t.Errorf("after a broken file: %d early starts, %d builds; want 2 and 2", len(early), builds)
	}

	// No uv beside this program and none configured.
	r.UV, r.Exe = "", filepath.Join(t.TempDir(), "desklit")
	if _, err := Prepare(ctx, r); err == nil || !strings.Contains(err.Error(), "uv, which builds the Python environments, is missing") {
		t.Errorf("Prepare without uv = %v", err)
	}
}

// A project whose own script is streamlit.py (AshvinPainiaye/m1-brief2-docker): `python -m
// streamlit` would import it from the working folder; -P leaves that folder off sys.path, as the
// streamlit command does. Any other project's command line is unchanged.
func TestStreamlitArgvWhenTheProjectShadowsStreamlit(t *testing.T) {
	env := Env{Python: "/env/bin/python"}
	plain, shadow := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(shadow, "streamlit.py"), "import streamlit as st\nst.title('x')\n")
	if argv := (Request{Dir: plain, Script: filepath.Join(plain, "app.py")}).runtime(env).Argv; argv[1] != "-m" {
		t.Errorf("argv %q", argv)
	}
	argv := (Request{Dir: shadow, Script: filepath.Join(shadow, "streamlit.py")}).runtime(env).Argv
	if !slices.Equal(argv[:4], []string{"/env/bin/python", "-P", "-m", "streamlit"}) {
		t.Errorf("argv %q", argv)
	}
}
