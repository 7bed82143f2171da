package pyruntime

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
)

// Platform is where an environment will run when that is not this machine (a package for
// another system): its OS and architecture as Go names them, and its Python ("3.12").
type Platform struct {
	OS, Arch string
	Python   string
}

// String is "windows/amd64 CPython 3.12".
func (p Platform) String() string { return fmt.Sprintf("%s/%s CPython %s", p.OS, p.Arch, p.Python) }

// uvTriple is uv's --python-platform for p.
func (p Platform) uvTriple() (string, error) {
	t, ok := map[string]string{
		"linux/amd64": "x86_64-unknown-linux-gnu", "linux/arm64": "aarch64-unknown-linux-gnu",
		"windows/amd64": "x86_64-pc-windows-msvc", "windows/arm64": "aarch64-pc-windows-msvc",
		"darwin/amd64": "x86_64-apple-darwin", "darwin/arm64": "aarch64-apple-darwin",
	}[p.OS+"/"+p.Arch]
	if !ok {
		return "", fmt.Errorf("no packages for %s/%s", p.OS, p.Arch)
	}
	return t, nil
}

func (p Platform) target() target {
	_, minor, _ := versionParts(p.Python + ".0")
	return target{goos: p.OS, goarch: p.Arch, minor: minor, full: p.Python}
}

// target is what markers and wheel tags are checked against: Options.Platform, else this machine
// with o.Python.
// platform is the system and Python o resolves for: its Platform (a package's target), else this
// system with o's Python.
func (o Options) platform() Platform {
	if o.Platform != nil {
		return *o.Platform
	}
	return ThisPlatform(o.Python)
}

func (o Options) target() target {
	if o.Platform != nil {
		return o.Platform.target()
	}
	return targetFor(o.Python)
}

// Pin is one package of a lock as it installs on a platform: name, version and the hashes any of
// its files may have.
type Pin struct {
	Name, Version string
	Hashes        []string // "sha256:<hex>"
}

// Pins are the packages lock installs on p (its markers evaluated for p).
func Pins(lock []byte, p Platform) []Pin {
	var out []Pin
	for _, r := range needed(parseRequirements(lock), p.target()) {
		out = append(out, Pin{Name: r.Name, Version: r.Version, Hashes: r.Hashes})
	}
	return out
}

// WheelFits reports whether a wheel's file name is pin's and installs on p.
func (p Platform) WheelFits(file string, pin Pin) bool {
	return p.target().wheelFits(file, requirement{Name: pin.Name, Version: pin.Version})
}

// ThisPlatform is this machine with py.
func ThisPlatform(py Python) Platform {
	_, minor, _ := versionParts(py.Version)
	return Platform{OS: runtime.GOOS, Arch: runtime.GOARCH, Python: "3." + strconv.Itoa(minor)}
}

// wheelFits reports whether a wheel file name is r's and installable on t.
func (t target) wheelFits(file string, r requirement) bool {
	pin, ok := WheelPin(file)
	if !ok || pin.Name != r.Name || normalizeVersion(pin.Version) != normalizeVersion(r.Version) {
		return false
	}
	parts := strings.Split(strings.TrimSuffix(file, ".whl"), "-")
	py, abi, plat := parts[len(parts)-3], parts[len(parts)-2], parts[len(parts)-1]
	return t.pyTagFits(py, abi) && t.platformFits(plat)
}

// WheelPin is the distribution (PEP 503 name) and version a wheel's file name says
// ("setuptools-65.5.0-py3-none-any.whl"); false when it is not a wheel's name.
func WheelPin(file string) (Pin, bool) {
	if !strings.HasSuffix(file, ".whl") {
		return Pin{}, false
	}
	parts := strings.Split(strings.TrimSuffix(file, ".whl"), "-")
	if len(parts) != 5 && len(parts) != 6 {
		return Pin{}, false
	}
	return Pin{Name: normalizeName(parts[0]), Version: parts[1]}, true
}

func normalizeVersion(v string) string { return strings.ToLower(strings.ReplaceAll(v, "_", "-")) }

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
