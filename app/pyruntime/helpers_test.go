package pyruntime

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/desklit/desklit/app/internal/testutil"
)

// testPython finds the machine's Python the way Desklit does (DESKLIT_TEST_PYTHON overrides).
func testPython(t *testing.T) Python {
	t.Helper()
	py, err := Find(context.Background(), os.Getenv("DESKLIT_TEST_PYTHON"), os.Getenv)
	var np *NoPythonError
	if errors.As(err, &np) {
		testutil.Unavailable(t, "no python 3.%d+ on this machine: %v", MinMinor, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return py
}

// makeWheel writes a pure-Python wheel with one module, <module>/__init__.py setting VALUE, and
// returns its sha256.
func makeWheel(t *testing.T, dir, dist, version, value string) string {
	t.Helper()
	return makeWheelOf(t, dir, dist, strings.ReplaceAll(dist, "-", "_"), version, value)
}

// makeWheelOf is makeWheel for a distribution whose module has another name (streamlit-nightly's
// is streamlit).
func makeWheelOf(t *testing.T, dir, dist, module, version, value string) string {
	t.Helper()
	return makeTaggedWheel(t, dir, dist, module, version, value, "py3-none-any")
}

// makeTaggedWheel is makeWheelOf tagged tag ("py3-none-win_amd64": a wheel for Windows only),
// requiring requires.
func makeTaggedWheel(t *testing.T, dir, dist, module, version, value, tag string, requires ...string) string {
	t.Helper()
	var reqs string
	for _, r := range requires {
		reqs += "Requires-Dist: " + r + "\n"
	}
	info := strings.ReplaceAll(dist, "-", "_") + "-" + version + ".dist-info"
	files := []struct{ name, body string }{
		{module + "/__init__.py", fmt.Sprintf("VALUE = %q\n", value)},
		{module + "/data.txt", "some package data\n"},
		{info + "/METADATA", "Metadata-Version: 2.1\nName: " + dist + "\nVersion: " + version + "\n" + reqs},
		{info + "/WHEEL", "Wheel-Version: 1.0\nGenerator: desklit-test\nRoot-Is-Purelib: true\nTag: " + tag + "\n"},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var record strings.Builder
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f.body))
		sum := sha256.Sum256([]byte(f.body))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", f.name, base64.RawURLEncoding.EncodeToString(sum[:]), len(f.body))
	}
	record.WriteString(info + "/RECORD,,\n")
	w, _ := zw.Create(info + "/RECORD")
	w.Write([]byte(record.String()))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	name := strings.ReplaceAll(dist, "-", "_") + "-" + version + "-" + tag + ".whl"
	if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:])
}

// ensured is a fixture on the machine's Python with its environment built.
func ensured(t *testing.T) (*fixture, Env) {
	t.Helper()
	f := newFixture(t, testPython(t))
	env, err := Ensure(context.Background(), f.opts)
	if err != nil {
		t.Fatalf("Ensure: %v\n%s", err, f.opts.Log)
	}
	return f, env
}

// testUV is the uv the tests build with: DESKLIT_UV, else the repository's build/bin/uv (`make
// uv`). CI always has it; elsewhere the tests that need it are skipped without one.
func testUV(t *testing.T) string {
	t.Helper()
	uv, err := FindUV(filepath.Join("..", "..", "build", "bin", "desklit"), os.Getenv)
	if err != nil {
		testutil.Unavailable(t, "no uv: %v (run `make uv`)", err)
	}
	abs, _ := filepath.Abs(uv)
	return abs
}

type fixture struct {
	opts       Options
	wheelhouse string
	root       string
	events     *eventLog
}

type eventLog struct {
	mu  sync.Mutex
	all []Progress
}

func (l *eventLog) add(p Progress) { l.mu.Lock(); l.all = append(l.all, p); l.mu.Unlock() }

func (l *eventLog) take() []Progress {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.all
	l.all = nil
	return out
}

func steps(ps []Progress) []string {
	var out []string
	for _, p := range ps {
		if len(out) == 0 || out[len(out)-1] != p.Step {
			out = append(out, p.Step)
		}
	}
	return out
}

// newFixture makes a wheelhouse of tiny wheels (two packages, and stand-ins for streamlit and
// requests, which every lock must hold), a hash-locked requirements file for them (the demo's
// kind of source), a desklit_auth package folder and a uv cache: everything offline.
func newFixture(t *testing.T, py Python) *fixture {
	t.Helper()
	root := t.TempDir()
	wh := filepath.Join(root, "wheelhouse")
	os.Mkdir(wh, 0o755)
	var lock strings.Builder
	lock.WriteString("# test lock\n")
	for _, w := range []struct{ dist, version, value string }{
		{"desklit-fake-a", "1.0", "a1"}, {"desklit-fake-b", "2.0", "b2"}, {"streamlit", "1.67.0", "st"}, {"requests", "2.34.2", "rq"},
	} {
		sum := makeWheel(t, wh, w.dist, w.version, w.value)
		fmt.Fprintf(&lock, "%s==%s \\\n    --hash=sha256:%s\n", w.dist, w.version, sum)
	}
	req := filepath.Join(root, "requirements.txt")
	writeFile(t, req, lock.String())
	auth := filepath.Join(root, "desklit_auth")
	os.Mkdir(auth, 0o755)
	writeFile(t, filepath.Join(auth, "__init__.py"), "VALUE = 'auth1'\n")
	ev := &eventLog{}
	return &fixture{
		wheelhouse: wh,
		root:       root,
		events:     ev,
		opts: Options{
			DataDir:     filepath.Join(root, "data"),
			CacheDir:    filepath.Join(root, "cache"),
			UV:          testUV(t),
			Source:      Source{Kind: SourceLocked, File: req},
			FindLinks:   []string{filepath.Join(root, "no-such-wheelhouse"), wh},
			Offline:     true,
			AuthPackage: auth,
			Python:      py,
			Name:        "Test app",
			Imports:     []string{"desklit_fake_a", "desklit_fake_b"},
			Progress:    ev.add,
			Log:         &testutil.SyncBuffer{},
		},
	}
}

// project writes a project folder with files (name → body) and returns a Source for its
// dependency file, with the fixture's lock as Desklit's own.
func (f *fixture) project(t *testing.T, kind string, files map[string]string) Source {
	t.Helper()
	dir, err := os.MkdirTemp(f.root, "project-")
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		writeFile(t, filepath.Join(dir, name), body)
	}
	return Source{Kind: kind, File: filepath.Join(dir, kind), Base: f.opts.Source.File}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func runPy(t *testing.T, python, code string) string {
	t.Helper()
	return runPyCmd(t, exec.Command(python, "-I", "-c", code))
}

// runPyArgs runs code isolated (-I) with args in sys.argv[1:].
func runPyArgs(t *testing.T, python, code string, args ...string) string {
	t.Helper()
	return runPyCmd(t, exec.Command(python, append([]string{"-I", "-c", code}, args...)...))
}

// runPyEnv runs code without user site-packages and with env on top of this process's
// environment less its PYTHON* variables (-I would ignore the PYTHON* ones of env too).
func runPyEnv(t *testing.T, python, code string, env ...string) string {
	t.Helper()
	cmd := exec.Command(python, "-s", "-c", code)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PYTHON") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	return runPyCmd(t, cmd)
}

func runPyCmd(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", cmd.Args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func sitePackages(t *testing.T, env Env) string {
	t.Helper()
	return runPy(t, env.Python, "import sysconfig; print(sysconfig.get_paths()['purelib'])")
}

func runtimeEntries(t *testing.T, o Options) []string {
	t.Helper()
	entries, err := os.ReadDir(o.runtimeDir())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names
}

// makeFailingSdist writes to dir the source distribution of dist==version whose in-tree build
// backend gives its metadata (so that it resolves) and fails to build its wheel, as a C extension
// does on a computer without its compiler; when metadata is false, the metadata hook fails too
// (the resolution then fails).
func makeFailingSdist(t *testing.T, dir, dist, version string, metadata bool) {
	t.Helper()
	base := strings.ReplaceAll(dist, "-", "_") + "-" + version
	prepare := ""
	if metadata {
		prepare = fmt.Sprintf(`
def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    info = os.path.join(metadata_directory, %[1]q)
    os.makedirs(info)
    with open(os.path.join(info, "METADATA"), "w") as f:
        f.write("Metadata-Version: 2.1\nName: %[2]s\nVersion: %[3]s\n")
    return %[1]q
`, base+".dist-info", dist, version)
	}
	files := map[string]string{
		"pyproject.toml": "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n",
		"backend.py": "import os\n\ndef get_requires_for_build_wheel(config_settings=None):\n    return []\n" + prepare +
			"\ndef build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n" +
			"    raise SystemExit(\"error: Microsoft Visual C++ 14.0 or greater is required\")\n",
		"PKG-INFO": "Metadata-Version: 2.1\nName: " + dist + "\nVersion: " + version + "\n",
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		body := files[name]
		if err := tw.WriteHeader(&tar.Header{Name: base + "/" + name, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := errors.Join(tw.Close(), gz.Close()); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, base+".tar.gz"), buf.String())
}
