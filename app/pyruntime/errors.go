package pyruntime

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// NotFoundError is a package that no wheel folder (and, online, no index) has.
type NotFoundError struct {
	Package   string
	Name      string   // the project's name
	FindLinks []string // the folders looked in
	Wheels    string   // the project's wheels/ folder (where to put it)
	Offline   bool     // the index was not tried (offline mode) or could not be reached
	// Explanation is the resolver's own account (which requirement needed what).
	Explanation string
	// Path is the file a requirement installs (a wheel named by its path) that is not there.
	Path string
}

func (e *NotFoundError) Error() string {
	if e.Path != "" {
		msg := fmt.Sprintf("%s's requirements install the file %s, which is not there: put it there", e.Name, e.Path)
		if pin, ok := WheelPin(filepath.Base(e.Path)); ok {
			msg += fmt.Sprintf(", or name the package instead of the file (%s==%s)", pin.Name, pin.Version)
		}
		return msg
	}
	pkg := e.Package
	if pkg == "" || pkg == "?" {
		pkg = "a package it needs"
	}
	where := "the bundled wheels"
	if len(e.FindLinks) > 0 {
		where = strings.Join(e.FindLinks, ", ")
	}
	var msg string
	if e.Offline {
		msg = fmt.Sprintf("%s needs %s, which is not in %s and the package index is not reachable (or Desklit is offline): put its wheel in %s, or connect to the internet and open the app again",
			e.Name, pkg, where, e.Wheels)
	} else {
		msg = fmt.Sprintf("%s needs %s, which is neither in %s nor on the package index: check its name and version in the project's dependencies, or put its wheel in %s",
			e.Name, pkg, where, e.Wheels)
	}
	if e.Explanation != "" {
		msg += "\n" + e.Explanation
	}
	return msg
}

// ResolveError is a set of requirements that cannot be satisfied, with the resolver's own words
// and the project's requirements it names.
type ResolveError struct {
	Name        string
	File        string
	Explanation string
	// Requirements are the project's own requirements that the explanation names, each with
	// its file and line: what the user may change.
	Requirements []Requirement
	// NoWheel is the requirement that has no wheel for the target platform, when that is why.
	NoWheel string
	// SourceOnly is the package (name) that has no wheel at all, only a source distribution,
	// when that is why (a Platform's resolution takes wheels only, unless Options.FromSource).
	SourceOnly string
}

// Requirement is one requirement of a project's dependency files, where it is written.
type Requirement struct {
	Text string // as written ("pandas==2.2.3")
	File string
	Line int // 0 when not known
}

func (r Requirement) String() string {
	if r.Line > 0 {
		return fmt.Sprintf("%s (%s line %d)", r.Text, filepath.Base(r.File), r.Line)
	}
	return fmt.Sprintf("%s (%s)", r.Text, filepath.Base(r.File))
}

func (e *ResolveError) Error() string {
	msg := fmt.Sprintf("the dependencies of %s (%s) cannot be satisfied:\n%s", e.Name, e.File, e.Explanation)
	if len(e.Requirements) > 0 {
		msg += "\nThe requirements involved:"
		for _, r := range e.Requirements {
			msg += "\n  " + r.String()
		}
	}
	return msg
}

// SourceBuildError is a package that had no wheel for this Python and system, so that it had to
// be built from its source, and did not build: most often a pin frozen for an older Python
// (pandas==1.1.5, whose newest wheels are for Python 3.9) or a package that needs a compiler or
// a system library this computer lacks. The build's own output goes to the log.
type SourceBuildError struct {
	Name    string // the project's name
	Package string // "pandas==1.1.5"
	Python  string // the environment's Python ("3.11.7")
	// Pinned is where the project's dependencies name the package, when they do.
	Pinned *Requirement
	// FrozenFor is the Python the project says it was made with (runtime.txt's python-3.6.12,
	// .python-version's 3.9), when older than Python; FrozenFile the file that says so.
	FrozenFor, FrozenFile string
	// Unreadable: its source's metadata could not be read, so it was not even built.
	Unreadable bool
	// Instead is the package uv says this one is often confused for (sklearn: scikit-learn).
	Instead string
	// Locked is the project's lock of another tool (Pipfile.lock, poetry.lock) when the version
	// is its pin, not the project's requirement's: that lock was made for an older Python.
	Locked string
	// SystemPackages are the Debian packages the project's packages.txt names (Streamlit
	// Community Cloud installs them with apt before pip: the libraries a build compiles against,
	// libkrb5-dev for gssapi), said on Linux, where installing them may be what the build lacks.
	SystemPackages []string
	Err            error
}

func (e *SourceBuildError) Error() string {
	name, version, _ := strings.Cut(e.Package, "==")
	py := pythonMinor(e.Python)
	var b strings.Builder
	if e.Pinned != nil {
		fmt.Fprintf(&b, "%s needs %s", e.Name, e.Pinned)
	} else {
		fmt.Fprintf(&b, "%s needs %s %s", e.Name, name, version)
	}
	if e.Unreadable {
		fmt.Fprintf(&b, ", which has no wheel for Python %s on this system, and whose source today's tools cannot read (its metadata is invalid).", py)
	} else {
		fmt.Fprintf(&b, ", which has no wheel for Python %s on this system, and building it from its source failed (the build's output is in the log).", py)
	}
	if e.FrozenFor != "" {
		fmt.Fprintf(&b, " The project was made for Python %s (%s); Desklit runs it with Python %s.", e.FrozenFor, filepath.Base(e.FrozenFile), py)
	}
	if len(e.SystemPackages) > 0 {
		fmt.Fprintf(&b, " Its packages.txt names the system packages Streamlit Community Cloud installs for it: on Debian or Ubuntu, `sudo apt install %s`, then retry.",
			strings.Join(e.SystemPackages, " "))
	}
	switch since, backport := backportedIn(name); {
	case e.Instead != "":
		// sklearn: a name on the index that only says to use another (uv knows the common ones).
		fmt.Fprintf(&b, " %s is often confused for %s, the package meant: name %s instead", name, e.Instead, e.Instead)
		if e.Pinned != nil {
			fmt.Fprintf(&b, " in %s", filepath.Base(e.Pinned.File))
		}
		b.WriteString(".")
	case backport && e.Pinned != nil:
		// backports.zoneinfo: no release of it builds on the Pythons that have the module.
		fmt.Fprintf(&b, " It is a backport, for older Pythons, of a module of Python's standard library%s: take the line out of %s",
			map[bool]string{true: " (in it since Python " + since + ")", false: ""}[since != ""], filepath.Base(e.Pinned.File))
		if since != "" {
			fmt.Fprintf(&b, ", or keep it for the Pythons that need it (`%s ; python_version < \"%s\"`)", e.Pinned.Text, since)
		}
		b.WriteString(".")
	case e.Locked != "":
		lock := filepath.Base(e.Locked)
		fmt.Fprintf(&b, " That version is %s's pin, made for an older Python: lock the project again with Python %s (%s), or move %s aside so that Desklit resolves the ranges of %s.",
			lock, py, map[bool]string{true: "`poetry lock`", false: "`pipenv lock`"}[lock == "poetry.lock"], lock, e.projectFile())
	case e.Pinned != nil && strings.ContainsAny(e.Pinned.Text, "=<>~"):
		// Within its major version: the file's other pins of that age were made with it (numpy 2
		// breaks the bokeh 2.4 beside numpy==1.21.4: np.bool8).
		allow := name + ">=" + version
		if major, _, ok := strings.Cut(version, "."); ok {
			if n, err := strconv.Atoi(major); err == nil {
				allow += fmt.Sprintf(",<%d", n+1)
			}
		}
		fmt.Fprintf(&b, " Allow a newer release made for Python %s in %s (%s, which keeps the major version the file's other pins were made with; or no version), and likewise any other pin of that age.",
			py, filepath.Base(e.Pinned.File), allow)
	default:
		fmt.Fprintf(&b, " Install the build tools it needs, or pin a release of %s that has a wheel for Python %s.", name, py)
	}
	return b.String()
}

func (e *SourceBuildError) Unwrap() error { return e.Err }

// backportedIn reports whether a package (PEP 503 name) is a backport of a standard-library
// module ("backports-zoneinfo"), and the Python whose standard library has it, when known.
func backportedIn(name string) (since string, ok bool) {
	name = normalizeName(name)
	if !strings.HasPrefix(name, "backports-") {
		return "", false
	}
	return map[string]string{
		"backports-zoneinfo": "3.9", "backports-cached-property": "3.8", "backports-functools-lru-cache": "3.2",
		"backports-shutil-get-terminal-size": "3.3", "backports-weakref": "3.4", "backports-tempfile": "3.2",
		"backports-statistics": "3.4", "backports-abc": "3.5", "backports-entry-points-selectable": "3.10",
	}[name], true
}

// projectFile is the file whose requirements the lock pins (Pipfile, pyproject.toml).
func (e *SourceBuildError) projectFile() string {
	if e.Pinned != nil {
		return filepath.Base(e.Pinned.File)
	}
	return map[bool]string{true: "pyproject.toml", false: "Pipfile"}[filepath.Base(e.Locked) == "poetry.lock"]
}

// pythonMinor is "3.11" of "3.11.7".
func pythonMinor(v string) string {
	if major, minor, ok := versionParts(v); ok {
		return fmt.Sprintf("%d.%d", major, minor)
	}
	return v
}

// sourceBuildError is err as a SourceBuildError when uv says a package did not build from its
// source; nil otherwise.
func (o Options) sourceBuildError(err error) error {
	uv := readUV(err)
	pkg := uv.built
	if pkg == "" {
		return nil
	}
	e := &SourceBuildError{Name: o.name(), Package: pkg, Python: o.Python.Version, Unreadable: uv.unreadable, Instead: uv.instead, Err: err}
	name, _, _ := strings.Cut(pkg, "==")
	for _, r := range o.requirementsIn(name) {
		if requirementName(r.Text) == normalizeName(name) {
			e.Pinned = &r
			break
		}
	}
	locked := slices.ContainsFunc(o.Source.Constraints, func(c string) bool { return normalizePin(c) == normalizePin(pkg) })
	if o.Source.LockFile != "" && locked &&
		(e.Pinned == nil || e.Pinned.Text != pkg && normalizePin(strings.Fields(e.Pinned.Text)[0]) != normalizePin(pkg)) {
		e.Locked = o.Source.LockFile
	}
	if v, file := frozenPython(o.Source.dir()); v != "" && CompareVersions(v, pythonMinor(o.Python.Version)) < 0 {
		e.FrozenFor, e.FrozenFile = v, file
	}
	if runtime.GOOS == "linux" && !e.Unreadable {
		e.SystemPackages = systemPackages(o.Source.dir())
	}
	return e
}

// systemPackages are the package names of dir's packages.txt (Streamlit Community Cloud's apt
// list: one per line, # comments).
func systemPackages(dir string) []string {
	text, err := readText(filepath.Join(dir, "packages.txt"))
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if f := strings.Fields(stripComment(line)); len(f) > 0 && debianNameRE.MatchString(f[0]) {
			out = append(out, f[0])
		}
	}
	return out
}

var debianNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.+-]+$`)

// frozenPython is the Python a project folder says it was made with: Heroku's and Streamlit
// Community Cloud's runtime.txt ("python-3.6.12"), pyenv's and uv's .python-version ("3.9",
// "3.9.18"); "" when neither says a CPython version.
func frozenPython(dir string) (version, file string) {
	for _, name := range []string{"runtime.txt", ".python-version"} {
		f := filepath.Join(dir, name)
		text, err := readText(f)
		if err != nil {
			continue
		}
		first, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
		v := strings.TrimPrefix(strings.TrimSpace(first), "python-")
		if m := frozenVersionRE.FindString(v); m != "" && m == v {
			return m, f
		}
	}
	return "", ""
}

var frozenVersionRE = regexp.MustCompile(`^3\.\d+(?:\.\d+)?`)

func (o Options) notFound(pkg string, offline bool, cause error) error {
	wheels := filepath.Join(o.Source.dir(), "wheels")
	nf := &NotFoundError{Package: pkg, Name: o.name(), FindLinks: o.wheelDirs(), Wheels: wheels, Offline: offline}
	var ue *uvError
	if errors.As(cause, &ue) {
		nf.Explanation = ue.Error()
		if file := readUV(cause).file; file != "" {
			nf.Path, _, _ = LocalRequirement(file)
		}
	}
	return nf
}

func (o Options) resolveError(err error) error {
	if sb := o.sourceBuildError(err); sb != nil {
		return sb
	}
	var ue *uvError
	if errors.As(err, &ue) {
		why := ue.Error()
		return &ResolveError{Name: o.name(), File: o.Source.File, Explanation: why, Requirements: o.requirementsIn(why),
			NoWheel: readUV(err).noWheel, SourceOnly: readUV(err).sourceOnly}
	}
	return err
}

// requirementsIn are the project's requirements whose package the resolver's explanation names.
func (o Options) requirementsIn(why string) []Requirement {
	var out []Requirement
	for _, e := range o.projectEntries() {
		if e.Name != "" && namedIn(why, e.Name) {
			out = append(out, e.requirement())
		}
	}
	return out
}

// projectEntries are the project's own requirements, each where it is written: a requirements
// file's (includes followed) or pyproject.toml's; none for the other sources.
func (o Options) projectEntries() []reqEntry {
	switch o.Source.Kind {
	case SourceRequirements:
		req, err := readRequirements(o.Source.File)
		if err != nil {
			return nil
		}
		return req.Entries
	case SourcePyproject:
		var entries []reqEntry
		text, _ := readText(o.Source.File)
		lines := strings.Split(text, "\n")
		for _, r := range o.Source.Requirements {
			e := reqEntry{Name: requirementName(r), Text: r, File: o.Source.File}
			for i, l := range lines {
				if strings.Contains(l, r) {
					e.Line = i + 1
					break
				}
			}
			entries = append(entries, e)
		}
		return entries
	}
	return nil
}

func (e reqEntry) requirement() Requirement {
	return Requirement{Text: e.Text, File: e.File, Line: e.Line}
}

// namedIn reports whether text names the package as a word of its own (PEP 503 names: "-", "_"
// and "." are alike, and case does not matter).
func namedIn(text, name string) bool {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	})
	for _, w := range words {
		if normalizeName(strings.Trim(w, "-_.")) == name {
			return true
		}
	}
	return false
}
