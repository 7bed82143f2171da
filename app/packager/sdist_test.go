package packager

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/pyruntime"
)

// makeSdist writes name-1.0.tar.gz, built by an in-tree backend with tag, into dir; its build
// needs buildRequires (as a C extension's needs numpy or Cython).
func makeSdist(t *testing.T, dir, name, tag string, buildRequires ...string) {
	t.Helper()
	files := testutil.PythonProject(t, t.TempDir(), name, "1.0", tag, "built from source")
	if len(buildRequires) > 0 {
		files["pyproject.toml"] = strings.Replace(files["pyproject.toml"], "requires = []", `requires = ["`+strings.Join(buildRequires, `", "`)+`"]`, 1)
	}
	files["PKG-INFO"] = "Metadata-Version: 2.1\nName: " + name + "\nVersion: 1.0\n"
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for n, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name + "-1.0/" + n, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	gz.Close()
	write(t, filepath.Join(dir, strings.ReplaceAll(name, "-", "_")+"-1.0.tar.gz"), buf.String())
}

// TestSourceOnlyPackage: a package that has no wheel at all, only a source distribution (as
// validators 0.20, which every Streamlit 1.12–1.22 freeze pins): the package is made with the
// pure wheel built from it, whose hash the package's lock carries, and the same wheel serves
// Windows; a source that builds a wheel for this system only serves this system's package and is
// refused for Windows, naming the package.
func TestSourceOnlyPackage(t *testing.T) {
	f := newFixture(t)
	wheels := filepath.Join(f.proj, "wheels")
	// Its build requirement has a wheel only: it is installed from it (pip builds the package
	// alone from its source; for all, it would look for the requirement's source too).
	makeWheel(t, wheels, "desklit-build-dep", "1.0", "py3-none-any")
	makeSdist(t, wheels, "desklit-pure", "py3-none-any", "desklit-build-dep")
	write(t, filepath.Join(f.proj, "requirements.txt"), "desklit-pure\n")
	var log bytes.Buffer
	f.o.Log = &log
	rep, err := Build(context.Background(), f.o)
	if err != nil {
		t.Fatalf("Build: %v\n%s", err, log.String())
	}
	if rep.Wheels["linux"] != 3 {
		t.Errorf("wheels %v, want 3", rep.Wheels)
	}
	tree := untar(t, filepath.Join(f.out, "sales-app-2.1.0-linux-amd64.tar.gz"))
	top := "sales-app-2.1.0-linux-amd64/"
	wheel, ok := tree[top+"wheelhouse/desklit_pure-1.0-py3-none-any.whl"]
	if !ok {
		t.Fatalf("the built wheel is not in the package")
	}
	_, sum, _ := fileSum(writeTemp(t, wheel))
	lock := tree[top+"requirements.lock.txt"]
	if !strings.Contains(string(lock), "--hash=sha256:"+sum) {
		t.Errorf("the package's lock lacks the built wheel's hash %s:\n%s", sum, lock)
	}
	// The same wheel serves Windows: pure Python installs anywhere.
	win := pyruntime.Platform{OS: "windows", Arch: "amd64", Python: "3.12"}
	w := wheelSource{dirs: append([]string{wheels}, f.o.Runtime.FindLinks...), cache: filepath.Join(f.o.Runtime.CacheDir, "package-wheels"),
		python: f.o.Runtime.Python.Path, offline: true, log: &log, fromSource: []string{"desklit-pure"}}
	dst := t.TempDir()
	if n, _, err := w.fetch(context.Background(), lock, win, dst); err != nil || n != 3 {
		t.Errorf("fetch for %s = %d, %v", win, n, err)
	} else if _, err := os.Stat(filepath.Join(dst, "desklit_pure-1.0-py3-none-any.whl")); err != nil {
		t.Errorf("the built wheel for %s: %v", win, err)
	}

	// A source that builds for this system only (a C extension) serves a package for this
	// system, as it serves Desklit's own environments, and no other.
	g := newFixture(t)
	cp := "cp3" + strings.Split(g.o.Runtime.Python.Version, ".")[1]
	makeSdist(t, filepath.Join(g.proj, "wheels"), "desklit-cext", cp+"-"+cp+"-linux_x86_64")
	write(t, filepath.Join(g.proj, "requirements.txt"), "desklit-cext\n")
	if runtime.GOOS == "linux" && runtime.GOARCH == "amd64" {
		if rep, err := Build(context.Background(), g.o); err != nil || rep.Wheels["linux"] != 3 {
			t.Errorf("a native source for this system: %+v, %v", rep, err)
		}
	}
	g.o.Targets, g.o.Binaries = []string{"windows"}, filepath.Dir(g.o.Self)
	_, err = Build(context.Background(), g.o)
	var nw *NoWheelError
	if !errors.As(err, &nw) || !strings.Contains(err.Error(), "desklit-cext==1.0 has no wheel for windows/amd64") || !strings.Contains(err.Error(), "not pure Python") {
		t.Errorf("a native source for Windows: %v", err)
	}
}

func writeTemp(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAddHash(t *testing.T) {
	lock := "certifi==2025.1.31 \\\n    --hash=sha256:aa\n    # via requests\nvalidators==0.20.0 ; python_version >= '3.8' \\\n    --hash=sha256:bb\n    # via streamlit\n"
	got, err := addHash([]byte(lock), pyruntime.Pin{Name: "validators", Version: "0.20.0"}, "sha256:cc")
	want := "certifi==2025.1.31 \\\n    --hash=sha256:aa\n    # via requests\nvalidators==0.20.0 ; python_version >= '3.8' \\\n    --hash=sha256:cc \\\n    --hash=sha256:bb\n    # via streamlit\n"
	if err != nil || string(got) != want {
		t.Errorf("addHash = %q, %v;\nwant %q", got, err, want)
	}
	if _, err := addHash([]byte(lock), pyruntime.Pin{Name: "idna", Version: "3.10"}, "sha256:cc"); err == nil {
		t.Error("addHash of a pin the lock lacks")
	}
}

// TestLocalPackages: requirements that install packages of the project's folder ("-e ./", as
// cookiecutter-data-science has it, and "./libs/shared") are packaged as wheels built from the
// folder, pinned with their hashes in the package's lock: no path of this computer goes with it.
func TestLocalPackages(t *testing.T) {
	f := newFixture(t)
	testutil.PythonProject(t, f.proj, "sales-tools", "0.3", "py3-none-any", "own package")
	testutil.PythonProject(t, filepath.Join(f.proj, "libs", "shared"), "shared-lib", "0.1", "py3-none-any", "shared")
	// A package from a Git repository: the colleague has neither Git nor the repository.
	repo := t.TempDir()
	testutil.PythonProject(t, repo, "git-lib", "0.2", "py3-none-any", "from git")
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "first"}} {
		if out, err := exec.Command("git", append([]string{"-C", repo}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write(t, filepath.Join(f.proj, "requirements.txt"), "-e ./\n./libs/shared\ngit-lib @ "+"git+"+pyruntime.FileURL(repo)+"\n")
	var log bytes.Buffer
	f.o.Log = &log
	rep, err := Build(context.Background(), f.o)
	if err != nil {
		t.Fatalf("Build: %v\n%s", err, log.String())
	}
	if rep.Wheels["linux"] != 5 {
		t.Errorf("wheels %v, want 5 (streamlit, requests and the three of the project)", rep.Wheels)
	}
	tree := untar(t, filepath.Join(f.out, "sales-app-2.1.0-linux-amd64.tar.gz"))
	top := "sales-app-2.1.0-linux-amd64/"
	lock := string(tree[top+"requirements.lock.txt"])
	for _, wheel := range []string{"sales_tools-0.3-py3-none-any.whl", "shared_lib-0.1-py3-none-any.whl", "git_lib-0.2-py3-none-any.whl"} {
		data, ok := tree[top+"wheelhouse/"+wheel]
		if !ok {
			t.Errorf("the package lacks %s", wheel)
			continue
		}
		_, sum, _ := fileSum(writeTemp(t, data))
		name := strings.ReplaceAll(strings.Split(wheel, "-")[0], "_", "-") + "==" + strings.Split(wheel, "-")[1]
		if !strings.Contains(lock, name+" \\\n    --hash=sha256:"+sum) {
			t.Errorf("the package's lock does not pin %s with its wheel's hash %s:\n%s", name, sum, lock)
		}
	}
	if strings.Contains(lock, f.proj) || strings.Contains(lock, "-e ") || strings.Contains(lock, "git+") {
		t.Errorf("the package's lock names the project's folder or a repository:\n%s", lock)
	}
	if pins := pyruntime.Pins([]byte(lock), pyruntime.Platform{OS: "linux", Arch: "amd64", Python: f.o.Runtime.Python.Version}); len(pins) != 5 {
		t.Errorf("the package's lock installs %v", pins)
	}
}

// TestPackageSeedsAsHere: a project that requires setuptools (as google-api-core 1.x does) gets
// in its package the setuptools its environment has here, the interpreter's own (with
// pkg_resources), not the newest the wheel folders hold, and the package carries its wheel.
func TestPackageSeedsAsHere(t *testing.T) {
	f := newFixture(t)
	seed := pyruntime.SeedWheelDir(context.Background(), f.o.Runtime)
	if seed == "" {
		testutil.Unavailable(t, "python %s has no setuptools of its own", f.o.Runtime.Python.Path)
	}
	wheels, _ := filepath.Glob(filepath.Join(seed, "setuptools-*.whl"))
	if len(wheels) == 0 {
		t.Fatalf("no setuptools wheel in %s", seed)
	}
	want := filepath.Base(wheels[len(wheels)-1])
	makeWheel(t, f.o.Runtime.FindLinks[0], "setuptools", "99.0", "py3-none-any")
	write(t, filepath.Join(f.proj, "requirements.txt"), "setuptools\n")
	var log bytes.Buffer
	f.o.Log = &log
	if _, err := Build(context.Background(), f.o); err != nil {
		t.Fatalf("Build: %v\n%s", err, log.String())
	}
	tree := untar(t, filepath.Join(f.out, "sales-app-2.1.0-linux-amd64.tar.gz"))
	top := "sales-app-2.1.0-linux-amd64/"
	if _, ok := tree[top+"wheelhouse/"+want]; !ok {
		t.Errorf("the package lacks %s", want)
	}
	if lock := string(tree[top+"requirements.lock.txt"]); !strings.Contains(lock, "setuptools=="+strings.Split(want, "-")[1]+" ") {
		t.Errorf("the package's lock does not pin the interpreter's setuptools (%s):\n%s", want, lock)
	}
}
