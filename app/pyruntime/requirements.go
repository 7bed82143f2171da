package pyruntime

import (
	"fmt"
	"regexp"
	"runtime"
	"strings"
)

// requirement is one pinned line of a locked requirements file.
type requirement struct {
	Name    string // normalized (PEP 503)
	Version string
	Marker  string
	Hashes  []string // "sha256:<hex>", from --hash options
}

var pinRE = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;]+)`)

// parseRequirements reads the name==version pins; option lines, hashes and comments are skipped.
func parseRequirements(data []byte) []requirement {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\\\n", " ")
	var out []requirement
	for _, line := range strings.Split(text, "\n") {
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "-") {
			continue
		}
		req, opts, _ := strings.Cut(line, " --")
		spec, marker, _ := strings.Cut(req, ";")
		m := pinRE.FindStringSubmatch(strings.TrimSpace(spec))
		if m == nil {
			continue
		}
		out = append(out, requirement{Name: normalizeName(m[1]), Version: m[2], Marker: strings.TrimSpace(marker), Hashes: hashesIn("--" + opts)})
	}
	return out
}

// hashesIn is the sha256 values of a requirement's --hash options ("--hash=sha256:…" or
// "--hash sha256:…"), in order. A scan, not a regular expression: a lock carries about a
// thousand of them, and this runs at every start.
func hashesIn(opts string) []string {
	var out []string
	fields := strings.Fields(opts)
	for i := 0; i < len(fields); i++ {
		v, ok := strings.CutPrefix(fields[i], "--hash=")
		if !ok && fields[i] == "--hash" && i+1 < len(fields) {
			i++
			v, ok = fields[i], true
		}
		if ok && isSHA256(v) {
			out = append(out, v)
		}
	}
	return out
}

// isSHA256 reports whether v is "sha256:" and 64 hex digits.
func isSHA256(v string) bool {
	hexPart, ok := strings.CutPrefix(v, "sha256:")
	if !ok || len(hexPart) != 64 {
		return false
	}
	for _, c := range hexPart {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

var nameSepRE = regexp.MustCompile(`[-_.]+`)

func normalizeName(n string) string { return strings.ToLower(nameSepRE.ReplaceAllString(n, "-")) }

// target is the platform and Python that markers and wheel tags are matched against.
type target struct {
	goos, goarch string
	minor        int    // Python 3.<minor>
	full         string // "3.11.7"
}

func targetFor(py Python) target {
	_, minor, _ := versionParts(py.Version)
	return target{goos: runtime.GOOS, goarch: runtime.GOARCH, minor: minor, full: py.Version}
}

// applies evaluates the simple environment markers a lock file carries ("a == 'x' and b != 'y'",
// "or" of those). A marker it cannot read counts as applying, so the package stays needed.
func (t target) applies(marker string) bool {
	if marker == "" {
		return true
	}
	for _, alt := range strings.Split(marker, " or ") {
		all := true
		for _, cond := range strings.Split(alt, " and ") {
			ok, known := t.condition(strings.Trim(strings.TrimSpace(cond), "()"))
			if !known {
				return true
			}
			all = all && ok
		}
		if all {
			return true
		}
	}
	return false
}

var condRE = regexp.MustCompile(`^(\w+)\s*(==|!=|<=|>=|<|>)\s*['"]([^'"]*)['"]$`)

func (t target) condition(c string) (result, known bool) {
	m := condRE.FindStringSubmatch(c)
	if m == nil {
		return false, false
	}
	have, version, ok := t.markerValue(m[1])
	if !ok {
		return false, false
	}
	cmp := strings.Compare(have, m[3])
	if version {
		cmp = CompareVersions(have, m[3])
	} else if m[1] == "platform_machine" {
		cmp = strings.Compare(strings.ToLower(have), strings.ToLower(m[3]))
	}
	switch m[2] {
	case "==":
		return cmp == 0, true
	case "!=":
		return cmp != 0, true
	case "<":
		return cmp < 0, version
	case "<=":
		return cmp <= 0, version
	case ">":
		return cmp > 0, version
	default:
		return cmp >= 0, version
	}
}

// markerValue is an environment marker's value on t; version says it compares as a version;
// ok is false for a marker this reader does not know.
func (t target) markerValue(name string) (have string, version, ok bool) {
	switch name {
	case "sys_platform":
		have = map[string]string{"windows": "win32", "darwin": "darwin"}[t.goos]
		if have == "" {
			have = t.goos
		}
	case "platform_system":
		have = map[string]string{"windows": "Windows", "darwin": "Darwin", "linux": "Linux"}[t.goos]
	case "os_name":
		have = "posix"
		if t.goos == "windows" {
			have = "nt"
		}
	case "platform_machine":
		have = t.machine()
	case "python_version":
		return fmt.Sprintf("3.%d", t.minor), true, true
	case "python_full_version":
		return t.full, true, true
	case "implementation_name":
		have = "cpython"
	case "platform_python_implementation":
		have = "CPython"
	default:
		return "", false, false
	}
	return have, false, true
}

// machine is platform.machine() on t.
func (t target) machine() string {
	switch {
	case t.goos == "linux" && t.goarch == "arm64":
		return "aarch64"
	case t.goos == "windows" && t.goarch == "amd64":
		return "AMD64"
	}
	return map[string]string{"amd64": "x86_64", "arm64": "arm64"}[t.goarch]
}

func CompareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			fmt.Sscanf(pa[i], "%d", &x)
		}
		if i < len(pb) {
			fmt.Sscanf(pb[i], "%d", &y)
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// needed are the pins whose markers apply to t.
func needed(reqs []requirement, t target) []requirement {
	var out []requirement
	for _, r := range reqs {
		if t.applies(r.Marker) {
			out = append(out, r)
		}
	}
	return out
}
