package pyruntime

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/internal/testutil"
)

// TestOnlineFallbackForAPin: an exact pin the local wheels lack (a frozen requirements file made
// today) is fetched from the package index the project names, while everything the bundled
// wheels satisfy still comes from them; offline, the error names the package and the fix.
func TestOnlineFallbackForAPin(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	ix := newPackageIndex(t)
	makeWheel(t, ix.dir, "desklit-fake-a", "1.1", "a11")
	req := "--index-url " + ix.URL + "\ndesklit-fake-a==1.1\n"

	o := f.opts
	o.Offline = false
	o.Imports = []string{"desklit_fake_a"}
	o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": req})
	env, err := Ensure(context.Background(), o)
	if err != nil {
		t.Fatalf("Ensure: %v\n%s", err, o.Log)
	}
	if got := runPy(t, env.Python, "import desklit_fake_a; print(desklit_fake_a.VALUE)"); got != "a11" {
		t.Errorf("desklit_fake_a.VALUE = %q, want the index's 1.1", got)
	}
	if ix.requested("desklit-fake-a") == 0 {
		t.Error("the index was never asked for desklit-fake-a")
	}
	if env.Lock.Streamlit != "1.67.0" {
		t.Errorf("streamlit %s, want the bundled 1.67.0", env.Lock.Streamlit)
	}
	// The install, tried offline first, starts its count again online: the window says why.
	if !slices.ContainsFunc(f.events.take(), func(p Progress) bool { return strings.Contains(p.Message, "fetching them from the package index") }) {
		t.Error("no progress message says that the install went to the package index")
	}

	// The same from a Pipfile's or Poetry's index (option lines among the requirements): the
	// install from the lock asks that index too.
	pp := f.opts
	pp.Offline = false
	pp.Imports = []string{"desklit_fake_a"}
	pp.DataDir, pp.CacheDir = filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "cache")
	pp.Source = f.project(t, SourcePyproject, map[string]string{"pyproject.toml": "[project]\nname = \"x\"\n"})
	pp.Source.Requirements = []string{"--index-url " + ix.URL, "desklit-fake-a==1.1"}
	penv, err := Ensure(context.Background(), pp)
	if err != nil {
		t.Fatalf("Ensure from an index named among the requirements: %v\n%s", err, pp.Log)
	}
	if got := runPy(t, penv.Python, "import desklit_fake_a; print(desklit_fake_a.VALUE)"); got != "a11" {
		t.Errorf("desklit_fake_a.VALUE = %q, want the index's 1.1", got)
	}

	// Offline: the same project fails, naming the package, where Desklit looked, and the fix.
	off := f.opts
	off.DataDir, off.CacheDir = filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "cache")
	off.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": req})
	_, err = Ensure(context.Background(), off)
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Package != "desklit-fake-a" || !nf.Offline {
		t.Fatalf("offline: %v (%T), want a NotFoundError for desklit-fake-a", err, err)
	}
	for _, w := range []string{"needs desklit-fake-a", f.wheelhouse, "put its wheel in", "connect to the internet"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("offline error lacks %q: %v", w, err)
		}
	}
}

// TestOnlineFallbackForAUVLock: a uv.lock is installed exactly as locked: a version the bundled
// wheels lack is fetched from the index it was locked from, not replaced by the bundled one.
func TestOnlineFallbackForAUVLock(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	ix := newPackageIndex(t)
	makeWheel(t, ix.dir, "desklit-fake-a", "1.1", "a11")
	for _, w := range []struct{ dist, version, value string }{{"streamlit", "1.67.0", "st"}, {"requests", "2.34.2", "rq"}} {
		copyInto(t, filepath.Join(f.wheelhouse, strings.ReplaceAll(w.dist, "-", "_")+"-"+w.version+"-py3-none-any.whl"), ix.dir)
	}
	o := f.opts
	o.Offline = false
	o.Imports = []string{"desklit_fake_a"}
	o.Source = f.project(t, SourceUVLock, map[string]string{
		"pyproject.toml": "[project]\nname = \"sales\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n" +
			"dependencies = [\"desklit-fake-a==1.1\", \"streamlit\", \"requests\"]\n\n" +
			"[[tool.uv.index]]\nname = \"team\"\nurl = \"" + ix.URL + "\"\ndefault = true\n",
	})
	dir := filepath.Dir(o.Source.File)
	if err := o.runUV(context.Background(), true, []string{"lock", "--python", o.Python.Path, "--directory", dir}, nil, nil); err != nil {
		t.Fatalf("uv lock: %v\n%s", err, o.Log)
	}
	env, err := Ensure(context.Background(), o)
	if err != nil {
		t.Fatalf("Ensure: %v\n%s", err, o.Log)
	}
	if got := runPy(t, env.Python, "import desklit_fake_a; print(desklit_fake_a.VALUE)"); got != "a11" {
		t.Errorf("desklit_fake_a.VALUE = %q, want the locked 1.1", got)
	}
}

func copyInto(t *testing.T, src, dir string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(src)), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOnlineButUnreachable: when the index cannot be reached, uv's own words for it (read by
// readUV, against the real uv) make the failure an offline one: the package named, the
// wheel folder to use, and "connect".
func TestOnlineButUnreachable(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/simple"
	ln.Close() // nothing listens there any more: connection refused
	o := f.opts
	o.Offline = false
	o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": "--index-url " + closed + "\ndesklit-fake-a==1.1\n"})
	_, err = Resolve(context.Background(), o)
	var nf *NotFoundError
	if !errors.As(err, &nf) || !nf.Offline || nf.Package != "desklit-fake-a" {
		t.Fatalf("Resolve with the index unreachable = %v (%T), want an offline NotFoundError for desklit-fake-a\n%s", err, err, o.Log)
	}
	if !strings.Contains(o.Log.(interface{ String() string }).String(), "pip compile") {
		t.Errorf("uv did not run:\n%s", o.Log)
	}
}

// TestResolveAsOfTheProjectsStreamlit: a project that pins an older Streamlit (or allows only
// older ones) and leaves the rest free is resolved from the index as of the moment that Streamlit was superseded (1.21.0's
// upload, for 1.20.0): the free requirements get the releases of its time, not today's (which
// broke such an app: numpy 2 under pandas 1.5), while what it pins exactly is had whenever it
// was released. A range that only newer releases meet is resolved as of today, and so is a
// complete freeze (one that pins Streamlit's own dependencies).
func TestResolveAsOfTheProjectsStreamlit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	ix := streamlit120Index(t)
	ix.upload(t, "desklit-fake-b", "2.5", "b25", day("2024-06-01"))
	// desklit-fake-e 1.0 has wheels for the Pythons of its time only, as pandas 1.4.4 (cp38–cp310),
	// and a source that does not build here.
	ix.uploadForOldPythons(t, "desklit-fake-e", "1.0", day("2023-01-01"))
	ix.upload(t, "desklit-fake-e", "2.0", "e2", day("2024-06-01"))
	// desklit-fake-g needs desklit-fake-h, which has only a source (pyrebase4 and gcloud 0.18.3).
	makeTaggedWheel(t, ix.dir, "desklit-fake-g", "desklit_fake_g", "1.0", "g1", "py3-none-any", "desklit-fake-h")
	ix.uploaded["desklit_fake_g-1.0-py3-none-any.whl"] = day("2023-01-01")
	makeFailingSdist(t, ix.dir, "desklit-fake-h", "1.0", true)
	ix.uploaded["desklit_fake_h-1.0.tar.gz"] = day("2023-01-01")
	// desklit-fake-k has only sources, in two releases (docopt; pyod>=1.1.3): uv says "all versions
	// of desklit-fake-k", or the range, rather than a release.
	for v, at := range map[string]string{"0.9": "2022-06-01", "1.0": "2022-09-01"} {
		makeFailingSdist(t, ix.dir, "desklit-fake-k", v, true)
		ix.uploaded["desklit_fake_k-"+v+".tar.gz"] = day(at)
	}
	for _, pkg := range []string{"numpy", "pandas", "pyarrow", "altair"} { // what a freeze of Streamlit's environment pins
		ix.upload(t, pkg, "1.0", pkg, day("2023-01-01"))
	}
	if at := supersededAt("1.20.0"); !at.Equal(time.Date(2023, 4, 6, 18, 59, 51, 0, time.UTC)) {
		t.Fatalf("supersededAt(1.20.0) = %v, want 1.21.0's upload", at)
	}
	for _, tt := range []struct {
		name, req   string
		want        []string
		tried, kept bool   // resolved as of its Streamlit: tried, and the result kept
		before      string // Source.StreamlitBefore: the app uses names this release removed
	}{
		// The app uses st.beta_columns, which 1.21.0 (in this index's world) removed: the
		// Streamlit before it, as of that release, whatever the project's range allows.
		{"names of st.* since removed", "streamlit>=1.0\ndesklit-fake-a\n", []string{"streamlit==1.20.0", "desklit-fake-a==1.0", "requests==2.28.2"}, true, true, "1.21.0"},
		{"free requirements", "streamlit==1.20.0\ndesklit-fake-a\n", []string{"streamlit==1.20.0", "desklit-fake-a==1.0", "requests==2.28.2"}, true, true, ""},
		// A removed name whose cap is above the project's own range: the range decides, and the
		// window does not blame the name.
		{"a cap above its range", "streamlit~=1.20.0\ndesklit-fake-a\n", []string{"streamlit==1.20.0", "desklit-fake-a==1.0"}, true, true, "1.54.0"},
		{"a range of older Streamlits", "streamlit>=1.19,<1.21\ndesklit-fake-a\n", []string{"streamlit==1.20.0", "desklit-fake-a==1.0", "requests==2.28.2"}, true, true, ""},
		{"a pin newer than its Streamlit", "streamlit==1.20.0\ndesklit-fake-a\ndesklit-fake-b==2.5\n",
			[]string{"desklit-fake-a==1.0", "desklit-fake-b==2.5", "requests==2.28.2"}, true, true, ""},
		{"a range only newer releases meet", "streamlit==1.20.0\ndesklit-fake-a>=3\n", []string{"desklit-fake-a==3.0"}, true, false, ""},
		// The releases of that time have no wheel for this Python (pandas 1.4 for 3.11): that
		// package as of a later day, where they do, and the rest as of its Streamlit.
		{"no wheel of that time", "streamlit==1.20.0\ndesklit-fake-e\n", []string{"desklit-fake-e==2.0", "requests==2.28.2"}, true, true, ""},
		// Its own packages pinned, Streamlit's dependencies not (streamlit==1.25.0 alone): they
		// are of its time; an exact pin with no wheel, only a source (psycopg2==2.9.6), is built.
		{"its own packages pinned", "streamlit==1.20.0\ndesklit-fake-a==3.0\n", []string{"streamlit==1.20.0", "desklit-fake-a==3.0", "requests==2.28.2"}, true, true, ""},
		{"an exact pin with only a source", "streamlit==1.20.0\ndesklit-fake-a\ndesklit-fake-e==1.0\n",
			[]string{"desklit-fake-a==1.0", "desklit-fake-e==1.0", "requests==2.28.2"}, true, true, ""},
		{"a dependency with only a source", "streamlit==1.20.0\ndesklit-fake-a\ndesklit-fake-g\n",
			[]string{"desklit-fake-a==1.0", "desklit-fake-g==1.0", "desklit-fake-h==1.0", "requests==2.28.2"}, true, true, ""},
		// Streamlit pinned in a constraints file the requirements include.
		{"a pin in a constraints file", "-c constraints.txt\nstreamlit\ndesklit-fake-a\n", []string{"streamlit==1.20.0", "desklit-fake-a==1.0", "requests==2.28.2"}, true, true, ""},
		{"a free requirement with only sources", "streamlit==1.20.0\ndesklit-fake-a\ndesklit-fake-k\n",
			[]string{"desklit-fake-a==1.0", "desklit-fake-k==1.0", "requests==2.28.2"}, true, true, ""},
		{"a range with only sources", "streamlit==1.20.0\ndesklit-fake-a\ndesklit-fake-k>=0.9\n",
			[]string{"desklit-fake-a==1.0", "desklit-fake-k==1.0", "requests==2.28.2"}, true, true, ""},
		{"a complete freeze", "streamlit==1.20.0\nnumpy==1.0\npandas==1.0\npyarrow==1.0\naltair==1.0\ndesklit-fake-a==3.0\nrequests==2.34.2\n",
			[]string{"desklit-fake-a==3.0", "requests==2.34.2", "numpy==1.0"}, false, false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := f.opts
			o.Offline = false
			o.DataDir = t.TempDir()
			o.Log = &testutil.SyncBuffer{}
			o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": "--index-url " + ix.URL + "\n" + tt.req,
				"constraints.txt": "streamlit==1.20.0\n"})
			o.Source.StreamlitBefore = tt.before
			lock, err := Resolve(context.Background(), o)
			if err != nil {
				t.Fatalf("Resolve: %v\n%s", err, o.Log)
			}
			data, _ := os.ReadFile(lock.File)
			for _, w := range tt.want {
				if !strings.Contains(string(data), w+" ") {
					t.Errorf("lock lacks %s:\n%s", w, data)
				}
			}
			log := o.Log.(*testutil.SyncBuffer).String()
			dated := strings.Contains(log, "--exclude-newer 2023-04-06T18:59:51Z")
			today := strings.Contains(log, "--offline")
			events := f.events.take()
			said := slices.ContainsFunc(events, func(p Progress) bool { return strings.Contains(p.Message, "as of 6 April 2023") })
			if blamed := slices.ContainsFunc(events, func(p Progress) bool { return strings.Contains(p.Message, "removed") }); blamed != (tt.before == "1.21.0") {
				t.Errorf("a progress message blames a removed name: %v, want %v", blamed, tt.before == "1.21.0")
			}
			if dated != tt.tried || said != tt.tried || today == tt.kept {
				t.Errorf("as of its Streamlit: tried %v, then as of today %v; want tried %v, kept %v\n%s", dated, today, tt.tried, tt.kept, log)
			}
		})
	}
}

// TestResolveAsOfTakesLaterWheels: a project of Streamlit 1.12's time (August 2022) whose free
// requirement's releases of then have wheels for older Pythons only and a source that does not
// build here, as pandas 1.4.3 and pyarrow 9 for 3.11. That package is taken as of three months
// after this Python came out; the rest stays as of the project's time (the Altair 4 that
// Streamlit 1.12 imports, not Altair 5), where today's resolution broke the app. The lock says so.
func TestResolveAsOfTakesLaterWheels(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	ix := newPackageIndex(t)
	python := ThisPlatform(f.opts.Python).Python
	released := pythonReleased(python)
	if released.IsZero() {
		t.Fatalf("pythonReleased(%q) is unknown: add this Python's release day", python)
	}
	ix.upload(t, "streamlit", "1.12.0", "st112", day("2022-08-01"))
	ix.upload(t, "requests", "2.28.1", "rq2281", day("2022-07-01"))
	ix.upload(t, "requests", "2.34.2", "rq", day("2026-05-01"))
	ix.upload(t, "desklit-fake-alt", "4.2", "alt4", day("2022-01-01"))
	ix.upload(t, "desklit-fake-alt", "5.0", "alt5", day("2023-05-10"))
	ix.uploadForOldPythons(t, "desklit-fake-m", "1.0", day("2022-06-01"))
	ix.upload(t, "desklit-fake-m", "1.1", "m11", released.AddDate(0, 3, -10))
	ix.upload(t, "desklit-fake-m", "2.0", "m2", day("2026-01-01"))

	o := f.onlineOpts(t)
	o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": "--index-url " + ix.URL +
		"\nstreamlit==1.12.0\ndesklit-fake-alt\ndesklit-fake-m\n"})
	lock, err := Resolve(context.Background(), o)
	if err != nil {
		t.Fatalf("Resolve: %v\n%s", err, o.Log)
	}
	data, _ := os.ReadFile(lock.File)
	for _, w := range []string{"streamlit==1.12.0", "desklit-fake-alt==4.2", "desklit-fake-m==1.1", "requests==2.28.1"} {
		if !strings.Contains(string(data), w+" ") {
			t.Errorf("lock lacks %s:\n%s", w, data)
		}
	}
	log := o.Log.(*testutil.SyncBuffer).String()
	if !strings.Contains(log, "--exclude-newer 2022-08-25T17:08:04Z") || strings.Contains(log, "--offline") {
		t.Errorf("not resolved as of Streamlit 1.12's time alone:\n%s", log)
	}
	if later := released.AddDate(0, 3, 0); later.After(day("2022-08-25")) {
		note := "# desklit-fake-m: as of " + later.Format("2 January 2006") + ": none of their releases as of 25 August 2022 has a wheel for Python " + python
		if !strings.Contains(string(data), note+"\n") {
			t.Errorf("lock lacks the line %q:\n%s", note, data)
		}
	}
}

// TestResolveAsOfTheStreamlitItsPinsHoldItTo: a project that leaves Streamlit free, whose other
// pin holds it to an older one (altair==4.2.2, which kept Streamlit at 1.60: today's starlette
// under its server answered every image with a 500), is resolved again as of that Streamlit's
// time, its free requirements of that time.
func TestResolveAsOfTheStreamlitItsPinsHoldItTo(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	ix := streamlit120Index(t)
	makeTaggedWheel(t, ix.dir, "desklit-fake-cap", "desklit_fake_cap", "1.0", "cap", "py3-none-any", "streamlit<=1.20.0")
	ix.uploaded["desklit_fake_cap-1.0-py3-none-any.whl"] = day("2022-12-01")
	o := f.onlineOpts(t)
	o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": "--index-url " + ix.URL + "\nstreamlit\ndesklit-fake-cap==1.0\ndesklit-fake-a\n"})
	lock, err := Resolve(context.Background(), o)
	if err != nil {
		t.Fatalf("Resolve: %v\n%s", err, o.Log)
	}
	data, _ := os.ReadFile(lock.File)
	for _, w := range []string{"streamlit==1.20.0", "desklit-fake-cap==1.0", "desklit-fake-a==1.0", "requests==2.28.2"} {
		if !strings.Contains(string(data), w+" ") {
			t.Errorf("lock lacks %s:\n%s", w, data)
		}
	}
	if !slices.ContainsFunc(f.events.take(), func(p Progress) bool {
		return strings.Contains(p.Message, "as of 6 April 2023, when Streamlit 1.20.0, which its other requirements hold it to, was current")
	}) {
		t.Error("the progress does not say why the resolution is dated")
	}
}

// TestLaterWheels: the days a dated resolution takes a package as of, when its releases have no
// wheel for this Python: three months after the Python came out, when that is after the
// project's day, then today, then no more.
func TestLaterWheels(t *testing.T) {
	now := day("2026-12-07")
	for _, tt := range []struct {
		prev, day time.Time
		python    string
		want      time.Time
		ok        bool
	}{
		{time.Time{}, day("2022-08-25"), "3.11", day("2023-01-24"), true},
		{day("2023-01-24"), day("2022-08-25"), "3.11", now, true},
		{now, day("2022-08-25"), "3.11", time.Time{}, false},
		{time.Time{}, day("2023-04-06"), "3.11", now, true}, // the Python's wheels were out by then
		{time.Time{}, day("2022-08-25"), "3.99", now, true}, // a Python Desklit does not know
		{time.Time{}, day("2024-03-01"), "3.13", day("2025-01-07"), true},
	} {
		got, ok := laterWheels(tt.prev, tt.day, now, tt.python)
		if !got.Equal(tt.want) || ok != tt.ok {
			t.Errorf("laterWheels(%v, %v, %s) = %v, %v; want %v, %v", tt.prev, tt.day, tt.python, got, ok, tt.want, tt.ok)
		}
	}
}

// TestNewestRelease: the newest Streamlit release a project's specifiers allow, read from the
// embedded table of releases.
func TestNewestRelease(t *testing.T) {
	for _, tt := range []struct{ req, want string }{
		{"streamlit==1.20.0", "1.20.0"}, {"streamlit == 1.6", "1.6.0"}, {"streamlit~=1.22.0", "1.22.0"},
		{"streamlit[auth]>=1.19,<1.21 ; python_version >= '3.9'", "1.20.0"}, {"streamlit<1.54.0", "1.53.1"},
		{"streamlit", "1.67.0"}, {"streamlit==9.9", ""},
	} {
		spec, ok := specifier(tt.req)
		if got := newestRelease(spec); !ok || got != tt.want {
			t.Errorf("newestRelease(%q of %q) = %q, want %q", spec, tt.req, got, tt.want)
		}
	}
	if _, ok := specifier("streamlit @ https://example.org/streamlit-1.20.0-py3-none-any.whl"); ok {
		t.Error("a URL requirement has no specifier to compare")
	}
}

// TestProjectSourceUnreachable: a package source the project's requirements name that cannot be
// reached (a company's wheel server off its network) is named as such, with the file, read from
// the real uv's words; the index itself answers.
func TestProjectSourceUnreachable(t *testing.T) {
	t.Setenv("UV_HTTP_RETRIES", "0") // uv tries a refused connection 3 times by default
	f := newFixture(t, testPython(t))
	ix := newPackageIndex(t)
	ix.upload(t, "desklit-fake-a", "1.1", "a11", time.Now())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there any more: connection refused
	for _, line := range []string{"--find-links " + closed + "/wheels/", "--extra-index-url " + closed + "/whl/cpu", "--find-links=" + closed + "/large_image_wheels GDAL"} {
		o := f.opts
		o.Offline = false
		o.DataDir = t.TempDir()
		o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": "--index-url " + ix.URL + "\n" + line + "\ndesklit-fake-a==1.1\n"})
		_, err := Resolve(context.Background(), o)
		var su *SourceUnreachableError
		url := strings.Fields(strings.ReplaceAll(line, "=", " "))[1]
		if !errors.As(err, &su) || su.URL != url || !strings.HasPrefix(err.Error(), "Test app's requirements (requirements.txt) name the package source "+url+", which could not be reached (") {
			t.Errorf("%s: Resolve = %v (%T); want a SourceUnreachableError naming it\n%s", line, err, err, o.Log)
		}
		// pip passes over the word after the address; uv asks for ".../large_image_wheels%20GDAL".
		if gdal := strings.HasSuffix(line, " GDAL"); su != nil && ((su.After == "GDAL") != gdal || gdal && !strings.Contains(su.Error(), `take "GDAL" out of that line`)) {
			t.Errorf("%s: the words after the address: %q in %v", line, su.After, err)
		}
	}
}

// day is the date s (YYYY-MM-DD), midnight UTC.
func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// uploadForOldPythons puts a release on the index that has a wheel for CPython 3.8 only, as
// pandas 1.4.4's are for the Pythons of its time, and a source that does not build here.
func (ix *packageIndex) uploadForOldPythons(t *testing.T, dist, version string, at time.Time) {
	t.Helper()
	module := strings.ReplaceAll(dist, "-", "_")
	makeFailingSdist(t, ix.dir, dist, version, true)
	tag := "cp38-cp38-manylinux_2_17_" + map[string]string{"arm64": "aarch64"}[runtime.GOARCH]
	if runtime.GOARCH != "arm64" {
		tag += "x86_64"
	}
	makeTaggedWheel(t, ix.dir, dist, module, version, module+version, tag)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.uploaded[module+"-"+version+".tar.gz"] = at
	ix.uploaded[module+"-"+version+"-"+tag+".whl"] = at
}

// onlineOpts are the fixture's options for a resolution that asks the package index (the test's
// own), with a data folder and a log of their own.
func (f *fixture) onlineOpts(t *testing.T) Options {
	o := f.opts
	o.Offline = false
	o.DataDir = t.TempDir()
	o.Log = &testutil.SyncBuffer{}
	return o
}

// streamlit120Index is a package index of Streamlit 1.20's time and today's: streamlit 1.20.0
// (superseded on 6 April 2023), desklit-fake-a 1.0 of then and 3.0 of later, requests 2.28.2 of
// then and 2.34.2 of today.
func streamlit120Index(t *testing.T) *packageIndex {
	ix := newPackageIndex(t)
	ix.upload(t, "streamlit", "1.20.0", "st120", day("2023-03-09"))
	ix.upload(t, "desklit-fake-a", "1.0", "a1", day("2023-01-01"))
	ix.upload(t, "desklit-fake-a", "3.0", "a3", day("2024-06-01"))
	ix.upload(t, "requests", "2.28.2", "rq228", day("2023-01-12"))
	ix.upload(t, "requests", "2.34.2", "rq", day("2026-05-01"))
	return ix
}
