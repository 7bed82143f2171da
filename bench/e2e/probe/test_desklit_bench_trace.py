"""The probe's "handled" trace against the real desklit_auth in Streamlit's AppTest: one line per
handled event, the same moment and fields the benchmark reads, never a token; nothing outside a
Streamlit process.

    .cache/venv-test/bin/python -m pytest -q bench/e2e/probe     # from the repository root
"""

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "runtime" / "streamlit"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import desklit_bench_trace as probe  # noqa: E402

TOKEN = "eyJ.SECRET-ACCESS-TOKEN.sig"


class FakeComponent:
    """Stands in for the iframe: ``value`` is what setComponentValue last sent."""

    def __init__(self):
        self.value, self.seq = None, 0

    def __call__(self, **kwargs):
        return self.value

    def send(self, data):
        self.seq += 1
        self.value = {"event": "onStatusUpdate", "seq": self.seq, "data": data}

    def sign_in(self):
        self.send({"hostname": "desklit", "message": "Signed in", "isError": False, "error": None,
                   "sessioninfo": {"user": {"user": "auth0|ada", "name": "Ada", "email": "a@b.c"},
                                   "token": {"value": TOKEN, "value_id_token": "eyJ.id.sig",
                                             "expiry": int(time.time()) + 3600}}})

    def sign_out(self):
        self.send({"hostname": "desklit", "message": "Signed out", "isError": False,
                   "error": None, "sessioninfo": None})


def script():
    import desklit_auth as auth

    auth.sign_in(notices=False)


def test_handled_events_are_traced_without_tokens(tmp_path, monkeypatch):
    trace = tmp_path / "handled.jsonl"
    hooks = list(sys.meta_path)
    probe.start(str(trace), "handled", argv=["/usr/bin/python3", "other.py"])
    assert sys.meta_path == hooks  # not a Streamlit: nothing is patched
    probe.start(str(trace), "handled", argv=["/data/desklit/app/desklit_serve.py", "run"])
    assert "desklit_auth.host" not in sys.modules, "the probe must start before desklit_auth loads"

    from streamlit.testing.v1 import AppTest

    import desklit_auth.host as host

    fake = FakeComponent()
    monkeypatch.setattr(host, "_invoke_component", fake)
    at = AppTest.from_function(script)
    before = time.time() * 1000
    fake.sign_out()
    at.run()
    fake.sign_in()
    at.run()
    at.run()  # the same value again: not handled, not traced
    assert not at.exception
    lines = [json.loads(x) for x in trace.read_text().splitlines()]
    assert [(x["event"], x["signed_in"]) for x in lines] == [("onStatusUpdate", False),
                                                            ("onStatusUpdate", True)]
    assert all(before <= x["t"] <= time.time() * 1000 for x in lines)
    assert TOKEN not in trace.read_text() and "eyJ" not in trace.read_text()


def test_launch_marks_in_a_streamlit_process(tmp_path):
    """KIND "launch" in a fresh interpreter, as a .pth line starts it in `python -m streamlit`:
    the interpreter's mark at once, and Starlette and the script runner wrapped on import."""
    import subprocess

    trace = tmp_path / "trace.jsonl"
    code = ("import sys; sys.path.insert(0, %r); import desklit_bench_trace as p; "
            "p.start(%r, 'launch', argv=['-m']); "
            "import starlette.applications as a; "
            "import streamlit.runtime.scriptrunner.script_runner as r; "
            "print(a.Starlette.__call__.__name__, r.ScriptRunner._run_script.__name__)"
            ) % (str(Path(__file__).resolve().parent), str(trace))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["traced", "traced"]
    assert [json.loads(x)["phase"] for x in trace.read_text().splitlines()] == ["python"]
