package packager

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
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/packaged"
	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/pyruntime"
)

func TestAppID(t *testing.T) {
	for name, want := range map[string]string{
		"Sales Dashboard": "sales-dashboard", "  Q3 report (draft) ": "q3-report-draft", "Ümlaut Äpp": "mlaut-pp",
		"churn_model.v2": "churn-model-v2",
	} {
		if got, err := AppID(name); err != nil || got != want {
			t.Errorf("AppID(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	for _, bad := range []string{"", "42", "Desklit", "!!!"} {
		if id, err := AppID(bad); err == nil {
			t.Errorf("AppID(%q) = %q, want an error", bad, id)
		}
	}
}

func TestProjectFilesLeaveSecretsOut(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"app.py", "data/sales.csv", ".streamlit/config.toml", ".streamlit/secrets.toml", ".env",
		"keys/server.pem", "secrets_helper.py", "__pycache__/app.cpython-311.pyc", ".git/HEAD", "wheels/x-1-py3-none-any.whl", ".venv/bin/python"} {
		write(t, filepath.Join(dir, f), "x")
	}
	files, left, err := projectFiles(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{".streamlit/config.toml", "app.py", "data/sales.csv", "secrets_helper.py"}; !slices.Equal(files, want) {
		t.Errorf("files %v, want %v", files, want)
	}
	if want := []string{".env", ".streamlit/secrets.toml", "keys/server.pem"}; !slices.Equal(left, want) {
		t.Errorf("left out %v, want %v", left, want)
	}
	files, left, err = projectFiles(dir, []string{".streamlit/secrets.toml"})
	if err != nil || !slices.Contains(files, ".streamlit/secrets.toml") || slices.Contains(left, ".streamlit/secrets.toml") {
		t.Errorf("--include-secrets: files %v, left %v, %v", files, left, err)
	}
	if _, _, err := projectFiles(dir, []string{"nope.toml"}); err == nil {
		t.Error("--include-secrets of a missing file accepted")
	}
}

// fixture is a project needing one package outside the base lock, local wheels for Linux only,
// fake Desklit binaries, and a uv; everything offline.
type fixture struct {
	o    Options
	proj string
	out  string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	uv, err := pyruntime.FindUV(filepath.Join("..", "..", "build", "bin", "desklit"), os.Getenv)
	if err != nil {
		testutil.Unavailable(t, "no uv (make uv): %v", err)
	}
	py, err := pyruntime.Find(context.Background(), "", os.Getenv)
	if err != nil {
		testutil.Unavailable(t, "no python: %v", err)
	}
	root := t.TempDir()
	wh := filepath.Join(root, "wheels")
	var lock strings.Builder
	for _, w := range [][2]string{{"streamlit", "1.67.0"}, {"requests", "2.34.2"}} {
		fmt.Fprintf(&lock, "%s==%s --hash=sha256:%s\n", w[0], w[1], makeWheel(t, wh, w[0], w[1], "py3-none-any"))
	}
	makeWheel(t, wh, "desklit-native", "1.0", "cp3"+strings.Split(py.Version, ".")[1]+"-cp3"+strings.Split(py.Version, ".")[1]+"-manylinux_2_17_x86_64")
	base := filepath.Join(root, "base.txt")
	write(t, base, lock.String())
	proj := filepath.Join(root, "Sales App")
	write(t, filepath.Join(proj, "app.py"), "import streamlit\n")
	write(t, filepath.Join(proj, "requirements.txt"), "desklit-native\n")
	write(t, filepath.Join(proj, ".streamlit", "secrets.toml"), "password = \"x\"\n")
	write(t, filepath.Join(proj, "desklit.toml"), "name = \"Sales App\"\nversion = \"2.1.0\"\n[ports]\napi = 8988\n"+
		"[services.sales-api]\ncommand = [\"python\", \"api.py\"]\nprotect = \"bearer\"\n[services.sales-api.scopes]\n\"/admin/*\" = \"admin\"\n")
	bins := filepath.Join(root, "bin")
	for _, b := range []string{"desklit", "desklit-window", "uv"} {
		write(t, filepath.Join(bins, b), "#!/bin/sh\n")
	}
	icon := filepath.Join(root, "icon.png")
	img := image.NewRGBA(image.Rect(0, 0, 300, 260))
	for x := range 300 {
		img.Set(x, 100, color.RGBA{200, 0, 0, 255})
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	write(t, icon, buf.String())
	out := filepath.Join(root, "out")
	return &fixture{proj: proj, out: out, o: Options{
		Project: proj, OutDir: out, Targets: []string{"linux"}, Icon: icon, Self: filepath.Join(bins, "desklit"),
		Runtime: pyruntime.Options{DataDir: filepath.Join(root, "data"), CacheDir: filepath.Join(root, "cache"), UV: uv,
			Source: pyruntime.Source{Kind: pyruntime.SourceLocked, File: base}, FindLinks: []string{wh}, Offline: true, Python: py},
	}}
}

// TestLinuxPackage: the .deb, .rpm and tarball of a project, its files checked by hash in the
// manifest, its lock's wheels for Linux, its secret left out and reported.
func TestLinuxPackage(t *testing.T) {
	f := newFixture(t)
	rep, err := Build(context.Background(), f.o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.AppID != "sales-app" || rep.Version != "2.1.0" || !slices.Equal(rep.LeftOut, []string{".streamlit/secrets.toml"}) || rep.Wheels["linux"] != 3 {
		t.Errorf("report %+v", rep)
	}
	var names []string
	for _, a := range rep.Artefacts {
		names = append(names, filepath.Base(a))
	}
	if want := []string{"sales-app_2.1.0_amd64.deb", "sales-app-2.1.0-1.x86_64.rpm", "sales-app-2.1.0-linux-amd64.tar.gz"}; !slices.Equal(names, want) {
		t.Fatalf("artefacts %v, want %v", names, want)
	}
	tree := untar(t, filepath.Join(f.out, "sales-app-2.1.0-linux-amd64.tar.gz"))
	top := "sales-app-2.1.0-linux-amd64/"
	for _, want := range []string{"desklit", "desklit-window", "uv", "app/app.py", "app/desklit.toml", "requirements.lock.txt",
		"wheelhouse/SHA256SUMS", "share/applications/sales-app.desktop", "share/icons/hicolor/512x512/apps/sales-app.png", packaged.FileName} {
		if _, ok := tree[top+want]; !ok {
			t.Errorf("the tarball lacks %s", want)
		}
	}
	if _, ok := tree[top+"app/.streamlit/secrets.toml"]; ok {
		t.Error("the secrets file was packaged")
	}
	if native := countNames(tree, "desklit_native-1.0-"); native != 1 {
		t.Errorf("the project's package's wheel is in the tarball %d times", native)
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, packaged.FileName), string(tree[top+packaged.FileName]))
	m, err := packaged.Read(filepath.Join(dir, packaged.FileName))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(tree[top+"app/app.py"])
	if m.AppID != "sales-app" || m.Name != "Sales App" || m.Script != "app.py" || m.Files["app.py"] != hex.EncodeToString(sum[:]) ||
		m.Ports["DESKLIT_API_PORT"] != 8988 || m.Python == "" {
		t.Errorf("manifest %+v", m)
	}
	if entry := string(tree[top+"share/applications/sales-app.desktop"]); !strings.Contains(entry, "Name=Sales App\n") || !strings.Contains(entry, "Exec=sales-app\n") {
		t.Errorf("desktop entry:\n%s", entry)
	}
	checkServicesCarried(t, tree, top)
	checkDebReadable(t, filepath.Join(f.out, "sales-app_2.1.0_amd64.deb"), m.Python)
}

// checkServicesCarried: the packaged app's project, as the packaged app loads it, declares the
// project's services (#23).
func checkServicesCarried(t *testing.T, tree map[string][]byte, top string) {
	t.Helper()
	p, err := project.Load(extract(t, tree, top+"app/"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Services) != 1 || p.Services[0].Name != "sales-api" || p.Services[0].Protect != "bearer" ||
		len(p.Services[0].Scopes) != 1 || p.Services[0].Scopes[0].Scope != "admin" {
		t.Errorf("the packaged project's services: %+v", p.Services)
	}
}

// TestNoWheelForATarget: a package whose only wheel is for Linux cannot go to Windows: the error
// names the package and the platform, and nothing is written.
func TestNoWheelForATarget(t *testing.T) {
	f := newFixture(t)
	f.o.Targets = []string{"linux", "windows"}
	f.o.Binaries = filepath.Dir(f.o.Self)
	_, err := Build(context.Background(), f.o)
	var nw *NoWheelError
	if !errors.As(err, &nw) || !strings.Contains(err.Error(), "desklit-native") || !strings.Contains(err.Error(), "windows/amd64") {
		t.Fatalf("Build = %v, want a NoWheelError naming desklit-native and windows/amd64", err)
	}
	if entries, _ := os.ReadDir(f.out); len(entries) != 0 {
		t.Errorf("a failed package left %d files in the output folder", len(entries))
	}
}

func TestNoScript(t *testing.T) {
	f := newFixture(t)
	os.Remove(filepath.Join(f.proj, "app.py"))
	os.WriteFile(filepath.Join(f.proj, "a.py"), nil, 0o644)
	os.WriteFile(filepath.Join(f.proj, "b.py"), nil, 0o644)
	if _, err := Build(context.Background(), f.o); err == nil || !strings.Contains(err.Error(), "several Streamlit scripts (a.py, b.py)") || !strings.Contains(err.Error(), `script = "..."`) {
		t.Fatalf("Build = %v, want the no-script error with its candidates", err)
	}
}

func TestIcons(t *testing.T) {
	f := newFixture(t)
	ic, err := loadIcon(f.o.Icon)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []int{16, 512} {
		if b := ic.scaled(s).Bounds(); b.Dx() != s || b.Dy() != s {
			t.Errorf("scaled(%d) = %v", s, b)
		}
	}
	icns, err := ic.icns()
	if err != nil || string(icns[:4]) != "icns" || int(icns[4])<<24|int(icns[5])<<16|int(icns[6])<<8|int(icns[7]) != len(icns) {
		t.Errorf("icns header %q, %v", icns[:8], err)
	}
	svg := filepath.Join(t.TempDir(), "i.svg")
	write(t, svg, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#3559E0"/></svg>`)
	if ic, err := loadIcon(svg); err != nil || ic.img.Bounds().Dx() != 1024 {
		t.Errorf("svg icon: %v", err)
	}
	small := filepath.Join(t.TempDir(), "s.png")
	var buf bytes.Buffer
	png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 64, 64)))
	write(t, small, buf.String())
	if _, err := loadIcon(small); err == nil || !strings.Contains(err.Error(), "at least 256x256") {
		t.Errorf("a 64 px icon: %v", err)
	}
}

func write(t *testing.T, p, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
}

// makeWheel writes a minimal wheel with the given tags into dir and returns its sha256.
func makeWheel(t *testing.T, dir, dist, version, tags string) string {
	t.Helper()
	module := strings.ReplaceAll(dist, "-", "_")
	info := module + "-" + version + ".dist-info"
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var record strings.Builder
	for name, body := range map[string]string{
		module + "/__init__.py": "VALUE = 1\n",
		info + "/METADATA":      "Metadata-Version: 2.1\nName: " + dist + "\nVersion: " + version + "\n",
		info + "/WHEEL":         "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: " + tags + "\n",
	} {
		w, _ := zw.Create(name)
		io.WriteString(w, body)
		sum := sha256.Sum256([]byte(body))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", name, base64.RawURLEncoding.EncodeToString(sum[:]), len(body))
	}
	w, _ := zw.Create(info + "/RECORD")
	io.WriteString(w, record.String()+info+"/RECORD,,\n")
	zw.Close()
	write(t, filepath.Join(dir, module+"-"+version+"-"+tags+".whl"), buf.String())
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:])
}

func untar(t *testing.T, file string) map[string][]byte {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		out[h.Name] = data
	}
}

// checkDebReadable: where dpkg is at hand, it reads the .deb (zstd-compressed) and finds the
// program and the app's script in it.
func checkDebReadable(t *testing.T, deb, python string) {
	t.Helper()
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Log("no dpkg-deb: the .deb's format is not checked by dpkg")
		return
	}
	out, err := exec.Command("dpkg-deb", "--contents", deb).CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb --contents: %v\n%s", err, out)
	}
	for _, want := range []string{"./usr/lib/sales-app/desklit", "./usr/lib/sales-app/app/app.py"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("dpkg-deb lists no %s:\n%s", want, out)
		}
	}
	// It depends on the one Python its wheels are for, not any python3 >= 3.11.
	dep, err := exec.Command("dpkg-deb", "-f", deb, "Depends").Output()
	if err != nil || strings.TrimSpace(string(dep)) != "libgtk-3-0, libwebkit2gtk-4.1-0, python"+python {
		t.Errorf("Depends: %q, %v; want python%s", dep, err, python)
	}
}

// A FastAPI + Streamlit repository run from its Compose file (frontend/ and backend/, each with
// its requirements): the package carries the folder that holds both and the file, the app's lock
// and the backend's own (services/backend.lock.txt, hash-locked, nothing of Streamlit's) with all
// their wheels; installed, the app runs frontend/app.py in frontend/ and the backend from its lock.
func TestComposePackage(t *testing.T) {
	f := newFixture(t)
	root := filepath.Join(filepath.Dir(f.proj), "shop")
	makeWheel(t, f.o.Runtime.FindLinks[0], "desklit-api", "1.0", "py3-none-any")
	files := map[string]string{
		"compose.yaml":              "services:\n  backend:\n    build: ./backend\n    ports: [\"8765:8765\"]\n  frontend:\n    build: ./frontend\n    environment:\n      - API_URL=http://backend:8765\n",
		"backend/Dockerfile":        "FROM python:3.11\nCMD [\"python\", \"api.py\", \"--port\", \"8765\"]\n",
		"backend/api.py":            "print('api')\n",
		"backend/requirements.txt":  "desklit-api\n",
		"frontend/app.py":           "import streamlit as st\n",
		"frontend/requirements.txt": "streamlit\n",
	}
	for name, body := range files {
		write(t, filepath.Join(root, filepath.FromSlash(name)), body)
	}
	f.o.Project = root
	rep, err := Build(context.Background(), f.o)
	if err != nil {
		t.Fatal(err)
	}
	tarball := ""
	for _, a := range rep.Artefacts {
		if strings.HasSuffix(a, ".tar.gz") {
			tarball = a
		}
	}
	tree := untar(t, tarball)
	top := strings.TrimSuffix(filepath.Base(tarball), ".tar.gz") + "/"
	for _, want := range []string{"app/compose.yaml", "app/backend/api.py", "app/frontend/app.py", "services/backend.lock.txt"} {
		if _, ok := tree[top+want]; !ok {
			t.Errorf("the tarball lacks %s", want)
		}
	}
	lock := string(tree[top+"services/backend.lock.txt"])
	if !strings.Contains(lock, "desklit-api==1.0") || !strings.Contains(lock, "--hash=sha256:") || strings.Contains(lock, "streamlit") {
		t.Errorf("the backend's lock:\n%s", lock)
	}
	if api := countNames(tree, "wheelhouse/desklit_api-1.0-"); api != 1 {
		t.Errorf("the backend's wheel is in the wheelhouse %d times", api)
	}
	dir := extract(t, tree, top)
	m, err := packaged.Read(filepath.Join(dir, packaged.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if m.Script != "frontend/app.py" || m.ServiceLock("backend") != filepath.Join(dir, "services", "backend.lock.txt") {
		t.Fatalf("manifest %+v", m)
	}
	p, err := project.LoadScript(filepath.Join(dir, "app"), m.Script)
	if err != nil {
		t.Fatal(err)
	}
	if p.RunDir() != filepath.Join(dir, "app", "frontend") || len(p.Services) != 1 || p.Services[0].Dir != filepath.Join(dir, "app", "backend") ||
		!slices.Equal(p.AppEnv, []string{"API_URL=http://127.0.0.1:8765"}) {
		t.Errorf("the installed project: runs in %s, services %+v, env %v", p.RunDir(), p.Services, p.AppEnv)
	}
}

// countNames is how many of the tarball's names contain sub.
func countNames(tree map[string][]byte, sub string) int {
	n := 0
	for name := range tree {
		if strings.Contains(name, sub) {
			n++
		}
	}
	return n
}

// extract writes the tarball's files under prefix into a new folder and returns it.
func extract(t *testing.T, tree map[string][]byte, prefix string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range tree {
		if rel, ok := strings.CutPrefix(name, prefix); ok && !strings.HasSuffix(name, "/") {
			write(t, filepath.Join(dir, filepath.FromSlash(rel)), string(data))
		}
	}
	return dir
}

// Each target's Python is one the project runs on: the one asked for must be in its range, and
// another system's default (3.12) gives way to the newest the range admits.
func TestTargetPythonWithinTheProjectsRange(t *testing.T) {
	host := pyruntime.Python{Path: "/usr/bin/python3", Version: "3.11.7"}
	tests := []struct {
		requires string
		asked    map[string]string
		want     string // windows' Python, or the error's words
	}{
		{"", nil, "3.12"},
		{">=3.11", nil, "3.12"},
		{">=3.12.1", nil, "3.12"},
		{">=3.13", nil, "3.14"},
		{">=3.11,<3.12", nil, "3.11"},
		{"~=3.13.0", nil, "3.13"},
		{">=3.12", map[string]string{"windows": "3.13"}, "3.13"},
		{">=3.12", map[string]string{"windows": "3.11"}, "Python 3.11 for %s: the project asks for Python >=3.12"},
		{"<3.10", nil, "the project asks for Python <3.10, which has no release Desklit packages for (3.11 to 3.14)"},
	}
	other := "windows" // a system other than this one: this one's Python is the host's
	if runtime.GOOS == "windows" {
		other = "linux"
	}
	for _, tt := range tests {
		want, err := pyruntime.ParseRange(tt.requires)
		if err != nil {
			t.Fatal(err)
		}
		if tt.asked != nil {
			tt.asked = map[string]string{other: tt.asked["windows"]}
		}
		got, err := targets([]string{other}, tt.asked, host, want)
		switch {
		case strings.HasPrefix(tt.want, "3."):
			if err != nil || len(got) != 1 || got[0].platform.Python != tt.want {
				t.Errorf("%q %v: targets = %+v, %v; want Python %s", tt.requires, tt.asked, got, err, tt.want)
			}
		case err == nil || err.Error() != strings.ReplaceAll(tt.want, "%s", other):
			t.Errorf("%q %v: targets = %+v, %v; want the error %q", tt.requires, tt.asked, got, err, tt.want)
		}
	}
}
