package pyruntime

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// inTreeBackend is a PEP 517/660 build backend kept in the project (backend-path), so that a
// local package builds offline: build_wheel packs the package's folder, build_editable a .pth
// that points at the project.
const inTreeBackend = `import base64, hashlib, os, zipfile

NAME, VERSION = open("NAME").read().split()

def _wheel(wheel_directory, files):
    dist = NAME + "-" + VERSION
    path = os.path.join(wheel_directory, dist + "-py3-none-any.whl")
    records = []
    with zipfile.ZipFile(path, "w") as z:
        def add(name, data):
            z.writestr(name, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            records.append("%s,sha256=%s,%d" % (name, digest, len(data)))
        for name, data in files:
            add(name, data)
        add(dist + ".dist-info/METADATA", ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (NAME, VERSION)).encode())
        add(dist + ".dist-info/WHEEL", b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        records.append(dist + ".dist-info/RECORD,,")
        z.writestr(dist + ".dist-info/RECORD", "\n".join(records) + "\n")
    return os.path.basename(path)

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, [(NAME + "/__init__.py", open(os.path.join(NAME, "__init__.py"), "rb").read())])

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, [(NAME + ".pth", (os.path.abspath(".") + "\n").encode())])
`

// localPackage writes a package (name, its module of the same name setting VALUE) built by the
// in-tree backend into dir.
func localPackage(t *testing.T, dir, name, value string) {
	t.Helper()
	for file, body := range map[string]string{
		"pyproject.toml":      "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n",
		"backend.py":          inTreeBackend,
		"NAME":                name + " 0.1\n",
		name + "/__init__.py": fmt.Sprintf("VALUE = %q\n", value),
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, file)), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, file), body)
	}
}

// TestLocalPathRequirements: "-e ./" (the project's own package, as cookiecutter-data-science's
// requirements.txt has it) and "./libs/shared" install from the project's folder; the lock names
// them by absolute path, so it installs without --require-hashes and two projects whose
// requirements read the same get environments of their own.
func TestLocalPathRequirements(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testPython(t))
	var envs []Env
	for _, value := range []string{"first", "second"} {
		o := f.opts
		o.Imports = []string{"desklit_fake_a", "ownpkg", "sharedpkg"}
		o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": "desklit-fake-a\n-e ./\n./libs/shared\n"})
		localPackage(t, o.Source.dir(), "ownpkg", value)
		localPackage(t, filepath.Join(o.Source.dir(), "libs", "shared"), "sharedpkg", "shared "+value)
		env, err := Ensure(context.Background(), o)
		if err != nil {
			t.Fatalf("Ensure: %v\n%s", err, o.Log)
		}
		got := runPy(t, env.Python, "import ownpkg, sharedpkg; print(ownpkg.VALUE, '/', sharedpkg.VALUE)")
		if want := value + " / shared " + value; got != want {
			t.Errorf("project %s: %q, want %q", value, got, want)
		}
		lock, _ := os.ReadFile(env.Lock.File)
		for _, want := range []string{"-e " + o.Source.dir() + string(filepath.Separator) + "\n", filepath.Join(o.Source.dir(), "libs", "shared") + "\n"} {
			if !strings.Contains(string(lock), want) {
				t.Errorf("the lock lacks %q:\n%s", want, lock)
			}
		}
		// The package's code is the project's (editable): an edit shows without a rebuild.
		writeFile(t, filepath.Join(o.Source.dir(), "ownpkg", "__init__.py"), "VALUE = 'edited in place'\n")
		if got := runPy(t, env.Python, "import ownpkg; print(ownpkg.VALUE)"); got != "edited in place" {
			t.Errorf("after an edit of the editable package: %q", got)
		}
		envs = append(envs, env)
	}
	if envs[0].Dir == envs[1].Dir {
		t.Errorf("two projects with their own packages share the environment %s", envs[0].Dir)
	}
}

// TestPathsDir: the relative paths of a requirements file below the opened folder are read from
// the opened folder when they name what is there and not from the file's folder (Streamlit
// Community Cloud's pip at the repository's root), else from the file's folder.
func TestPathsDir(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  string // "root" or "sub"
	}{
		{"the repository's package (streamlit-extras' gallery)",
			map[string]string{"pyproject.toml": "", "src/pkg/__init__.py": "", "gallery/requirements.txt": "streamlit\n-e ./\n"}, "root"},
		{"the folder's own package (a Docker build of frontend/)",
			map[string]string{"frontend/setup.py": "", "frontend/requirements.txt": "-e .\n"}, "sub"},
		{"both have one: the file's folder",
			map[string]string{"pyproject.toml": "", "sub/pyproject.toml": "", "sub/requirements.txt": "-e .\n"}, "sub"},
		{"a wheel beside the file",
			map[string]string{"sub/wheels/x-1.0-py3-none-any.whl": "", "sub/requirements.txt": "./wheels/x-1.0-py3-none-any.whl\n"}, "sub"},
		{"a folder from the root, in an included file",
			map[string]string{"libs/shared/setup.py": "", "sub/requirements.txt": "-r more.txt\n", "sub/more.txt": "./libs/shared\n"}, "root"},
		{"one path from neither",
			map[string]string{"libs/a/setup.py": "", "sub/requirements.txt": "./libs/a\n./libs/missing\n"}, "sub"},
		{"no paths", map[string]string{"sub/requirements.txt": "streamlit\n"}, "sub"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			var file string
			for name, body := range tt.files {
				p := filepath.Join(root, filepath.FromSlash(name))
				os.MkdirAll(filepath.Dir(p), 0o755)
				writeFile(t, p, body)
				if filepath.Base(name) == "requirements.txt" {
					file = p
				}
			}
			o := Options{Source: Source{Kind: SourceRequirements, File: file, Root: root}}
			want := map[string]string{"root": root, "sub": filepath.Dir(file)}[tt.want]
			if got := o.pathsDir(); got != want {
				t.Errorf("pathsDir = %s, want %s", got, want)
			}
		})
	}
}
