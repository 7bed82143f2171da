package pyruntime

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// A requirement may be a folder or a file of the project: "-e ." (cookiecutter-data-science's
// requirements.txt installs the project's own package so), "./libs/shared", "wheels/x.whl".
// pip and uv read such a path from their working directory, and uv writes it into the lock as it
// was written. Desklit's lock lives elsewhere and its environments are shared by every project
// whose lock has the same text, so the paths are made absolute in the lock: two projects whose
// requirements both say "-e ." get environments of their own, each with its own package.

// absoluteLocalPaths rewrites the relative local paths of the lock file as file: URLs of their
// paths from dir (a folder "Sales App" has a space: the URL says %20, which uv and pip read).
func absoluteLocalPaths(file, dir string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	lines := strings.Split(string(data), "\n")
	changed := false
	for i, line := range lines {
		prefix, spec := "", line
		if rest, ok := strings.CutPrefix(line, "-e "); ok {
			prefix, spec = "-e ", strings.TrimLeft(rest, " ")
		}
		target, tail, _ := strings.Cut(spec, " ")
		if !relativeLocalPath(target) {
			continue
		}
		lines[i] = prefix + FileURL(filepath.Join(dir, filepath.FromSlash(target)))
		if tail != "" {
			lines[i] += " " + tail
		}
		changed = true
	}
	if !changed {
		return nil
	}
	return os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644)
}

// relativeLocalPath: "./", "../pkg", "libs/shared", "x.whl"; not an absolute path, a URL or a
// name (a name has no slash: uv writes "pkg @ ./pkg" as "./pkg").
func relativeLocalPath(s string) bool {
	return s != "" && !filepath.IsAbs(s) && !strings.HasPrefix(s, "/") && !strings.HasPrefix(s, `\`) &&
		!isURL(s) && !strings.HasPrefix(s, "file:") && (looksLikePath(s) || strings.ContainsAny(s, `/\`)) && !(len(s) > 2 && s[1] == ':')
}

// directRefRE is a PEP 508 direct reference: "name[extras] @ what".
var directRefRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*@\s*(\S.*)$`)

// requirementTarget is what a requirement line installs from, without "-e" and a direct
// reference's name ("pkg @ ./pkg" → "./pkg"), and what follows it on the line (a marker).
func requirementTarget(line string) (target, rest string) {
	spec := strings.TrimSpace(line)
	if opt, arg := splitOption(spec); opt == "-e" || opt == "--editable" {
		spec = arg
	}
	if m := directRefRE.FindStringSubmatch(spec); m != nil {
		spec = m[1]
	}
	target, rest, _ = strings.Cut(spec, " ")
	return strings.TrimSuffix(target, ";"), strings.TrimSpace(rest)
}

// localPaths are the relative local paths among the requirements of the file.
func (r reqFile) localPaths() []string {
	var out []string
	for _, e := range r.Entries {
		if target, _ := requirementTarget(e.Text); relativeLocalPath(target) {
			out = append(out, target)
		}
	}
	return out
}

// pathsDir is the folder the relative local paths of the requirements are read from, as pip
// reads them from its working directory. For a requirements file in a folder below the one the
// analyst opened (gallery/requirements.txt saying "-e ./" for the repository's package, as
// streamlit-extras has it), that is the opened folder, where Streamlit Community Cloud and a
// terminal at the repository's root run pip, when every path names a package or file there and
// not every one does from the file's own folder (frontend/requirements.txt's "-e ." for
// frontend/'s package, as a Docker build of that folder reads it). Else the file's folder.
func (o Options) pathsDir() string {
	dir, root := o.Source.dir(), o.Source.Root
	if o.Source.Kind != SourceRequirements || root == "" || root == dir {
		return dir
	}
	req, err := readRequirements(o.Source.File)
	if err != nil {
		return dir
	}
	paths := req.localPaths()
	if len(paths) == 0 || allInstallable(dir, paths) || !allInstallable(root, paths) {
		return dir
	}
	return root
}

// allInstallable reports whether every path names, from dir, a file or a folder with a
// pyproject.toml or setup.py.
func allInstallable(dir string, paths []string) bool {
	for _, p := range paths {
		abs := filepath.Join(dir, filepath.FromSlash(p))
		if !isFile(abs) && !isFile(filepath.Join(abs, "pyproject.toml")) && !isFile(filepath.Join(abs, "setup.py")) {
			return false
		}
	}
	return true
}

// FileURL is the file: URL of an absolute path ("file:///C:/Users/ana/sales" on Windows).
func FileURL(abs string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// RemoteRequirement reads a lock line that installs from a URL rather than an index: a
// repository ("name @ git+https://…@<commit>", as uv locks it) or an archive ("name @
// https://…/name-1.0-py3-none-any.whl"): the URL, and what follows it on the line (a marker).
func RemoteRequirement(line string) (target, rest string, ok bool) {
	target, rest = requirementTarget(line)
	for _, scheme := range []string{"git+", "hg+", "svn+", "bzr+", "https://", "http://"} {
		if strings.HasPrefix(target, scheme) {
			return target, rest, true
		}
	}
	return "", "", false
}

// LocalRequirement reads a lock line that installs a local path ("-e file:///…", "file:///…",
// as absoluteLocalPaths writes them; "name @ file:///…" of a Poetry or Pipfile path): the path,
// and what follows it on the line (a marker).
func LocalRequirement(line string) (path, rest string, ok bool) {
	target, rest := requirementTarget(line)
	if !strings.HasPrefix(target, "file:") {
		return "", "", false
	}
	u, err := url.Parse(target)
	if err != nil || u.Path == "" {
		return "", "", false
	}
	p := u.Path
	if len(p) > 2 && p[0] == '/' && p[2] == ':' { // /C:/Users/…
		p = p[1:]
	}
	return filepath.FromSlash(p), rest, true
}
