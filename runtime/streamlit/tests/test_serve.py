"""desklit_serve: the launcher the shell starts Streamlit with."""

import gc
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import desklit_serve as serve
from fakeapi import free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("argv,port", [
    (["run", "app.py", "--server.port", "4010", "--server.headless", "true"], 4010),
    (["run", "app.py", "--server.port=14010"], 14010),
    (["run", "app.py"], None),
    (["run", "app.py", "--server.port"], None),
    (["run", "app.py", "--server.port", "x"], None),
])
def test_server_port(argv, port):
    assert serve.server_port(argv) == port


def test_wait_listening_sees_a_late_listener_and_gives_up_on_none():
    port = free_port()
    assert serve.wait_listening(port, timeout=0.2) is False

    ln = socket.socket()
    ln.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)

    def listen_later():
        time.sleep(0.2)
        ln.bind(("127.0.0.1", port))
        ln.listen()

    t = threading.Thread(target=listen_later)
    t.start()
    try:
        t0 = time.monotonic()
        assert serve.wait_listening(port, timeout=10) is True
        assert time.monotonic() - t0 >= 0.15
    finally:
        t.join()
        ln.close()


def test_warm_imports_skips_what_fails_and_freezes_the_heap(monkeypatch):
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    before = gc.get_freeze_count()
    try:
        done = serve.warm(("colorsys", "desklit_no_such_module", "json"))
        assert done == ["colorsys", "json"]
        assert "colorsys" in sys.modules
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


def test_warm_fills_inspects_module_table(monkeypatch):
    """After warm(), looking up the module of a frame in any loaded module (what
    declare_component does on every call) finds it without walking sys.modules again."""
    import inspect
    import json.decoder
    monkeypatch.setattr(inspect, "modulesbyfile", {})
    monkeypatch.setattr(inspect, "_filesbymodname", {})
    try:
        serve.warm(())
    finally:
        gc.unfreeze()
    assert inspect.modulesbyfile.get(inspect.getabsfile(json.decoder)) == "json.decoder"
    walked = []
    monkeypatch.setattr(sys, "modules", _Watched(sys.modules, walked))
    assert inspect.getmodule(json.decoder.JSONDecoder.decode.__code__) is json.decoder
    assert walked == []


class _Watched(dict):
    """sys.modules stand-in that records a walk over it (inspect.getmodule copies it to walk)."""

    def __init__(self, modules, walked):
        super().__init__(modules)
        self._walked = walked

    def copy(self):
        self._walked.append(True)
        return super().copy()


def test_the_default_list_imports_in_the_runtime():
    """Every module in WARM exists in the app's runtime (a renamed module would silently stop
    warming)."""
    import importlib.util
    for name in serve.WARM:
        assert importlib.util.find_spec(name) is not None, name


def test_launcher_runs_streamlit_with_the_arguments_it_was_given(tmp_path):
    """The shell's command line through the launcher: Streamlit answers health on the port given,
    and the warm thread's connection to the port is harmless (no error in the output)."""
    app = tmp_path / "app.py"
    app.write_text("import streamlit as st\nst.write('hello')\n")
    port = free_port()
    env = dict(os.environ, HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "desklit_serve.py"), "run", str(app), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--global.developmentMode", "false"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        body = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    body = r.read()
                    break
            except OSError:
                time.sleep(0.05)
        assert body == b"ok", proc.stdout.read() if proc.poll() is not None else "no health"
        # The page's address carries the launch secret until the script removes it: no Referer
        # may carry it anywhere meanwhile.
        for path in ("/?desklit_token=x", "/_stcore/health", "/no-such-file.js"):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                    headers = r.headers
            except urllib.error.HTTPError as e:
                headers = e.headers
            assert headers.get("Referrer-Policy") == "no-referrer", (path, dict(headers))
        time.sleep(1)  # the warm thread imports after the port answers
        assert proc.poll() is None
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert f"127.0.0.1:{port}" in out
    assert "Traceback" not in out and "Error" not in out, out


def test_stop_event_raises_sigint_once_set():
    got = []
    previous = signal.signal(signal.SIGINT, lambda *_: got.append("SIGINT"))
    try:
        env = {serve.STOP_ENV: "1234", "OTHER": "x"}
        thread = serve.watch_stop(env, wait=lambda: True)
        thread.join(5)
        deadline = time.monotonic() + 5
        while not got and time.monotonic() < deadline:
            time.sleep(0.01)  # the handler runs on the main thread
        assert got == ["SIGINT"]
        assert env == {"OTHER": "x"}, "the variable must not reach the processes Streamlit starts"
    finally:
        signal.signal(signal.SIGINT, previous)


def test_no_stop_event_no_thread():
    assert serve.watch_stop({}, wait=lambda: True) is None
    assert serve.watch_stop({serve.STOP_ENV: "nonsense"}, wait=lambda: True) is None
    # an event that is never set (the supervisor killed instead) raises nothing
    assert serve.watch_stop({serve.STOP_ENV: "7"}, wait=lambda: False).join(5) is None
