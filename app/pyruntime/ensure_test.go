package pyruntime

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/internal/testutil"
)

// TestEnsureLifecycle: offline build with uv, desklit_auth installed, warm start, a deleted file
// detected and rebuilt, a missing interpreter detected.
func TestEnsureLifecycle(t *testing.T) {
	t.Parallel()
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
	checkColdBuild(t, f, env)
	if state, key, err := Inspect(f.opts); err != nil || state != "ready" || key != env.Key {
		t.Fatalf("Inspect after build = %q %q %v; want ready %q", state, key, err, env.Key)
	}
	if builds != 1 {
		t.Errorf("BeforeBuild called %d times for the cold build, want 1", builds)
	}
	if p, ok := Plausible(f.opts); !ok || p != env {
		t.Errorf("Plausible after the build = %+v %v, want %+v", p, ok, env)
	}

	// Warm: nothing but "ready", and no uv run.
	before := len(f.opts.Log.(*testutil.SyncBuffer).String())
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
	if after := f.opts.Log.(*testutil.SyncBuffer).String()[before:]; after != "" {
		t.Errorf("a warm start ran something:\n%s", after)
	}

	checkRebuilds(t, f, env, &builds)
}

// checkColdBuild: the environment imports the packages and desklit_auth from itself, uv synced
// offline with hashes, and the progress named the app and counted every package.
func checkColdBuild(t *testing.T, f *fixture, env Env) {
	t.Helper()
	if got := runPy(t, env.Python, "import desklit_fake_a, desklit_fake_b; print(desklit_fake_a.VALUE + desklit_fake_b.VALUE)"); got != "a1b2" {
		t.Fatalf("import from env = %q, want a1b2", got)
	}
	// desklit_auth is installed in the environment (not found through a working directory).
	got := runPy(t, env.Python, "import sys, desklit_auth, importlib.metadata as m; print(desklit_auth.VALUE, desklit_auth.__file__.startswith(sys.prefix), m.version('desklit-auth')[:2])")
	if got != "auth1 True 0+" {
		t.Fatalf("desklit_auth in env = %q", got)
	}
	log := f.opts.Log.(*testutil.SyncBuffer).String()
	if !strings.Contains(log, "pip sync") || !strings.Contains(log, "--offline") || !strings.Contains(log, "--require-hashes") {
		t.Errorf("uv did not sync offline with hashes:\n%s", log)
	}
	cold := f.events.take()
	if got, want := steps(cold), []string{StepVenv, StepInstall, StepCheck, StepReady}; !slices.Equal(got, want) {
		t.Errorf("cold steps = %v, want %v", got, want)
	}
	var pkgs []string
	for _, p := range cold {
		if p.App != "Test app" {
			t.Errorf("progress %+v does not name the app", p)
		}
		if p.Package != "" {
			pkgs = append(pkgs, p.Package)
			if p.N < 1 || p.N > p.Total || p.Total != 4 {
				t.Errorf("package event %+v: want n of 4", p)
			}
		}
	}
	slices.Sort(pkgs)
	if want := []string{"desklit-fake-a", "desklit-fake-b", "requests", "streamlit"}; !slices.Equal(pkgs, want) {
		t.Errorf("package events = %v, want %v", pkgs, want)
	}
	for i := 1; i < len(cold); i++ {
		if cold[i].Percent < cold[i-1].Percent {
			t.Errorf("percent went back: %v then %v", cold[i-1], cold[i])
		}
	}
}

// checkRebuilds: a deleted file is found and the environment rebuilt; a missing interpreter is
// found.
func checkRebuilds(t *testing.T, f *fixture, env Env, builds *int) {
	t.Helper()
	ctx := context.Background()
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
	if *builds != 2 {
		t.Errorf("BeforeBuild called %d times after the rebuild, want 2", *builds)
	}
	if got := steps(f.events.take()); !slices.Contains(got, StepVenv) {
		t.Errorf("rebuild steps = %v, want a venv step", got)
	}
	if _, err := os.Stat(victim); err != nil {
		t.Errorf("deleted file not restored: %v", err)
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

// TestEnsureUpdatesAuthInPlace: another Desklit's desklit_auth is replaced without rebuilding.
func TestEnsureUpdatesAuthInPlace(t *testing.T) {
	t.Parallel()
	f, env := ensured(t)
	f.events.take()
	writeFile(t, filepath.Join(f.opts.AuthPackage, "__init__.py"), "VALUE = 'auth2'\n")
	if _, ok := Plausible(f.opts); ok {
		t.Error("Plausible with an outdated desklit_auth")
	}
	env2, err := Ensure(context.Background(), f.opts)
	if err != nil || env2 != env {
		t.Fatalf("Ensure after the update = %+v %v, want the same environment", env2, err)
	}
	if got := steps(f.events.take()); slices.Contains(got, StepVenv) {
		t.Errorf("steps %v: the environment was rebuilt", got)
	}
	if got := runPy(t, env.Python, "import desklit_auth; print(desklit_auth.VALUE)"); got != "auth2" {
		t.Errorf("desklit_auth = %q, want auth2", got)
	}
	if state, _, _ := Inspect(f.opts); state != "ready" {
		t.Errorf("Inspect = %q", state)
	}
}

// TestEnvironmentsSharedAndPruned: two projects with the same lock share one environment; an
// environment unused for 30 days goes at the next Prune, never the one in use.
func TestEnvironmentsSharedAndPruned(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	ctx := context.Background()
	envA, err := Ensure(ctx, f.opts)
	if err != nil {
		t.Fatalf("Ensure: %v\n%s", err, f.opts.Log)
	}
	other := f.opts
	copyLock := filepath.Join(t.TempDir(), "requirements.txt")
	data, _ := os.ReadFile(f.opts.Source.File)
	writeFile(t, copyLock, string(data))
	other.Source = Source{Kind: SourceLocked, File: copyLock}
	envB, err := Ensure(ctx, other)
	if err != nil || envB.Key != envA.Key {
		t.Fatalf("same lock elsewhere: %+v %v; want environment %s", envB, err, envA.Key)
	}
	makeWheel(t, f.wheelhouse, "desklit-fake-b", "2.1", "b21")
	lock, _ := os.ReadFile(f.opts.Source.File)
	changed := strings.Replace(string(lock), "desklit-fake-b==2.0", "desklit-fake-b==2.1", 1)
	changed = changed[:strings.Index(changed, "desklit-fake-b==2.1")] + "desklit-fake-b==2.1\n" + changed[strings.Index(changed, "streamlit=="):]
	writeFile(t, copyLock, strings.ReplaceAll(changed, "--hash", "--hash"))
	writeFile(t, copyLock, stripHashes(changed))
	envC, err := Ensure(ctx, other)
	if err != nil {
		t.Fatalf("changed lock: %v\n%s", err, other.Log)
	}
	if envC.Key == envA.Key {
		t.Fatal("a changed lock kept its key")
	}
	if got := runPy(t, envC.Python, "import desklit_fake_b; print(desklit_fake_b.VALUE)"); got != "b21" {
		t.Errorf("new env has desklit_fake_b %q, want b21", got)
	}
	if got := runtimeEntries(t, f.opts); len(got) != 2 {
		t.Fatalf("envs = %v, want both", got)
	}
	if len(Environments(f.opts)) != 2 || Environments(f.opts)[0].Key != envC.Key {
		t.Errorf("Environments = %+v, want the newest first", Environments(f.opts))
	}
	if removed := Prune(f.opts, envA.Key, time.Now()); len(removed) != 0 {
		t.Errorf("Prune of fresh environments removed %v", removed)
	}
	removed := Prune(f.opts, envA.Key, time.Now().Add(Unused+time.Hour))
	if len(removed) != 1 || filepath.Base(removed[0]) != envC.Key {
		t.Errorf("Prune after 30 days removed %v, want only %s (and never the one in use)", removed, envC.Key)
	}
	if got := runtimeEntries(t, f.opts); !slices.Equal(got, []string{envA.Key}) {
		t.Errorf("envs after Prune = %v", got)
	}
}

func stripHashes(lock string) string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(lock, "\\\n", ""), "\n") {
		if i := strings.Index(l, " --hash"); i >= 0 {
			l = l[:i]
		}
		if strings.TrimSpace(l) != "" && !strings.HasPrefix(strings.TrimSpace(l), "--hash") {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return strings.Join(out, "\n") + "\n"
}

// TestEnsureCancelled cancels uv while it unpacks, then checks that nothing usable was left and
// that the next Ensure, also after a crashed build's leftovers, builds cleanly.
func TestEnsureCancelled(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := f.opts
	cancelled := false
	o.Progress = func(p Progress) {
		if p.Step == StepInstall && !cancelled { // uv is running
			cancelled = true
			cancel()
		}
	}
	_, err := Ensure(ctx, o)
	if !cancelled || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Ensure = %v (cancelled %v), want context.Canceled", err, cancelled)
	}
	if got := runtimeEntries(t, o); len(got) != 0 {
		t.Fatalf("after cancel the environments folder holds %v, want nothing", got)
	}
	if state, _, _ := Inspect(o); state != "missing" {
		t.Fatalf("Inspect after cancel = %q, want missing", state)
	}
	lock, _, _ := o.knownLock()
	key := o.envFor(lock).Key
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
		t.Errorf("environments folder holds %v, want only %s", got, key)
	}
}

// TestEnsureFailsWithoutWheels: offline, a package in no wheel folder is named with the fix,
// and nothing is left behind.
func TestEnsureFailsWithoutWheels(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	o := f.opts
	empty := t.TempDir()
	o.FindLinks = []string{empty, empty}
	_, err := Ensure(context.Background(), o)
	var nf *NotFoundError
	if !errors.As(err, &nf) || !nf.Offline || nf.Package == "" || nf.Package == "?" {
		t.Fatalf("Ensure without wheels = %v, want a NotFoundError naming the package", err)
	}
	if strings.Count(err.Error(), empty) != 1 {
		t.Errorf("message %q does not name the folder looked in once", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "Test app needs") || !strings.Contains(msg, "put its wheel in") {
		t.Errorf("message %q does not say what is missing and what to do", msg)
	}
	if got := runtimeEntries(t, o); len(got) != 0 {
		t.Errorf("after a failed build the environments folder holds %v", got)
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
		{"lock changed", Python{Version: "3.11.7"}, "a==2\n", false},
		{"python changed", Python{Version: "3.11.8"}, "a==1\n", false},
		{"comments differ", Python{Version: "3.11.7"}, "# resolved in /tmp/.tmp-1\na==1\n    # via -r /tmp/.tmp-1/desklit.in\n", true},
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

// TestEnsureChecksTheModules: a module the app needs that the environment lacks fails the build
// (named), and nothing is left; the check finds modules without running them.
func TestEnsureChecksTheModules(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	o := f.opts
	o.Imports = []string{"desklit_fake_a", "desklit_not_installed"}
	_, err := Ensure(context.Background(), o)
	var be *BuildError
	if !errors.As(err, &be) || !strings.Contains(f.opts.Log.(*testutil.SyncBuffer).String(), "module desklit_not_installed is not installed") {
		t.Fatalf("Ensure = %v, want a failed check naming the module\n%s", err, f.opts.Log)
	}
	if got := runtimeEntries(t, o); len(got) != 0 {
		t.Errorf("a failed check left %v", got)
	}
}
