package pyruntime

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/desklit/desklit/app/internal/testutil"
)

// TestEnvironmentSeededAsVenvIs: an environment has the interpreter's own setuptools (what
// `python -m venv` seeds, with pkg_resources) unless its lock has one; the lock's wins.
func TestEnvironmentSeededAsVenvIs(t *testing.T) {
	t.Parallel()
	py := testPython(t)
	wheel, err := Options{Python: py, Log: &testutil.SyncBuffer{}}.seedWheel(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if wheel == "" {
		testutil.Unavailable(t, "python %s (%s) has no setuptools of its own (ensurepip's or WHEEL_PKG_DIR's)", py.Version, py.Path)
	}
	version := strings.Split(filepath.Base(wheel), "-")[1]

	t.Run("the interpreter's", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, py)
		env, err := Ensure(context.Background(), f.opts)
		if err != nil {
			t.Fatalf("Ensure: %v\n%s", err, f.opts.Log)
		}
		got := runPy(t, env.Python, "import pkg_resources, setuptools; print(setuptools.__version__)")
		if strings.TrimSpace(got) != version {
			t.Errorf("setuptools %q in the environment, want the interpreter's %s (%s)", got, version, wheel)
		}
		// The warm check covers the seed's files too: one removed breaks the environment.
		if err := os.Remove(filepath.Join(sitePackages(t, env), "pkg_resources", "__init__.py")); err != nil {
			t.Fatal(err)
		}
		if state, _, _ := Inspect(f.opts); !strings.HasPrefix(state, "broken") {
			t.Errorf("Inspect after removing a file of the seed = %q, want broken", state)
		}
	})
	// Resolving, the interpreter's setuptools is preferred to a newer one where the requirements
	// allow it (pip keeps the installed one), and not where they do not.
	for _, tt := range []struct{ line, want string }{{"setuptools", version}, {"setuptools>=99", "99.0"}} {
		t.Run("resolving "+tt.line, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, py)
			makeWheel(t, f.wheelhouse, "setuptools", "99.0", "the index's newest")
			o := f.opts
			o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": "desklit-fake-a\n" + tt.line + "\n"})
			lock, err := Resolve(context.Background(), o)
			if err != nil {
				t.Fatalf("Resolve: %v\n%s", err, o.Log)
			}
			data, _ := os.ReadFile(lock.File)
			if !strings.Contains(string(data), "\nsetuptools=="+tt.want+" ") {
				t.Errorf("requirement %q: lock\n%s\nwant setuptools==%s", tt.line, data, tt.want)
			}
		})
	}
	t.Run("the lock's", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, py)
		sum := makeWheel(t, f.wheelhouse, "setuptools", "99.0", "the lock's")
		lock, _ := os.ReadFile(f.opts.Source.File)
		writeFile(t, f.opts.Source.File, string(lock)+fmt.Sprintf("setuptools==99.0 \\\n    --hash=sha256:%s\n", sum))
		env, err := Ensure(context.Background(), f.opts)
		if err != nil {
			t.Fatalf("Ensure: %v\n%s", err, f.opts.Log)
		}
		got := runPy(t, env.Python, "import importlib.util, setuptools; print(setuptools.VALUE, importlib.util.find_spec('pkg_resources'))")
		if strings.TrimSpace(got) != "the lock's None" {
			t.Errorf("setuptools in the environment: %q, want the lock's alone", got)
		}
	})
}
