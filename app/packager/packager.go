// Package packager makes a project into a branded, offline installer (`desklit package`): for each
// target, Desklit's binaries, the project's files (checked by SHA-256 at every start), its lock,
// every wheel of that lock for the target, uv, and a manifest (app id, name, version, settings),
// laid out and packed the way the platform installs programs (.deb/.rpm and a tarball on Linux,
// an NSIS installer and a zip on Windows, a zipped .app on macOS). Everything is built in a
// temporary folder and moved into the output folder only when every artefact is made.
package packager

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/desklit/desklit/app/packaged"
	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/version"
)

// Options say what to package and how.
type Options struct {
	Project string   // the project's folder or script
	Name    string   // default: the project's name
	Version string   // default: desklit.toml's version, else 1.0.0
	Icon    string   // PNG or SVG; default: desklit.toml's icon, else Desklit's
	Targets []string // linux, windows, macos; default: this system
	OutDir  string   // default: ./dist
	// Binaries is a folder with Desklit's binaries for a target other than this system (make
	// dist leaves them in .cache/dist-work/<os>); this system's always come from beside Self.
	Binaries string
	// IncludeSecrets names secret-looking project files to package anyway (slash paths).
	IncludeSecrets []string
	// Python is the CPython version ("3.12") each target's wheels are for; default: this
	// machine's Python for its own system, 3.12 for the others (or the newest the project admits).
	Python map[string]string

	Self        string            // this program (its folder holds this system's binaries)
	DefaultIcon []byte            // Desklit's icon (PNG), for a project without one
	AuthPackage string            // desklit_auth, installed into the app's environment at its start
	Runtime     pyruntime.Options // DataDir, CacheDir, UV, Python, FindLinks, Offline: for the locks
	Log         io.Writer         // uv's and pip's output
	Progress    func(string)      // a line per step
}

// Report says what was made.
type Report struct {
	AppID     string
	Name      string
	Version   string
	Artefacts []string // in OutDir
	LeftOut   []string // secret-looking files not packaged
	Wheels    map[string]int
}

// target is one platform to package for.
type target struct {
	name     string // linux, windows, macos
	platform pyruntime.Platform
}

// targets are the platforms named (default: this system's), each with the Python its wheels
// are for: the one given, else this machine's for its own system (found within the project's
// range), else 3.12 or, when the project's range leaves it out, the newest it admits.
func targets(names []string, python map[string]string, host pyruntime.Python, want pyruntime.Range) ([]target, error) {
	if len(names) == 0 {
		names = []string{map[string]string{"darwin": "macos"}[runtime.GOOS]}
		if names[0] == "" {
			names[0] = runtime.GOOS
		}
	}
	var out []target
	for _, n := range names {
		goos, ok := map[string]string{"linux": "linux", "windows": "windows", "macos": "darwin"}[n]
		if !ok {
			return nil, fmt.Errorf("unknown target %q (want linux, windows or macos)", n)
		}
		py := python[n]
		switch {
		case py != "":
			if m, ok := minorOf(py); !ok || !want.AdmitsMinor(m) {
				return nil, fmt.Errorf("Python %s for %s: the project asks for Python %s", py, n, want)
			}
		case goos == runtime.GOOS:
			py = pyruntime.ThisPlatform(host).Python
		default:
			if py = targetPython(want); py == "" {
				return nil, fmt.Errorf("the project asks for Python %s, which has no release Desklit packages for (3.%d to 3.%d)",
					want, pyruntime.MinMinor, newestMinor)
			}
		}
		out = append(out, target{name: n, platform: pyruntime.Platform{OS: goos, Arch: "amd64", Python: py}})
	}
	return out, nil
}

// projectTargets are the targets o names, each with a Python p runs on.
func projectTargets(o Options, p *project.Project) ([]target, error) {
	want, err := p.PythonRange()
	if err != nil {
		return nil, err
	}
	return targets(o.Targets, o.Python, o.Runtime.Python, want)
}

// newestMinor is the newest Python 3 a package is made for when the project asks for no older.
const newestMinor = 14

// targetPython is the Python for another system's package: 3.12, else the newest the project's
// range admits, "" when it admits none.
func targetPython(want pyruntime.Range) string {
	if want.AdmitsMinor(12) {
		return "3.12"
	}
	for m := newestMinor; m >= pyruntime.MinMinor; m-- {
		if want.AdmitsMinor(m) {
			return fmt.Sprintf("3.%d", m)
		}
	}
	return ""
}

// minorOf is 12 for "3.12".
func minorOf(version string) (int, bool) {
	major, minor, ok := strings.Cut(version, ".")
	m, err := strconv.Atoi(minor)
	return m, ok && major == "3" && err == nil
}

// build is one packaging run.
type build struct {
	o       Options
	p       *project.Project
	root    string // the folder the package carries: the app's run folder, or above it with its services
	man     packaged.Manifest
	icon    *icon
	files   []string
	work    string // temporary folder
	rep     Report
	logger  *slog.Logger
	targets []target
	// fromSource are the packages the locks take as source distributions (no wheel at all):
	// their wheels are built here.
	fromSource []string
}

// Build packages the project for every target.
func Build(ctx context.Context, o Options) (Report, error) {
	b, err := prepare(o)
	if err != nil {
		return Report{}, err
	}
	defer os.RemoveAll(b.work)
	var made []string
	for _, t := range b.targets {
		files, err := b.target(ctx, t)
		if err != nil {
			return b.rep, err
		}
		made = append(made, files...)
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return b.rep, err
	}
	for _, f := range made { // only now: a failed target leaves no artefact at all
		dst := filepath.Join(o.OutDir, filepath.Base(f))
		if err := moveFile(f, dst); err != nil {
			return b.rep, err
		}
		b.rep.Artefacts = append(b.rep.Artefacts, dst)
	}
	return b.rep, nil
}

// prepare reads the project and settles the name, id, version, icon, files and targets.
func prepare(o Options) (*build, error) {
	p, err := project.Load(o.Project)
	if err != nil {
		return nil, err
	}
	b := &build{o: o, p: p, logger: slog.New(slog.DiscardHandler)}
	if o.Log == nil {
		b.o.Log = io.Discard
	}
	if o.OutDir == "" {
		b.o.OutDir = "dist"
	}
	for _, p := range []*string{&b.o.OutDir, &b.o.Binaries, &b.o.Icon} {
		if *p != "" {
			*p, _ = filepath.Abs(*p)
		}
	}
	name := o.Name
	if name == "" {
		name = p.Name
	}
	appID, err := AppID(name)
	if err != nil {
		return nil, err
	}
	if b.root, err = packageRoot(p); err != nil {
		return nil, err
	}
	ver := firstNonEmpty(o.Version, p.Version, "1.0.0")
	// The package carries the folder the app runs in (its repository's root when its dependency
	// file is there; with its services' folders, the one that holds them all), so that the
	// installed app finds what it reads and imports as it did here.
	rel, err := filepath.Rel(b.root, p.Script)
	if err != nil || strings.HasPrefix(rel, "..") {
		return nil, fmt.Errorf("the script %s is not inside the project's folder %s", p.Script, b.root)
	}
	b.man = packaged.Manifest{AppID: appID, Name: name, Version: ver, Desklit: version.Version, Project: "app",
		Script: filepath.ToSlash(rel), Lock: "requirements.lock.txt", Wheelhouse: "wheelhouse", Files: map[string]string{},
		Ports: p.Ports, Auth: nonEmpty(p.Auth.Values())}
	if b.man.StLogin, err = stLoginShape(p); err != nil {
		return nil, err
	}
	if err := b.collectFiles(); err != nil {
		return nil, err
	}
	if b.icon, err = b.loadIcon(); err != nil {
		return nil, err
	}
	if b.targets, err = projectTargets(o, p); err != nil {
		return nil, err
	}
	b.rep = Report{AppID: appID, Name: name, Version: ver, LeftOut: b.rep.LeftOut, Wheels: map[string]int{}}
	if b.work, err = os.MkdirTemp("", "desklit-package-"); err != nil {
		return nil, err
	}
	return b, nil
}

// packageRoot is the folder the package carries: the app's run folder, or the folder that holds
// it and its services' folders (a Compose file's backend/ beside frontend/) and their Compose
// file. A project spread wider than a folder of its own (the home folder, the disk) is refused,
// naming the service that takes it there.
func packageRoot(p *project.Project) (string, error) {
	root := p.RunDir()
	widen := func(dir, what string) error {
		for !within(root, dir) {
			up := filepath.Dir(root)
			if up == root || isHomeDir(up) {
				return fmt.Errorf("cannot package %s: %s is in %s, and no folder short of %s holds it with the app's %s",
					p.Name, what, dir, up, p.RunDir())
			}
			root = up
		}
		return nil
	}
	for _, sv := range p.Services {
		if err := widen(cmp.Or(sv.Dir, p.Dir), "its service "+sv.Name+" ("+sv.Where("")+")"); err != nil {
			return "", err
		}
	}
	if p.Compose != "" {
		if err := widen(filepath.Dir(p.Compose), "its Compose file"); err != nil {
			return "", err
		}
	}
	return root, nil
}

// within reports whether dir is root or inside it.
func within(root, dir string) bool {
	rel, err := filepath.Rel(root, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func isHomeDir(dir string) bool {
	home, err := os.UserHomeDir()
	return err == nil && filepath.Clean(home) == filepath.Clean(dir)
}

// collectFiles lists the project's files that the package carries (secrets left out unless
// asked for) and puts each one's SHA-256 in the manifest.
func (b *build) collectFiles() error {
	var err error
	if b.files, b.rep.LeftOut, err = projectFiles(b.root, b.o.IncludeSecrets); err != nil {
		return err
	}
	for _, f := range b.files {
		data, err := os.ReadFile(filepath.Join(b.root, filepath.FromSlash(f)))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		b.man.Files[f] = hex.EncodeToString(sum[:])
	}
	return nil
}

func (b *build) loadIcon() (*icon, error) {
	file := b.o.Icon
	if file == "" {
		file = b.p.Icon
	}
	if file != "" {
		return loadIcon(file)
	}
	tmp, err := os.CreateTemp("", "desklit-icon-*.png")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b.o.DefaultIcon); err != nil {
		return nil, err
	}
	tmp.Close()
	return loadIcon(tmp.Name())
}

func (b *build) step(format string, a ...any) {
	if b.o.Progress != nil {
		b.o.Progress(fmt.Sprintf(format, a...))
	}
}

// target stages and packs the app for t; it returns the artefacts' paths in the work folder.
func (b *build) target(ctx context.Context, t target) ([]string, error) {
	stage := filepath.Join(b.work, t.name, "stage")
	b.step("%s: resolving the dependencies for %s", t.name, t.platform)
	lock, err := b.lockFor(ctx, t)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return nil, err
	}
	b.step("%s: collecting the wheels", t.name)
	src := wheelSource{dirs: b.o.Runtime.FindLinks, cache: filepath.Join(b.o.Runtime.CacheDir, "package-wheels"),
		python: b.o.Runtime.Python.Path, offline: b.o.Runtime.Offline, log: b.o.Log, fromSource: b.fromSource,
		host: pyruntime.ThisPlatform(b.o.Runtime.Python)}
	if b.p.Wheels != "" {
		src.dirs = append([]string{b.p.Wheels}, src.dirs...)
	}
	lock, local, err := src.localPackages(ctx, lock, t.platform)
	if err != nil {
		return nil, err
	}
	if local != "" {
		src.dirs = append([]string{local}, src.dirs...)
	}
	if seed := pyruntime.SeedWheelDir(ctx, b.o.Runtime); seed != "" { // the lock may pin it
		src.dirs = append(src.dirs, seed)
	}
	n, lock, err := src.fetch(ctx, lock, t.platform, filepath.Join(stage, b.man.Wheelhouse))
	if err != nil {
		return nil, err
	}
	// The lock goes in after the wheels: a wheel built from source adds its hash to it.
	if err := os.WriteFile(filepath.Join(stage, b.man.Lock), lock, 0o644); err != nil {
		return nil, err
	}
	serviceLocks, err := b.serviceLocks(ctx, t, src, stage)
	if err != nil {
		return nil, err
	}
	b.rep.Wheels[t.name] = n
	if err := writeSums(filepath.Join(stage, b.man.Wheelhouse)); err != nil {
		return nil, err
	}
	for _, f := range b.files {
		if err := copyFile(filepath.Join(b.root, filepath.FromSlash(f)), filepath.Join(stage, "app", filepath.FromSlash(f))); err != nil {
			return nil, err
		}
	}
	man := b.man
	man.Python, man.ServiceLocks = t.platform.Python, serviceLocks
	if err := man.Write(stage); err != nil {
		return nil, err
	}
	b.step("%s: Desklit's binaries", t.name)
	if err := b.binaries(t, stage); err != nil {
		return nil, err
	}
	switch t.name {
	case "linux":
		return b.linux(stage, filepath.Join(b.work, t.name), man.Python)
	case "windows":
		return b.windows(ctx, stage, filepath.Join(b.work, t.name))
	default:
		return b.macos(stage, filepath.Join(b.work, t.name))
	}
}

// serviceLocks resolves, for t, the lock of every service with an environment of its own, puts
// its wheels in the stage's wheelhouse beside the app's and the lock in services/; it returns
// the manifest's ServiceLocks.
func (b *build) serviceLocks(ctx context.Context, t target, src wheelSource, stage string) (map[string]string, error) {
	out := map[string]string{}
	for _, sv := range b.p.Services {
		if sv.Deps == nil {
			continue
		}
		b.step("%s: the dependencies of the service %s", t.name, sv.Name)
		lock, err := b.resolve(ctx, t, *sv.Deps, true)
		if err != nil {
			return nil, fmt.Errorf("the service %s: %w", sv.Name, err)
		}
		if _, lock, err = src.fetch(ctx, lock, t.platform, filepath.Join(stage, b.man.Wheelhouse)); err != nil {
			return nil, fmt.Errorf("the service %s: %w", sv.Name, err)
		}
		rel := "services/" + sv.Name + ".lock.txt"
		if err := os.MkdirAll(filepath.Join(stage, "services"), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(stage, filepath.FromSlash(rel)), lock, 0o644); err != nil {
			return nil, err
		}
		out[sv.Name] = rel
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// lockFor resolves the project's lock for t (from its inputs, as Desklit does, for the target's
// platform and Python); a project without dependencies takes Desklit's own lock.
func (b *build) lockFor(ctx context.Context, t target) ([]byte, error) {
	return b.resolve(ctx, t, b.p.Deps, false)
}

// resolve resolves deps for t: the app's (with Desklit's Streamlit when they name none), or a
// service's own (plain).
func (b *build) resolve(ctx context.Context, t target, deps project.Deps, plain bool) ([]byte, error) {
	o := b.o.Runtime
	base := o.Source.File // Desklit's own lock
	plat := t.platform
	o.Platform = &plat
	o.Name = b.man.Name
	o.Log = b.o.Log
	if b.p.Wheels != "" {
		o.FindLinks = append([]string{b.p.Wheels}, o.FindLinks...)
	}
	o.Source, o.Plain = deps.Source(base), plain
	if !plain {
		// The app's own: with the Streamlit its code needs (names of st.* since removed).
		src, err := b.p.Source(base)
		if err != nil {
			return nil, err
		}
		o.Source = src
	}
	o.FromSource = slices.Clone(b.fromSource)
	lock, err := pyruntime.Resolve(ctx, o)
	// A package with no wheel for the target (a source distribution only) is taken from its
	// source, one by one as the resolver names them; fetch builds their wheels.
	for range 16 {
		var re *pyruntime.ResolveError
		if !errors.As(err, &re) || re.SourceOnly == "" || slices.Contains(o.FromSource, re.SourceOnly) {
			break
		}
		o.FromSource = append(o.FromSource, re.SourceOnly)
		b.fromSource = o.FromSource
		lock, err = pyruntime.Resolve(ctx, o)
	}
	if err != nil {
		var nf *pyruntime.NotFoundError
		var re *pyruntime.ResolveError
		switch {
		case errors.As(err, &nf):
			return nil, &NoWheelError{Package: nf.Package, Platform: plat, Detail: nf.Explanation}
		case errors.As(err, &re):
			if re.NoWheel != "" {
				return nil, &NoWheelError{Package: re.NoWheel, Platform: plat, Detail: re.Explanation}
			}
		}
		return nil, err
	}
	return os.ReadFile(lock.File)
}

// binaries copies Desklit's binaries for t and uv into the stage.
func (b *build) binaries(t target, stage string) error {
	dir := b.o.Binaries // another system's
	if t.platform.OS == runtime.GOOS {
		dir = filepath.Dir(b.o.Self) // this system's: beside this program
	}
	var want []string
	switch t.platform.OS {
	case "linux":
		want = []string{"desklit", "desklit-window", "uv"}
	case "windows":
		want = []string{"desklit.exe", "uv.exe"}
	default:
		want = []string{"desklit", "uv"}
	}
	if dir == "" {
		return fmt.Errorf("packaging for %s needs Desklit's %s binaries (%s): give their folder with --binaries (a source tree's `make dist` leaves them in .cache/dist-work/%s)",
			t.name, t.name, strings.Join(want, ", "), t.platform.OS)
	}
	for _, name := range want {
		src := filepath.Join(dir, name)
		if name == "uv" && t.platform.OS == runtime.GOOS {
			if uv, err := pyruntime.FindUV(filepath.Join(dir, "desklit"), func(string) string { return "" }); err == nil {
				src = uv
			}
		}
		if _, err := os.Stat(src); err != nil {
			return fmt.Errorf("packaging for %s: %s is missing in %s (give the folder of Desklit's %s binaries with --binaries)", t.name, name, dir, t.name)
		}
		if err := copyFile(src, filepath.Join(stage, name)); err != nil {
			return err
		}
	}
	return os.Chmod(filepath.Join(stage, want[0]), 0o755)
}

// writeSums writes dir/SHA256SUMS for its wheels.
func writeSums(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var lines []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".whl") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		lines = append(lines, hex.EncodeToString(sum[:])+"  "+e.Name())
	}
	slices.Sort(lines)
	return os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// moveFile renames src to dst, copying across file systems.
func moveFile(src, dst string) error {
	if err := os.Rename(src, dst); err == nil {
		return nil
	}
	if err := copyFile(src, dst+".tmp"); err != nil {
		return err
	}
	return os.Rename(dst+".tmp", dst)
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
