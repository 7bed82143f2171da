package pyruntime

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// An environment has what `python -m venv` gives one, which is where the analyst's requirements
// were frozen: on Python 3.11 and older, the interpreter's own setuptools (ensurepip's wheel, or
// the distribution's copy in WHEEL_PKG_DIR on Debian and Fedora), unless the lock has a
// setuptools of its own. uv makes environments without it, and packages of frozen requirements
// that import pkg_resources when they load (pandas-profiling, google-api-core 1.x, pycountry 22)
// failed where the analyst's venv works; today's setuptools (82 and later) has no pkg_resources,
// so the seed is the interpreter's, not the index's. Python 3.12's venv seeds none, nor does this.
// A project locked with uv (uv.lock) gets what uv gives: no seed.
//
// Resolving, the interpreter's setuptools is preferred, as pip keeps the installed one when a
// requirement (pycountry 22's `setuptools`, a project's own unversioned line) is met by it: uv
// would take today's, which has no pkg_resources. The lock key does not name the seed (a warm
// start runs no process to find it); a new generation of the rules (lockRules) brings it to the
// locks resolved before.

// seedName is joined to a seeded environment's lock in its key (Key), so that an environment
// built before seeding is built again.
const seedName = "\x00seed: the interpreter's setuptools\n"

// seeds reports whether o's environments are seeded.
func (o Options) seeds() bool { return o.Source.Kind != SourceUVLock }

// seedWheelScript prints the interpreter's own setuptools wheel, where `python -m venv` takes it from
// (nothing when it has none).
const seedWheelScript = `import glob, os, sysconfig
for d in (sysconfig.get_config_var("WHEEL_PKG_DIR") or "", os.path.join(sysconfig.get_paths()["stdlib"], "ensurepip", "_bundled")):
    found = sorted(glob.glob(os.path.join(d, "setuptools-*.whl"))) if d else []
    if found:
        print(found[-1])
        break
`

// seedWheels remembers each interpreter's answer (its path → wheel): a first start asks when
// it resolves and again when it builds, and an interpreter's own wheel does not change.
var seedWheels sync.Map

// seedWheel is the interpreter's own setuptools wheel ("" when it has none).
func (o Options) seedWheel(ctx context.Context) (string, error) {
	if wheel, ok := seedWheels.Load(o.Python.Path); ok {
		return wheel.(string), nil
	}
	var wheel string
	err := runLogged(ctx, []string{o.Python.Path, "-I", "-c", seedWheelScript}, baseEnviron(), o.log(), func(line string) {
		if strings.HasSuffix(line, ".whl") {
			wheel = line
		}
	})
	if err == nil {
		seedWheels.Store(o.Python.Path, wheel)
	}
	return wheel, err
}

// seedPreference is the interpreter's setuptools as a resolution preference ("setuptools==65.5.0")
// and the folder of its wheel ("", "" when it has none). A package's lock for a target whose
// Python seeds setuptools too (3.11 and older) prefers the same one, so that the package installs
// what the project's environment has here; a newer target's Python seeds none.
func (o Options) seedPreference(ctx context.Context) (pin, dir string) {
	if !o.seeds() || o.Python.Path == "" || o.Platform != nil && CompareVersions(o.Platform.Python, "3.12") >= 0 {
		return "", ""
	}
	wheel, err := o.seedWheel(ctx)
	if err != nil || wheel == "" {
		return "", ""
	}
	seed, ok := WheelPin(filepath.Base(wheel))
	if !ok {
		return "", ""
	}
	return "setuptools==" + seed.Version + "\n", filepath.Dir(wheel)
}

// seedSetuptools installs the interpreter's setuptools into the environment of python when the
// lock has none.
func (o Options) seedSetuptools(ctx context.Context, python, lockFile string) error {
	if !o.seeds() {
		return nil
	}
	lock, err := os.ReadFile(lockFile)
	if err != nil {
		return err
	}
	for _, r := range parseRequirements(lock) {
		if r.Name == "setuptools" {
			return nil
		}
	}
	wheel, err := o.seedWheel(ctx)
	if err != nil {
		return buildError("find the interpreter's setuptools", err)
	}
	if wheel == "" {
		o.logger().Debug("the interpreter has no setuptools of its own: the environment gets none", "python", o.Python.Path)
		return nil
	}
	args := []string{"pip", "install", "--python", python, "--offline", "--no-index", "--no-config", "--no-deps", "--quiet", wheel}
	if err := o.runUV(ctx, false, args, nil, nil); err != nil {
		return buildError("install the interpreter's setuptools", err)
	}
	return nil
}

// SeedWheelDir is the folder of the interpreter's own setuptools wheel ("" when it has none): a
// package's lock may pin that wheel (seedPreference), and the package carries it.
func SeedWheelDir(ctx context.Context, o Options) string {
	_, dir := o.seedPreference(ctx)
	return dir
}
