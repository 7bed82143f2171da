"""The demo app under streamlit.testing.v1.AppTest (the component iframe is replaced by a fake
that returns what the real one would send, and records the args it was given)."""

import hashlib
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import desklit_auth.host as host
from fakeapi import GOOD_TOKEN, SCOPED_TOKEN

APP = str(Path(__file__).resolve().parent.parent / "app.py")
LAUNCH = "launch-secret-1234567890"
PAGES = ["public_api", "secure_api", "scoped_api", "session", "upload"]


class FakeComponent:
    """Stands in for the iframe: ``value`` is what setComponentValue last sent."""

    def __init__(self):
        self.value = None
        self.calls = []
        self.seq = 0

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        return self.value

    def send(self, event, data):
        self.seq += 1
        self.value = {"event": event, "seq": self.seq, "data": data}

    def sign_in(self, token=GOOD_TOKEN, expiry=None):
        self.send("onStatusUpdate", {
            "hostname": "desklit", "message": "Signed in", "isError": False, "error": None,
            "sessioninfo": {"user": {"user": "auth0|ada", "name": "Ada Lovelace",
                                     "email": "ada@example.com"},
                            "token": {"value": token, "value_id_token": "eyJhbGciOi.id.token",
                                      "expiry": expiry or int(time.time()) + 3600}}})

    def sign_out(self):
        self.send("onStatusUpdate", {"hostname": "desklit", "message": "Signed out",
                                     "isError": False, "error": None, "sessioninfo": None})


@pytest.fixture
def component(monkeypatch):
    fake = FakeComponent()
    monkeypatch.setattr(host, "_invoke_component", fake)
    return fake


@pytest.fixture
def app(api, component, component_server, monkeypatch):
    monkeypatch.setenv("DESKLIT_API_URL", api.url)
    monkeypatch.delenv("DESKLIT_LAUNCH_SECRET", raising=False)
    monkeypatch.setenv("DESKLIT_COMPONENT_URL", component_server.url)
    at = AppTest.from_file(APP, default_timeout=20)
    at.query_params["desklit_token"] = LAUNCH
    return at


def texts(at):
    """Every string the page shows (markdown, titles, alerts, metrics...)."""
    out = []
    for group in (at.title, at.markdown, at.info, at.warning, at.error, at.success, at.caption,
                  at.metric, at.subheader, at.header):
        for el in group:
            out.append(str(el.value))
    out.extend(m.label for m in at.metric)
    return "\n".join(out)


def rendered(at):
    """Everything rendered, as protobuf text (to look for secrets anywhere)."""
    out = []

    def walk(node):
        if hasattr(node, "proto") and node.proto is not None:
            out.append(str(node.proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    return "\n".join(out)


def test_waits_for_the_first_status(app, component):
    app.run()  # the component has not sent anything yet
    assert not app.exception
    assert "Checking your session" in app.info[0].value
    assert "Welcome" not in texts(app) and not app.title  # no page runs meanwhile
    component.sign_in()
    app.run()
    assert app.title[0].value == "Public API"


def test_component_server_down_is_a_clear_message(app, component, monkeypatch,
                                                  closed_port_url):
    monkeypatch.setenv("DESKLIT_COMPONENT_URL", closed_port_url)
    app.run()
    assert not app.exception
    assert f"sign-in component is not reachable at {closed_port_url}" in app.error[0].value


def test_signed_out_shows_a_prompt_and_no_pages(app, component):
    component.sign_out()
    app.run()
    assert not app.exception
    assert "Welcome to Desklit" in texts(app) and "Log in" in texts(app)
    assert "Public API" not in texts(app)
    for page in PAGES:
        with pytest.raises(ValueError):
            app.switch_page(f"app_pages/{page}.py")
    # the component was rendered on top with the launch token and the API URL
    args = component.calls[-1]
    assert args["launch_token"] == LAUNCH and args["api_url"] == app_api_url(app)
    assert args["key"] == "desklit_auth" and args["signin_required"] is False


def app_api_url(at):
    import os
    return os.environ["DESKLIT_API_URL"]


def test_signed_in_shows_pages(app, component, api):
    component.sign_in()
    app.run()
    assert not app.exception
    assert "Public API" in texts(app)  # the default page
    assert "Hello from a PUBLIC endpoint!" in texts(app)
    for page, title in zip(PAGES, ["Public API", "Secure API", "Scoped API", "Session", "Upload"]):
        app.switch_page(f"app_pages/{page}.py").run()
        assert not app.exception, page
        assert app.title[0].value == title


def test_secure_call_sends_bearer_and_shows_response(app, component, api):
    component.sign_in()
    app.run()
    app.switch_page("app_pages/secure_api.py").run()
    assert not app.exception
    pong = [r for r in api.requests if r["path"] == "/api/pong"]
    assert pong and pong[-1]["headers"]["Authorization"] == f"Bearer {GOOD_TOKEN}"
    assert "Hello from a SECURE endpoint!" in texts(app)
    assert app.success[0].value == "200 OK"
    assert GOOD_TOKEN not in rendered(app)


def test_401_prompts_sign_in_again(app, component, api):
    component.sign_in(token="revoked-token-value")
    app.run()
    app.switch_page("app_pages/secure_api.py").run()
    assert not app.exception
    assert "did not accept your sign-in" in texts(app) and "Log in" in texts(app)
    assert "revoked-token-value" not in rendered(app)
    # the next run asks the component to offer sign-in again, and says so on top
    app.run()
    assert component.calls[-1]["signin_required"] is True
    assert any("sign in again" in w.value for w in app.warning)
    # a new sign-in (a new status) settles it
    component.sign_in()
    app.run()
    assert component.calls[-1]["signin_required"] is False
    assert "Hello from a SECURE endpoint!" in texts(app)


def test_expired_token_is_not_sent(app, component, api):
    component.sign_in(expiry=int(time.time()) + 5)  # inside the 30 s margin
    app.run()
    app.switch_page("app_pages/secure_api.py").run()
    assert not app.exception
    assert "expired" in texts(app)
    assert not [r for r in api.requests if r["path"] == "/api/pong"]


def test_scoped_api_shows_403(app, component):
    component.sign_in()
    app.run()
    app.switch_page("app_pages/scoped_api.py").run()
    assert not app.exception
    err = app.error[0].value
    assert "403" in err and "insufficient_scope" in err and "read:messages" in err
    component.sign_in(token=SCOPED_TOKEN)
    app.run()
    assert not app.error and "Hello from a SECURE endpoint!" in texts(app)


def test_api_down_is_a_clear_message(app, component, monkeypatch, closed_port_url):
    monkeypatch.setenv("DESKLIT_API_URL", closed_port_url)
    component.sign_in()
    app.run()
    assert not app.exception
    assert f"The protected API is not reachable at {closed_port_url}" in app.error[0].value
    app.switch_page("app_pages/secure_api.py").run()
    assert not app.exception
    assert f"The protected API is not reachable at {closed_port_url}" in app.error[0].value


def test_session_page_masks_tokens(app, component):
    component.sign_in()
    app.run()
    app.switch_page("app_pages/session.py").run()
    assert not app.exception
    shown = texts(app)
    assert "Ada Lovelace" in shown and "ada@example.com" in shown and "auth0|ada" in shown
    assert "Access token expires in" in shown
    everything = rendered(app)
    assert GOOD_TOKEN not in everything and "eyJhbGciOi.id.token" not in everything
    assert GOOD_TOKEN[:6] in everything  # the check above can see table cells
    table = app.table[0].value
    assert list(table["value (masked)"]) == [GOOD_TOKEN[:6] + "…", "eyJhbG…"]


def test_upload_shows_name_size_and_preview(app, component, capsys):
    component.sign_in()
    app.run()
    app.switch_page("app_pages/upload.py").run()
    content = b"".join(b"line %d\n" % i for i in range(100))
    app.file_uploader[0].set_value(("notes.txt", content, "text/plain")).run()
    app.run()  # a rerun with the same file logs nothing new
    assert not app.exception
    digest = hashlib.sha256(content).hexdigest()
    logged = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("upload received")]
    assert logged == [f"upload received: 'notes.txt', {len(content)} bytes, sha256 {digest}"]
    assert "notes.txt" in app.success[0].value and f"{len(content)} bytes" in app.success[0].value
    preview = app.code[0].value
    assert preview.startswith("line 0\nline 1") and "line 19" in preview and "line 20" not in preview
    app.file_uploader[0].set_value(("data.csv", b"a,b\n1,2\n3,4\n", "text/csv")).run()
    assert not app.exception and app.dataframe[0].value.shape == (2, 2)


def test_sign_out_hides_the_pages(app, component):
    component.sign_in()
    app.run()
    app.switch_page("app_pages/secure_api.py").run()
    assert "Secure API" in texts(app)
    component.sign_out()
    app.run()
    assert not app.exception
    assert "Welcome to Desklit" in texts(app) and "Secure API" not in texts(app)


def test_without_launch_token(api, component, monkeypatch):
    monkeypatch.setenv("DESKLIT_API_URL", api.url)
    at = AppTest.from_file(APP, default_timeout=20).run()
    assert not at.exception
    assert component.calls[-1]["launch_token"] is None
    assert "launch link" in texts(at)


def test_launch_token_leaves_the_address_and_survives_reruns_and_navigation(app, component):
    """The first run takes the secret out of the page's address (so that no Referer, copied link
    or screenshot of the address bar carries it) and keeps it in the session: reruns and other
    pages still hand it to the component."""
    app.run()
    assert component.calls[-1]["launch_token"] == LAUNCH
    assert "desklit_token" not in app.query_params
    component.sign_in()
    app.run()  # a rerun, with the address already clean
    assert component.calls[-1]["launch_token"] == LAUNCH
    app.switch_page("app_pages/session.py").run()
    assert component.calls[-1]["launch_token"] == LAUNCH
    assert "desklit_token" not in app.query_params
    assert LAUNCH not in rendered(app)


def test_launch_token_is_removed_from_the_address_even_when_refused(api, component, monkeypatch):
    monkeypatch.setenv("DESKLIT_API_URL", api.url)
    monkeypatch.setenv("DESKLIT_LAUNCH_SECRET", "the-real-secret")
    at = AppTest.from_file(APP, default_timeout=20)
    at.query_params["desklit_token"] = "a-guess"
    at.query_params["other"] = "kept"
    at.run()
    assert component.calls[-1]["launch_token"] is None
    assert "desklit_token" not in at.query_params
    assert at.query_params.get("other") == "kept"


def test_launch_token_must_match_the_shell_secret(api, component, monkeypatch):
    monkeypatch.setenv("DESKLIT_API_URL", api.url)
    monkeypatch.setenv("DESKLIT_LAUNCH_SECRET", "the-real-secret")
    at = AppTest.from_file(APP, default_timeout=20)
    at.query_params["desklit_token"] = "a-guess"
    at.run()
    assert component.calls[-1]["launch_token"] is None
    assert "does not belong to this Desklit" in at.error[0].value
    at.query_params["desklit_token"] = "the-real-secret"
    at.run()
    assert component.calls[-1]["launch_token"] == "the-real-secret"


def test_component_error_is_shown(app, component):
    component.send("onError", {"message": "Lost the session stream", "error": "EventSource"})
    app.run()
    assert not app.exception
    assert any("Lost the session stream" in w.value for w in app.warning)
    component.send("onSomethingElse", {"token": GOOD_TOKEN})
    app.run()
    assert any("does not understand" in w.value for w in app.warning)
    assert GOOD_TOKEN not in rendered(app)


def test_each_event_is_handled_once(app, component, api):
    """Streamlit returns the component's last value on every rerun: seq makes it run once."""
    component.send("onActionRequest", {"action": "WebRequest", "props": {
        "label": "Ping", "url": "/api/ping", "useauth": False}})
    for _ in range(3):
        app.run()
    assert len([r for r in api.requests if r["path"] == "/api/ping"]) == 1
    component.send("onActionRequest", {"action": "WebRequest", "props": {
        "label": "Ping", "url": "/api/ping", "useauth": False}})  # same request, next seq
    app.run()
    app.run()
    assert len([r for r in api.requests if r["path"] == "/api/ping"]) == 2
    assert not app.exception


def _component_protos(at):
    found = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if getattr(node, "type", None) == "component_instance":
            found.append(proto)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return found


def test_component_is_declared_with_the_component_server_url(api, monkeypatch):
    """No fake here: the real declare_component call, as the browser would receive it."""
    import json

    monkeypatch.setenv("DESKLIT_API_URL", api.url)
    monkeypatch.setenv("DESKLIT_COMPONENT_URL", "http://127.0.0.1:3999")
    monkeypatch.delenv("DESKLIT_COMPONENT_BUILD_DIR", raising=False)
    at = AppTest.from_file(APP, default_timeout=20)
    at.query_params["desklit_token"] = LAUNCH
    at.run()
    assert not at.exception
    (proto,) = _component_protos(at)
    assert proto.url == "http://127.0.0.1:3999"
    assert proto.component_name.endswith("desklit_auth")
    args = json.loads(proto.json_args)
    assert args == {"launch_token": LAUNCH, "api_url": api.url, "signin_required": False,
                    "default": None, "key": "desklit_auth"}


def test_component_from_a_local_build(api, monkeypatch, tmp_path):
    (tmp_path / "index.html").write_text("<html></html>")
    monkeypatch.setenv("DESKLIT_API_URL", api.url)
    monkeypatch.setenv("DESKLIT_COMPONENT_BUILD_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=20).run()
    assert not at.exception
    (proto,) = _component_protos(at)
    assert proto.url == ""  # served by Streamlit from the build directory


def test_refused_launch_token_shows_why_not_a_spinner(app, component):
    component.send("onError", {"message": "Desklit refused this page's launch token. Open the "
                                          "app from Desklit.", "error": "launch_token_refused"})
    app.run()
    assert not app.exception and "Checking your session" not in texts(app)
    assert "Welcome to Desklit" in texts(app)
    assert any("refused this page's launch token" in w.value for w in app.warning)


def test_missing_launch_token_is_explained_once(api, component, monkeypatch):
    monkeypatch.setenv("DESKLIT_API_URL", api.url)
    component.send("onError", {"message": "This page was not opened by Desklit, so it cannot "
                                          "see the session.", "error": "missing_launch_token"})
    at = AppTest.from_file(APP, default_timeout=20).run()
    assert not at.exception
    assert len(at.info) == 1 and "launch link" in at.info[0].value and not at.warning


def test_unknown_expiry_is_left_to_the_api(app, component, api):
    component.sign_in()
    component.value["data"]["sessioninfo"]["token"]["expiry"] = None
    app.run()
    app.switch_page("app_pages/secure_api.py").run()
    assert not app.exception and "Hello from a SECURE endpoint!" in texts(app)
