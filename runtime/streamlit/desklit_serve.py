"""Starts Streamlit exactly as ``python -m streamlit`` does, and warms the app's first run.

The shell runs ``python desklit_serve.py run app.py --server.port N …``. Everything on the
command line goes to Streamlit's own CLI unchanged. Beside it, a background thread waits until
the server accepts connections and then imports what the app's first run would otherwise import
while the user waits: ``desklit_auth`` (and ``requests``), Streamlit's emoji table (the page
icon), and the Arrow/numpy modules Streamlit loads when the sign-in component first renders
(~0.2 s of CPU together). It then fills ``inspect``'s module-by-file table, which
``components.declare_component`` consults: its first call otherwise resolves the real path of
every loaded module (~1,000 of them, ~10,000 ``lstat`` calls, 40–60 ms of the first run). That
happens while the window is still loading Streamlit's page, so the first run finds it done.
Then ``gc.freeze()`` moves everything imported so far out of the
garbage collector's reach: Streamlit collects fully after every run (``runner.postScriptGC``),
and those module objects live for the whole process anyway.

Every HTTP response also carries ``Referrer-Policy: no-referrer`` (Streamlit has no setting for
response headers; a small ASGI middleware goes first in its Starlette stack): the page's address
holds the launch secret (``?desklit_token=``) until the app's first run takes it out, and no
Referer may carry it anywhere meanwhile.

Warming does not delay the server (it starts a moment after the port answers, once the health
checks that decide Ready have had their answers) and never breaks it: a module that fails to
import is left for the script to import (and report) itself.
"""

from __future__ import annotations

import gc
import importlib
import inspect
import os
import signal
import socket
import sys
import threading
import time

# What the bundled app's first run imports, found with PYTHONPROFILEIMPORTTIME=1 (modules first
# imported after "You can now view your Streamlit app").
WARM = (
    "desklit_auth",
    "streamlit.emojis",
    "streamlit.material_icon_names",
    "streamlit.runtime.scriptrunner.magic_funcs",
    "streamlit.components.v1.component_arrow",
    "pyarrow",
)


def server_port(argv: list[str]) -> int | None:
    """The --server.port from Streamlit's command line (``--server.port N`` or ``=N``)."""
    for i, arg in enumerate(argv):
        if arg == "--server.port" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--server.port="):
            value = arg.split("=", 1)[1]
        else:
            continue
        try:
            return int(value)
        except ValueError:
            return None
    return None


def wait_listening(port: int, timeout: float = 60.0, interval: float = 0.01) -> bool:
    """True once 127.0.0.1:port accepts a connection, False after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(interval)
    return False


def warm(modules=WARM) -> list[str]:
    """Import modules (skipping any that fail), fill inspect's module table and freeze the heap;
    returns the modules imported."""
    done = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the script will import it again and show its own error
            continue
        done.append(name)
    # A code object has no __module__, so getmodule looks its file up in inspect.modulesbyfile
    # and, on a miss, adds every module in sys.modules not yet there: the walk that
    # declare_component's first call would do.
    try:
        inspect.getmodule(warm.__code__)
    except Exception:  # an odd module in sys.modules: Streamlit's own lookup will walk instead
        pass
    gc.collect()
    gc.freeze()
    return done


# How long after the port first answers before importing: the health checks that decide Ready
# (the supervisor's, ≤ 40 ms apart) get their answers first. Importing pyarrow holds the GIL for
# tens of milliseconds, which right at that moment delayed Ready by ~50 ms.
GRACE = 0.1


def _warm_when_listening(port: int) -> None:
    if wait_listening(port):
        time.sleep(GRACE)
        warm()


REFERRER_POLICY = (b"referrer-policy", b"no-referrer")


class ReferrerPolicy:
    """ASGI middleware: adds Referrer-Policy: no-referrer to every HTTP response that has none."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_policy(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not any(name.lower() == REFERRER_POLICY[0] for name, _ in headers):
                    headers.append(REFERRER_POLICY)
                message = {**message, "headers": headers}
            await send(message)

        return await self.app(scope, receive, send_with_policy)


def add_referrer_policy() -> bool:
    """Put ReferrerPolicy first in Streamlit's middleware stack; False if Streamlit's server no
    longer looks as expected (the header is a second line of defence: desklit_auth removes the
    secret from the address in any case)."""
    try:
        from starlette.middleware import Middleware
        from streamlit.web.server.starlette import starlette_app
        streamlit_middleware = starlette_app.create_streamlit_middleware
    except (ImportError, AttributeError):
        return False

    def with_policy():
        return [Middleware(ReferrerPolicy), *streamlit_middleware()]

    starlette_app.create_streamlit_middleware = with_policy
    return True


# On Windows the supervisor asks for a stop through an event the process inherits (its handle's
# number in this variable): a console control event cannot reach a process started by Desklit's
# window, which has no console.
STOP_ENV = "DESKLIT_STOP_EVENT"


def _wait_event(handle: int) -> bool:
    import ctypes

    infinite, wait_object_0 = 0xFFFFFFFF, 0
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    return kernel32.WaitForSingleObject(ctypes.c_void_p(handle), infinite) == wait_object_0


def watch_stop(environ=os.environ, wait=None):
    """Starts a thread that raises SIGINT once the supervisor's stop event is set, so Streamlit
    stops its server as on Ctrl+C; returns it, or None when there is no event to watch. The
    variable leaves the environment: no process started from here takes the number for a handle."""
    value = environ.pop(STOP_ENV, None)
    if value is None or not value.isdigit():
        return None
    if wait is None:
        if sys.platform != "win32":
            return None
        handle = int(value)
        wait = lambda: _wait_event(handle)  # noqa: E731

    def run():
        if wait():
            signal.raise_signal(signal.SIGINT)

    thread = threading.Thread(target=run, name="desklit-stop", daemon=True)
    thread.start()
    return thread


def main(argv: list[str]) -> None:
    watch_stop()
    if not add_referrer_policy():
        print("desklit_serve: this Streamlit has no Starlette middleware stack to add "
              "Referrer-Policy to; responses go without it", file=sys.stderr)
    port = server_port(argv)
    if port is not None:
        threading.Thread(target=_warm_when_listening, args=(port,), name="desklit-warm",
                         daemon=True).start()
    from streamlit.web.cli import main as streamlit_main

    sys.argv = ["streamlit", *argv]
    streamlit_main(prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])
