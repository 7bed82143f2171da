package pyruntime

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"time"
)

// warmScript imports, in a process of its own, the installed third-party modules that an app's
// scripts import (found with ast in the folder given), so that their bytecode is in the
// environment's cache when Streamlit's first run of the script imports them.
//
// Only modules of the environment's site-packages are imported: never the app's own modules (the
// folder is not on sys.path: -I), never the standard library (seeded, see seedScript), never
// Streamlit (its own process compiles it at the same moment). Failures are the app's to meet
// later, in its own process: here each is ignored. It prints one line: how many it warmed.
const warmScript = `import ast, os, sys, time, importlib, importlib.util
t0 = time.monotonic()
root = sys.argv[1]
skip_dirs = {"__pycache__", "node_modules", "venv", "env", "site-packages", "build", "dist"}
found, local, files = [], set(), 0
for d, dirs, names in os.walk(root):
    dirs[:] = [x for x in dirs if not x.startswith(".") and x not in skip_dirs and d.count(os.sep) - root.count(os.sep) < 3]
    for x in dirs:
        local.add(x)
    for n in names:
        if not n.endswith(".py") or files >= 300:
            continue
        files += 1
        local.add(n[:-3])
        try:
            with open(os.path.join(d, n), "rb") as f:
                tree = ast.parse(f.read())
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found += [node.module] + [node.module + "." + a.name for a in node.names if a.name != "*"]
site = tuple(p for p in sys.path if os.path.basename(p) == "site-packages")
warmed, seen = 0, set()
for name in found:
    top = name.split(".")[0]
    if name in seen or top in local or top in sys.stdlib_module_names or top in ("streamlit", "desklit_auth"):
        continue
    seen.add(name)
    try:
        spec = importlib.util.find_spec(top)
        where = spec and (spec.origin or next(iter(spec.submodule_search_locations or []), ""))
        if not where or not where.startswith(site):
            continue
        if "." in name and importlib.util.find_spec(name) is None:
            continue
        importlib.import_module(name)
        warmed += 1
    except BaseException:
        pass
print("warmed the bytecode of %d modules the app imports in %.1f s" % (warmed, time.monotonic() - t0))
`

// warmTimeout bounds a warm-up: it only saves time while Streamlit starts.
const warmTimeout = 60 * time.Second

// WarmImports compiles, in the background and at low priority, the bytecode of the installed
// modules the app in dir imports, into env's cache (Env.PycachePrefix). Streamlit compiles them on
// the script's first run otherwise, on one core; started beside Streamlit's own start on a new
// environment, this puts a second core to work on them. It returns at once; the warm-up ends on
// its own, at ctx's end or after warmTimeout, and its output goes to log. done is called when
// the process has ended.
func WarmImports(ctx context.Context, env Env, dir string, log io.Writer, done func()) {
	ctx, cancel := context.WithTimeout(ctx, warmTimeout)
	cmd := exec.CommandContext(ctx, env.Python, "-I", "-X", "pycache_prefix="+env.PycachePrefix(), "-c", warmScript, dir)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = env.Dir, baseEnviron(), log, log
	ownGroup(cmd)
	belowNormal(cmd)
	dieWithParent(cmd)
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		fmt.Fprintf(log, "warm-up of the app's imports not started: %v\n", err)
		done()
		return
	}
	lowerPriority(cmd)
	go func() {
		defer done()
		defer cancel()
		_ = cmd.Wait()
	}()
}
