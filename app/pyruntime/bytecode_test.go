package pyruntime

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/desklit/desklit/app/internal/testutil"
)

// TestStdlibBytecodeSeeded: a new environment's bytecode cache holds the standard library's
// compiled files, where Python (with PYTHONPYCACHEPREFIX, as Streamlit runs) looks for them, and
// Python takes them as they are: an import under the prefix writes nothing new for them.
func TestStdlibBytecodeSeeded(t *testing.T) {
	t.Parallel()
	_, env := ensured(t)
	// Where the base Python keeps json's bytecode, and where Python looks for it under the prefix.
	code := `import sys, importlib.util, json.decoder
sys.pycache_prefix = None
own = importlib.util.cache_from_source(json.decoder.__file__)
sys.pycache_prefix = sys.argv[1]
print(own, importlib.util.cache_from_source(json.decoder.__file__), sep="\n")`
	cmd := runPyArgs(t, env.Python, code, env.PycachePrefix())
	own, seeded, _ := strings.Cut(cmd, "\n")
	if _, err := os.Stat(own); err != nil {
		testutil.Unavailable(t, "the base Python ships no bytecode for json.decoder (%v): nothing to seed", err)
	}
	if !strings.HasPrefix(seeded, env.PycachePrefix()+string(filepath.Separator)) {
		t.Fatalf("Python looks for json.decoder's bytecode at %s, outside the prefix %s", seeded, env.PycachePrefix())
	}
	before, err := os.Stat(seeded)
	if err != nil {
		t.Fatalf("json.decoder's bytecode was not seeded: %v", err)
	}
	want, _ := os.ReadFile(own)
	if got, _ := os.ReadFile(seeded); string(got) != string(want) {
		t.Fatal("the seeded bytecode differs from the standard library's")
	}
	// The test suites and the base Python's own site-packages are not seeded (looked at before anything
	// runs under the prefix: the environment's setuptools hooks distutils at each start, and that
	// import writes its bytecode there as any import would).
	filepath.WalkDir(env.PycachePrefix(), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && (d.Name() == "site-packages" || d.Name() == "test") {
			t.Errorf("seeded %s", p)
			return filepath.SkipDir
		}
		return nil
	})
	// Imported under the prefix as Streamlit runs: the seeded file is valid, so Python keeps it
	// (an invalid one would be replaced by a new file).
	run := runPyEnv(t, env.Python, "import json.decoder", "PYTHONPYCACHEPREFIX="+env.PycachePrefix())
	if run != "" {
		t.Fatalf("import printed %q", run)
	}
	after, err := os.Stat(seeded)
	if err != nil || !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("Python rewrote the seeded bytecode (stale or invalid where it was put)")
	}
}

// TestWarmImports: the warm-up compiles the installed packages the app's scripts import (also
// from pages/, also `from x import y`) into the environment's bytecode cache, and nothing of the
// app's own modules, of the standard library beyond the seed, or of a package that fails.
func TestWarmImports(t *testing.T) {
	t.Parallel()
	_, env := ensured(t)
	app := t.TempDir()
	writeFile(t, filepath.Join(app, "app.py"), "import json\nimport helpers\nimport desklit_fake_a\nprint('the app ran')\n")
	writeFile(t, filepath.Join(app, "helpers.py"), "raise SystemExit('the app’s own module was imported')\n")
	if err := os.Mkdir(filepath.Join(app, "pages"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(app, "pages", "1_more.py"), "from desklit_fake_b import VALUE\nimport streamlit\nimport not_installed\n")
	writeFile(t, filepath.Join(app, "broken.py"), "def (:\n")
	var log testutil.SyncBuffer
	done := make(chan struct{})
	WarmImports(context.Background(), env, app, &log, func() { close(done) })
	<-done
	if !strings.Contains(log.String(), "warmed the bytecode of 2 modules") {
		t.Fatalf("warm-up said %q, want 2 modules warmed", log.String())
	}
	pycs := map[string]bool{}
	filepath.WalkDir(env.PycachePrefix(), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(env.PycachePrefix(), p)
			pycs[filepath.Base(filepath.Dir(rel))+"/"+d.Name()] = true
		}
		return nil
	})
	tag := strings.TrimSpace(runPy(t, env.Python, "import sys; print(sys.implementation.cache_tag)"))
	for _, want := range []string{"desklit_fake_a/__init__." + tag + ".pyc", "desklit_fake_b/__init__." + tag + ".pyc"} {
		if !pycs[want] {
			t.Errorf("no bytecode %s in the cache", want)
		}
	}
	for p := range pycs {
		if strings.HasPrefix(p, "streamlit/") || strings.HasPrefix(filepath.Base(p), "helpers.") {
			t.Errorf("warmed %s: not an installed package of the app's besides Streamlit", p)
		}
	}
}
