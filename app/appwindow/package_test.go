package appwindow

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/packager"
	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/shell"
	"github.com/desklit/desklit/app/windowapi"
)

// sourceTree is a source tree's binaries: this system's in build/bin, Windows' where `make dist`
// leaves them; none for macOS.
func sourceTree(t *testing.T) (exe string) {
	t.Helper()
	root := t.TempDir()
	for _, f := range []string{"build/bin/desklit", "build/bin/desklit-window", "build/bin/desklit.exe", "build/bin/uv",
		".cache/dist-work/windows/desklit.exe", ".cache/dist-work/windows/uv.exe", ".cache/dist-work/linux/desklit",
		".cache/dist-work/linux/desklit-window", ".cache/dist-work/linux/uv"} {
		writeFile(t, filepath.Join(root, f), "#!/bin/sh\n")
	}
	return filepath.Join(root, "build", "bin", "desklit")
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestPackageTargetsLookForTheBinaries(t *testing.T) {
	b := &Backend{exe: sourceTree(t)}
	got := b.PackageTargets()
	// A Windows host without makensis packages a .zip only, and says so.
	noNSIS := runtime.GOOS == "windows" && !hasNSIS()
	if len(got) != 3 || !got[0].Host || !got[0].Available || (got[0].Note != "") != noNSIS {
		t.Fatalf("targets = %+v, want this system's first, available", got)
	}
	byName := map[string]windowapi.PackageTarget{}
	for _, v := range got {
		byName[v.Name] = v
	}
	if runtime.GOOS != "windows" && !byName["windows"].Available {
		t.Errorf("windows = %+v, want available: its binaries are in .cache/dist-work/windows", byName["windows"])
	}
	if mac := byName["macos"]; runtime.GOOS != "darwin" && (mac.Available || mac.Note != "needs Desklit's macOS binaries (make dist leaves them in .cache/dist-work/darwin)") {
		t.Errorf("macos = %+v, want unavailable, saying what it needs", mac)
	}
	if runtime.GOOS == "linux" {
		os.Remove(filepath.Join(filepath.Dir(b.exe), "desklit-window"))
		if host := b.PackageTargets()[0]; host.Available || !strings.Contains(host.Note, "desklit-window") {
			t.Errorf("host without desklit-window = %+v, want unavailable, naming it", host)
		}
	}
}

func TestPackageRuns(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the runs are spelled out for a Linux host")
	}
	exe := sourceTree(t)
	dist := filepath.Join(filepath.Dir(exe), "..", "..", ".cache", "dist-work")
	for _, f := range []string{"darwin/desklit", "darwin/uv"} {
		writeFile(t, filepath.Join(dist, f), "")
	}
	b := &Backend{exe: exe}
	tests := []struct {
		targets []string
		want    []packRun
		err     string
	}{
		{[]string{"linux"}, []packRun{{targets: []string{"linux"}}}, ""},
		{[]string{"windows"}, []packRun{{targets: []string{"windows"}, binaries: filepath.Join(dist, "windows")}}, ""},
		// One other system per run (Options.Binaries is one folder); this system's joins the first.
		{[]string{"macos", "linux", "windows"}, []packRun{
			{targets: []string{"linux", "macos"}, binaries: filepath.Join(dist, "darwin")},
			{targets: []string{"windows"}, binaries: filepath.Join(dist, "windows")},
		}, ""},
		{[]string{"amiga"}, nil, `unknown target "amiga"`},
	}
	for _, tt := range tests {
		got, err := b.packageRuns(tt.targets)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("packageRuns(%v) = %v, want an error %q", tt.targets, err, tt.err)
			}
			continue
		}
		if err != nil || !slices.EqualFunc(got, tt.want, func(a, b packRun) bool {
			return slices.Equal(a.targets, b.targets) && a.binaries == b.binaries
		}) {
			t.Errorf("packageRuns(%v) = %+v, %v; want %+v", tt.targets, got, err, tt.want)
		}
	}
	os.RemoveAll(filepath.Join(dist, "darwin"))
	if _, err := b.packageRuns([]string{"macos"}); err == nil || !strings.Contains(err.Error(), "needs Desklit's macOS binaries") {
		t.Errorf("an unavailable target: %v, want its note", err)
	}
}

func TestPackageErrorReadsWell(t *testing.T) {
	logs := filepath.FromSlash("/home/ada/.local/state/desklit/logs")
	b := &Backend{paths: config.Paths{Logs: logs}}
	err := b.packageError(&packager.NoWheelError{Package: "scikit-learn==1.5.2",
		Platform: pyruntime.Platform{OS: "windows", Arch: "amd64", Python: "3.12"},
		Detail:   "Because scikit-learn==1.5.2 has no wheels with a matching platform tag, ..."})
	first, rest, _ := strings.Cut(err.Error(), "\n")
	if want := "scikit-learn==1.5.2 has no wheel for Windows (windows/amd64 CPython 3.12), so the app cannot be packaged for Windows: leave Windows out, or pin another version of scikit-learn in the project's requirements."; first != want {
		t.Errorf("message %q\nwant    %q", first, want)
	}
	if !strings.HasPrefix(rest, "Because scikit-learn") || !strings.HasSuffix(rest, "uv's and pip's output: "+filepath.Join(logs, "package.log")) {
		t.Errorf("detail %q, want uv's explanation, then where the log is", rest)
	}
	if err := b.packageError(context.Canceled); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancel became %v", err)
	}
}

// TestPackageSingleFile packages test/projects/single-file for Linux with the real packager,
// offline from the wheelhouse, as File › Package App… does. It takes 9 s, but over 3 minutes
// under the race detector (the .deb's, .rpm's and tarball's compression of Streamlit's wheels),
// so it runs without -race only.
func TestPackageSingleFile(t *testing.T) {
	if raceDetector {
		t.Skip("over 3 minutes under -race: run it without (go test -run PackageSingleFile ./app/appwindow/)")
	}
	wheelhouse, testWheels := os.Getenv("DESKLIT_TEST_WHEELHOUSE"), os.Getenv("DESKLIT_TEST_WHEELS")
	uv, uvErr := pyruntime.FindUV(filepath.Join("..", "..", "build", "bin", "desklit"), os.Getenv)
	if runtime.GOOS != "linux" || wheelhouse == "" || testWheels == "" || uvErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI lacks the wheelhouse, the test wheels or uv: %v", uvErr)
		}
		t.Skip("set DESKLIT_TEST_WHEELHOUSE, DESKLIT_TEST_WHEELS and DESKLIT_UV (make test-go does)")
	}
	b, out := packagingBackend(t, wheelhouse+string(os.PathListSeparator)+testWheels, uv)
	var mu sync.Mutex
	var lines []string
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := b.Package(ctx, windowapi.PackageRequest{Targets: []string{"linux"}, OutDir: out}, func(l string) {
		mu.Lock()
		lines = append(lines, l)
		mu.Unlock()
	})
	if err != nil {
		t.Fatalf("Package: %v", err)
	}
	if res.OutDir != out || !slices.ContainsFunc(res.Artefacts, func(a string) bool { return strings.HasSuffix(a, ".deb") }) {
		t.Fatalf("result = %+v, want a .deb in %s", res, out)
	}
	for _, a := range res.Artefacts {
		if filepath.Dir(a) != out || strings.HasSuffix(a, ".log") {
			t.Errorf("artefact %s: want the packages in %s, no logs", a, out)
		}
		if _, err := os.Stat(a); err != nil {
			t.Errorf("artefact: %v", err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "linux: ") {
		t.Errorf("progress lines = %q", lines)
	}
}

// packagingBackend is a Backend on a shell running test/projects/single-file, offline, with
// stand-ins for Desklit's binaries; out is where the packages go.
func packagingBackend(t *testing.T, findLinks, uv string) (*Backend, string) {
	t.Helper()
	home := t.TempDir()
	env := map[string]string{"DESKLIT_OFFLINE": "true", "DESKLIT_FIND_LINKS": findLinks}
	for _, v := range []string{"XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"} {
		env[v] = filepath.Join(home, strings.ToLower(v))
		t.Setenv(v, env[v])
	}
	t.Setenv("UV_CACHE_DIR", "")
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	paths := config.PathsFrom(getenv)
	cfg, err := config.Load(nil, getenv, paths.Config)
	if err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(filepath.Join("..", "..", "test", "projects", "single-file"))
	if err != nil {
		t.Fatal(err)
	}
	icon, err := os.ReadFile(filepath.Join("..", "..", "build", "appicon.png"))
	if err != nil {
		t.Fatal(err)
	}
	exe := sourceTree(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	environ := os.Environ()
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	sh := shell.New(shell.Options{Config: cfg, Paths: paths, Exe: exe, UV: uv, Project: p, Icon: icon, Logger: log,
		Streamlit: os.DirFS(filepath.Join("..", "..", "runtime", "streamlit")), Environ: environ})
	b := New(sh, paths, log)
	b.exe = exe
	return b, filepath.Join(home, "out")
}
