"""Launch-timeline probes for bench/e2e/timeline.sh (a benchmark aid; never installed by Desklit).

timeline.sh puts a .pth file naming this module into the bench cache's runtime for the length of
its run. In a Streamlit started with DESKLIT_TRACE_EVENTS set by the benchmark (the window's,
through desklit_serve.py, or the baseline's `python -m streamlit`) it appends one JSON line per mark to that file: {"t": wall-clock ms, "phase": …}.
Marks: the interpreter running; each HTTP request that answers (path and status; health checks
only the first time); the websocket accepted; the first script runs' start and end. Paths only,
never a query string (the launch secret is in the page's). Anything else: it does nothing.
"""

import importlib.abc
import importlib.util
import json
import os
import sys
import time

_PATH = os.environ.get("DESKLIT_TRACE_EVENTS")
_seen = set()


def _mark(phase, **extra):
    try:
        with open(_PATH, "a", encoding="utf-8") as f:
            f.write(json.dumps({"t": time.time() * 1000.0, "phase": phase, **extra}) + "\n")
    except OSError:
        pass


def _patch_starlette(mod):
    call = mod.Starlette.__call__

    async def traced(self, scope, receive, send):
        kind, path = scope.get("type"), scope.get("path", "")
        if kind not in ("http", "websocket"):
            return await call(self, scope, receive, send)

        async def sending(msg):
            if msg.get("type") == "http.response.start":
                key = (path, msg.get("status"))
                if not (path.endswith("/health") and key in _seen):
                    _seen.add(key)
                    _mark("http", path=path, status=msg.get("status"))
            elif msg.get("type") == "websocket.accept":
                _mark("websocket", path=path)
            return await send(msg)

        return await call(self, scope, receive, sending)

    mod.Starlette.__call__ = traced


def _patch_runner(mod):
    run = mod.ScriptRunner._run_script
    runs = [0]

    def traced(self, rerun_data):
        runs[0] += 1
        n = runs[0]
        if n <= 2:
            _mark("script start", run=n)
        try:
            return run(self, rerun_data)
        finally:
            if n <= 2:
                _mark("script end", run=n)

    mod.ScriptRunner._run_script = traced


_PATCHES = {
    "starlette.applications": _patch_starlette,
    "streamlit.runtime.scriptrunner.script_runner": _patch_runner,
}


class _AfterImport(importlib.abc.MetaPathFinder):
    """Applies a patch right after one of _PATCHES' modules has been executed."""

    def find_spec(self, name, path, target=None):
        patch = _PATCHES.get(name)
        if patch is None:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module

        def exec_module(module):
            execute(module)
            patch(module)

        spec.loader.exec_module = exec_module
        return spec


# Desklit's Streamlit runs desklit_serve.py; the baseline's bare one runs `python -m streamlit`
# (argv[0] is "-m" while site-packages' .pth files run).
if _PATH and sys.argv[:1] and (os.path.basename(sys.argv[0]) == "desklit_serve.py" or sys.argv[0] == "-m"):
    _mark("python")
    sys.meta_path.insert(0, _AfterImport())
