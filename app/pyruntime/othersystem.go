package pyruntime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// A requirements file frozen on one system names packages made for that system only: pywin32 in
// every `pip freeze` of a Windows computer with Jupyter, whose wheels are for Windows and which
// has no source. Opened elsewhere, uv finds no wheel for it and pip fails the same way, while the
// app seldom imports it. Desklit leaves such a package out here, as the author would have written
// it (`pywin32==306 ; sys_platform == "win32"`, an override for uv), and says so; an app that does
// import it fails with Python's own ImportError.

// otherSystemRE is uv's hint of the platforms a package has wheels for ("hint: Wheels are
// available for `pywin32` (v306) on the following platforms: `win32`, `win_amd64`,
// `win_arm64`").
var otherSystemRE = regexp.MustCompile("Wheels are available for `([A-Za-z0-9._-]+)` \\(v([^)]+)\\) on the following platforms?: ((?:`[^`]+`(?:, )?)+)")

// sysPlatform is the sys_platform of each system, and systemName its name, by GOOS.
var (
	sysPlatform = map[string]string{"windows": "win32", "darwin": "darwin", "linux": "linux"}
	systemName  = map[string]string{"windows": "Windows", "darwin": "macOS", "linux": "Linux"}
)

// systemOf is the GOOS a wheel's platform tag is for ("win_amd64": windows), "" when unknown.
func systemOf(tag string) string {
	switch {
	case strings.HasPrefix(tag, "win"):
		return "windows"
	case strings.HasPrefix(tag, "macosx"):
		return "darwin"
	case strings.HasPrefix(tag, "manylinux"), strings.HasPrefix(tag, "musllinux"), strings.HasPrefix(tag, "linux"):
		return "linux"
	}
	return ""
}

// otherSystemOnly reads a failed resolution: the requirement (name==version) whose wheels are
// all for other systems than goos, those systems' marker and names; ok is false otherwise.
func otherSystemOnly(err error, goos string) (req, marker, names string, ok bool) {
	m := otherSystemRE.FindStringSubmatch(resolverText(err))
	if m == nil {
		return "", "", "", false
	}
	var systems []string
	for _, tag := range strings.Split(m[3], ", ") {
		s := systemOf(strings.Trim(tag, "`"))
		if s == "" || s == goos {
			return "", "", "", false // a wheel for this system (another architecture, an older glibc)
		}
		if !slices.Contains(systems, s) {
			systems = append(systems, s)
		}
	}
	marker, names = systemsMarker(systems)
	return normalizePin(m[1] + "==" + m[2]), marker, names, true
}

// resolverText is uv's account of a failed resolution, as err carries it ("" for another error).
func resolverText(err error) string {
	var ue *uvError
	var re *ResolveError
	var nf *NotFoundError
	switch {
	case errors.As(err, &re):
		return re.Explanation
	case errors.As(err, &nf):
		return nf.Explanation
	case errors.As(err, &ue):
		return ue.Error()
	}
	return ""
}

// systemsMarker is the environment marker of systems (GOOS values) and their names.
func systemsMarker(systems []string) (marker, names string) {
	var clauses, named []string
	for _, s := range systems {
		clauses = append(clauses, fmt.Sprintf("sys_platform == %q", sysPlatform[s]))
		named = append(named, systemName[s])
	}
	return strings.Join(clauses, " or "), strings.Join(named, " and ")
}

// normalizePin is "name==version" with the name PEP 503-normalised ("PyWinPTY==2.0.13":
// "pywinpty==2.0.13").
func normalizePin(pin string) string {
	name, version, _ := strings.Cut(pin, "==")
	return normalizeName(name) + "==" + version
}

// leavingOut runs compile (uv pip compile, with the extra arguments it is given) and, while it
// fails on a package made for other systems only, runs it again with that package left out here
// (a uv override carrying the marker of the systems it is for). It returns the packages left
// out, as lock comment lines.
func (o Options) leavingOut(ctx context.Context, tmp string, compile func(extra []string) error) ([]string, error) {
	goos := o.platform().OS
	overrides := filepath.Join(tmp, "other-systems.txt")
	var lines, notes []string
	for {
		var extra []string
		if len(lines) > 0 {
			extra = []string{"--overrides", overrides}
		}
		err := compile(extra)
		req, marker, names, ok := otherSystemOnly(err, goos)
		if !ok && err != nil && ctx.Err() == nil {
			req, marker, names, ok = o.missingVersionOfOtherSystems(ctx, err, goos)
		}
		if !ok || len(lines) >= 16 || slices.Contains(lines, req+" ; "+marker) {
			return notes, err
		}
		lines = append(lines, req+" ; "+marker)
		if err := os.WriteFile(overrides, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			return nil, err
		}
		note := fmt.Sprintf("%s is left out on %s: it is made for %s only", req, systemName[goos], names)
		notes = append(notes, "# "+note)
		o.logger().Warn("a package made for other systems only is left out", "project", o.name(), "package", req, "for", names)
		o.report(Progress{Step: StepResolve, Message: note})
	}
}

// missingVersionOfOtherSystems answers uv's "there is no version of pywin32==305.1" (the version
// conda reports, in Anaconda's Windows freezes, which PyPI never had): a package none of whose
// releases has a wheel for this system and some of whose have for others is left out here, as
// otherSystemOnly's are, whatever the version pinned.
func (o Options) missingVersionOfOtherSystems(ctx context.Context, err error, goos string) (req, marker, names string, ok bool) {
	m := noVersionRE.FindStringSubmatch(resolverText(err))
	if m == nil {
		return "", "", "", false
	}
	name := normalizeName(m[1])
	if o.fromWheels(ctx, name, o.platform()) == nil {
		return "", "", "", false // this system has releases: the version is only missing
	}
	systems := o.systemsWithWheels(ctx, name, goos)
	if len(systems) == 0 {
		return "", "", "", false
	}
	marker, names = systemsMarker(systems)
	return name + "==" + m[2], marker, names, true
}

// noVersionRE is uv's "there is no version of NAME==VERSION".
var noVersionRE = regexp.MustCompile(`there is no version of ([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)[,.]?(?:\s|$)`)

// leaveOutOfLock answers a package that did not build from its source here (pywinpty, whose
// wheels are for Windows and whose source builds there only; uvloop's on Windows), or that a
// hash-pinned requirements file made on Windows pins with no wheel for this system (pywin32 in
// `pip-compile --generate-hashes`'s output): when its wheels are all for other systems, it is
// taken out of Desklit's lock (with a comment saying so, which the next start reads with the
// lock) and the lock is returned for another build. A project's own lock is never changed: a
// hash-pinned requirements file is copied into Desklit's locks first (ownCopy), and ok is false
// for a lock of another tool's and for any other failure.
func (o Options) leaveOutOfLock(ctx context.Context, lock Lock, err error) (Lock, bool) {
	req := ""
	var sb *SourceBuildError
	if errors.As(err, &sb) && !sb.Unreadable {
		req = normalizePin(sb.Package)
	} else if pin := readUV(err).noWheel; strings.Contains(pin, "==") {
		req = normalizePin(pin)
	}
	file := lock.File
	if filepath.Dir(file) != o.lockDir() && file == o.Source.File && o.Source.Kind == SourceRequirements {
		file = o.ownCopy(o.Source.File)
	}
	if req == "" || filepath.Dir(file) != o.lockDir() || ctx.Err() != nil {
		return lock, false
	}
	goos := o.platform().OS
	systems := o.systemsWithWheels(ctx, req, goos)
	if len(systems) == 0 {
		return lock, false
	}
	if file != lock.File {
		if err := copyFile(lock.File, file); err != nil {
			o.logger().Warn("the lock could not be copied", "lock", lock.File, "err", err)
			return lock, false
		}
	}
	_, names := systemsMarker(systems)
	note := fmt.Sprintf("%s is left out on %s: it is made for %s only", req, systemName[goos], names)
	if err := dropFromLock(file, req, "# "+note); err != nil {
		o.logger().Warn("the lock could not be changed", "lock", file, "err", err)
		return lock, false
	}
	o.logger().Warn("a package made for other systems only is left out", "project", o.name(), "package", req, "for", names)
	o.report(Progress{Step: StepResolve, Message: note})
	edited, err := o.checkedLock(file, o.Source.File)
	return edited, err == nil
}

// ownCopy is where Desklit keeps its copy of a project's hash-pinned requirements file with what
// this system cannot install left out: in its locks, named by the file's bytes (a change of the
// file is another copy).
func (o Options) ownCopy(file string) string {
	data, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return filepath.Join(o.lockDir(), "hashed-"+hex.EncodeToString(sum[:10])+".txt")
}

// copyFile writes src's bytes to dst (made with its folder).
func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}

// systemsWithWheels are the other systems (than goos) for which pin (name==version) has wheels
// for this Python and architecture, as uv resolves it for each from wheels alone.
func (o Options) systemsWithWheels(ctx context.Context, pin, goos string) []string {
	here := o.platform()
	var systems []string
	for _, other := range []string{"windows", "darwin", "linux"} {
		if other != goos && o.fromWheels(ctx, pin, Platform{OS: other, Arch: here.Arch, Python: here.Python}) == nil {
			systems = append(systems, other)
		}
	}
	return systems
}

// fromWheels is uv's resolution of pin (name==version) alone for p from wheels alone, from the
// places this resolution asks (the wheel folders; unless offline, the index and the project's
// own sources): nil when it resolves, uv's failure otherwise.
func (o Options) fromWheels(ctx context.Context, pin string, p Platform) error {
	triple, err := p.uvTriple()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.lockDir(), 0o755); err != nil { // a hash-pinned project's start made none
		return err
	}
	tmp, err := os.MkdirTemp(o.lockDir(), ".tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	in := filepath.Join(tmp, "pin.in")
	if err := os.WriteFile(in, []byte(pin+"\n"), 0o644); err != nil {
		return err
	}
	online := !o.Offline
	args := slices.Concat([]string{"pip", "compile", "--python-version", p.Python, "--python-platform", triple, "--only-binary", ":all:",
		"--no-header", "--quiet", "-o", filepath.Join(tmp, "out.txt")}, o.sourceArgs(online), []string{in})
	if online {
		args = slices.Concat(args[:len(args)-1], o.projectSources(), []string{in})
	}
	return o.runUV(ctx, online, args, nil, nil)
}

// dropFromLock takes req's entry (its line, hashes and "# via" lines) out of a uv lock and puts
// note at its top, through a temporary file.
func dropFromLock(file, req, note string) error {
	text, err := readText(file)
	if err != nil {
		return err
	}
	out := []string{note}
	dropping, dropped := false, false
	for _, line := range strings.Split(text, "\n") {
		if line != "" && line[0] != ' ' && line[0] != '\t' && line[0] != '#' {
			dropping = normalizePin(strings.Fields(line)[0]) == req
			dropped = dropped || dropping
		}
		if !dropping {
			out = append(out, line)
		}
	}
	if !dropped {
		return fmt.Errorf("%s is not in it", req)
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(out, "\n")), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}
