"""desklit_auth.stlogin against the Streamlit installed: what it relies on is pinned here, so a
Streamlit that moves it fails these tests instead of silently leaving st.user stale; and st.user
as a run reads it, with a broker on 127.0.0.1 answering as Desklit's does. `make test-python` runs
them against the bundled Streamlit and against the oldest with st.login, 1.42 (whose st.user is
st.experimental_user; test/streamlit-min)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import streamlit as st
import streamlit.user_info as user_info
from streamlit.auth_util import get_secrets_auth_section  # noqa: F401 - pinned
from streamlit.runtime.scriptrunner import get_script_run_ctx  # noqa: F401 - pinned
from streamlit.web import cli

import desklit_auth.stlogin as stlogin

# st.user, or st.experimental_user in Streamlit 1.42: the same proxy over _get_user_info.
user = st.user if hasattr(st, "user") else st.experimental_user

SECRET = "client-secret-of-this-test"


class Broker:
    """Answers GET /session as the broker does: 200 with the session, 404 signed out."""

    def __init__(self):
        self.session = None
        self.asked = 0
        self.logouts = 0
        self.refusal = ""
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.asked += 1
                if self.path != "/session" or self.headers.get("Authorization") != "Bearer " + SECRET:
                    self.send_response(401)
                    self.end_headers()
                    return
                body = json.dumps(outer.session).encode() if outer.session else b"{}"
                self.send_response(200 if outer.session else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802 - a sign-out, or a sign-in that did not complete
                if self.path == "/session/logout" and self.headers.get("Authorization") == "Bearer " + SECRET:
                    outer.logouts += 1
                    outer.session = None
                    self.send_response(204)
                    self.end_headers()
                    return
                body = json.dumps({"error": "access_denied", "error_description": outer.refusal}).encode()
                self.send_response(403)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def broker(monkeypatch):
    b = Broker()
    stlogin._answers.clear()
    # install() replaces these: the test's monkeypatch puts them back.
    for module in (user_info, st):
        monkeypatch.setattr(module, "login", module.login)
        monkeypatch.setattr(module, "logout", module.logout)
    monkeypatch.setenv("DESKLIT_STLOGIN_ISSUER", b.issuer)
    monkeypatch.setattr(stlogin, "_client_secret", lambda: SECRET)
    yield b
    b.close()


@pytest.fixture
def cookie(monkeypatch, broker):
    """What Streamlit's cookie says, as the run's user info, behind the wrapped function."""
    info = {"is_logged_in": True, "iss": broker.issuer, "sub": "demo|analyst", "name": "Ada Analyst",
            "tokens": {"access": "access-at-sign-in", "id": "id-token"}}
    monkeypatch.setattr(user_info, "_get_user_info", lambda: dict(info))
    assert stlogin.install()
    return info


def test_streamlit_has_what_the_hook_relies_on():
    # st.login exists (Streamlit >= 1.42), and st.user reads through the module's function.
    assert callable(st.login) and callable(st.logout)
    assert st.login is user_info.login and st.logout is user_info.logout
    assert callable(user_info._get_user_info)
    assert callable(cli.main)
    assert isinstance(user, user_info.UserInfoProxy)
    # A run's context names its session and its page's query string.
    from streamlit.runtime.scriptrunner import ScriptRunContext

    assert {"session_id", "query_string", "user_info"} <= set(ScriptRunContext.__dataclass_fields__)


def test_st_user_reads_through_the_wrapped_function(monkeypatch):
    monkeypatch.setattr(user_info, "_get_user_info", lambda: {"is_logged_in": True, "name": "X"})
    assert user.is_logged_in is True and user.name == "X"
    assert user.to_dict() == {"is_logged_in": True, "name": "X"}


def test_signed_in_in_desklit_keeps_the_user_and_gives_the_current_access_token(broker, cookie):
    broker.session = {"sub": "demo|analyst", "access_token": "access-after-refresh"}
    assert user.is_logged_in is True
    assert user.name == "Ada Analyst"
    assert user.tokens["access"] == "access-after-refresh"
    assert user.tokens["id"] == "id-token"
    assert broker.asked == 1, "one answer serves the run"


def test_signed_out_in_desklit_means_signed_out_on_the_next_run(broker, cookie):
    broker.session = None
    assert user.is_logged_in is False
    assert "name" not in user


def test_another_user_in_desklit_is_not_this_cookie(broker, cookie):
    broker.session = {"sub": "demo|viewer", "access_token": "t"}
    assert user.is_logged_in is False


def test_a_broker_that_does_not_answer_counts_as_signed_out(broker, cookie):
    broker.close()
    assert user.is_logged_in is False


def test_a_cookie_of_another_issuer_is_left_alone(broker, monkeypatch):
    info = {"is_logged_in": True, "iss": "https://elsewhere.example", "sub": "x"}
    monkeypatch.setattr(user_info, "_get_user_info", lambda: dict(info))
    assert stlogin.install()
    assert user.is_logged_in is True
    assert broker.asked == 0


def test_without_a_broker_nothing_is_wrapped(monkeypatch):
    monkeypatch.delenv("DESKLIT_STLOGIN_ISSUER", raising=False)
    original = user_info._get_user_info
    assert stlogin.install() is False
    assert user_info._get_user_info is original


def test_install_replaces_st_login_and_st_logout(broker, cookie):
    assert getattr(st.login, "__name__", "") == "desklit_login"
    assert getattr(st.logout, "__name__", "") == "desklit_logout"
    assert user_info.login is st.login


def test_st_logout_of_a_page_with_desklits_cookie_signs_desklit_out(broker, monkeypatch):
    """st.logout() on the app's plain address, whose cookie names Desklit's user, signs Desklit out
    as well as dropping the cookie: Streamlit 1.42 does not call the end-session endpoint, so the
    next st.login came straight back as the same user. A cookie of another issuer is left to
    Streamlit alone."""
    dropped = []
    monkeypatch.setattr(user_info, "logout", lambda: dropped.append(True))
    info = {"is_logged_in": True, "iss": broker.issuer, "sub": "demo|analyst"}
    monkeypatch.setattr(user_info, "_get_user_info", lambda: dict(info))
    assert stlogin.install()
    broker.session = {"sub": "demo|analyst", "access_token": "t"}
    st.logout()
    assert dropped == [True] and broker.logouts == 1 and broker.session is None
    info["iss"] = "https://elsewhere.example"
    st.logout()
    assert dropped == [True, True] and broker.logouts == 1


def test_a_page_opened_with_the_launch_secret_is_desklits(monkeypatch):
    from types import SimpleNamespace

    stlogin._launch_sessions.clear()
    page = SimpleNamespace(session_id="s1", query_string="a=1&desklit_token=the-secret")
    assert stlogin.launch_page(page, "the-secret")
    # Remembered for the session, once the address no longer carries it.
    assert stlogin.launch_page(SimpleNamespace(session_id="s1", query_string=""), "the-secret")
    assert not stlogin.launch_page(SimpleNamespace(session_id="s2", query_string="desklit_token=guess"), "the-secret")
    assert not stlogin.launch_page(SimpleNamespace(session_id="s3", query_string=""), "the-secret")
    assert not stlogin.launch_page(SimpleNamespace(session_id="s4", query_string="desklit_token="), "")
    assert not stlogin.launch_page(None, "the-secret")


def test_desklits_page_shows_desklits_session_with_the_exposed_tokens():
    stlogin._answers.clear()
    sess = {"sub": "demo|analyst", "claims": {"iss": "http://127.0.0.1:1", "sub": "demo|analyst", "name": "Ada"},
            "id_token": "broker-id-token", "access_token": "current-access"}
    info = stlogin.direct("http://127.0.0.1:1", SECRET, "k1", ["access"], ask=lambda i, s: sess)
    assert info == {"iss": "http://127.0.0.1:1", "sub": "demo|analyst", "name": "Ada", "is_logged_in": True,
                    "tokens": {"access": "current-access"}}
    info = stlogin.direct("http://127.0.0.1:1", SECRET, "k2", [], ask=lambda i, s: sess)
    assert "tokens" not in info
    assert stlogin.direct("http://127.0.0.1:1", SECRET, "k3", ["id"], ask=lambda i, s: None) == {"is_logged_in": False}


def test_a_sign_in_that_did_not_complete_says_why(broker):
    broker.refusal = "Desklit's sign-in did not complete: closed. Check that http://127.0.0.1:9011/callback is allowed"
    with pytest.raises(stlogin.SignInFailed, match="127.0.0.1:9011/callback"):
        stlogin.ask_broker(broker.issuer, SECRET, "/session/login", "POST")


def test_no_rerun_within_a_widget_callback(monkeypatch):
    """on_click=st.login / st.logout (as Streamlit's docs write them): the run after the callback
    shows the new st.user, and st.rerun() inside the callback is a no-op that Streamlit 1.43-1.52
    warns about on the page. What the check relies on is pinned: Streamlit calls a widget's
    callback from call_callback in runtime/state/session_state.py."""
    from streamlit.runtime.state import session_state

    assert callable(getattr(session_state.WStates, "call_callback", None))
    assert session_state.__file__.replace("\\", "/").endswith("runtime/state/session_state.py")
    reruns = []
    monkeypatch.setattr(st, "rerun", lambda: reruns.append(1))
    ns = {}
    exec(compile("def call_callback(cb):\n    cb()\n", session_state.__file__, "exec"), ns)
    ns["call_callback"](stlogin._rerun)
    assert reruns == []
    stlogin._rerun()
    assert reruns == [1]
