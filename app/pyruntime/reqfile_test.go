package pyruntime

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
)

// utf16 encodes text as Windows PowerShell's `pip freeze > requirements.txt` writes it: UTF-16
// with a byte order mark and CRLF line ends.
func utf16(t *testing.T, text string, endian unicode.Endianness) []byte {
	t.Helper()
	enc := unicode.UTF16(endian, unicode.UseBOM).NewEncoder()
	out, err := enc.Bytes([]byte(strings.ReplaceAll(text, "\n", "\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReadRequirementsForms: every form pip and uv accept, read for the packages it names.
func TestReadRequirementsForms(t *testing.T) {
	t.Parallel()
	freeze := "altair==5.5.0\npandas==2.2.3\nstreamlit==1.51.0\n"
	tests := []struct {
		name  string
		files map[string][]byte
		names []string // requirements, in order ("" for an unnamed one)
		cons  []string // constraints
		hash  bool
	}{
		{name: "UTF-16 LE with BOM (PowerShell)", files: map[string][]byte{"requirements.txt": utf16(t, freeze, unicode.LittleEndian)},
			names: []string{"altair", "pandas", "streamlit"}},
		{name: "UTF-16 BE with BOM", files: map[string][]byte{"requirements.txt": utf16(t, freeze, unicode.BigEndian)},
			names: []string{"altair", "pandas", "streamlit"}},
		{name: "UTF-8 with BOM", files: map[string][]byte{"requirements.txt": []byte("\ufeff" + freeze)},
			names: []string{"altair", "pandas", "streamlit"}},
		{name: "includes, relative to the including file", files: map[string][]byte{
			"requirements.txt":      []byte("-r reqs/base.txt\n--constraint=reqs/constraints.txt\nplotly>=5\n"),
			"reqs/base.txt":         []byte("-rextra.txt\nStreamlit_AgGrid[extras]~=1.0 ; python_version >= '3.8'\n"),
			"reqs/extra.txt":        []byte("-r base.txt\nnumpy\n"), // a cycle is read once
			"reqs/constraints.txt":  []byte("streamlit<2\n"),
			"reqs/unused-other.txt": []byte("nothing==1\n"),
		}, names: []string{"numpy", "streamlit-aggrid", "plotly"}, cons: []string{"streamlit"}},
		{name: "options, comments, continuations, hashes", files: map[string][]byte{"requirements.txt": []byte(
			"--index-url https://pypi.example/simple\n--extra-index-url=https://extra.example/simple\n-f ./wheels\n" +
				"--find-links https://example/links\n--trusted-host pypi.example\n--only-binary :all:\n# a comment\n" +
				"requests[socks]==2.32.3 \\\n    --hash=sha256:aaaa \\\n    --hash=sha256:bbbb  # pinned\n" +
				"pywin32==306; sys_platform == 'win32'\n")},
			names: []string{"requests", "pywin32"}, hash: true},
		{name: "URLs, paths and direct references", files: map[string][]byte{"requirements.txt": []byte(
			"mylib @ file:///home/ada/mylib\n" +
				"https://files.example/packages/Tabulate-0.9.0-py3-none-any.whl#sha256=abc\n" +
				"git+https://github.com/example/widgets.git@v1#egg=st_widgets\n" +
				"./libs/local_pkg\n" +
				"../dist/desklit_fake-1.0-py3-none-any.whl\n" +
				"-e ./editable\n-e git+https://example/repo.git#egg=Edited-Pkg\n" +
				"https://files.example/pkg/somepkg-2.1.tar.gz\n")},
			names: []string{"mylib", "tabulate", "st-widgets", "", "desklit-fake", "", "edited-pkg", "somepkg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tt.files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.WriteFile(p, body, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r, err := readRequirements(filepath.Join(dir, "requirements.txt"))
			if err != nil {
				t.Fatal(err)
			}
			var names, cons []string
			for _, e := range r.Entries {
				if e.Constraint {
					cons = append(cons, e.Name)
				} else {
					names = append(names, e.Name)
				}
			}
			if !slices.Equal(names, tt.names) || !slices.Equal(cons, tt.cons) {
				t.Errorf("requirements %q, constraints %q; want %q, %q", names, cons, tt.names, tt.cons)
			}
			if r.Hashes != tt.hash {
				t.Errorf("Hashes = %v", r.Hashes)
			}
			if r.names("streamlit") != slices.Contains(tt.names, "streamlit") || r.constrains("streamlit") != slices.Contains(tt.cons, "streamlit") {
				t.Errorf("names/constrains streamlit disagree with the entries")
			}
			if r.Files[0] != filepath.Join(dir, "requirements.txt") {
				t.Errorf("Files = %q", r.Files)
			}
		})
	}
}

// An include by absolute path (what an environment.yml's pip: list becomes, read from a file
// elsewhere) is read where it is, not below the including file's folder.
func TestReadRequirementsAbsoluteInclude(t *testing.T) {
	t.Parallel()
	project, gen := t.TempDir(), t.TempDir()
	extra := filepath.Join(project, "requirements-pip.txt")
	in := filepath.Join(gen, "pyproject-dependencies.in")
	if os.WriteFile(extra, []byte("tabulate\n"), 0o644) != nil || os.WriteFile(in, []byte("-r "+extra+"\nstreamlit\n"), 0o644) != nil {
		t.Fatal("write")
	}
	r, err := readRequirements(in)
	if err != nil || len(r.Entries) != 2 || r.Entries[0].Name != "tabulate" || r.Entries[0].File != extra {
		t.Errorf("entries %+v, %v; want tabulate from %s, then streamlit", r.Entries, err, extra)
	}
}

// TestReadRequirementsErrors: what Desklit cannot follow is named with its file and line.
func TestReadRequirementsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       []string
	}{
		{"a missing include", "streamlit\n\n-r missing.txt\n", []string{"requirements.txt line 3", "includes missing.txt, which does not exist"}},
		{"an include from the network", "-r https://example/reqs.txt\n", []string{"line 1", "from the network"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "requirements.txt")
			writeFile(t, f, tt.body)
			_, err := readRequirements(f)
			var re *ReqFileError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want a ReqFileError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
		})
	}
	// UTF-16 without a byte order mark is not what pip or uv read either: said, not guessed.
	f := filepath.Join(t.TempDir(), "requirements.txt")
	enc, _ := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().Bytes([]byte("streamlit\n"))
	os.WriteFile(f, enc, 0o644)
	if _, err := readRequirements(f); err == nil || !strings.Contains(err.Error(), "UTF-16 without a byte order mark") {
		t.Errorf("BOM-less UTF-16: %v", err)
	}
}
