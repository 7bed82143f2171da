"""Probes for the bench/e2e runners (a benchmark aid; never installed by Desklit).

timeline.sh and session.sh put a .pth file into the bench cache's runtime for the length of
their run (removed on exit; never into a user's runtime) whose one line imports this module and
calls start(PATH, KIND). In a Streamlit of that runtime (the window's or `desklit run`'s, through
desklit_serve.py, or a baseline's `python -m streamlit`) it then appends one JSON line per mark to
PATH, never a token, never a query string (the launch secret is in the page's):

- KIND "launch" (timeline.sh): {"t": wall-clock ms, "phase": …}: the interpreter running; each
  HTTP request that answers (path and status; health checks only the first time); the websocket
  accepted; the first script runs' start and end.
- KIND "handled" (session.sh): {"t": wall-clock ms, "event": name, "signed_in": bool} each time
  desklit_auth's ComponentHost has handled a component event: the moment Python has handled
  onStatusUpdate, and whether a user is signed in after it.

Anything else: it does nothing. Failures to write are ignored.
"""

import importlib.abc
import importlib.util
import json
import os
import sys
import time

_path = None
_seen = set()


def _write(record):
    try:
        with open(_path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"t": time.time() * 1000.0, **record}) + "\n")
    except OSError:
        pass


def _mark(phase, **extra):
    _write({"phase": phase, **extra})


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


def _patch_host(mod):
    """Wraps each ComponentHost's handler: one line right after it returns."""
    from desklit_auth.handler import current_status

    init = mod.ComponentHost.__init__

    def traced_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        handler = self.handler

        def traced(event, state):
            result = handler(event, state)
            status = current_status(state)
            _write({"event": event.name, "signed_in": bool(status and status.signed_in)})
            return result

        self.handler = traced

    mod.ComponentHost.__init__ = traced_init


_PATCHES = {
    "launch": {
        "starlette.applications": _patch_starlette,
        "streamlit.runtime.scriptrunner.script_runner": _patch_runner,
    },
    "handled": {
        "desklit_auth.host": _patch_host,
    },
}


class _AfterImport(importlib.abc.MetaPathFinder):
    """Applies a patch right after one of its modules has been executed."""

    def __init__(self, patches):
        self.patches = patches

    def find_spec(self, name, path, target=None):
        patch = self.patches.get(name)
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


def _is_streamlit(argv):
    # Desklit's Streamlit runs desklit_serve.py; a bare one runs `python -m streamlit` (argv[0]
    # is "-m" while site-packages' .pth files run).
    return bool(argv) and (os.path.basename(argv[0]) == "desklit_serve.py" or argv[0] == "-m")


def start(path, kind, argv=None):
    """Trace KIND ("launch" or "handled") into PATH, in a Streamlit process only."""
    global _path
    if not path or kind not in _PATCHES or not _is_streamlit(sys.argv if argv is None else argv):
        return
    _path = path
    if kind == "launch":
        _mark("python")
    sys.meta_path.insert(0, _AfterImport(_PATCHES[kind]))
