package pyruntime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Inspect reports the environment's state without changing anything or running uv: "ready",
// "missing", "not resolved" (the project's lock was never made), or "broken: <reason>", and
// its key.
func Inspect(o Options) (state string, key string, err error) {
	lock, ok, err := o.knownLock()
	if err != nil {
		return "", "", err
	}
	if !ok {
		return "not resolved", "", nil
	}
	env := o.envFor(lock)
	if _, err := os.Stat(env.Dir); errors.Is(err, os.ErrNotExist) {
		return "missing", env.Key, nil
	}
	if err := o.validate(env); err != nil {
		return "broken: " + err.Error(), env.Key, nil
	}
	return "ready", env.Key, nil
}

// knownLock is the source's lock when it is at hand without resolving: a locked source, or a
// lock resolved before from the same inputs.
func (o Options) knownLock() (Lock, bool, error) {
	if o.Python.Path == "" || o.Python.Version == "" {
		return Lock{}, false, errors.New("no python given (call Find first)")
	}
	src := o.Source
	if src.Kind == SourceLocked || (src.Kind == SourceRequirements && hashLocked(src.File)) {
		lock, err := o.checkedLock(src.File, src.File)
		return lock, err == nil, err
	}
	key, err := o.lockKey()
	if err != nil {
		return Lock{}, false, err
	}
	file := filepath.Join(o.lockDir(), key+".txt")
	if !isFile(file) {
		return Lock{}, false, nil
	}
	lock, err := o.checkedLock(file, src.File)
	return lock, err == nil, err
}

// envFor is the environment of a lock (built or not).
func (o Options) envFor(lock Lock) Env {
	data, _ := os.ReadFile(lock.File)
	if o.seeds() {
		data = append(data, seedName...)
	}
	key := Key(o.Python, data)
	dir := filepath.Join(o.runtimeDir(), key)
	return Env{Dir: dir, Python: venvPython(dir), Key: key, Lock: lock}
}

// Plausible returns the environment for o when its lock is known and its completion marker
// names the right key: the quick half of Ensure's check (no stat of every file, no uv run),
// enough to start Streamlit while Ensure does the rest. An environment that passes here and
// fails Ensure is rare (files deleted from a finished environment): Ensure calls BeforeBuild
// before rebuilding it.
func Plausible(o Options) (Env, bool) {
	lock, ok, err := o.knownLock()
	if err != nil || !ok {
		return Env{}, false
	}
	env := o.envFor(lock)
	m, err := readMarker(env.Dir, env.Key)
	if err != nil || m.AuthSHA256 != o.authHash() {
		return Env{}, false
	}
	return env, true
}

// Ensure returns a valid environment: it resolves the lock when the project's inputs changed,
// and builds the environment when it is missing or broken. A warm start reads the lock and the
// marker and stats the manifest's files; it runs no process.
func Ensure(ctx context.Context, o Options) (Env, error) {
	lock, err := Resolve(ctx, o)
	if err != nil {
		o.report(Progress{Step: StepFailed, Message: "the dependencies of " + o.name() + " could not be resolved"})
		return Env{}, err
	}
	if lock.Warning != "" {
		o.logger().Warn(lock.Warning, "project", o.name())
	}
	env := o.envFor(lock)
	log := o.logger().With("key", env.Key)

	if err := o.validate(env); err == nil {
		log.Debug("python environment ready")
		o.ready(env)
		return env, nil
	}
	if o.BeforeBuild != nil {
		o.BeforeBuild()
	}
	if err := os.MkdirAll(o.runtimeDir(), 0o755); err != nil {
		return Env{}, fmt.Errorf("create the environments folder: %w", err)
	}
	lk, err := acquireLock(ctx, filepath.Join(o.runtimeDir(), ".lock"), func() {
		o.report(Progress{Step: StepLock, Message: "waiting for another Desklit to finish the python environment"})
	})
	if err != nil {
		return Env{}, err
	}
	defer lk.release()

	// Another process may have built it while we waited; an environment whose only fault is an
	// older desklit_auth is updated in place.
	verr := o.validate(env)
	if errors.Is(verr, errAuthOutdated) {
		if verr = o.updateAuth(ctx, env); verr != nil {
			log.Warn("desklit_auth update failed, rebuilding", "err", verr)
		}
	}
	if verr == nil {
		o.ready(env)
		return env, nil
	}
	if _, err := os.Stat(env.Dir); err == nil {
		log.Warn("python environment broken, rebuilding", "reason", verr.Error())
	} else {
		log.Info("python environment missing, building", "packages", lock.Packages)
	}
	return o.buildLeavingOut(ctx, lock, env)
}

// buildLeavingOut builds env (under the lock); a package made for other systems only that did not
// build is left out of the lock (leaveOutOfLock), once each, and the environment of the lock
// without it is built.
func (o Options) buildLeavingOut(ctx context.Context, lock Lock, env Env) (Env, error) {
	o.removeBroken(env.Key)
	for {
		err := o.build(ctx, env)
		if err == nil {
			o.ready(env)
			return env, nil
		}
		edited, ok := o.leaveOutOfLock(ctx, lock, err)
		if !ok {
			o.report(Progress{Step: StepFailed, Message: "the python environment of " + o.name() + " was not built"})
			return Env{}, err
		}
		lock, env = edited, o.envFor(edited)
		o.removeBroken(env.Key)
	}
}

// ready records the environment's use (Prune keeps what was used in the last 30 days) and says so.
func (o Options) ready(env Env) {
	touchUsed(env.Dir, time.Now())
	o.report(Progress{Step: StepReady, Percent: 100, Message: "python environment ready"})
}

// validate is the warm check of env: the marker (with the current desklit_auth), the interpreter
// and every file of the manifest.
func (o Options) validate(env Env) error {
	if err := validate(env.Dir, env.Key); err != nil {
		return err
	}
	m, err := readMarker(env.Dir, env.Key)
	if err != nil {
		return err
	}
	if m.AuthSHA256 != o.authHash() {
		return errAuthOutdated
	}
	return nil
}

var errAuthOutdated = broken("desklit_auth is from another Desklit version")

// removeBroken runs under the lock: it removes stale temporary directories (their builder died
// or was cancelled) and the broken environment of key.
func (o Options) removeBroken(key string) {
	entries, err := os.ReadDir(o.runtimeDir())
	if err != nil {
		return
	}
	for _, e := range entries {
		if name := e.Name(); e.IsDir() && (strings.HasPrefix(name, ".tmp-") || name == key) {
			o.removeEnv(filepath.Join(o.runtimeDir(), name))
		}
	}
}

// removeEnv renames an environment aside first, so that a half-deleted one can never pass for a
// valid one, then deletes it.
func (o Options) removeEnv(p string) {
	if !strings.HasPrefix(filepath.Base(p), ".tmp-") {
		aside := filepath.Join(filepath.Dir(p), ".tmp-old-"+filepath.Base(p))
		if err := os.Rename(p, aside); err != nil {
			o.logger().Warn("cannot remove python environment", "dir", p, "err", err)
			return
		}
		p = aside
	}
	if err := os.RemoveAll(p); err != nil {
		o.logger().Warn("cannot remove python environment", "dir", p, "err", err)
	} else {
		o.logger().Info("removed python environment", "dir", p)
	}
}

// build makes the environment in a temporary directory and renames it into place when complete.
func (o Options) build(ctx context.Context, env Env) (err error) {
	tmp, err := os.MkdirTemp(o.runtimeDir(), ".tmp-"+env.Key+"-")
	if err != nil {
		return fmt.Errorf("create build dir: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(tmp)
		}
	}()
	took := newStepTimer()
	o.report(Progress{Step: StepVenv, Percent: 0, Message: "creating the python environment with Python " + o.Python.Version})
	venv := []string{"venv", "--relocatable", "--no-config", "--quiet", "--python", o.Python.Path, tmp}
	if err := o.runUV(ctx, false, venv, nil, nil); err != nil {
		return buildError("create the environment", err)
	}
	took.step("venv")
	py := venvPython(tmp)
	o.report(Progress{Step: StepInstall, Total: env.Lock.Packages, Percent: pctVenvEnd,
		Message: fmt.Sprintf("installing %d packages", env.Lock.Packages)})
	if err := o.withIndexFallback(ctx, func(online bool) error {
		if online { // the offline attempt's count starts again: say why
			o.report(Progress{Step: StepInstall, Total: env.Lock.Packages, Percent: pctVenvEnd,
				Message: "the local wheels lack some packages: fetching them from the package index"})
		}
		pp := newUVProgress(env.Lock.Packages, o.report)
		args := []string{"pip", "sync", "--python", py}
		if env.Lock.Hashed {
			args = append(args, "--require-hashes")
		}
		args = append(append(args, o.installArgs(online)...), env.Lock.File)
		return o.runUV(ctx, online, args, []string{"RUST_LOG=" + progressLog}, pp.line)
	}, func(err error) error { return err }); err != nil {
		return o.installError(err)
	}
	took.step("install")
	if err := o.seedSetuptools(ctx, py, env.Lock.File); err != nil {
		return err
	}
	took.step("seed")
	if err := o.installAuth(ctx, py); err != nil {
		return err
	}
	took.step("desklit_auth")
	o.report(Progress{Step: StepCheck, Percent: pctInstallEnd, Message: "checking the python environment"})
	if err := o.writeChecked(ctx, tmp, env.Key); err != nil {
		return err
	}
	took.step("check")
	if err := ctx.Err(); err != nil {
		return buildError("build", err)
	}
	if err := os.Rename(tmp, env.Dir); err != nil {
		return fmt.Errorf("move the environment into place: %w", err)
	}
	o.logger().Info("python environment built", "dir", env.Dir, "packages", env.Lock.Packages, "took", took.String())
	return nil
}

// installArgs are the package sources of an install: offline the local wheels and uv's cache
// (a wheel fetched once is not fetched again); online the index too.
func (o Options) installArgs(online bool) []string {
	args := o.sourceArgs(true)
	if !online {
		return append([]string{"--offline"}, args...)
	}
	return append(args, o.projectSources()...)
}

// projectSources are the package-source options of the project's requirements (its
// --index-url, --extra-index-url and --find-links lines): the resolution read them from the file,
// and the install from the lock asks the same places.
func (o Options) projectSources() []string {
	if o.Source.Kind == SourcePyproject {
		// A Pipfile's or Poetry's package indexes, as option lines among the requirements.
		var r reqFile
		seen := map[string]bool{}
		for i, line := range o.Source.Requirements {
			if strings.HasPrefix(line, "-") {
				_ = r.readLine(o.Source.File, i+1, line, false, seen)
			}
		}
		return r.Sources
	}
	if o.Source.Kind != SourceRequirements && o.Source.Kind != SourceLocked {
		return nil
	}
	req, err := readRequirements(o.Source.File)
	if err != nil {
		return nil
	}
	return req.Sources
}

func (o Options) installError(err error) error {
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return err
	}
	if sb := o.sourceBuildError(err); sb != nil {
		return sb
	}
	return buildError("install the packages", err)
}

// checkScript finds the modules named in its arguments in the environment (isolated, outside any
// project folder, so that only what is installed can be found) without running them: uv has
// already checked every wheel against the lock and this Python's tags, and importing Streamlit
// here would cost a second and write bytecode that Streamlit's first start writes anyway (into
// the environment's pycache, see PycachePrefix). desklit_auth must be the environment's own.
const checkScript = `import sys, importlib.util
for name in sys.argv[1:]:
    spec = importlib.util.find_spec(name)
    if spec is None:
        sys.exit("module %s is not installed" % name)
    if name == "desklit_auth" and not (spec.origin or "").startswith(sys.prefix):
        sys.exit("desklit_auth comes from %s, not the environment" % spec.origin)
`

// writeChecked finds the app's modules in the new environment and writes the manifest of its
// files and the completion marker.
func (o Options) writeChecked(ctx context.Context, dir, key string) error {
	args := append([]string{venvPython(dir), "-I", "-c", checkScript + seedScript + listScript}, o.imports()...)
	if o.AuthPackage != "" {
		args = append(args, "desklit_auth")
	}
	// The file list is long: it goes to the log only when the check fails.
	var listed bytes.Buffer
	seed := "DESKLIT_PYCACHE_SEED=" + Env{Dir: dir}.PycachePrefix()
	if err := runLoggedIn(ctx, dir, args, append(baseEnviron(), seed), &listed, nil); err != nil {
		_, _ = o.log().Write(listed.Bytes())
		return buildError("import check", err)
	}
	for _, line := range strings.Split(listed.String(), "\n") {
		if msg, ok := strings.CutPrefix(line, "desklit: "); ok {
			o.logger().Warn(msg, "dir", dir)
		}
	}
	sum, n, err := writeManifest(dir, listed.Bytes())
	if err != nil {
		return err
	}
	m := marker{Key: key, Python: o.Python.Version, BasePython: o.Python.Path, Files: n, ManifestSHA256: sum,
		AuthSHA256: o.authHash(), UV: UVVersion}
	if err := writeMarker(dir, m); err != nil {
		return err
	}
	if err := validate(dir, key); err != nil {
		return fmt.Errorf("validate the new environment: %w", err)
	}
	return nil
}

// BuildError is a step of an environment build that failed (uv's or Python's words in Err).
type BuildError struct {
	Step string
	Err  error
}

func (e *BuildError) Error() string {
	if errors.Is(e.Err, context.Canceled) || errors.Is(e.Err, context.DeadlineExceeded) {
		return fmt.Sprintf("build python environment: %s: %v", e.Step, e.Err)
	}
	return fmt.Sprintf("build python environment: %s: %v (the full output is in the log)", e.Step, e.Err)
}

func (e *BuildError) Unwrap() error { return e.Err }

func buildError(step string, err error) error { return &BuildError{Step: step, Err: err} }

// baseEnviron is the process environment without variables that would make Python or uv use
// another environment or the user's site-packages.
func baseEnviron() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(k) {
		case "PYTHONHOME", "PYTHONPATH", "VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONUSERBASE", "UV_PYTHON", "UV_SYSTEM_PYTHON",
			"UV_PROJECT_ENVIRONMENT", "UV_NO_CACHE", "UV_CACHE_DIR", "UV_OFFLINE", "RUST_LOG":
			continue
		}
		out = append(out, kv)
	}
	return append(out, "PYTHONNOUSERSITE=1")
}

// stepTimer says how long each step of a build took, for the log.
type stepTimer struct {
	last  time.Time
	steps []string
}

func newStepTimer() *stepTimer { return &stepTimer{last: time.Now()} }

func (t *stepTimer) step(name string) {
	now := time.Now()
	t.steps = append(t.steps, fmt.Sprintf("%s %.2fs", name, now.Sub(t.last).Seconds()))
	t.last = now
}

func (t *stepTimer) String() string { return strings.Join(t.steps, ", ") }
