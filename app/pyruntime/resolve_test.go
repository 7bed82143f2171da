package pyruntime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"github.com/desklit/desklit/app/internal/testutil"
)

// TestResolveRequirements: a project's ranges are resolved offline into a hash lock with
// Desklit's Streamlit added, once per change of its inputs; its environment then builds.
func TestResolveRequirements(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	o := f.opts
	o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": "desklit-fake-a>=1\n"})
	lock, err := Resolve(context.Background(), o)
	if err != nil {
		t.Fatalf("Resolve: %v\n%s", err, o.Log)
	}
	data, _ := os.ReadFile(lock.File)
	for _, want := range []string{"desklit-fake-a==1.0", "streamlit==1.67.0", "requests==2.34.2", "--hash=sha256:"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("lock lacks %q:\n%s", want, data)
		}
	}
	if strings.Contains(string(data), "desklit-fake-b") {
		t.Errorf("lock holds a package nobody asked for:\n%s", data)
	}
	if !lock.Hashed || lock.Streamlit != "1.67.0" || lock.Packages != 3 || filepath.Dir(lock.File) != o.lockDir() {
		t.Errorf("lock = %+v", lock)
	}
	// The same inputs: the kept lock, no uv run.
	before := len(o.Log.(*testutil.SyncBuffer).String())
	again, err := Resolve(context.Background(), o)
	if err != nil || again != lock {
		t.Fatalf("second Resolve = %+v %v, want %+v", again, err, lock)
	}
	if ran := o.Log.(*testutil.SyncBuffer).String()[before:]; ran != "" {
		t.Errorf("second Resolve ran uv:\n%s", ran)
	}
	// Changed inputs: a new lock.
	writeFile(t, o.Source.File, "desklit-fake-a>=1\ndesklit-fake-b\n")
	changed, err := Resolve(context.Background(), o)
	if err != nil || changed.File == lock.File || changed.Packages != 4 {
		t.Fatalf("Resolve after a change = %+v %v", changed, err)
	}
	env, err := Ensure(context.Background(), o)
	if err != nil {
		t.Fatalf("Ensure: %v\n%s", err, o.Log)
	}
	if got := runPy(t, env.Python, "import desklit_fake_a, desklit_fake_b, streamlit, desklit_auth; print(streamlit.VALUE)"); got != "st" {
		t.Errorf("import = %q", got)
	}
}

// TestResolvePyproject: [project].dependencies, with Streamlit named by the project.
func TestResolvePyproject(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	o := f.opts
	o.Source = f.project(t, SourcePyproject, map[string]string{"pyproject.toml": "[project]\nname = \"x\"\n"})
	o.Source.Requirements = []string{"desklit-fake-b", "streamlit>=1.60"}
	lock, err := Resolve(context.Background(), o)
	if err != nil {
		t.Fatalf("Resolve: %v\n%s", err, o.Log)
	}
	data, _ := os.ReadFile(lock.File)
	if !strings.Contains(string(data), "desklit-fake-b==2.0") || lock.Streamlit != "1.67.0" {
		t.Errorf("lock %+v:\n%s", lock, data)
	}

	// The pins of the project's own lock (poetry.lock, Pipfile.lock) constrain the resolution: an
	// older version than the bundled one is what the environment gets.
	makeWheel(t, f.wheelhouse, "desklit-fake-b", "1.5", "b15")
	o.Source.Constraints = []string{"desklit-fake-b==1.5", "desklit-fake-a==1.0"}
	lock, err = Resolve(context.Background(), o)
	if err != nil {
		t.Fatalf("Resolve with constraints: %v\n%s", err, o.Log)
	}
	data, _ = os.ReadFile(lock.File)
	if !strings.Contains(string(data), "desklit-fake-b==1.5") || strings.Contains(string(data), "desklit-fake-a") {
		t.Errorf("lock with constraints (want fake-b 1.5, and no fake-a: a constraint installs nothing):\n%s", data)
	}
	// A lock older than the requirements (fake-b>=2 now, the lock still at 1.5): resolved
	// without its pins.
	o.Source.Requirements = []string{"desklit-fake-b>=2", "streamlit>=1.60"}
	lock, err = Resolve(context.Background(), o)
	if err != nil {
		t.Fatalf("Resolve with a stale lock's pins: %v\n%s", err, o.Log)
	}
	if data, _ = os.ReadFile(lock.File); !strings.Contains(string(data), "desklit-fake-b==2.0") {
		t.Errorf("lock despite a stale lock's pin (want fake-b 2.0):\n%s", data)
	}
	// A project that names no Streamlit, only a component that brings one, and whose lock pins
	// that Streamlit (streamlit-aggrid-examples: poetry.lock at streamlit 1.46.1): the lock's
	// Streamlit, not Desklit's, and the lock kept (it had been dropped as stale).
	makeWheel(t, f.wheelhouse, "streamlit", "1.46.1", "st146")
	o.Source.Requirements = []string{"desklit-fake-b"}
	o.Source.Constraints = []string{"desklit-fake-b==1.5", "streamlit==1.46.1"}
	lock, err = Resolve(context.Background(), o)
	if err != nil {
		t.Fatalf("Resolve with the lock's Streamlit: %v\n%s", err, o.Log)
	}
	data, _ = os.ReadFile(lock.File)
	if lock.Streamlit != "1.46.1" || !strings.Contains(string(data), "desklit-fake-b==1.5") {
		t.Errorf("lock %+v (want the project's lock's streamlit 1.46.1 and fake-b 1.5):\n%s", lock, data)
	}
}

// TestResolveUVLock: a project's uv.lock is exported as it is (no resolution).
func TestResolveUVLock(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	o := f.opts
	o.Source = f.project(t, SourceUVLock, map[string]string{
		"pyproject.toml": "[project]\nname = \"sales\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\ndependencies = [\"desklit-fake-a\", \"streamlit\", \"requests\"]\n",
	})
	o.Imports = []string{"desklit_fake_a", "streamlit"}
	dir := filepath.Dir(o.Source.File)
	lockArgs := []string{"lock", "--offline", "--no-index", "--no-config", "--find-links", f.wheelhouse, "--python", o.Python.Path, "--directory", dir}
	if err := o.runUV(context.Background(), false, lockArgs, nil, nil); err != nil {
		t.Fatalf("uv lock: %v\n%s", err, o.Log)
	}
	lock, err := Resolve(context.Background(), o)
	if err != nil {
		t.Fatalf("Resolve: %v\n%s", err, o.Log)
	}
	if !strings.Contains(o.Log.(*testutil.SyncBuffer).String(), "export --frozen") || strings.Contains(o.Log.(*testutil.SyncBuffer).String(), "pip compile") {
		t.Errorf("a uv.lock must be exported, not resolved:\n%s", o.Log)
	}
	data, _ := os.ReadFile(lock.File)
	if !strings.Contains(string(data), "desklit-fake-a==1.0") || lock.Streamlit != "1.67.0" {
		t.Errorf("lock %+v:\n%s", lock, data)
	}
	env, err := Ensure(context.Background(), o)
	if err != nil {
		t.Fatalf("Ensure: %v\n%s", err, o.Log)
	}
	if got := runPy(t, env.Python, "import desklit_fake_a; print(desklit_fake_a.VALUE)"); got != "a1" {
		t.Errorf("import = %q", got)
	}
}

// TestResolveErrors: what a user reads when the dependencies cannot be had.
func TestResolveErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	makeWheel(t, f.wheelhouse, "streamlit", "1.20.0", "old")
	tests := []struct {
		name string
		req  string
		want []string
		kind any
	}{
		{"a package in no wheel folder, offline", "desklit-sample-missing==1.0\n",
			[]string{"Test app needs desklit-sample-missing", "put its wheel in", "wheels"}, new(*NotFoundError)},
		{"a conflict: the resolver's own words", "desklit-fake-a<1\ndesklit-fake-a>=1\n",
			[]string{"cannot be satisfied", "desklit-fake-a<1", "desklit-fake-a>=1"}, new(*ResolveError)},
		// `poetry export` of a project for Python 3.10 only (fgebhart/mapa-streamlit).
		{"markers for another Python", "desklit-fake-a==1.0 ; python_version < \"3.11\"\nstreamlit==1.67.0 ; python_version >= \"3.10\" and python_version < \"3.11\"\n",
			[]string{"requirements.txt line 2 installs streamlit only where its marker holds (python_version >= \"3.10\" and python_version < \"3.11\"), and this computer's Python 3."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := f.opts
			o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": tt.req})
			_, err := Resolve(context.Background(), o)
			if err == nil {
				t.Fatal("Resolve succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			switch k := tt.kind.(type) {
			case **NotFoundError:
				if !errors.As(err, k) {
					t.Errorf("error %T, want %T", err, *k)
				}
			case **ResolveError:
				if !errors.As(err, k) {
					t.Errorf("error %T, want %T", err, *k)
				}
			}
			if entries, _ := os.ReadDir(o.lockDir()); len(entries) > 0 {
				for _, e := range entries {
					if strings.HasSuffix(e.Name(), ".txt") {
						t.Errorf("a failed resolution left a lock: %s", e.Name())
					}
				}
			}
		})
	}
}

func TestParseRange(t *testing.T) {
	tests := []struct {
		in    string
		admit []string
		deny  []string
		bad   bool
	}{
		{in: "", admit: []string{"3.11.7", "3.14.0"}},
		{in: ">=3.11,<3.13", admit: []string{"3.11.0", "3.12.9"}, deny: []string{"3.10.14", "3.13.0"}},
		{in: "~=3.12", admit: []string{"3.12.0", "3.13.1"}, deny: []string{"3.11.9", "4.0.0"}},
		{in: "~=3.12.1", admit: []string{"3.12.1", "3.12.7"}, deny: []string{"3.12.0", "3.13.0"}},
		{in: "==3.12.*", admit: []string{"3.12.0", "3.12.4"}, deny: []string{"3.11.2", "3.13.0"}},
		{in: "!=3.12.*, >=3.11", admit: []string{"3.11.2", "3.13.0"}, deny: []string{"3.12.4"}},
		{in: "==3.11.7", admit: []string{"3.11.7"}, deny: []string{"3.11.8"}},
		{in: "3.11", bad: true},
		{in: ">=three", bad: true},
		{in: "~=3", bad: true},
	}
	for _, tt := range tests {
		r, err := ParseRange(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("ParseRange(%q) accepted", tt.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseRange(%q): %v", tt.in, err)
			continue
		}
		for _, v := range tt.admit {
			if !r.Admits(v) {
				t.Errorf("%q does not admit %s", tt.in, v)
			}
		}
		for _, v := range tt.deny {
			if r.Admits(v) {
				t.Errorf("%q admits %s", tt.in, v)
			}
		}
	}
}

// TestResolvePlain: a project service's environment (Options.Plain) holds its own dependencies
// and nothing of Streamlit's: no streamlit or requests added, a hash lock without them accepted,
// a lock of its own beside the app's for the same file.
func TestResolvePlain(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	o := f.opts
	o.Plain, o.AuthPackage, o.Imports = true, "", []string{"desklit_fake_b"}
	o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": "desklit-fake-b\n"})
	env, err := Ensure(context.Background(), o)
	if err != nil {
		t.Fatalf("Ensure: %v\n%s", err, o.Log)
	}
	data, _ := os.ReadFile(env.Lock.File)
	if env.Lock.Packages != 1 || !strings.Contains(string(data), "desklit-fake-b==2.0") {
		t.Errorf("plain lock %+v:\n%s", env.Lock, data)
	}
	if got := runPy(t, env.Python, "import importlib.util as u, desklit_fake_b; print(desklit_fake_b.VALUE, u.find_spec('streamlit'), u.find_spec('desklit_auth'))"); got != "b2 None None" {
		t.Errorf("plain environment: %q", got)
	}
	app := o
	app.Plain, app.Imports = false, nil
	lock, err := Resolve(context.Background(), app)
	if err != nil || lock.File == env.Lock.File || lock.Streamlit == "" {
		t.Fatalf("the app's lock of the same file = %+v %v", lock, err)
	}
	// A hash lock without Streamlit is a service's lock as it is.
	o.Source = Source{Kind: SourceLocked, File: env.Lock.File}
	if _, err := Resolve(context.Background(), o); err != nil {
		t.Fatalf("a plain hash lock: %v", err)
	}
}

// TestResolveProjectStreamlit: the project's own Streamlit pin is read from its requirements as
// pip reads them (a PowerShell freeze is UTF-16) and installed as pinned; one older than
// desklit_auth supports runs with a warning that says what stops working; a project on
// Streamlit's nightly builds gets no Streamlit release beside them (both install the module).
func TestResolveProjectStreamlit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	makeWheel(t, f.wheelhouse, "streamlit", "1.60.0", "st160")
	makeWheel(t, f.wheelhouse, "streamlit", "1.20.0", "st120")
	makeWheelOf(t, f.wheelhouse, "streamlit-nightly", "streamlit", "1.66.2.dev20261026", "nightly")
	tests := []struct {
		name, version, warning string
		body                   []byte
	}{
		{"a PowerShell freeze (UTF-16 LE)", "1.60.0", "", utf16(t, "desklit-fake-a==1.0\nstreamlit==1.60.0\n", unicode.LittleEndian)},
		{"a constraints file", "1.60.0", "", []byte("desklit-fake-a\n-c constraints.txt\n")},
		{"older than desklit_auth supports", "1.20.0", "pins streamlit 1.20.0, older than 1.30.0: Desklit starts the app with it as pinned, but Desklit's sign-in component (desklit_auth) needs streamlit 1.30.0 or newer",
			[]byte("streamlit==1.20.0\n")},
		{"Streamlit's nightly builds", "1.66.2.dev20261026", "", []byte("desklit-fake-a\nstreamlit-nightly\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := f.opts
			o.Source = f.project(t, SourceRequirements, map[string]string{"constraints.txt": "streamlit==1.60.0\n"})
			if err := os.WriteFile(o.Source.File, tt.body, 0o644); err != nil {
				t.Fatal(err)
			}
			lock, err := Resolve(context.Background(), o)
			if err != nil {
				t.Fatalf("Resolve: %v\n%s", err, o.Log)
			}
			if lock.Streamlit != tt.version || !strings.Contains(lock.Warning, tt.warning) || (tt.warning == "") != (lock.Warning == "") {
				t.Errorf("lock streamlit %s, warning %q; want %s, %q", lock.Streamlit, lock.Warning, tt.version, tt.warning)
			}
			data, err := os.ReadFile(lock.File)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(regexp.MustCompile(`(?m)^streamlit(-nightly)?==`).FindAll(data, -1)); n != 1 {
				t.Errorf("the lock installs the streamlit module from %d distributions:\n%s", n, data)
			}
		})
	}
}

// TestResolveConflictNamesTheLines: a real conflict is explained with the project's own
// requirements that take part in it, each with its file and line (in an included file too).
func TestResolveConflictNamesTheLines(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	o := f.opts
	o.Source = f.project(t, SourceRequirements, map[string]string{
		"base.txt": "# pinned by the team\ndesklit-fake-a<1\n",
	})
	writeFile(t, o.Source.File, "desklit-fake-b\n-r base.txt\ndesklit-fake-a>=1\n")
	_, err := Resolve(context.Background(), o)
	var re *ResolveError
	if !errors.As(err, &re) {
		t.Fatalf("Resolve: %v, want a ResolveError", err)
	}
	var got []string
	for _, r := range re.Requirements {
		got = append(got, r.String())
	}
	want := []string{"desklit-fake-a<1 (base.txt line 2)", "desklit-fake-a>=1 (requirements.txt line 3)"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("requirements %q, want %q (explanation: %s)", got, want, re.Explanation)
	}
}

// TestSourceBuildFails: a pinned package with no wheel for this Python, whose source does not
// build (sound_anomaly_detection_demo: pandas==1.1.5 frozen for Python 3.6 with Heroku's
// runtime.txt), is named with where the project pins it, the Python it was made for, and what
// to change, when the install builds it and when the resolution must; not uv's traceback.
func TestSourceBuildFails(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	makeFailingSdist(t, f.wheelhouse, "desklit-fake-c", "1.0", true)
	makeFailingSdist(t, f.wheelhouse, "desklit-fake-d", "2.0", false)
	for _, tt := range []struct {
		name, req, pkg string
		install        bool
	}{
		{"when installing", "desklit-fake-a==1.0\ndesklit-fake-c==1.0\n", "desklit-fake-c 1.0", true},
		{"when resolving", "desklit-fake-d==2.0\n", "desklit-fake-d 2.0", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := f.opts
			o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": tt.req, "runtime.txt": "python-3.6.12\n",
				"packages.txt": "# Streamlit Community Cloud's apt list\nlibkrb5-dev\nlibgeos-dev  # shapely\n\n"})
			_, err := Ensure(context.Background(), o)
			var sb *SourceBuildError
			if !errors.As(err, &sb) {
				t.Fatalf("Ensure = %T %v, want a SourceBuildError\n%s", err, err, o.Log)
			}
			line := strings.Count(tt.req, "\n")
			for _, want := range []string{fmt.Sprintf("Test app needs %s (requirements.txt line %d)", strings.ReplaceAll(tt.pkg, " ", "=="), line),
				"no wheel for Python " + pythonMinor(o.Python.Version), "made for Python 3.6.12 (runtime.txt)",
				strings.ReplaceAll(tt.pkg, " ", ">=")} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
			if strings.Contains(err.Error(), "Traceback") || strings.Contains(err.Error(), "Visual C++") ||
				!strings.Contains(o.Log.(*testutil.SyncBuffer).String(), "Visual C++") {
				t.Errorf("the build's output belongs in the log, not the message:\n%v", err)
			}
			if sb.Pinned == nil || sb.Pinned.Line != line {
				t.Errorf("Pinned = %+v", sb.Pinned)
			}
			if apt := "`sudo apt install libkrb5-dev libgeos-dev`"; runtime.GOOS == "linux" && !strings.Contains(err.Error(), apt) {
				t.Errorf("error lacks the packages.txt's %s:\n%v", apt, err)
			}
		})
	}
}

// TestLockOfAnotherPython: the pins of a poetry.lock made for other Pythons (a Replit template's
// python = ">=3.8.0,<3.9", ErikssonLlamocca/Reports) are no constraint here: the project's ranges
// are resolved for this Python, and the progress says why; a lock made for this Python keeps
// its pins.
func TestLockOfAnotherPython(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	makeWheel(t, f.wheelhouse, "desklit-fake-m", "1.0", "m10")
	makeWheel(t, f.wheelhouse, "desklit-fake-m", "1.1", "m11")
	this := pythonMinor(f.opts.Python.Version)
	for made, want := range map[string]string{">=3.8.0,<3.9": "desklit-fake-m==1.1", ">=" + this: "desklit-fake-m==1.0", "": "desklit-fake-m==1.0"} {
		o := f.opts
		o.DataDir = t.TempDir()
		o.Source = f.project(t, SourcePyproject, map[string]string{"pyproject.toml": "[tool.poetry.dependencies]\ndesklit-fake-m = \"*\"\n", "poetry.lock": ""})
		o.Source.File = filepath.Join(filepath.Dir(o.Source.File), "pyproject.toml")
		o.Source.LockFile = filepath.Join(filepath.Dir(o.Source.File), "poetry.lock")
		o.Source.Requirements = []string{"desklit-fake-m"}
		o.Source.Constraints, o.Source.LockPython = []string{"desklit-fake-m==1.0"}, made
		lock, err := Resolve(context.Background(), o)
		if err != nil {
			t.Fatalf("%q: Resolve: %v\n%s", made, err, o.Log)
		}
		data, _ := os.ReadFile(lock.File)
		said := slices.ContainsFunc(f.events.take(), func(p Progress) bool {
			return strings.Contains(p.Message, "poetry.lock was made for Python "+made+": resolving the dependencies of Test app for Python "+this+" without its pins")
		})
		if !strings.Contains(string(data), want+" ") || said != (want == "desklit-fake-m==1.1") {
			t.Errorf("a lock made for %q: said %v, lock:\n%s\nwant %s", made, said, data, want)
		}
	}
}

// TestSourceBuildFailsForALockPin: a version that did not build is the pin of the project's
// Pipfile.lock, while its Pipfile allows any: the message blames the lock and says to lock again,
// not to allow a newer release in the Pipfile, which it already does (spacenew/ml-model-deploy).
func TestSourceBuildFailsForALockPin(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	makeFailingSdist(t, f.wheelhouse, "desklit-fake-c", "1.0", true)
	o := f.opts
	o.Source = f.project(t, SourcePyproject, map[string]string{"Pipfile": "[packages]\ndesklit-fake-a = \"*\"\ndesklit-fake-c = \"*\"\n",
		"Pipfile.lock": "{}"})
	o.Source.File = filepath.Join(filepath.Dir(o.Source.File), "Pipfile")
	o.Source.LockFile = filepath.Join(filepath.Dir(o.Source.File), "Pipfile.lock")
	o.Source.Requirements = []string{"desklit-fake-a", "desklit-fake-c"}
	o.Source.Constraints = []string{"Desklit_Fake_C==1.0"}
	_, err := Ensure(context.Background(), o)
	var sb *SourceBuildError
	if !errors.As(err, &sb) || sb.Locked != o.Source.LockFile {
		t.Fatalf("Ensure = %T %v, want a SourceBuildError that blames Pipfile.lock\n%s", err, err, o.Log)
	}
	want := "That version is Pipfile.lock's pin, made for an older Python: lock the project again with Python " + pythonMinor(o.Python.Version) +
		" (`pipenv lock`), or move Pipfile.lock aside so that Desklit resolves the ranges of Pipfile."
	if !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "Allow a newer release") {
		t.Errorf("error:\n%v\nwant it to say %q", err, want)
	}
}

func TestFrozenPython(t *testing.T) {
	for _, tt := range []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"runtime.txt": "python-3.6.12\n"}, "3.6.12"},
		{map[string]string{".python-version": "3.9\n"}, "3.9"},
		{map[string]string{".python-version": "pypy3.10-7.3.12\n"}, ""},
		{map[string]string{"runtime.txt": "python-3.8.x\n"}, ""},
		{map[string]string{}, ""},
	} {
		dir := testutil.Tree(t, tt.files)
		if got, _ := frozenPython(dir); got != tt.want {
			t.Errorf("frozenPython(%v) = %q, want %q", tt.files, got, tt.want)
		}
	}
}

// TestResolveForRemovedNames: an app whose code uses names of st.* that a Streamlit release
// removed (st.experimental_user, gone in 1.54.0) gets the Streamlit before it, unless its project
// pins one exactly; offline, from the local wheels.
func TestResolveForRemovedNames(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	makeWheel(t, f.wheelhouse, "streamlit", "1.53.1", "st153")
	makeWheelOf(t, f.wheelhouse, "streamlit-nightly", "streamlit", "1.67.1.dev20261201", "nightly")
	for _, tt := range []struct{ name, req, want string }{
		{"names no streamlit", "desklit-fake-a\n", "1.53.1"},
		{"a range", "streamlit>=1.40\ndesklit-fake-a\n", "1.53.1"},
		{"an exact pin is the project's", "streamlit==1.67.0\n", "1.67.0"},
		{"the nightly builds are the project's", "streamlit-nightly\n", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := f.opts
			o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": tt.req})
			o.Source.StreamlitBefore, o.Source.StreamlitUses = "1.54.0", []string{"st.experimental_user"}
			lock, err := Resolve(context.Background(), o)
			if err != nil {
				t.Fatalf("Resolve: %v\n%s", err, o.Log)
			}
			if data, _ := os.ReadFile(lock.File); tt.want == "" && strings.Contains(string(data), "\nstreamlit==") {
				t.Errorf("streamlit installed beside streamlit-nightly:\n%s", data)
			} else if tt.want != "" && lock.Streamlit != tt.want {
				t.Errorf("streamlit %s, want %s", lock.Streamlit, tt.want)
			}
		})
	}
	// A script with no dependency file (project.Source: its requirements are none but that
	// Streamlit): editing the script does not make the lock again.
	t.Run("a script alone", func(t *testing.T) {
		o := f.opts
		o.Source = f.project(t, SourcePyproject, map[string]string{"app.py": "import streamlit as st\nst.experimental_user\n"})
		o.Source.File = filepath.Join(filepath.Dir(o.Source.File), "app.py")
		o.Source.StreamlitBefore, o.Source.StreamlitUses = "1.54.0", []string{"st.experimental_user"}
		var logs strings.Builder
		o.Log = &logs
		first, err := Resolve(context.Background(), o)
		if err != nil || first.Streamlit != "1.53.1" {
			t.Fatalf("Resolve = %+v, %v; want Streamlit 1.53.1\n%s", first, err, logs.String())
		}
		writeFile(t, o.Source.File, "import streamlit as st\nst.experimental_user\nst.write('edited')\n")
		again, err := Resolve(context.Background(), o)
		if err != nil || again.File != first.File || strings.Count(logs.String(), "pip compile") != 1 {
			t.Errorf("after an edit of the script: %+v, %v; want %s unchanged, uv run once:\n%s", again, err, first.File, logs.String())
		}
	})
	said := slices.ContainsFunc(f.events.take(), func(p Progress) bool {
		return strings.Contains(p.Message, "for the Streamlit before 1.54.0: it uses st.experimental_user, which Streamlit 1.54.0 removed")
	})
	if !said {
		t.Error("no progress message says why the app gets an older Streamlit")
	}
}

// TestReadUVBuildFailures: the package uv could not build, in uv 0.13's own words (from the
// runtime-build.log of streamlit/example-app-crypto-dashboard, pandas==1.3.2 on Python 3.11,
// and of sound_anomaly_detection_demo): the outermost, not a build dependency beneath it.
func TestReadUVBuildFailures(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"error: Failed to download and build `pandas==1.3.2`\n  cause: Failed to install requirements from `build-system.requires`\n" +
			"  cause: Failed to build `numpy==1.19.3`\n  cause: The build backend returned an error", "pandas==1.3.2"},
		{"error: Failed to build `pandas==1.1.5`\n  cause: The build backend returned an error\n  cause: Call to " +
			"`setuptools.build_meta:__legacy__.get_requires_for_build_wheel` failed (exit status: 1)", "pandas==1.1.5"},
		{"error: No solution found when resolving dependencies", ""},
		// MarcSkovMadsen/awesome-streamlit's pandas==0.24.2, whose sdist says pytz (>=2011k).
		{"  × No solution found when resolving dependencies:\n  ╰─▶ Because pandas==0.24.2 has invalid metadata and you require\n" +
			"      pandas==0.24.2, we can conclude that your requirements are unsatisfiable.\n\n      hint: Metadata for `pandas` (v0.24.2) could not be parsed:", "pandas==0.24.2"},
	} {
		err := &uvError{lines: strings.Split(tt.text, "\n"), err: errors.New("exit status 2")}
		if got := readUV(err).built; got != tt.want {
			t.Errorf("readUV(%q).built = %q, want %q", tt.text[:40], got, tt.want)
		}
	}
	e := &SourceBuildError{Name: "Awesome", Package: "pandas==0.24.2", Python: "3.11.7", Unreadable: true}
	if msg := e.Error(); !strings.Contains(msg, "whose source today's tools cannot read") || strings.Contains(msg, "building it from its source failed") {
		t.Errorf("an unreadable source: %q", msg)
	}
}

// TestResolveUVWorkspaceMember: an app that is a member of a uv workspace is installed from the
// workspace's uv.lock (its package's dependencies, exported), the other members it names
// included from their folders: not a package of the same name from the index ("common" here,
// which the index has too).
func TestResolveUVWorkspaceMember(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	makeWheel(t, f.wheelhouse, "common", "0.1.2", "from the index")
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "pyproject.toml"), "[project]\nname = \"platform\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\ndependencies = []\n\n"+
		"[tool.uv.workspace]\nmembers = [\"dashboard\", \"common\"]\n")
	os.MkdirAll(filepath.Join(root, "dashboard"), 0o755)
	writeFile(t, filepath.Join(root, "dashboard", "pyproject.toml"), "[project]\nname = \"dashboard\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n"+
		"dependencies = [\"streamlit\", \"requests\", \"desklit-fake-a\", \"common\"]\n\n[tool.uv.sources]\ncommon = { workspace = true }\n")
	testutil.PythonProject(t, filepath.Join(root, "common"), "common", "0.3", "py3-none-any", "from the workspace")
	o := f.opts
	lockArgs := []string{"lock", "--offline", "--no-index", "--no-config", "--find-links", f.wheelhouse, "--python", o.Python.Path, "--directory", root}
	if err := o.runUV(context.Background(), false, lockArgs, nil, nil); err != nil {
		t.Fatalf("uv lock: %v\n%s", err, o.Log)
	}
	o.Source = Source{Kind: SourceUVLock, File: filepath.Join(root, "uv.lock"), Package: "dashboard", Base: f.opts.Source.File}
	o.Imports = []string{"desklit_fake_a", "common"}
	env, err := Ensure(context.Background(), o)
	if err != nil {
		t.Fatalf("Ensure: %v\n%s", err, o.Log)
	}
	if got := runPy(t, env.Python, "import common, desklit_fake_a; print(common.VALUE)"); got != "from the workspace" {
		t.Errorf("common = %q, want the workspace's member", got)
	}
}

// TestMissingWheelFile: a requirement that is a wheel file's name, and the file is not there
// (kmcgrady/test-auth's first line): said as a missing file, with the package to name instead;
// not as a package the index lacks.
func TestMissingWheelFile(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	o := f.opts
	o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": "streamlit-1.52.1-py3-none-any.whl\ndesklit-fake-a\n"})
	_, err := Resolve(context.Background(), o)
	var nf *NotFoundError
	file := filepath.Join(filepath.Dir(o.Source.File), "streamlit-1.52.1-py3-none-any.whl")
	want := "Test app's requirements install the file " + file + ", which is not there: put it there, or name the package instead of the file (streamlit==1.52.1)"
	if !errors.As(err, &nf) || err.Error() != want {
		t.Errorf("Resolve = %v (%T)\nwant %q", err, err, want)
	}
}

// TestSourceBuildErrorBackport: a backport of a standard-library module (backports.zoneinfo in a
// Python 3.7 freeze, Individeveloper/tugas-streamlit) builds on no Python that has the module:
// the advice is to take the line out or mark it, not to allow a newer release (there is none).
// TestSourceBuildErrorAllowsANewerReleaseOfItsMajor: an old exact pin with no wheel for this
// Python (numpy==1.21.4 on 3.11, Rakkaalhazimi/Prediksi-Harga-Emas) is to be allowed a newer
// release of its major version: "numpy>=1.21.4" alone let numpy 2 in, on which the file's bokeh
// 2.4.3 fails (np.bool8).
func TestSourceBuildErrorAllowsANewerReleaseOfItsMajor(t *testing.T) {
	e := &SourceBuildError{Name: "Emas", Package: "numpy==1.21.4", Python: "3.11.7",
		Pinned: &Requirement{Text: "numpy==1.21.4", File: "/p/requirements.txt", Line: 2}}
	if got := e.Error(); !strings.Contains(got, "Allow a newer release made for Python 3.11 in requirements.txt (numpy>=1.21.4,<2, which keeps the major version") {
		t.Errorf("got %s", got)
	}
}

func TestSourceBuildErrorBackport(t *testing.T) {
	e := &SourceBuildError{Name: "Tugas", Package: "backports.zoneinfo==0.2.1", Python: "3.11.7",
		Pinned: &Requirement{Text: "backports.zoneinfo==0.2.1", File: "/p/requirements.txt", Line: 3}}
	want := "Tugas needs backports.zoneinfo==0.2.1 (requirements.txt line 3), which has no wheel for Python 3.11 on this system, and building it from its source failed (the build's output is in the log). " +
		"It is a backport, for older Pythons, of a module of Python's standard library (in it since Python 3.9): take the line out of requirements.txt, " +
		"or keep it for the Pythons that need it (`backports.zoneinfo==0.2.1 ; python_version < \"3.9\"`)."
	if got := e.Error(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	e.Package, e.Pinned.Text = "backports.tarfile==1.0", "backports.tarfile==1.0"
	if got := e.Error(); !strings.Contains(got, "standard library: take the line out of requirements.txt.") {
		t.Errorf("an unknown backport: %s", got)
	}
}

// TestSourceBuildErrorInstead: sklearn, the name on the index that only says to use
// scikit-learn, read from uv 0.13's own words: the message names the package meant, and does not
// advise a newer release of an unpinned line.
func TestSourceBuildErrorInstead(t *testing.T) {
	uv := &uvError{lines: strings.Split("error: Failed to build `sklearn==0.0.post12`\n  cause: The build backend returned an error\n"+
		"  cause: Call to `setuptools.build_meta:__legacy__.get_requires_for_build_wheel` failed (exit status: 1)\n         [stderr]\n"+
		"         The 'sklearn' PyPI package is deprecated, use 'scikit-learn'\n"+
		"hint: `sklearn` is often confused for `scikit-learn`. Did you mean to install `scikit-learn` instead?", "\n")}
	f := readUV(uv)
	if f.built != "sklearn==0.0.post12" || f.instead != "scikit-learn" {
		t.Fatalf("readUV = %+v", f)
	}
	e := &SourceBuildError{Name: "Churn", Package: f.built, Python: "3.11.7", Instead: f.instead,
		Pinned: &Requirement{Text: "sklearn", File: "/p/requirements.txt", Line: 3}}
	if got := e.Error(); !strings.HasSuffix(got, " sklearn is often confused for scikit-learn, the package meant: name scikit-learn instead in requirements.txt.") ||
		strings.Contains(got, "Allow a newer release") {
		t.Errorf("got %s", got)
	}
	e.Instead = ""
	if got := e.Error(); strings.Contains(got, "sklearn>=0.0.post12") {
		t.Errorf("an unpinned line is told to allow a newer release: %s", got)
	}
}

// A `pip freeze` made in a conda environment: packages named by conda's build folders, on conda's
// build machines (Linux, Anaconda's, Windows), are taken from the wheel folders or the index, at
// the version a wheel's name gives; the analyst's own package at a path that is not there is
// not swapped for a package of its name, and a conda folder that is here is used as it is.
// TestCondaBuildFolders: the build folders of Anaconda's machines that pip freezes name
// (a conda environment's requirements.txt, made on Windows or Linux) are conda's; the analyst's
// own folders are not.
func TestCondaBuildFolders(t *testing.T) {
	for text, conda := range map[string]bool{
		"anyio @ file:///C:/ci_311/anyio_1676425491996/work/dist":          true,
		"PySocks @ file:///home/builder/ci_310/pysocks_1640793678128/work": true,
		"debugpy @ file:///work/ci_py311/debugpy_1676824903649/work":       true,
		"wheel @ file:///opt/conda/conda-bld/wheel_1699/work":              true,
		"tqdm @ file:///somewhere/else/tqdm_1714567890123/work":            true,
		"mylib @ file:///home/ada/mylib":                                   false,
		"report @ file:///C:/Users/ada/projects/report":                    false,
		"tool @ file:///home/ada/work/tool":                                false,
	} {
		name := requirementName(text)
		overrides, _ := condaBuilt(&reqFile{Entries: []reqEntry{{Name: name, Text: text, File: "requirements.txt", Line: 1}}})
		if (len(overrides) == 1) != conda {
			t.Errorf("%s: overrides %q, want conda's build folder: %v", text, overrides, conda)
		}
	}
}

func TestResolveCondaFreeze(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	makeWheel(t, f.wheelhouse, "desklit-fake-b", "1.5", "b15")
	makeWheel(t, f.wheelhouse, "desklit-fake-c", "1.0", "c1")
	here := filepath.Join(f.root, "croot", "desklit-fake-d_1707", "work")
	if err := os.MkdirAll(here, 0o755); err != nil {
		t.Fatal(err)
	}
	freeze := "desklit-fake-a @ file:///home/conda/feedstock_root/build_artifacts/desklit-fake-a_1707225380409/work\n" +
		"desklit_fake_b @ file:///croot/desklit-fake-b_1707229174982/work/dist/desklit_fake_b-1.5-py3-none-any.whl\n" +
		"desklit-fake-c @ file:///D:/bld/desklit-fake-c_1699/work ; sys_platform != \"cygwin\"\n" +
		"streamlit==1.67.0\n"
	o := f.opts
	o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": freeze})
	lock, err := Resolve(context.Background(), o)
	if err != nil {
		t.Fatalf("Resolve: %v\n%s", err, o.Log)
	}
	data, _ := os.ReadFile(lock.File)
	for _, w := range []string{"desklit-fake-a==1.0 ", "desklit-fake-b==1.5 ", "desklit-fake-c==1.0 ",
		"# requirements.txt line 1 names conda's build folder on the machine it was frozen on: desklit-fake-a is taken from the package index",
		"line 2 names conda's build folder on the machine it was frozen on: desklit-fake-b==1.5 is taken"} {
		if !strings.Contains(string(data), w) {
			t.Errorf("lock lacks %q:\n%s", w, data)
		}
	}
	if !slices.ContainsFunc(f.events.take(), func(p Progress) bool {
		return strings.Contains(p.Message, "desklit-fake-c is taken from the package index")
	}) {
		t.Error("the progress does not say desklit-fake-c is taken from the index")
	}
	// The analyst's own package, not here: the file is named as missing, nothing is taken in its place.
	o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": "desklit-fake-a @ file:///home/ada/desklit-fake-a\n"})
	if _, err := Resolve(context.Background(), o); err == nil || !strings.Contains(err.Error(), "/home/ada/desklit-fake-a") {
		t.Errorf("a missing path of the analyst's own: %v, want it named", err)
	}
	overrides, _ := condaBuilt(&reqFile{Entries: []reqEntry{{Name: "desklit-fake-d", Text: "desklit-fake-d @ " + FileURL(here)}}})
	if len(overrides) != 0 {
		t.Errorf("a conda build folder that is on this machine is overridden: %q", overrides)
	}
}

// A project that names no streamlit gets Desklit's own, unless its pins need an older one (a
// component capping Streamlit; numpy==1.23.5 under Streamlit 1.67): then the newest that fits, as
// pip would choose, rather than a conflict with a pin the project never wrote.
func TestResolveNoStreamlitLineFitsTheProjectsPins(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	makeWheel(t, f.wheelhouse, "streamlit", "1.65.0", "st165")
	makeTaggedWheel(t, f.wheelhouse, "desklit-fake-z", "desklit_fake_z", "1.0", "z", "py3-none-any", "streamlit<1.67")
	for req, want := range map[string]string{"desklit-fake-a\n": "1.67.0", "desklit-fake-z==1.0\n": "1.65.0"} {
		o := f.opts
		o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": req})
		lock, err := Resolve(context.Background(), o)
		if err != nil || lock.Streamlit != want {
			t.Errorf("%q: streamlit %q, %v; want %s\n%s", req, lock.Streamlit, err, want, o.Log)
		}
	}
}

// An st.login app gets Streamlit's sign-in packages unless its requirements install them.
func TestExtraRequirementsOfAnStLoginApp(t *testing.T) {
	t.Parallel()
	base := filepath.Join(t.TempDir(), "requirements.txt")
	writeFile(t, base, "streamlit==1.67.0 \\\n    --hash=sha256:00\n")
	o := Options{Source: Source{Kind: SourceRequirements, Base: base, StLogin: true}}
	for req, want := range map[string][]string{
		"pandas":                   {"streamlit<=1.67.0", "requests", "Authlib>=1.3.2", "httpx>=0.24.1"},
		"streamlit[auth]==1.50.0":  {"requests"},
		"streamlit [ pdf , auth ]": {"requests"},
		// Authlib alone, as Streamlit 1.42's docs said (putsche/streamlit-example): httpx, which
		// Streamlit's sign-in imports, is added.
		"Authlib==1.6.0\nrequests":                {"streamlit<=1.67.0", "httpx>=0.24.1"},
		"authlib>=1.3.2\nhttpx==0.27.0\nrequests": {"streamlit<=1.67.0"},
		"streamlit-nightly[all]":                  {"requests"},
		"streamlit[pdf]\nrequests":                {"Authlib>=1.3.2", "httpx>=0.24.1"},
	} {
		var project reqFile
		for _, l := range strings.Split(req, "\n") {
			project.Entries = append(project.Entries, reqEntry{Name: requirementName(l), Text: l})
		}
		got, err := o.extraRequirements(project)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%q: %q, %v; want %q", req, got, err, want)
		}
	}
}
