"""ComponentHost, run_component and the README's three-line sign-in, in AppTest scripts."""

import time

import pytest
from streamlit.testing.v1 import AppTest

import desklit_auth.host as host
from fakeapi import GOOD_TOKEN
from test_app import FakeComponent

README_SNIPPET = '''
import os
import streamlit as st
API = os.environ["DESKLIT_API_URL"]

import desklit_auth as auth
user = auth.sign_in()          # renders the component; returns the user or None
if user: st.write(auth.requests().get(API + "/api/pong").json())
'''


@pytest.fixture
def component(monkeypatch):
    fake = FakeComponent()
    monkeypatch.setattr(host, "_invoke_component", fake)
    return fake


def test_readme_three_lines(api, component, monkeypatch):
    monkeypatch.setenv("DESKLIT_API_URL", api.url)
    at = AppTest.from_string(README_SNIPPET)
    at.query_params["desklit_token"] = "t"
    at.run()
    assert not at.exception and not at.json
    component.sign_in()
    at.run()
    assert not at.exception
    assert at.json[0].value and "Hello from a SECURE endpoint!" in at.json[0].value
    assert api.requests[-1]["headers"]["Authorization"] == f"Bearer {GOOD_TOKEN}"


def _host_script():
    import streamlit as st

    import desklit_auth as auth

    def handler(event, state):
        state["calls"] = state.get("calls", 0) + 1
        if event.name == "onError":
            raise RuntimeError("handler bug with a secret payload")
        return auth.handle_event(event, state)

    h = auth.ComponentHost("login", handler=handler, events=("onStatusUpdate", "onError"),
                           launch_token="lt")
    r = h.run()
    st.write(f"result={r.message if r else None}")
    st.write(f"user={auth.user().name if auth.user() else None}")


def test_host_dedupes_filters_and_contains_handler_errors(component):
    at = AppTest.from_function(_host_script)
    at.run()
    assert component.calls[-1]["key"] == "login" and component.calls[-1]["launch_token"] == "lt"
    assert "calls" not in at.session_state  # nothing sent yet: the handler is not called
    component.sign_in()
    at.run()
    at.run()
    assert at.session_state["calls"] == 1  # the same value twice: handled once
    assert at.markdown[1].value == "user=Ada Lovelace"
    # an event this host did not subscribe to becomes onError, which our handler fails on
    component.send("onActionRequest", {"action": "WebRequest", "props": {"url": "/x"}})
    at.run()
    assert not at.exception
    assert at.session_state["calls"] == 2
    assert "failed: RuntimeError" in at.markdown[0].value
    assert "secret payload" not in str(at.session_state["desklit_auth.error"])
    assert at.markdown[1].value == "user=Ada Lovelace"  # the session is untouched


def test_sign_in_returns_none_until_signed_in(component, monkeypatch):
    monkeypatch.setenv("DESKLIT_API_URL", "http://127.0.0.1:9")

    def script():
        import streamlit as st

        import desklit_auth as auth

        u = auth.sign_in(notices=False)
        st.write(f"user={u.email if u else None}")
        s = auth.session()
        st.write(f"valid={s.token.valid() if s else None}")

    at = AppTest.from_function(script)
    at.run()
    assert at.markdown[0].value == "user=None" and not at.info  # notices off
    component.sign_in(expiry=int(time.time()) + 120)
    at.run()
    assert at.markdown[0].value == "user=ada@example.com" and at.markdown[1].value == "valid=True"
    component.sign_out()
    at.run()
    assert at.markdown[0].value == "user=None"


def test_actions_are_passed_only_when_given(component):
    def script():
        import desklit_auth as auth

        auth.run_component("a")
        auth.run_component("b", actions=[{"label": "Ping", "action": "WebRequest",
                                          "props": {"url": "/api/ping"}}])

    AppTest.from_function(script).run()
    a, b = component.calls[-2:]
    assert "actions" not in a
    assert b["actions"][0]["label"] == "Ping"
