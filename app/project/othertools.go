package project

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/desklit/desklit/app/pyruntime"
)

// Poetry's and Pipenv's projects are read as Streamlit Community Cloud reads them: their
// dependency tables ([tool.poetry.dependencies] in pyproject.toml, [packages] in Pipfile) become
// requirements, resolved like [project].dependencies, and the versions their lock pins
// (poetry.lock, Pipfile.lock) constrain the resolution, so that the environment gets the versions
// the project locked wherever the lock has them.

// poetryTool is pyproject.toml's [tool.poetry].
type poetryTool struct {
	Source []struct {
		URL       string `toml:"url"`
		Priority  string `toml:"priority"`
		Default   bool   `toml:"default"`   // Poetry 1
		Secondary bool   `toml:"secondary"` // Poetry 1
		Explicit  bool   `toml:"explicit"`
	} `toml:"source"`
	Dependencies map[string]any `toml:"dependencies"`
	Group        map[string]struct {
		Optional     bool           `toml:"optional"`
		Dependencies map[string]any `toml:"dependencies"`
	} `toml:"group"`
}

// poetryRequirements are [tool.poetry.dependencies] and the groups an app runs with (not the
// optional ones, not tooling such as dev or test), as PEP 508 requirements in a stable order, and
// the Python the project asks for (its "python" entry, as a PEP 440 range).
func poetryRequirements(file string, pt *poetryTool) (reqs []string, err error) {
	tables := []map[string]any{pt.Dependencies}
	for _, g := range slices.Sorted(maps.Keys(pt.Group)) {
		if grp := pt.Group[g]; !grp.Optional && !toolingGroups[strings.ToLower(g)] {
			tables = append(tables, grp.Dependencies)
		}
	}
	dir := filepath.Dir(file)
	for _, t := range tables {
		for _, name := range slices.Sorted(maps.Keys(t)) {
			if strings.EqualFold(name, "python") {
				continue
			}
			rs, err := poetryEntry(dir, name, t[name])
			if err != nil {
				return nil, &Error{File: file, Key: "tool.poetry.dependencies." + name, Msg: err.Error()}
			}
			reqs = append(reqs, rs...)
		}
	}
	return append(poetryIndexes(pt), reqs...), nil
}

// poetryPython is [tool.poetry.dependencies].python as a version range ("^3.10": ">=3.10,<4.0";
// "" when it names none).
func poetryPython(file string, pt *poetryTool) (string, error) {
	for name, v := range pt.Dependencies {
		if s, ok := v.(string); ok && strings.EqualFold(name, "python") {
			python, err := poetrySpec(s)
			if err != nil {
				return "", &Error{File: file, Key: "tool.poetry.dependencies.python", Msg: err.Error()}
			}
			return python, nil
		}
	}
	return "", nil
}

// poetryIndexes are [[tool.poetry.source]] as index options: a primary source (or Poetry 1's
// default) replaces PyPI, as in Poetry; supplemental and secondary ones are asked too; explicit
// ones serve only the packages that name them, which a requirement cannot say (left out).
func poetryIndexes(pt *poetryTool) []string {
	var primary, extra []string
	for _, src := range pt.Source {
		switch prio := strings.ToLower(src.Priority); {
		case src.URL == "" || prio == "explicit" || src.Explicit:
		case prio == "supplemental" || prio == "secondary" || src.Secondary:
			extra = append(extra, src.URL)
		default: // "primary", Poetry 1's default = true, or none given
			primary = append(primary, src.URL)
		}
	}
	return indexOptions(primary, extra)
}

// indexOptions are requirements-file lines for package indexes: the first primary one as
// --index-url, every other as --extra-index-url; none when PyPI alone serves.
func indexOptions(primary, extra []string) []string {
	var out []string
	for i, u := range append(primary, extra...) {
		if i == 0 && len(primary) > 0 {
			out = append(out, "--index-url "+u)
		} else {
			out = append(out, "--extra-index-url "+u)
		}
	}
	return out
}

// poetryEntry is one dependency of Poetry's: a constraint string, a table (version, extras,
// markers, python, platform, optional, git, path, url) or a list of tables (one per marker).
func poetryEntry(dir, name string, v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		spec, err := poetrySpec(v)
		return []string{name + spec}, err
	case []any:
		var out []string
		for _, e := range v {
			rs, err := poetryEntry(dir, name, e)
			if err != nil {
				return nil, err
			}
			out = append(out, rs...)
		}
		return out, nil
	case map[string]any:
		if b, _ := v["optional"].(bool); b {
			return nil, nil // installed only with the project's extras
		}
		var markers []string
		if s, ok := v["python"].(string); ok {
			m, err := pythonMarker(s)
			if err != nil {
				return nil, err
			}
			markers = append(markers, m)
		}
		if s, ok := v["platform"].(string); ok {
			markers = append(markers, fmt.Sprintf("sys_platform == %q", s))
		}
		if s, ok := v["markers"].(string); ok {
			markers = append(markers, "("+s+")")
		}
		req, err := directReference(dir, name, v, func(s string) (string, error) { return poetrySpec(s) })
		if err != nil {
			return nil, err
		}
		if len(markers) > 0 {
			req += "; " + strings.Join(markers, " and ")
		}
		return []string{req}, nil
	}
	return nil, fmt.Errorf("%v is neither a version constraint nor a table", v)
}

// directReference is a table's requirement without markers: name[extras] and its version, or a
// direct reference to a git repository, a local path or a URL.
func directReference(dir, name string, v map[string]any, version func(string) (string, error)) (string, error) {
	req := name
	if extras := stringList(v["extras"]); len(extras) > 0 {
		req += "[" + strings.Join(extras, ",") + "]"
	}
	switch {
	case v["git"] != nil:
		url, _ := v["git"].(string)
		ref := firstString(v, "rev", "tag", "branch", "ref")
		req += " @ git+" + url
		if ref != "" {
			req += "@" + ref
		}
		if sub := firstString(v, "subdirectory"); sub != "" {
			req += "#subdirectory=" + sub
		}
	case v["path"] != nil || v["file"] != nil:
		p := firstString(v, "path", "file")
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		req += " @ " + pyruntime.FileURL(p)
	case v["url"] != nil:
		url, _ := v["url"].(string)
		req += " @ " + url
	case v["version"] != nil:
		s, _ := v["version"].(string)
		spec, err := version(s)
		if err != nil {
			return "", err
		}
		req += spec
	}
	return req, nil
}

func firstString(v map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := v[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

func stringList(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, e := range l {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// poetryConstraintRE finds one constraint of a Poetry version string: an operator (Poetry's ^
// and ~, or PEP 440's) and a version, with or without a space or comma between the constraints
// (">=1.2 <2.0", ">=1.2,<2.0").
var poetryConstraintRE = regexp.MustCompile(`(\^|~=|~|===|==|!=|>=|<=|>|<|=)?\s*([0-9][0-9A-Za-z.*+!-]*|\*)`)

// poetrySpec turns a Poetry version constraint into a PEP 440 specifier ("" for any version):
// ^1.2.3 → >=1.2.3,<2.0.0; ~1.2 → >=1.2,<1.3; 1.2.3 → ==1.2.3; * → any; PEP 440's own operators
// stay as they are; "||" (either range) as poetryUnion says.
func poetrySpec(s string) (string, error) {
	s = strings.TrimSpace(s)
	if alts := strings.FieldsFunc(strings.ReplaceAll(s, "||", "|"), func(r rune) bool { return r == '|' }); len(alts) > 1 {
		return poetryUnion(alts)
	}
	var out []string
	rest := s
	for _, m := range poetryConstraintRE.FindAllStringSubmatchIndex(s, -1) {
		op, ver := "", s[m[4]:m[5]]
		if m[2] >= 0 {
			op = s[m[2]:m[3]]
		}
		rest = strings.Replace(rest, s[m[0]:m[1]], "", 1)
		switch {
		case ver == "*":
		case op == "^" || op == "~":
			lower, upper, err := bumpRange(ver, op)
			if err != nil {
				return "", fmt.Errorf("%q: %v", s, err)
			}
			out = append(out, ">="+lower, "<"+upper)
		case op == "" || op == "=":
			out = append(out, "=="+ver)
		default:
			out = append(out, op+ver)
		}
	}
	if strings.Trim(rest, " ,") != "" {
		return "", fmt.Errorf("%q is not a version constraint Desklit can read", s)
	}
	return strings.Join(out, ","), nil
}

// poetryUnion is the one PEP 440 range that holds each of Poetry's alternatives: from the lowest
// lower bound to the highest upper one, with the one version two neighbouring alternatives leave
// out between "<X" and ">X" excluded. That is the form Poetry writes for Python when a package
// skips a release (">=3.9,<3.9.7 || >3.9.7,<3.12" → ">=3.9,!=3.9.7,<3.12"), and the range of
// "^1.20 || ^2.0" (">=1.20,<3"). A wider gap between alternatives is let in: a requirement cannot
// say it.
func poetryUnion(alts []string) (string, error) {
	type bound struct{ op, ver string }
	type alt struct{ lower, upper *bound }
	var all []alt
	for _, a := range alts {
		spec, err := poetrySpec(a)
		if err != nil {
			return "", err
		}
		var x alt
		for _, c := range strings.Split(spec, ",") {
			m := poetryConstraintRE.FindStringSubmatch(c)
			if m == nil {
				continue
			}
			switch b := (&bound{m[1], m[2]}); m[1] {
			case ">=", ">":
				x.lower = b
			case "<", "<=":
				x.upper = b
			case "==", "===":
				x.lower, x.upper = &bound{">=", m[2]}, &bound{"<=", m[2]}
			}
		}
		all = append(all, x)
	}
	slices.SortFunc(all, func(a, b alt) int {
		switch {
		case a.lower == nil && b.lower == nil:
			return 0
		case a.lower == nil:
			return -1
		case b.lower == nil:
			return 1
		}
		return pyruntime.CompareVersions(a.lower.ver, b.lower.ver)
	})
	lower, upper := all[0].lower, all[0].upper
	var out []string
	for _, a := range all[1:] {
		if upper != nil && a.lower != nil && upper.op == "<" && a.lower.op == ">" && upper.ver == a.lower.ver {
			out = append(out, "!="+a.lower.ver)
		}
		if a.upper == nil || upper != nil && pyruntime.CompareVersions(a.upper.ver, upper.ver) > 0 {
			upper = a.upper
		}
	}
	if lower != nil {
		out = append([]string{lower.op + lower.ver}, out...)
	}
	if upper != nil {
		out = append(out, upper.op+upper.ver)
	}
	return strings.Join(out, ","), nil
}

// releaseRE is a version's release numbers.
var releaseRE = regexp.MustCompile(`^\d+(\.\d+)*`)

// bumpRange is the range of a caret (^) or tilde (~) constraint, as Poetry defines them: ^ allows
// changes that do not modify the left-most non-zero part; ~ allows patch changes (or minor ones
// when only a major version is given).
func bumpRange(ver, op string) (lower, upper string, err error) {
	release := releaseRE.FindString(ver) // 1.2.3b1 → 1.2.3
	if release == "" {
		return "", "", fmt.Errorf("%s%s: not a version", op, ver)
	}
	var parts []int
	for _, p := range strings.Split(release, ".") {
		n, _ := strconv.Atoi(p) // digits only, by releaseRE
		parts = append(parts, n)
	}
	i := len(parts) - 1
	if op == "~" {
		i = min(1, len(parts)-1)
	} else {
		for j, n := range parts {
			if n != 0 {
				i = j
				break
			}
		}
	}
	up := slices.Clone(parts[:i+1])
	up[i]++
	strs := make([]string, len(up))
	for j, n := range up {
		strs[j] = strconv.Itoa(n)
	}
	return ver, strings.Join(strs, "."), nil
}

// pythonMarker is the environment marker of a Poetry "python" constraint on one dependency.
func pythonMarker(s string) (string, error) {
	spec, err := poetrySpec(s)
	if err != nil || spec == "" {
		return "python_version >= \"0\"", err
	}
	var clauses []string
	for _, c := range strings.Split(spec, ",") {
		i := strings.IndexAny(c, "0123456789")
		clauses = append(clauses, fmt.Sprintf("python_full_version %s %q", c[:i], c[i:]))
	}
	return strings.Join(clauses, " and "), nil
}

// pipfile is what Desklit reads of a Pipfile.
type pipfile struct {
	Source []struct {
		Name string `toml:"name"`
		URL  string `toml:"url"`
	} `toml:"source"`
	Packages map[string]any `toml:"packages"`
	Pipenv   struct {
		SearchAll bool `toml:"install_search_all_sources"`
	} `toml:"pipenv"`
}

// pypiSimple is PyPI's index, the one a Pipfile names by default.
func pypiSimple(u string) bool {
	u = strings.TrimSuffix(strings.ToLower(u), "/")
	return u == "https://pypi.org/simple" || u == "https://pypi.python.org/simple"
}

// pipfileIndexes are a Pipfile's [[source]] as index options: Pipenv installs from the first, and
// from another only the packages that name it (`index = "pytorch"`; since Pipenv 2022.3.23, so
// that no other package can come from there), unless [pipenv] install_search_all_sources says
// every source may serve every package. A requirement cannot name its index: the sources
// packages name are asked for every package. Only PyPI: none.
func pipfileIndexes(pf *pipfile) []string {
	named := map[string]bool{}
	for _, v := range pf.Packages {
		if t, ok := v.(map[string]any); ok {
			if ix, ok := t["index"].(string); ok {
				named[ix] = true
			}
		}
	}
	var first string
	var extra []string
	for _, src := range pf.Source {
		switch {
		case src.URL == "":
		case first == "":
			first = src.URL
		case named[src.Name] || pf.Pipenv.SearchAll:
			extra = append(extra, src.URL)
		}
	}
	if first == "" || (len(extra) == 0 && pypiSimple(first)) {
		return nil
	}
	return indexOptions([]string{first}, extra)
}

// pipfileMarkers are the keys of a Pipfile package table that are environment markers.
var pipfileMarkers = []string{"os_name", "sys_platform", "platform_machine", "platform_system", "python_version", "python_full_version", "implementation_name"}

// pipfileRequirements are a Pipfile's [packages] (not [dev-packages]) as PEP 508 requirements.
func pipfileRequirements(file string) ([]string, error) {
	var pf pipfile
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if err := toml.Unmarshal(data, &pf); err != nil {
		return nil, tomlError(file, err)
	}
	reqs := pipfileIndexes(&pf)
	for _, name := range slices.Sorted(maps.Keys(pf.Packages)) {
		var req string
		switch v := pf.Packages[name].(type) {
		case string:
			req = name + anyVersion(v)
		case map[string]any:
			req, err = directReference(filepath.Dir(file), name, v, func(s string) (string, error) { return anyVersion(s), nil })
			if err != nil {
				return nil, &Error{File: file, Key: "packages." + name, Msg: err.Error()}
			}
			var markers []string
			for _, k := range pipfileMarkers {
				if s, ok := v[k].(string); ok {
					markers = append(markers, k+" "+s)
				}
			}
			if s, ok := v["markers"].(string); ok {
				markers = append(markers, "("+s+")")
			}
			if len(markers) > 0 {
				req += "; " + strings.Join(markers, " and ")
			}
		default:
			return nil, &Error{File: file, Key: "packages." + name, Msg: fmt.Sprintf("%v is neither a version nor a table", v)}
		}
		reqs = append(reqs, req)
	}
	return reqs, nil
}

// anyVersion is Pipenv's version string as a specifier: "*" is any version.
func anyVersion(s string) string {
	if s = strings.TrimSpace(s); s == "*" {
		return ""
	}
	return s
}

// lockPins are the name==version pins of another tool's lock (poetry.lock, Pipfile.lock), for
// constraints: packages from the index only (a git or local package's version is no pin); python
// is the Pythons the lock was made for, as a PEP 440 range ("" when it does not say): poetry.lock's
// [metadata] python-versions, Pipfile.lock's _meta.requires.python_version.
func lockPins(file string) (pins []string, python string, err error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, "", err
	}
	if filepath.Base(file) == "Pipfile.lock" {
		return pipfileLockPins(file, data)
	}
	var lock struct {
		Metadata struct {
			PythonVersions string `toml:"python-versions"`
		} `toml:"metadata"`
		Package []struct {
			Name    string `toml:"name"`
			Version string `toml:"version"`
			Source  *struct {
				Type string `toml:"type"`
			} `toml:"source"`
		} `toml:"package"`
	}
	if err := toml.Unmarshal(data, &lock); err != nil {
		return nil, "", tomlError(file, err)
	}
	if v := strings.TrimSpace(lock.Metadata.PythonVersions); v != "" && v != "*" {
		python, _ = poetrySpec(v) // a range Desklit cannot read holds nothing back
	}
	// A package locked at two versions (one per Python range: pyarrow 25 for 3.10, 26 for 3.11+)
	// is left to the resolver, which picks for this Python within the project's own ranges.
	versions := map[string][]string{}
	for _, p := range lock.Package {
		if p.Source == nil || p.Source.Type == "legacy" { // "legacy": a package index of the project's own
			versions[p.Name] = append(versions[p.Name], p.Version)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(versions)) {
		if v := slices.Compact(versions[name]); len(v) == 1 {
			pins = append(pins, name+"=="+v[0])
		}
	}
	return pins, python, nil
}

// tomlError is a TOML file's syntax or type error with its line.
func tomlError(file string, err error) error {
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, _ := de.Position()
		return &Error{File: file, Line: row, Msg: de.Error()}
	}
	return &Error{File: file, Msg: err.Error()}
}

// pipfileLockPins are lockPins of a Pipfile.lock: its default packages' pins, and the Python of
// its _meta.requires.
func pipfileLockPins(file string, data []byte) (pins []string, python string, err error) {
	var lock struct {
		Meta struct {
			Requires struct {
				PythonVersion string `json:"python_version"`
			} `json:"requires"`
		} `json:"_meta"`
		Default map[string]struct {
			Version string `json:"version"`
		} `json:"default"`
	}
	if err := json.Unmarshal(data, &lock); err != nil {
		return nil, "", &Error{File: file, Msg: "not a Pipfile.lock Desklit can read: " + err.Error()}
	}
	for _, name := range slices.Sorted(maps.Keys(lock.Default)) {
		if v := lock.Default[name].Version; strings.HasPrefix(v, "==") {
			pins = append(pins, name+v)
		}
	}
	if v := strings.TrimSpace(lock.Meta.Requires.PythonVersion); v != "" {
		python = "==" + v + ".*"
	}
	return pins, python, nil
}
