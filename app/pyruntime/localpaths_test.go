package pyruntime

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/desklit/desklit/app/internal/testutil"
)

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
		dir := filepath.Join(f.root, "Sales App "+value) // a space, as in "C:\Users\Ana Smith"
		testutil.WriteFile(t, filepath.Join(dir, "requirements.txt"), "desklit-fake-a\n-e ./\n./libs/shared\n")
		o.Source = Source{Kind: SourceRequirements, File: filepath.Join(dir, "requirements.txt"), Base: f.opts.Source.File}
		testutil.PythonProject(t, o.Source.dir(), "ownpkg", "0.1", "py3-none-any", value)
		testutil.PythonProject(t, filepath.Join(o.Source.dir(), "libs", "shared"), "sharedpkg", "0.1", "py3-none-any", "shared "+value)
		env, err := Ensure(context.Background(), o)
		if err != nil {
			t.Fatalf("Ensure: %v\n%s", err, o.Log)
		}
		got := runPy(t, env.Python, "import ownpkg, sharedpkg; print(ownpkg.VALUE, '/', sharedpkg.VALUE)")
		if want := value + " / shared " + value; got != want {
			t.Errorf("project %s: %q, want %q", value, got, want)
		}
		lock, _ := os.ReadFile(env.Lock.File)
		for _, want := range []string{"-e " + FileURL(o.Source.dir()) + "\n", FileURL(filepath.Join(o.Source.dir(), "libs", "shared")) + "\n"} {
			if !strings.Contains(string(lock), want) {
				t.Errorf("the lock lacks %q:\n%s", want, lock)
			}
		}
		// The package's code is the project's (editable): an edit shows without a rebuild.
		writeFile(t, filepath.Join(o.Source.dir(), "ownpkg.py"), "VALUE = 'edited in place'\n")
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

// TestLocalPathsRead: which requirement lines name a relative local path (and so make the lock
// this folder's), and which lock lines absoluteLocalPaths rewrites.
func TestLocalPathsRead(t *testing.T) {
	dir := t.TempDir()
	req := filepath.Join(dir, "requirements.txt")
	writeFile(t, req, "-e ./\n./libs/a\nlibs/b\npkgc @ ./libs/c\npkgd[x] @ ../d ; python_version > '3'\nx-1.0-py3-none-any.whl\n"+
		"pandas==2.2\nname @ https://example.org/x.whl\ngit+ssh://git@github.com/o/r.git#egg=r\n-e git+https://github.com/o/s.git#egg=s\n"+
		"-e "+FileURL(filepath.Join(dir, "abs"))+"\n")
	r, err := readRequirements(req)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"./", "./libs/a", "libs/b", "./libs/c", "../d", "x-1.0-py3-none-any.whl"}
	if got := r.localPaths(); !slices.Equal(got, want) {
		t.Errorf("localPaths = %q, want %q", got, want)
	}
	// uv's lock writes them as they were, "pkgc @ ./libs/c" as "./libs/c".
	lock := filepath.Join(dir, "lock.txt")
	writeFile(t, lock, "-e ./\n./libs/a\nlibs/b\nx-1.0-py3-none-any.whl \\\n    --hash=sha256:00\npandas==2.2 \\\n    --hash=sha256:11\n    # via -r requirements.txt\n"+
		"--index-url https://example.org/simple\n")
	if err := absoluteLocalPaths(lock, dir); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(lock)
	wantLock := "-e " + FileURL(dir) + "\n" + FileURL(filepath.Join(dir, "libs", "a")) + "\n" + FileURL(filepath.Join(dir, "libs", "b")) + "\n" +
		FileURL(filepath.Join(dir, "x-1.0-py3-none-any.whl")) + " \\\n    --hash=sha256:00\npandas==2.2 \\\n    --hash=sha256:11\n    # via -r requirements.txt\n" +
		"--index-url https://example.org/simple\n"
	if string(data) != wantLock {
		t.Errorf("lock:\n%s\nwant:\n%s", data, wantLock)
	}
	lines := append(strings.Split(strings.TrimSpace(string(data)), "\n")[:3], "plotting @ "+FileURL(filepath.Join(dir, "libs", "plotting")))
	for _, line := range lines {
		if p, _, ok := LocalRequirement(line); !ok || !strings.HasPrefix(p, dir) {
			t.Errorf("LocalRequirement(%q) = %q, %v", line, p, ok)
		}
		if u, _, ok := RemoteRequirement(line); ok {
			t.Errorf("RemoteRequirement(%q) = %q: a local path", line, u)
		}
	}
	// A repository or an archive, as uv locks them.
	for line, want := range map[string]string{
		"mock-generators @ git+https://github.com/o/r.git@12ec4ddd17bfe994913c44a4efc9eb66594d2a34": "git+https://github.com/o/r.git@12ec4ddd17bfe994913c44a4efc9eb66594d2a34",
		"x @ https://example.org/x-1.0-py3-none-any.whl ; sys_platform == 'linux'":                  "https://example.org/x-1.0-py3-none-any.whl",
		"pandas==2.2.3 \\":                       "",
		"-e " + FileURL(dir):                     "",
		"--index-url https://example.org/simple": "",
	} {
		if u, _, ok := RemoteRequirement(line); u != want || ok != (want != "") {
			t.Errorf("RemoteRequirement(%q) = %q, %v; want %q", line, u, ok, want)
		}
	}
}
