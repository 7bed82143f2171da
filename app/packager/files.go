package packager

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/stlogin"
)

// skippedDirs are never part of a package: version control, environments, caches, and what
// Desklit builds itself (the wheels go into the package's wheelhouse, not its files).
var skippedDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true, "__pycache__": true, ".venv": true, "venv": true, "env": true,
	"node_modules": true, ".pytest_cache": true, ".mypy_cache": true, ".ruff_cache": true, ".ipynb_checkpoints": true,
	"wheels": true, "dist": true, ".idea": true, ".vscode": true,
}

// secretRE matches the names of files that usually hold secrets: they are left out of a package
// unless named by --include-secrets.
var secretRE = regexp.MustCompile(`(?i)^(\.env(\..*)?|.*\.pem|.*\.key|.*\.p12|.*\.pfx|id_rsa.*|id_ed25519.*|\.netrc|\.pypirc|credentials.*\.json|.*secret.*\.(toml|json|ya?ml|txt|ini|cfg)|service[-_]account.*\.json)$`)

// projectFiles are the slash paths (relative to dir) a package of the project carries, and the
// secret-looking ones it leaves out. include names secret-looking files to keep anyway.
func projectFiles(dir string, include []string) (files, leftOut []string, err error) {
	keep := map[string]bool{}
	for _, f := range include {
		keep[path.Clean(filepath.ToSlash(f))] = true
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && skippedDirs[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || strings.HasSuffix(d.Name(), ".pyc") || d.Name() == ".DS_Store" {
			return nil
		}
		if isSecret(rel) && !keep[rel] {
			leftOut = append(leftOut, rel)
			return nil
		}
		files = append(files, rel)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for f := range keep {
		if !slices.Contains(files, f) {
			return nil, nil, fmt.Errorf("--include-secrets %s: no such file in %s", f, dir)
		}
	}
	slices.Sort(files)
	slices.Sort(leftOut)
	return files, leftOut, nil
}

// isSecret reports whether a project file looks like it holds secrets (.streamlit/secrets.toml,
// .env, keys and credentials).
func isSecret(rel string) bool {
	return rel == ".streamlit/secrets.toml" || secretRE.MatchString(path.Base(rel))
}

// AppID is the identifier a package installs under, from its name: lower-case letters, digits and
// dashes ("Sales Dashboard" → "sales-dashboard"). It names the package, the program, the data,
// state and config folders, the keyring entries and the single-instance lock.
func AppID(name string) (string, error) {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	id := strings.Trim(b.String(), "-")
	if len(id) > 40 {
		id = strings.Trim(id[:40], "-")
	}
	if id == "" || !unicode.IsLetter(rune(id[0])) {
		return "", fmt.Errorf("the name %q gives no app id (it needs an ASCII letter first): give --name", name)
	}
	if id == "desklit" {
		return "", fmt.Errorf("a package cannot be called desklit: give it a name of its own (--name)")
	}
	return id, nil
}

// copyFile copies src to dst (made with its folders), keeping the executable bit.
func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if st.Mode()&0o111 != 0 {
		mode = 0o755
	}
	return os.WriteFile(dst, data, mode)
}

// walkFiles calls fn for each file (not folder) below root, with its path relative to root and
// its information.
func walkFiles(root string, fn func(path, rel string, st fs.FileInfo) error) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		st, err := d.Info()
		if err != nil {
			return err
		}
		return fn(p, rel, st)
	})
}

// writeFileTo writes the file at path to w: an entry of an archive.
func writeFileTo(w io.Writer, path string) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	_, err = io.Copy(w, in)
	return err
}

// nonEmpty is m without its empty values, nil when none is left.
func nonEmpty(m map[string]string) map[string]string {
	var out map[string]string
	for k, v := range m {
		if v != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = v
		}
	}
	return out
}

// stLoginShape is what the package keeps of an st.login app's [auth] (.streamlit/secrets.toml,
// which it leaves out): its named providers and expose_tokens, with the providers the app's code
// names; for an app cloned without its secrets.toml, what its code and a secrets example name;
// nil for an app that does not use st.login.
func stLoginShape(p *project.Project) (*project.StLogin, error) {
	a, err := stlogin.ReadAppAuth([]string{filepath.Join(p.RunDir(), ".streamlit", "secrets.toml")})
	if err != nil {
		return nil, err
	}
	code, err := p.StLoginShape()
	if err != nil || a == nil {
		return code, err
	}
	out := &project.StLogin{Providers: a.Providers, ExposeTokens: a.ExposeTokens}
	if code != nil {
		out.Providers = project.MergeProviders(out.Providers, code.Providers)
	}
	return out, nil
}
