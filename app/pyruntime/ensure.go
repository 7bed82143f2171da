package pyruntime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Inspect reports the environment's state without changing anything: "ready", "missing" or
// "broken: <reason>", and its key.
func Inspect(o Options) (state string, key string, err error) {
	key, _, err = o.key()
	if err != nil {
		return "", "", err
	}
	dir := filepath.Join(o.runtimeDir(), key)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return "missing", key, nil
	}
	if err := validate(dir, key); err != nil {
		return "broken: " + err.Error(), key, nil
	}
	return "ready", key, nil
}

// key is the environment's key for o, and the requirements it was computed from.
func (o Options) key() (string, []byte, error) {
	if o.Python.Path == "" || o.Python.Version == "" {
		return "", nil, errors.New("no python given (call Find first)")
	}
	req, err := os.ReadFile(o.Requirements)
	if err != nil {
		return "", nil, fmt.Errorf("read requirements: %w", err)
	}
	return Key(o.Python, req), req, nil
}

// env is the environment of key (built or not).
func (o Options) env(key string) Env {
	dir := filepath.Join(o.runtimeDir(), key)
	return Env{Dir: dir, Python: venvPython(dir), Key: key}
}

// Plausible returns the environment for o when its completion marker names the right key and its
// interpreter exists: the quick half of Ensure's check (no stat of every file), enough to start
// Streamlit while Ensure does the rest. An environment that passes here and fails Ensure is rare
// (files deleted from a finished environment): Ensure calls BeforeBuild before rebuilding it.
func Plausible(o Options) (Env, bool) {
	key, _, err := o.key()
	if err != nil {
		return Env{}, false
	}
	env := o.env(key)
	if err := checkMarker(env.Dir, key); err != nil {
		return Env{}, false
	}
	return env, true
}

// Ensure returns a valid environment, building it first when it is missing or broken. A warm
// start reads the marker and stats the manifest's files and runs no process.
func Ensure(ctx context.Context, o Options) (Env, error) {
	key, req, err := o.key()
	if err != nil {
		return Env{}, fmt.Errorf("ensure runtime: %w", err)
	}
	env := o.env(key)
	dir := env.Dir
	log := o.logger().With("key", key)

	verr := validate(dir, key)
	if verr == nil {
		log.Debug("python runtime ready")
		o.report(Progress{Step: StepReady, Percent: 100, Message: "python runtime ready"})
		return env, nil
	}

	if o.BeforeBuild != nil {
		o.BeforeBuild()
	}
	if err := os.MkdirAll(o.runtimeDir(), 0o755); err != nil {
		return Env{}, fmt.Errorf("create runtime dir: %w", err)
	}
	lock, err := acquireLock(ctx, filepath.Join(o.runtimeDir(), ".lock"), func() {
		o.report(Progress{Step: StepLock, Message: "waiting for another Desklit to finish the python runtime"})
	})
	if err != nil {
		return Env{}, err
	}
	defer lock.release()

	// Another process may have built it while we waited.
	verr = validate(dir, key)
	if verr == nil {
		o.report(Progress{Step: StepReady, Percent: 100, Message: "python runtime ready"})
		return env, nil
	}
	if _, err := os.Stat(dir); err == nil {
		log.Warn("python runtime broken, rebuilding", "reason", verr.Error())
	} else {
		log.Info("python runtime missing, building")
	}
	o.cleanup(key, true) // stale temporary dirs and the broken environment

	if err := o.build(ctx, key, req, dir); err != nil {
		o.report(Progress{Step: StepFailed, Message: "python runtime not built"})
		return Env{}, err
	}
	o.cleanup(key, false) // environments of other keys
	o.report(Progress{Step: StepReady, Percent: 100, Message: "python runtime ready"})
	return env, nil
}

// cleanup runs under the lock. Before a build it removes stale temporary directories (their
// builder died or was cancelled) and the broken environment of key; after a successful build it
// removes the environments of other keys.
func (o Options) cleanup(key string, beforeBuild bool) {
	entries, err := os.ReadDir(o.runtimeDir())
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		tmp := strings.HasPrefix(name, ".tmp-")
		var remove bool
		switch {
		case !e.IsDir():
		case beforeBuild:
			remove = tmp || name == key
		default:
			remove = tmp || (strings.HasPrefix(name, "py") && name != key)
		}
		if !remove {
			continue
		}
		p := filepath.Join(o.runtimeDir(), name)
		if !tmp {
			// Rename first so a half-deleted environment can never pass for a valid one.
			aside := filepath.Join(o.runtimeDir(), ".tmp-old-"+name)
			if err := os.Rename(p, aside); err != nil {
				o.logger().Warn("cannot remove old python runtime", "dir", p, "err", err)
				continue
			}
			p = aside
		}
		if err := os.RemoveAll(p); err != nil {
			o.logger().Warn("cannot remove old python runtime", "dir", p, "err", err)
		} else {
			o.logger().Info("removed old python runtime", "dir", p)
		}
	}
}

// build makes the environment in a temporary directory and renames it to dir when complete.
func (o Options) build(ctx context.Context, key string, req []byte, dir string) (err error) {
	tmp, err := os.MkdirTemp(o.runtimeDir(), ".tmp-"+key+"-")
	if err != nil {
		return fmt.Errorf("create build dir: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(tmp)
		}
	}()
	logw := o.log()
	environ := baseEnviron()

	o.report(Progress{Step: StepVenv, Percent: 0, Message: "creating the python environment with " + o.Python.Version})
	// pip straight from the interpreter's bundled wheel saves installing pip into the environment
	// (seconds); without one, venv bootstraps pip with ensurepip.
	venvArgs := []string{o.Python.Path, "-m", "venv", tmp}
	pip := []string{venvPython(tmp), "-m", "pip"}
	if wheel := bundledPip(ctx, o.Python.Path, environ); wheel != "" {
		venvArgs = append(venvArgs, "--without-pip")
		pip = []string{venvPython(tmp), filepath.Join(wheel, "pip")}
	}
	if err := runLogged(ctx, venvArgs, environ, logw, nil); err != nil {
		return buildError("create venv", err)
	}

	t := targetFor(o.Python)
	pins := needed(parseRequirements(req), t)
	args := append(pip, "install", "--disable-pip-version-check", "--no-input",
		"--progress-bar", "off", "--no-warn-script-location")
	pipEnv := environ
	if wh := pickWheelhouse(o.Wheelhouses, pins, t); wh != "" {
		abs, _ := filepath.Abs(wh)
		args = append(args, "--no-index", "--find-links", abs)
		// Offline: ignore pip configuration and PIP_* variables that could add an index or links.
		pipEnv = append(withoutPIP(environ), "PIP_CONFIG_FILE="+os.DevNull, "PIP_NO_INDEX=1")
		o.logger().Info("installing python runtime from wheelhouse", "dir", abs)
	} else {
		o.logger().Info("installing python runtime from the package index")
	}
	if bytes.Contains(req, []byte("--hash=")) {
		args = append(args, "--require-hashes", "--no-deps")
	}
	args = append(args, "-r", o.Requirements)
	o.report(Progress{Step: StepInstall, Total: len(pins), Percent: pctVenvEnd, Message: fmt.Sprintf("installing %d packages", len(pins))})
	pp := newPipProgress(len(pins), o.report)
	if err := runLogged(ctx, args, pipEnv, logw, pp.line); err != nil {
		return buildError("pip install", err)
	}

	o.report(Progress{Step: StepCheck, Percent: pctInstallEnd, Message: "checking the python environment"})
	check := fmt.Sprintf("import %s\n%s", strings.Join(o.imports(), ", "), listScript)
	// The file list is long: it goes to the log only when the check fails.
	var listed bytes.Buffer
	if err := runLogged(ctx, []string{venvPython(tmp), "-I", "-c", check}, environ, &listed, nil); err != nil {
		_, _ = logw.Write(listed.Bytes())
		return buildError("import check", err)
	}
	sum, n, err := writeManifest(tmp, listed.Bytes())
	if err != nil {
		return err
	}
	if err := writeMarker(tmp, marker{Key: key, Python: o.Python.Version, BasePython: o.Python.Path, Files: n, ManifestSHA256: sum}); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return buildError("build", err)
	}
	if err := validate(tmp, key); err != nil {
		return fmt.Errorf("validate new runtime: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("move runtime into place: %w", err)
	}
	o.logger().Info("python runtime built", "dir", dir, "files", n)
	return nil
}

func buildError(step string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("build python runtime: %s: %w", step, err)
	}
	return fmt.Errorf("build python runtime: %s: %w (the full output is in the log)", step, err)
}

// baseEnviron is the process environment without variables that would make Python or pip use
// another environment or the user's site-packages.
func baseEnviron() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(k) {
		case "PYTHONHOME", "PYTHONPATH", "VIRTUAL_ENV", "PYTHONUSERBASE", "PIP_REQUIRE_VIRTUALENV", "PIP_USER", "PIP_TARGET", "PIP_PREFIX":
			continue
		}
		out = append(out, kv)
	}
	return append(out, "PYTHONNOUSERSITE=1", "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1")
}

func withoutPIP(env []string) []string {
	var out []string
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(strings.ToUpper(k), "PIP_") {
			continue
		}
		out = append(out, kv)
	}
	return append(out, "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1")
}

// bundledPipScript prints the pip wheel that the interpreter's ensurepip would install.
const bundledPipScript = `import glob, os, ensurepip
d = os.path.join(os.path.dirname(ensurepip.__file__), "_bundled")
c = sorted(glob.glob(os.path.join(d, "pip-*.whl"))) or sorted(glob.glob("/usr/share/python-wheels/pip-*.whl"))
print(c[-1] if c else "")`

// bundledPip returns the path of the pip wheel bundled with python, or "" when there is none.
func bundledPip(ctx context.Context, python string, environ []string) string {
	var out bytes.Buffer
	if err := runLogged(ctx, []string{python, "-I", "-c", bundledPipScript}, environ, &out, nil); err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	p := strings.TrimSpace(lines[len(lines)-1])
	if p == "" || !isFile(p) {
		return ""
	}
	return p
}
