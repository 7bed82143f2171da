package pyruntime

// seedScript runs in the import check of a new environment (after checkScript, before
// listScript) and gives the environment's bytecode cache (Env.PycachePrefix, passed in
// DESKLIT_PYCACHE_SEED) the standard library's compiled files.
//
// Why: Streamlit runs with PYTHONPYCACHEPREFIX, so its Python looks for every module's bytecode
// under that prefix only, never in the __pycache__ folders beside the sources. Without a seed, the
// first start of every new environment compiles again the 250-odd standard-library modules that
// Streamlit, pandas and their kind import (about 0.7 s of a first start on a 2-core machine, 2 s
// under load), which a bare `streamlit run` never pays: the standard library ships compiled.
//
// How: each `NAME.<cache tag>.pyc` of the standard library's __pycache__ folders (not the
// optimized ones, not the test suites, not site-packages) is linked — copied across file
// systems — to the path Python itself computes for its source under the prefix
// (importlib.util.cache_from_source with sys.pycache_prefix set). The files are valid there as
// they are: a .pyc names its source's mtime and size (or hash), not its own path, and Python
// never writes into an existing .pyc (it replaces it), so the base Python's files are never
// changed through the links. A failure here costs only speed, so it is reported on stderr and
// the check goes on.
const seedScript = `
import os

def _desklit_seed(prefix):
    import shutil, sysconfig, importlib.util
    tag = sys.implementation.cache_tag
    if not prefix or not tag:
        return
    skip = {"site-packages", "dist-packages", "test", "tests", "idlelib", "turtledemo", "lib2to3"}
    roots = {os.path.normpath(sysconfig.get_path(k)) for k in ("stdlib", "platstdlib")}
    saved, sys.pycache_prefix = sys.pycache_prefix, prefix
    n = 0
    try:
        for root in roots:
            for d, dirs, files in os.walk(root):
                dirs[:] = [x for x in dirs if x not in skip]
                if os.path.basename(d) != "__pycache__":
                    continue
                src_dir = os.path.dirname(d)
                for f in files:
                    name, _, rest = f.partition(".")
                    if rest != tag + ".pyc":
                        continue
                    src = os.path.join(src_dir, name + ".py")
                    if not os.path.isfile(src):
                        continue
                    dst = importlib.util.cache_from_source(src)
                    if os.path.exists(dst):
                        continue
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    try:
                        os.link(os.path.join(d, f), dst)
                    except OSError:
                        shutil.copyfile(os.path.join(d, f), dst)
                    n += 1
    except OSError as e:
        print("desklit: standard-library bytecode not seeded: %s" % e, file=sys.stderr)
    finally:
        sys.pycache_prefix = saved

_desklit_seed(os.environ.get("DESKLIT_PYCACHE_SEED", ""))
`
