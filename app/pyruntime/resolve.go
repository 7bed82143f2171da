package pyruntime

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// Kinds of Source.
const (
	SourceLocked       = "locked"           // a hash-locked requirements file, installed as it is
	SourceRequirements = "requirements.txt" // ranges or pins, resolved by uv pip compile
	SourcePyproject    = "pyproject.toml"   // a list of requirements (pyproject.toml's, Poetry's, a Pipfile's), resolved by uv pip compile
	SourceUVLock       = "uv.lock"          // exported by uv export --frozen
)

// MinStreamlit is the oldest Streamlit that desklit_auth works with (st.query_params,
// st.rerun and st.link_button).
const MinStreamlit = "1.30.0"

// Source is what an environment is made from.
type Source struct {
	Kind string // one of the Source* constants
	// File is the dependency file (the lock itself for SourceLocked, uv.lock for SourceUVLock).
	File string
	// Requirements are pyproject.toml's dependencies, or Poetry's or a Pipfile's as PEP 508
	// requirements (SourcePyproject).
	Requirements []string
	// Constraints pin what the resolution may choose: the versions of the project's own lock of
	// another tool (LockFile: poetry.lock, Pipfile.lock), as name==version.
	Constraints []string
	LockFile    string
	// LockPython is the Pythons LockFile was made for ("==3.8.*", poetry.lock's python-versions):
	// its pins are no constraint for a Python outside them (numpy 1.22.2 of a lock for 3.8 has no
	// wheel for 3.11, and built from source it broke pandas), as its tool would refuse the lock.
	LockPython string
	// Base is Desklit's own lock (runtime/streamlit/requirements.txt): when a project names no
	// Streamlit its pin is added, and its versions are preferred, so that a project on the same
	// stack installs from the bundled wheels.
	Base string
	// StreamlitBefore is the Streamlit release that removed names of st.* the app uses
	// (StreamlitUses: "st.experimental_rerun"); "" when it uses none. Unless the project pins its
	// Streamlit, it gets the one before, resolved as of that release (asOf).
	StreamlitBefore string
	StreamlitUses   []string
	// StLogin: the app calls st.login, whose Streamlit side needs the auth extra's packages
	// (Authlib, httpx); they are added when the project names neither them nor streamlit[auth].
	StLogin bool
	// Package is the member of a uv workspace the app is (SourceUVLock, whose File is the
	// workspace's uv.lock): its dependencies are exported, the other members it names included.
	Package string
	// Root is the folder the project was opened at, when File is a requirements file: relative
	// local paths ("-e ./") of a file below it are read from there when they name what is there
	// (pathsDir).
	Root string
}

func (s Source) dir() string { return filepath.Dir(s.File) }

// Lock is a resolved, pinned set of packages.
type Lock struct {
	File      string // the lock file (in DataDir/locks, or the source itself when it is locked)
	Hash      string // sha256 of its bytes
	Streamlit string // the Streamlit version it installs
	Packages  int    // packages it installs on this Python
	Hashed    bool   // every requirement carries a hash (installed with --require-hashes)
	// Warning is what the user should know of the lock (an older Streamlit than desklit_auth
	// supports); "" when nothing.
	Warning string
}

// Resolve returns the lock for o.Source, resolving it with uv only when its inputs changed since
// the last time (the lock is kept in DataDir/locks).
func Resolve(ctx context.Context, o Options) (Lock, error) {
	o.Progress = onceEach(o.Progress)
	src := o.Source
	if src.Kind == SourceLocked || (src.Kind == SourceRequirements && hashLocked(src.File)) {
		// What an earlier start left out for this system (leaveOutOfLock); a package for another
		// system takes the project's file itself.
		if own := o.ownCopy(src.File); o.Platform == nil && isFile(own) {
			now := time.Now()
			_ = os.Chtimes(own, now, now)
			return o.checkedLock(own, src.File)
		}
		return o.checkedLock(src.File, src.File)
	}
	o = o.withoutLockOfAnotherPython()
	key, err := o.lockKey()
	if err != nil {
		return Lock{}, err
	}
	out := filepath.Join(o.lockDir(), key+".txt")
	if isFile(out) {
		now := time.Now()
		_ = os.Chtimes(out, now, now) // Prune keeps the locks in use
		return o.checkedLock(out, src.File)
	}
	started := time.Now()
	o.report(Progress{Step: StepResolve, Message: "resolving the dependencies of " + o.name()})
	if err := os.MkdirAll(o.lockDir(), 0o755); err != nil {
		return Lock{}, err
	}
	tmp, err := os.MkdirTemp(o.lockDir(), ".tmp-")
	if err != nil {
		return Lock{}, err
	}
	defer os.RemoveAll(tmp)
	resolved := filepath.Join(tmp, "lock.txt")
	if err := o.resolveInto(ctx, tmp, resolved); err != nil {
		if !o.staleLock(ctx, err) {
			return Lock{}, err
		}
		// The project's own lock is older than its requirements (edited without `poetry lock`):
		// they are resolved without its pins, as its tool would after locking again.
		unpinned := o
		unpinned.Source.Constraints = nil
		if err := unpinned.resolveInto(ctx, tmp, resolved); err != nil {
			return Lock{}, err
		}
		o.logger().Warn("the project's lock pins versions its requirements no longer allow: resolved without its pins (lock again: poetry lock, pipenv lock)",
			"project", o.name(), "file", o.Source.File)
	}
	if err := absoluteLocalPaths(resolved, o.pathsDir()); err != nil {
		return Lock{}, err
	}
	return o.keepLock(resolved, out, started)
}

// keepLock checks the resolution's lock and keeps it at out.
func (o Options) keepLock(resolved, out string, started time.Time) (Lock, error) {
	lock, err := o.checkedLock(resolved, o.Source.File)
	if err != nil {
		return Lock{}, err
	}
	if err := os.Rename(resolved, out); err != nil {
		return Lock{}, fmt.Errorf("keep the lock: %w", err)
	}
	lock.File = out
	o.logger().Info("resolved dependencies", "project", o.name(), "lock", out, "packages", lock.Packages, "took", time.Since(started).Round(time.Millisecond).String())
	return lock, nil
}

// onceEach passes on each message of the resolution once: the dated resolution and the one of
// today each find the same package for other systems ("pywin32==306 is left out on Linux…"),
// which the window's progress would show two or three times.
func onceEach(progress func(Progress)) func(Progress) {
	if progress == nil {
		return nil
	}
	var mu sync.Mutex
	said := map[string]bool{}
	return func(p Progress) {
		if p.Step == StepResolve && p.Percent == 0 {
			mu.Lock()
			again := said[p.Message]
			said[p.Message] = true
			mu.Unlock()
			if again {
				return
			}
		}
		progress(p)
	}
}

// staleLock reports whether a resolution failed only for the pins of the project's own lock: a
// resolver conflict where there were pins to conflict with (not a package without the wheel a
// target needs: dropping the pins would only trade the locked versions for others).
func (o Options) staleLock(ctx context.Context, err error) bool {
	var re *ResolveError
	return len(o.Source.Constraints) > 0 && ctx.Err() == nil && errors.As(err, &re) && re.NoWheel == "" && re.SourceOnly == ""
}

// lockRules is the generation of the rules by which Desklit turns a project's dependencies into
// a lock (extraRequirements): a new one resolves every project again at its next start, so that a
// fixed rule reaches the projects resolved before it. 2: the Streamlit of the project's own lock
// (poetry.lock, Pipfile.lock) is kept. 3: a project pinning an older Streamlit is resolved as of
// its time (asOf). 4: the interpreter's setuptools is preferred (seedPreference); local paths
// ("-e .") are absolute in the lock (absoluteLocalPaths). 5: a dated resolution takes a package
// with no wheel for this Python as of later (laterWheels); st.login's httpx beside Authlib alone;
// more of conda's build folders; a Streamlit that the project's other pins hold back dates the
// resolution (resolveAsOfItsStreamlit).
const lockRules = 5

// lockKey hashes everything that decides the lock: the source's bytes, Desklit's own lock (the
// Streamlit pin and the preferences), the Python version and platform, uv's version, and the
// generation of Desklit's own rules for what it adds (lockRules).
func (o Options) lockKey() (string, error) {
	h := sha256.New()
	where := fmt.Sprintf("%s\x00%s/%s", o.Python.Version, runtime.GOOS, runtime.GOARCH)
	if o.Platform != nil {
		where = "target " + o.Platform.String()
	}
	fmt.Fprintf(h, "desklit-lock/%d\x00%s\x00%s\x00uv %s\x00", lockRules, o.Source.Kind, where, UVVersion)
	if o.Plain {
		h.Write([]byte("plain\x00"))
	}
	files := []string{o.Source.File, o.Source.Base}
	switch o.Source.Kind {
	case SourcePyproject:
		// Its Requirements (below) are what the resolution reads, not the file they were read
		// from; that may be the app's script (a project with no dependency file that needs an
		// older Streamlit), which changes at every edit.
		files = files[1:]
	case SourceUVLock:
		files = append(files, filepath.Join(o.Source.dir(), "pyproject.toml"))
		if o.Source.Package != "" {
			fmt.Fprintf(h, "package %s\x00", o.Source.Package)
		}
	case SourceRequirements:
		// The files it includes (-r, -c) decide the lock too.
		req, err := readRequirements(o.Source.File)
		if err != nil {
			return "", err
		}
		files = append(files, req.Files[1:]...)
		if len(req.localPaths()) > 0 {
			// The lock names them by absolute path (absoluteLocalPaths): it is this folder's.
			fmt.Fprintf(h, "in %s\x00", o.pathsDir())
		}
	}
	for _, f := range files {
		if f == "" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("read %s: %w", f, err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.Base(f), len(data))
		h.Write(data)
	}
	o.hashAdditions(h)
	return hex.EncodeToString(h.Sum(nil))[:20], nil
}

// hashAdditions writes into the lock's key what Desklit adds to the source's files: the
// requirements read from elsewhere, the lock's pins, the Streamlit cap, st.login's packages and
// the packages built from source.
func (o Options) hashAdditions(h io.Writer) {
	for _, r := range o.Source.Requirements {
		fmt.Fprintf(h, "%s\x00", r)
	}
	for _, c := range o.Source.Constraints {
		fmt.Fprintf(h, "c %s\x00", c)
	}
	if o.Source.StreamlitBefore != "" {
		fmt.Fprintf(h, "streamlit<%s\x00", o.Source.StreamlitBefore)
	}
	if o.Source.StLogin {
		fmt.Fprint(h, "st.login\x00")
	}
	for _, name := range o.FromSource {
		fmt.Fprintf(h, "s %s\x00", name)
	}
}

// withoutLockOfAnotherPython is o without its source's Constraints when the lock they come from
// was made for other Pythons than the one the environment is for (a Replit template's
// poetry.lock for 3.8 on 3.11): resolved from the project's ranges, as `poetry lock` would again.
func (o Options) withoutLockOfAnotherPython() Options {
	if o.Source.LockPython == "" || len(o.Source.Constraints) == 0 {
		return o
	}
	r, err := ParseRange(o.Source.LockPython)
	python := o.platform().Python
	if err != nil || python == "" || r.Admits(python+".0") || o.Platform == nil && r.Admits(o.Python.Version) {
		return o
	}
	lock := filepath.Base(o.Source.LockFile)
	o.logger().Warn("the project's lock was made for other Pythons: resolved without its pins", "project", o.name(),
		"lock", lock, "made_for", o.Source.LockPython, "python", python)
	o.report(Progress{Step: StepResolve, Message: fmt.Sprintf("%s was made for Python %s: resolving the dependencies of %s for Python %s without its pins (lock it again with this Python to keep them)",
		lock, o.Source.LockPython, o.name(), python)})
	o.Source.Constraints = nil
	return o
}

// resolveInto writes the lock for the source to out: uv export for a uv.lock, uv pip compile for
// requirements, with Desklit's Streamlit added when the project names none.
func (o Options) resolveInto(ctx context.Context, tmp, out string) error {
	src := o.Source
	inputs, err := o.resolutionInputs(ctx, tmp)
	if err != nil || inputs == nil { // a uv.lock's export that is the lock already
		if err == nil {
			err = os.Rename(filepath.Join(tmp, "exported.txt"), out)
		}
		return err
	}
	project, err := readInputs(inputs)
	if err != nil {
		return err
	}
	condaArgs, condaNotes, err := o.condaOverrides(tmp, &project)
	if err != nil {
		return err
	}
	extra, err := o.extraRequirements(project)
	if err != nil {
		return err
	}
	if len(extra) > 0 {
		in := filepath.Join(tmp, "desklit.in")
		if err := os.WriteFile(in, []byte(strings.Join(extra, "\n")+"\n"), 0o644); err != nil {
			return err
		}
		inputs = append(inputs, in)
	}
	pyArgs, err := o.pythonArgs()
	if err != nil {
		return err
	}
	if len(src.Constraints) > 0 {
		c := filepath.Join(tmp, "constraints.txt")
		if err := os.WriteFile(c, []byte(strings.Join(src.Constraints, "\n")+"\n"), 0o644); err != nil {
			return err
		}
		pyArgs = append(pyArgs, "--constraints", c)
	}
	why := o.datedBecause(project)
	compile := slices.Concat([]string{"pip", "compile"}, pyArgs, condaArgs, []string{"--generate-hashes", "--no-header", "--quiet",
		"--directory", o.pathsDir(), "-o", out})
	// uv prefers the versions already in the output file: the interpreter's setuptools (seed.go),
	// and below Desklit's own stack.
	seedPin, seedDir := o.seedPreference(ctx)
	if err := os.WriteFile(out, []byte(seedPin), 0o644); err != nil {
		return err
	}
	day, exact := o.asOf(project)
	if done, err := o.resolveAsOf(ctx, tmp, out, compile, inputs, day, exact, why); done {
		if err != nil {
			return err
		}
		return prependLines(out, condaNotes)
	}
	if src.Base != "" {
		// Desklit's own stack, whose wheels are bundled.
		if data, err := os.ReadFile(src.Base); err == nil {
			_ = os.WriteFile(out, append([]byte(seedPin), data...), 0o644)
		}
	}
	if seedDir != "" {
		compile = append(compile, "--find-links", seedDir)
	}
	notes, err := o.leavingOut(ctx, tmp, func(extra []string) error {
		return o.withIndexFallback(ctx, func(online bool) error {
			return o.runUV(ctx, online, slices.Concat(compile, o.sourceArgs(online), extra, inputs), nil, nil)
		}, o.resolveError)
	})
	if err != nil {
		return err
	}
	if day.IsZero() && o.resolveAsOfItsStreamlit(ctx, tmp, out, compile, inputs, project) {
		return prependLines(out, condaNotes) // the dated resolution's notes are in out
	}
	return prependLines(out, append(condaNotes, notes...))
}

// datedBecause is why a dated resolution of project is dated, for its progress message: the
// Streamlit it asks for, or the removed names of st.* it uses (said now, with the Streamlit the
// app gets).
func (o Options) datedBecause(project reqFile) string {
	src := o.Source
	if !o.capLowers(project) {
		return ", when the Streamlit it asks for was current"
	}
	why := ": it uses " + joinNames(src.StreamlitUses) + ", which Streamlit " + src.StreamlitBefore + " removed"
	o.logger().Info("the app uses names Streamlit has removed: it gets the Streamlit before", "project", o.name(),
		"names", src.StreamlitUses, "removed_in", src.StreamlitBefore)
	o.report(Progress{Step: StepResolve, Message: "resolving the dependencies of " + o.name() + " for the Streamlit before " +
		src.StreamlitBefore + why})
	return why
}

// resolveAsOfItsStreamlit resolves the project again as of its Streamlit's time when today's
// resolution (out) settled on a Streamlit older than Desklit's that the project does not name a
// version of: its other pins hold it back (altair==4.2.2: Streamlit 1.60), and today's releases
// of what it leaves free break it as an older pin of Streamlit's would (today's starlette under
// Streamlit 1.60's server: every image answered 500). It reports whether out is now that
// resolution's; today's stays where that one fails.
func (o Options) resolveAsOfItsStreamlit(ctx context.Context, tmp, out string, compile, inputs []string, project reqFile) bool {
	today, err := os.ReadFile(out)
	if err != nil {
		return false
	}
	version := pinnedVersion(today, "streamlit")
	day, exact := o.asOfRelease(project, version)
	if day.IsZero() {
		return false
	}
	why := ", when Streamlit " + version + ", which its other requirements hold it to, was current"
	if done, err := o.resolveAsOf(ctx, tmp, out, compile, inputs, day, exact, why); done && err == nil {
		return true
	}
	_ = os.WriteFile(out, today, 0o644)
	return false
}

// resolutionInputs are the requirements files the resolution reads: a uv.lock's export (nil when
// that export, tmp/exported.txt, names Streamlit and is the lock as it is), the requirements of
// pyproject.toml, Poetry or a Pipfile written out, or the project's requirements file.
func (o Options) resolutionInputs(ctx context.Context, tmp string) ([]string, error) {
	src := o.Source
	switch src.Kind {
	case SourceUVLock:
		exported := filepath.Join(tmp, "exported.txt")
		args := []string{"export", "--frozen", "--format", "requirements-txt", "--no-dev", "--no-emit-project", "--emit-index-url",
			"--no-header", "--directory", src.dir(), "-o", exported}
		if src.Package != "" {
			args = append(args, "--package", src.Package)
		}
		if err := o.runUV(ctx, false, args, nil, nil); err != nil {
			return nil, fmt.Errorf("read %s: %w", src.File, err)
		}
		if req, err := readRequirements(exported); o.Plain || err == nil && req.namesStreamlit() {
			return nil, nil
		}
		return []string{exported}, nil
	case SourcePyproject:
		in := filepath.Join(tmp, "pyproject-dependencies.in")
		if err := os.WriteFile(in, []byte(strings.Join(src.Requirements, "\n")+"\n"), 0o644); err != nil {
			return nil, err
		}
		return []string{in}, nil
	case SourceRequirements:
		return []string{src.File}, nil
	}
	return nil, fmt.Errorf("unknown dependency source %q", src.Kind)
}

// resolveAsOf resolves the project as of day, its Streamlit's time (asOf), into out, from the index,
// with wheels only, but for packages that have no wheel at all, only a source, which are built as
// they would be today (psycopg2==2.9.6 here; gcloud 0.18.3, which pyrebase4 needs; a package's
// target: the packager's FromSource). A package whose releases of that time have wheels for older
// Pythons only (pandas 1.4 and pyarrow 9 for 3.11, when Streamlit 1.12 was current; their builds
// from source take minutes or fail) is taken as of later (laterWheels): the rest, Altair 4 under
// Streamlit 1.12 among them, stays as of that time. done is false when it did not apply or did
// not succeed: then as of today.
func (o Options) resolveAsOf(ctx context.Context, tmp, out string, compile, inputs []string, day time.Time, exact []string, why string) (done bool, err error) {
	if day.IsZero() {
		return false, nil
	}
	stamp := day.UTC().Format(time.RFC3339)
	o.report(Progress{Step: StepResolve, Message: "resolving the dependencies of " + o.name() + " as of " + day.UTC().Format("2 January 2006") + why})
	now := time.Now().UTC()
	later := map[string]time.Time{} // packages taken as of a later day
	for _, name := range exact {
		later[name] = now
	}
	var built []string
	for tries := 0; ; tries++ {
		args := append(slices.Clone(compile), "--exclude-newer", stamp, "--only-binary", ":all:")
		for _, name := range slices.Sorted(maps.Keys(later)) {
			args = append(args, "--exclude-newer-package", name+"="+later[name].Format(time.RFC3339))
		}
		for _, name := range built {
			args = append(args, "--no-binary", name)
		}
		notes, err := o.leavingOut(ctx, tmp, func(extra []string) error {
			return o.runUV(ctx, true, slices.Concat(args, extra, inputs), nil, nil)
		})
		if err == nil {
			o.logger().Info("resolved as of the project's Streamlit", "project", o.name(), "exclude_newer", stamp, "from_source", built)
			return true, prependLines(out, append(laterNotes(later, exact, day, o.platform().Python), notes...))
		}
		if ctx.Err() != nil {
			return true, err
		}
		pkg := readUV(err).sourceOnly
		switch {
		case pkg == "" || tries >= 8:
		case !slices.Contains(built, pkg) && (slices.Contains(exact, pkg) || o.sourceOnly(ctx, err)):
			if o.Platform != nil {
				return true, o.resolveError(err) // the packager builds it (Options.FromSource), and asks again
			}
			built = append(built, pkg)
			continue
		default:
			if at, ok := laterWheels(later[pkg], day, now, o.platform().Python); ok {
				later[pkg] = at
				continue
			}
		}
		o.logger().Warn("the dependencies could not be resolved as of the project's Streamlit: resolving them as of today",
			"project", o.name(), "exclude_newer", stamp, "err", err)
		return false, nil
	}
}

// laterWheels is the next day to take a package as of, whose releases as of prev (zero: as of
// day, the project's) have no wheel for this Python: three months after that Python came out
// (most packages have its wheels by then: pandas 1.5.3 and pyarrow 10 for 3.11), then today. ok is
// false when prev was today already.
func laterWheels(prev, day, now time.Time, python string) (time.Time, bool) {
	if !prev.IsZero() && !prev.Before(now) {
		return time.Time{}, false
	}
	if at := pythonReleased(python).AddDate(0, 3, 0); prev.IsZero() && at.After(day) && at.Before(now) {
		return at, true
	}
	return now, true
}

// pythonReleased is when Python's minor version ("3.11") had its first final release; zero for
// one Desklit does not know.
func pythonReleased(python string) time.Time {
	day, ok := map[string]string{
		"3.8": "2019-10-14", "3.9": "2020-10-05", "3.10": "2021-10-04", "3.11": "2022-10-24",
		"3.12": "2023-10-02", "3.13": "2024-10-07", "3.14": "2025-10-07",
	}[python]
	if !ok {
		return time.Time{}
	}
	t, _ := time.Parse(time.DateOnly, day)
	return t
}

// laterNotes are the lock's lines that say which packages a dated resolution took as of a later
// day, for want of wheels for this Python ("# pandas, pyarrow: as of 24 January 2023: none of
// their releases as of 25 August 2022 has a wheel for Python 3.11").
func laterNotes(later map[string]time.Time, exact []string, day time.Time, python string) []string {
	byDay := map[time.Time][]string{}
	for name, at := range later {
		if !slices.Contains(exact, name) {
			byDay[at] = append(byDay[at], name)
		}
	}
	var notes []string
	for _, at := range slices.SortedFunc(maps.Keys(byDay), time.Time.Compare) {
		names := byDay[at]
		slices.Sort(names)
		notes = append(notes, fmt.Sprintf("# %s: as of %s: none of their releases as of %s has a wheel for Python %s",
			strings.Join(names, ", "), at.UTC().Format("2 January 2006"), day.UTC().Format("2 January 2006"), python))
	}
	return notes
}

// sourceOnly reports whether the release a dated resolution found no wheel of has none for any
// Python, only a source (gcloud 0.18.3, which builds anywhere), rather than wheels for the
// Pythons of its time (pandas 1.4.4: none for 3.11, and a build from its source that fails):
// uv resolves it from wheels for CPython 3.8 on this system.
func (o Options) sourceOnly(ctx context.Context, err error) bool {
	pin := readUV(err).noUsable
	if pin == "" {
		return false
	}
	old := o.platform()
	old.Python = "3.8"
	perr := o.fromWheels(ctx, pin, old)
	return perr != nil && !readUV(perr).unreachable
}

// prependLines puts lines (comments) at the top of the file.
func prependLines(file string, lines []string) error {
	if len(lines) == 0 {
		return nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	return os.WriteFile(file, append([]byte(strings.Join(lines, "\n")+"\n"), data...), 0o644)
}

// pythonArgs say whom uv resolves for: o.Python, or the target Platform (with wheels only, as
// nothing can be built for another system here).
func (o Options) pythonArgs() ([]string, error) {
	if o.Platform == nil {
		return []string{"--python", o.Python.Path}, nil
	}
	triple, err := o.Platform.uvTriple()
	if err != nil {
		return nil, err
	}
	args := []string{"--python-version", o.Platform.Python, "--python-platform", triple, "--only-binary", ":all:"}
	for _, name := range o.FromSource {
		args = append(args, "--no-binary", name)
	}
	return args, nil
}

// withIndexFallback runs step offline first (the local wheel folders, which Desklit prefers: a
// first start needs no network). Whenever uv cannot do it from those — a package or a version
// they lack, whatever uv's words for it — and Desklit may go online, it runs step again with the
// package index. An online failure that is not the network's goes through other (a resolver
// conflict, a hash mismatch, a name the index does not know); offline, the failure says which
// package is missing, where Desklit looked, and how to get it.
func (o Options) withIndexFallback(ctx context.Context, step func(online bool) error, other func(error) error) error {
	err := step(false)
	var ue *uvError
	if err == nil || ctx.Err() != nil || !errors.As(err, &ue) {
		return err
	}
	if o.Offline {
		return o.offlineFailure(err, other)
	}
	o.logger().Info("the local wheels cannot satisfy the requirements, trying the package index", "project", o.name(),
		"package", readUV(err).missing)
	onlineErr := step(true)
	if onlineErr == nil || ctx.Err() != nil {
		return onlineErr
	}
	if g := o.gitError(onlineErr); g != nil {
		return g
	}
	if u := o.sourceUnreachable(onlineErr); u != nil {
		return u
	}
	switch uv := readUV(onlineErr); {
	case uv.unreachable:
		return o.offlineFailure(err, other)
	case uv.missing != "":
		return o.notFound(uv.missing, false, onlineErr)
	}
	return other(onlineErr)
}

// offlineFailure is what an offline step's failure means to the user: a package the local wheels
// lack (named when uv names it), or, when uv names none, its own explanation.
func (o Options) offlineFailure(err error, other func(error) error) error {
	if g := o.gitError(err); g != nil {
		return g
	}
	if pkg := readUV(err).missing; pkg != "" {
		return o.notFound(pkg, true, err)
	}
	return other(err)
}

// extraRequirements are what Desklit adds to a project's requirements, read as pip reads them
// (any encoding, includes followed): its own Streamlit when the project names none (a project's
// own pin, even in a constraints file or in the lock its tool wrote — a poetry.lock pins the
// Streamlit a component such as streamlit-aggrid brings — is the project's), and requests
// (desklit_auth's one dependency).
func (o Options) extraRequirements(project reqFile) ([]string, error) {
	if o.Plain {
		return nil, nil
	}
	all := reqFile{Entries: slices.Clone(project.Entries)}
	for _, c := range o.Source.Constraints {
		all.Entries = append(all.Entries, reqEntry{Name: requirementName(c), Constraint: true, Text: c})
	}
	var extra []string
	switch {
	case o.capsStreamlit(project):
		extra = append(extra, "streamlit<"+o.Source.StreamlitBefore)
	case all.namesStreamlit():
	case all.constrains("streamlit"):
		extra = append(extra, "streamlit")
	default:
		// Desklit's own Streamlit, which the resolution prefers (its lock seeds the output), or an
		// older one where the project's pins need it (numpy==1.23.5: Streamlit 1.65), as pip
		// would choose; never a newer one than Desklit's.
		v := o.ownStreamlit()
		if v == "" {
			return nil, fmt.Errorf("%s names no streamlit and Desklit's own lock has none to add", o.Source.File)
		}
		extra = append(extra, "streamlit<="+v)
	}
	if !all.names("requests") {
		extra = append(extra, "requests")
	}
	if o.Source.StLogin && !all.namesAuthExtra() {
		for _, pkg := range stLoginPackages {
			if !all.names(requirementName(pkg)) { // Authlib alone, as Streamlit 1.42's docs said: httpx too
				extra = append(extra, pkg)
			}
		}
	}
	return extra, nil
}

// stLoginPackages are what Streamlit's auth extra installs (streamlit[auth], 1.42 and later).
var stLoginPackages = []string{"Authlib>=1.3.2", "httpx>=0.24.1"}

// ownStreamlit is the Streamlit version Desklit's own lock (Source.Base) pins; "" when it has none.
func (o Options) ownStreamlit() string {
	base, err := os.ReadFile(o.Source.Base)
	if err != nil {
		return ""
	}
	return pinnedVersion(base, "streamlit")
}

// joinNames is "a", "a and b", "a, b and c".
func joinNames(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// capsStreamlit reports whether the app gets the Streamlit before Source.StreamlitBefore: it uses
// names of st.* that release removed, and neither its requirements nor its lock (Source.
// Constraints) pin a Streamlit exactly (a pin is the project's choice, whatever its code needs),
// nor name streamlit-nightly.
func (o Options) capsStreamlit(project reqFile) bool {
	if o.Source.StreamlitBefore == "" {
		return false
	}
	pins := slices.Clone(o.Source.Constraints)
	for _, e := range project.Entries {
		pins = append(pins, e.Text)
	}
	for _, text := range pins {
		name := requirementName(text)
		if _, exact := exactVersion(text); exact && isStreamlit(name) || isStreamlit(name) && name != "streamlit" {
			return false // a pin, or Streamlit's nightly builds (a cap on streamlit would install both)
		}
	}
	return true
}

// readInputs reads the resolution's input files as pip reads them (any encoding, includes
// followed), as one.
func readInputs(inputs []string) (reqFile, error) {
	var all reqFile
	for _, f := range inputs {
		r, err := readRequirements(f)
		if err != nil {
			return reqFile{}, err
		}
		all.Entries = append(all.Entries, r.Entries...)
	}
	return all, nil
}

// streamlitDists are the distributions that install the streamlit module: Streamlit's releases
// and its nightly builds (streamlit-nightly, which apps written for a feature not yet released
// name instead). Desklit adds no Streamlit to a project that names either: both in one
// environment overwrite each other's files.
var streamlitDists = []string{"streamlit", "streamlit-nightly"}

func isStreamlit(name string) bool { return slices.Contains(streamlitDists, name) }

// pinnedVersion is the version a lock pins for name ("" when none).
func pinnedVersion(lock []byte, name string) string {
	for _, r := range parseRequirements(lock) {
		if r.Name == name {
			return r.Version
		}
	}
	return ""
}

// hashLocked reports whether a requirements file uses hashes: pip's and uv's hash-checking
// mode, in which the file is a complete lock and is installed as it is.
func hashLocked(file string) bool {
	req, err := readRequirements(file)
	return err == nil && req.Hashes
}

// checkedLock reads a lock and checks what Desklit needs of it: a Streamlit desklit_auth works
// with, and requests. from names the project's file in messages.
func (o Options) checkedLock(file, from string) (Lock, error) {
	text, err := readText(file)
	if err != nil {
		return Lock{}, fmt.Errorf("read the lock: %w", err)
	}
	data := []byte(text)
	pins := needed(parseRequirements(data), o.target())
	lock := Lock{File: file, Packages: len(pins), Hashed: len(pins) > 0}
	sum := sha256.Sum256(data)
	lock.Hash = hex.EncodeToString(sum[:])
	for _, p := range pins {
		if isStreamlit(p.Name) {
			lock.Streamlit = p.Version
		}
	}
	lock.Hashed = bytes.Count(data, []byte("--hash=")) > 0 && allHashed(data)
	if o.Plain {
		return lock, nil
	}
	switch {
	case lock.Streamlit == "":
		for _, e := range o.projectEntries() {
			if _, marker, ok := strings.Cut(e.Text, ";"); ok && e.Name == "streamlit" {
				// `poetry export` of a project for one Python writes that Python's marker on every line.
				return Lock{}, fmt.Errorf("%s line %d installs streamlit only where its marker holds (%s), and this computer's Python %s does not meet it: "+
					"the file was made for another Python (`poetry export` writes the project's on every line); change the markers to take in Python %s",
					filepath.Base(e.File), e.Line, strings.TrimSpace(marker), o.Python.Version, pythonMinor(o.Python.Version))
			}
		}
		return Lock{}, fmt.Errorf("%s installs no streamlit: add streamlit==%s (with its hashes when the file uses them)", from, o.baseStreamlit())
	case CompareVersions(lock.Streamlit, MinStreamlit) < 0:
		// The app runs the Streamlit it pins; only what needs a newer one stops working.
		lock.Warning = fmt.Sprintf("%s pins streamlit %s, older than %s: Desklit starts the app with it as pinned, but Desklit's sign-in component (desklit_auth) needs streamlit %s or newer and will not work in it (Desklit's own is %s)",
			from, lock.Streamlit, MinStreamlit, MinStreamlit, o.baseStreamlit())
	}
	if !slicesHas(pins, "requests") {
		return Lock{}, fmt.Errorf("%s installs no requests, which Desklit's sign-in package needs: add requests", from)
	}
	return lock, nil
}

func (o Options) baseStreamlit() string {
	if base, err := os.ReadFile(o.Source.Base); err == nil {
		if v := pinnedVersion(base, "streamlit"); v != "" {
			return v
		}
	}
	return "a recent version"
}

// allHashed reports whether every requirement line of a lock carries a hash. An editable
// install ("-e .") has none, and uv's --require-hashes refuses it.
func allHashed(data []byte) bool {
	text := strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if opt, _ := splitOption(line); opt == "-e" || opt == "--editable" {
			return false
		}
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "-") {
			continue
		}
		if !strings.Contains(line, "--hash=") {
			return false
		}
	}
	return true
}

func slicesHas(reqs []requirement, name string) bool {
	for _, r := range reqs {
		if r.Name == name {
			return true
		}
	}
	return false
}

func (o Options) lockDir() string { return filepath.Join(o.DataDir, "locks") }

func (o Options) name() string {
	if o.Name != "" {
		return o.Name
	}
	return "the app"
}
