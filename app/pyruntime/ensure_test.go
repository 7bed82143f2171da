package pyruntime

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// testPython finds the machine's Python the way Desklit does (DESKLIT_TEST_PYTHON overrides).
func testPython(t *testing.T) Python {
	t.Helper()
	py, err := Find(context.Background(), os.Getenv("DESKLIT_TEST_PYTHON"), os.Getenv)
	var np *NoPythonError
	if errors.As(err, &np) {
		t.Skipf("no python 3.%d+ on this machine: %v", MinMinor, err)
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
	module := strings.ReplaceAll(dist, "-", "_")
	info := module + "-" + version + ".dist-info"
	files := []struct{ name, body string }{
		{module + "/__init__.py", fmt.Sprintf("VALUE = %q\n", value)},
		{module + "/data.txt", "some package data\n"},
		{info + "/METADATA", "Metadata-Version: 2.1\nName: " + dist + "\nVersion: " + version + "\n"},
		{info + "/WHEEL", "Wheel-Version: 1.0\nGenerator: desklit-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
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
	name := module + "-" + version + "-py3-none-any.whl"
	if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:])
}

type fixture struct {
	opts       Options
	wheelhouse string
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

// newFixture makes a wheelhouse of two tiny wheels and a hash-locked requirements file for them.
func newFixture(t *testing.T, py Python) *fixture {
	t.Helper()
	root := t.TempDir()
	wh := filepath.Join(root, "wheelhouse")
	os.Mkdir(wh, 0o755)
	a := makeWheel(t, wh, "desklit-fake-a", "1.0", "a1")
	b := makeWheel(t, wh, "desklit-fake-b", "2.0", "b2")
	req := filepath.Join(root, "requirements.txt")
	writeFile(t, req, fmt.Sprintf("# test lock\ndesklit-fake-a==1.0 \\\n    --hash=sha256:%s\ndesklit-fake-b==2.0 \\\n    --hash=sha256:%s\n", a, b))
	ev := &eventLog{}
	return &fixture{
		wheelhouse: wh,
		events:     ev,
		opts: Options{
			DataDir:      filepath.Join(root, "data"),
			Requirements: req,
			Wheelhouses:  []string{filepath.Join(root, "no-such-wheelhouse"), wh},
			Python:       py,
			Imports:      []string{"desklit_fake_a", "desklit_fake_b"},
			Progress:     ev.add,
			Log:          &bytes.Buffer{},
		},
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func runPy(t *testing.T, python, code string) string {
	t.Helper()
	out, err := exec.Command(python, "-c", code).CombinedOutput()
	if err != nil {
		t.Fatalf("%s -c %q: %v\n%s", python, code, err, out)
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

// TestEnsureLifecycle: offline build, warm start, a deleted file detected and rebuilt, a missing
// interpreter detected.
func TestEnsureLifecycle(t *testing.T) {
	t.Setenv("PIP_NO_INDEX", "1")
	t.Setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple") // any index use would fail
	py := testPython(t)
	f := newFixture(t, py)
	ctx := context.Background()

	if state, _, err := Inspect(f.opts); err != nil || state != "missing" {
		t.Fatalf("Inspect before build = %q, %v; want missing", state, err)
	}
	if _, ok := Plausible(f.opts); ok {
		t.Fatal("Plausible before the build")
	}
	builds := 0
	f.opts.BeforeBuild = func() { builds++ }
	env, err := Ensure(ctx, f.opts)
	if err != nil {
		t.Fatalf("cold Ensure: %v\n%s", err, f.opts.Log)
	}
	if got := runPy(t, env.Python, "import desklit_fake_a, desklit_fake_b; print(desklit_fake_a.VALUE + desklit_fake_b.VALUE)"); got != "a1b2" {
		t.Fatalf("import from env = %q, want a1b2", got)
	}
	if !strings.Contains(f.opts.Log.(*bytes.Buffer).String(), "--no-index") {
		t.Errorf("pip did not run with --no-index:\n%s", f.opts.Log)
	}
	cold := f.events.take()
	if got, want := steps(cold), []string{StepVenv, StepInstall, StepCheck, StepReady}; !slices.Equal(got, want) {
		t.Errorf("cold steps = %v, want %v", got, want)
	}
	var pkgs []string
	for _, p := range cold {
		if p.Package != "" {
			pkgs = append(pkgs, fmt.Sprintf("%s %d/%d", p.Package, p.N, p.Total))
		}
	}
	if want := []string{"desklit-fake-a 1/2", "desklit-fake-b 2/2"}; !slices.Equal(pkgs, want) {
		t.Errorf("package events = %v, want %v", pkgs, want)
	}
	for i := 1; i < len(cold); i++ {
		if cold[i].Percent < cold[i-1].Percent {
			t.Errorf("percent went back: %v then %v", cold[i-1], cold[i])
		}
	}
	if state, key, err := Inspect(f.opts); err != nil || state != "ready" || key != env.Key {
		t.Fatalf("Inspect after build = %q %q %v; want ready %q", state, key, err, env.Key)
	}

	if builds != 1 {
		t.Errorf("BeforeBuild called %d times for the cold build, want 1", builds)
	}
	if p, ok := Plausible(f.opts); !ok || p != env {
		t.Errorf("Plausible after the build = %+v %v, want %+v", p, ok, env)
	}

	// Warm: nothing but "ready".
	env2, err := Ensure(ctx, f.opts)
	if err != nil || env2 != env {
		t.Fatalf("warm Ensure = %+v, %v; want %+v", env2, err, env)
	}
	if builds != 1 {
		t.Errorf("BeforeBuild called on a warm start")
	}
	if got := steps(f.events.take()); !slices.Equal(got, []string{StepReady}) {
		t.Errorf("warm steps = %v, want only ready", got)
	}

	// A deleted file is detected and the environment rebuilt.
	victim := filepath.Join(sitePackages(t, env), "desklit_fake_b", "data.txt")
	if err := os.Remove(victim); err != nil {
		t.Fatal(err)
	}
	state, _, _ := Inspect(f.opts)
	if !strings.HasPrefix(state, "broken: missing") || !strings.Contains(state, "desklit_fake_b/data.txt") {
		t.Fatalf("Inspect after delete = %q, want broken: missing …data.txt", state)
	}
	if _, ok := Plausible(f.opts); !ok {
		t.Error("Plausible looks only at the marker and the interpreter: a deleted data file passes it")
	}
	if _, err := Ensure(ctx, f.opts); err != nil {
		t.Fatalf("rebuild: %v\n%s", err, f.opts.Log)
	}
	if builds != 2 {
		t.Errorf("BeforeBuild called %d times after the rebuild, want 2", builds)
	}
	if got := steps(f.events.take()); !slices.Contains(got, StepVenv) {
		t.Errorf("rebuild steps = %v, want a venv step", got)
	}
	if _, err := os.Stat(victim); err != nil {
		t.Errorf("deleted file not restored: %v", err)
	}
	if state, _, _ := Inspect(f.opts); state != "ready" {
		t.Errorf("Inspect after rebuild = %q", state)
	}

	// A missing interpreter is detected.
	if err := os.Remove(env.Python); err != nil {
		t.Fatal(err)
	}
	if state, _, _ := Inspect(f.opts); !strings.HasPrefix(state, "broken: interpreter missing") {
		t.Errorf("Inspect without interpreter = %q", state)
	}
	if _, ok := Plausible(f.opts); ok {
		t.Error("Plausible without the interpreter")
	}
}

// TestEnsureRequirementsChanged: a changed lock gives a new key, whose build removes the old
// environment.
func TestEnsureRequirementsChanged(t *testing.T) {
	t.Parallel()
	py := testPython(t)
	f := newFixture(t, py)
	ctx := context.Background()
	env, err := Ensure(ctx, f.opts)
	if err != nil {
		t.Fatalf("Ensure: %v\n%s", err, f.opts.Log)
	}
	makeWheel(t, f.wheelhouse, "desklit-fake-b", "2.1", "b21")
	writeFile(t, f.opts.Requirements, "desklit-fake-a==1.0\ndesklit-fake-b==2.1\n")
	env3, err := Ensure(ctx, f.opts)
	if err != nil {
		t.Fatalf("Ensure after requirements change: %v\n%s", err, f.opts.Log)
	}
	if env3.Key == env.Key {
		t.Fatalf("key unchanged after requirements change: %s", env3.Key)
	}
	if got := runPy(t, env3.Python, "import desklit_fake_b; print(desklit_fake_b.VALUE)"); got != "b21" {
		t.Errorf("new env has desklit_fake_b %q, want b21", got)
	}
	if got := runtimeEntries(t, f.opts); !slices.Equal(got, []string{env3.Key}) {
		t.Errorf("runtime dir holds %v, want only %s", got, env3.Key)
	}

}

// TestEnsureCancelledMidPip kills pip at its first package, then checks that nothing usable was
// left and that the next Ensure, also after a crashed build's leftovers, builds cleanly.
func TestEnsureCancelledMidPip(t *testing.T) {
	t.Parallel()
	py := testPython(t)
	f := newFixture(t, py)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := f.opts
	cancelled := false
	o.Progress = func(p Progress) {
		if p.Package != "" && !cancelled { // pip is running and has printed its first package
			cancelled = true
			cancel()
		}
	}
	_, err := Ensure(ctx, o)
	if !cancelled {
		t.Fatalf("pip reported no package; Ensure = %v\n%s", err, o.Log)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Ensure = %v, want context.Canceled", err)
	}
	if got := runtimeEntries(t, o); len(got) != 0 {
		t.Fatalf("after cancel the runtime dir holds %v, want nothing", got)
	}
	if state, _, _ := Inspect(o); state != "missing" {
		t.Fatalf("Inspect after cancel = %q, want missing", state)
	}

	// A build whose process died leaves its temporary directory behind.
	key, _, _ := o.key()
	stale := filepath.Join(o.runtimeDir(), ".tmp-"+key+"-crashed")
	os.MkdirAll(filepath.Join(stale, "bin"), 0o755)
	writeFile(t, filepath.Join(stale, "pyvenv.cfg"), "half built\n")

	o.Progress = nil
	env, err := Ensure(context.Background(), o)
	if err != nil {
		t.Fatalf("Ensure after cancel: %v\n%s", err, o.Log)
	}
	if got := runPy(t, env.Python, "import desklit_fake_a; print(desklit_fake_a.VALUE)"); got != "a1" {
		t.Errorf("import = %q", got)
	}
	if got := runtimeEntries(t, o); !slices.Equal(got, []string{key}) {
		t.Errorf("runtime dir holds %v, want only %s", got, key)
	}
}

func TestEnsureFailsWithoutWheels(t *testing.T) {
	t.Parallel()
	py := testPython(t)
	f := newFixture(t, py)
	o := f.opts
	o.Wheelhouses = nil // falls back to the index, which the test switches off
	o.Log = &bytes.Buffer{}
	// pip reads PIP_NO_INDEX from the environment; set it for the pip process through the
	// requirements file instead of t.Setenv, which would forbid t.Parallel.
	req, _ := os.ReadFile(o.Requirements)
	writeFile(t, o.Requirements, "--no-index\n"+string(req))
	_, err := Ensure(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "pip install") {
		t.Fatalf("Ensure without wheels = %v, want a pip install error", err)
	}
	if got := runtimeEntries(t, o); len(got) != 0 {
		t.Errorf("after a failed build the runtime dir holds %v", got)
	}
}

func TestKey(t *testing.T) {
	base := Key(Python{Version: "3.11.7"}, []byte("a==1\n"))
	tests := []struct {
		name string
		py   Python
		req  string
		same bool
	}{
		{"same input", Python{Path: "/other/python", Version: "3.11.7"}, "a==1\n", true},
		{"requirements changed", Python{Version: "3.11.7"}, "a==2\n", false},
		{"python changed", Python{Version: "3.11.8"}, "a==1\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Key(tt.py, []byte(tt.req))
			if (got == base) != tt.same {
				t.Errorf("Key = %s, base %s, want same=%v", got, base, tt.same)
			}
			if !strings.HasPrefix(got, "py"+tt.py.Version+"-") {
				t.Errorf("Key %s does not name the python version", got)
			}
		})
	}
}
