package pyruntime

import (
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
)

// requirement is one pinned line of a locked requirements file.
type requirement struct {
	Name    string // normalized (PEP 503)
	Version string
	Marker  string
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
		req, _, _ := strings.Cut(line, " --")
		spec, marker, _ := strings.Cut(req, ";")
		m := pinRE.FindStringSubmatch(strings.TrimSpace(spec))
		if m == nil {
			continue
		}
		out = append(out, requirement{Name: normalizeName(m[1]), Version: m[2], Marker: strings.TrimSpace(marker)})
	}
	return out
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
	pyMinor := fmt.Sprintf("3.%d", t.minor)
	var have string
	version := false
	switch m[1] {
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
		have = map[string]string{"amd64": "x86_64", "arm64": "arm64"}[t.goarch]
		if t.goos == "linux" && t.goarch == "arm64" {
			have = "aarch64"
		}
		if t.goos == "windows" && t.goarch == "amd64" {
			have = "AMD64"
		}
	case "python_version":
		have, version = pyMinor, true
	case "python_full_version":
		have, version = t.full, true
	case "implementation_name":
		have = "cpython"
	case "platform_python_implementation":
		have = "CPython"
	default:
		return false, false
	}
	cmp := strings.Compare(have, m[3])
	if version {
		cmp = compareVersions(have, m[3])
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

func compareVersions(a, b string) int {
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

// wheelFits reports whether a wheel file name is r's and installable on t.
func (t target) wheelFits(file string, r requirement) bool {
	if !strings.HasSuffix(file, ".whl") {
		return false
	}
	parts := strings.Split(strings.TrimSuffix(file, ".whl"), "-")
	if len(parts) != 5 && len(parts) != 6 {
		return false
	}
	if normalizeName(parts[0]) != r.Name || parts[1] != r.Version {
		return false
	}
	py, abi, plat := parts[len(parts)-3], parts[len(parts)-2], parts[len(parts)-1]
	return t.pyTagFits(py, abi) && t.platformFits(plat)
}

func (t target) pyTagFits(pyTags, abi string) bool {
	for _, tag := range strings.Split(pyTags, ".") {
		switch {
		case tag == "py3" || tag == fmt.Sprintf("py3%d", t.minor):
			return true
		case tag == fmt.Sprintf("cp3%d", t.minor):
			return true
		case abi == "abi3" && strings.HasPrefix(tag, "cp3"):
			var m int
			if _, err := fmt.Sscanf(tag, "cp3%d", &m); err == nil && m <= t.minor {
				return true
			}
		}
	}
	return false
}

func (t target) platformFits(platTags string) bool {
	for _, p := range strings.Split(platTags, ".") {
		if p == "any" {
			return true
		}
		switch t.goos {
		case "linux":
			arch := map[string]string{"amd64": "_x86_64", "arm64": "_aarch64"}[t.goarch]
			if arch != "" && (strings.HasPrefix(p, "manylinux") || strings.HasPrefix(p, "linux_")) && strings.HasSuffix(p, arch) {
				return true
			}
		case "darwin":
			if strings.HasPrefix(p, "macosx_") && (strings.HasSuffix(p, "_universal2") ||
				(t.goarch == "arm64" && strings.HasSuffix(p, "_arm64")) ||
				(t.goarch == "amd64" && (strings.HasSuffix(p, "_x86_64") || strings.HasSuffix(p, "_intel")))) {
				return true
			}
		case "windows":
			if p == map[string]string{"amd64": "win_amd64", "arm64": "win_arm64", "386": "win32"}[t.goarch] {
				return true
			}
		}
	}
	return false
}

// pickWheelhouse returns the first directory holding a fitting wheel for every needed pin, or "".
func pickWheelhouse(dirs []string, reqs []requirement, t target) string {
	if len(reqs) == 0 {
		return ""
	}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		complete := true
		for _, r := range reqs {
			found := false
			for _, e := range entries {
				if t.wheelFits(e.Name(), r) {
					found = true
					break
				}
			}
			if !found {
				complete = false
				break
			}
		}
		if complete {
			return dir
		}
	}
	return ""
}
