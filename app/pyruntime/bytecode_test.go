package pyruntime

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStdlibBytecodeSeeded: a new environment's bytecode cache holds the standard library's
// compiled files, where Python (with PYTHONPYCACHEPREFIX, as Streamlit runs) looks for them, and
// Python takes them as they are: an import under the prefix writes nothing new for them.
func TestStdlibBytecodeSeeded(t *testing.T) {
	t.Parallel()
	py := testPython(t)
	f := newFixture(t, py)
	env, err := Ensure(context.Background(), f.opts)
	if err != nil {
		t.Fatalf("Ensure: %v\n%s", err, f.opts.Log)
	}
	// Where the base Python keeps json's bytecode, and where Python looks for it under the prefix.
	code := `import sys, importlib.util, json.decoder
sys.pycache_prefix = None
own = importlib.util.cache_from_source(json.decoder.__file__)
sys.pycache_prefix = sys.argv[1]
print(own, importlib.util.cache_from_source(json.decoder.__file__), sep="\n")`
	cmd := runPyArgs(t, env.Python, code, env.PycachePrefix())
	own, seeded, _ := strings.Cut(cmd, "\n")
	if _, err := os.Stat(own); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI's Python ships no bytecode for json.decoder (%v): the seed cannot be tested", err)
		}
		t.Skipf("the base Python ships no bytecode for json.decoder (%v): nothing to seed", err)
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
	// The test suites and the base Python's own site-packages are not seeded.
	filepath.WalkDir(env.PycachePrefix(), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && (d.Name() == "site-packages" || d.Name() == "test") {
			t.Errorf("seeded %s", p)
			return filepath.SkipDir
		}
		return nil
	})
}
