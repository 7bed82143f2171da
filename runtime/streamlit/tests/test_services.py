"""A project's own services: their URLs from the environment, and the token sent to them."""

import pytest
from streamlit.testing.v1 import AppTest

import desklit_auth as auth
import desklit_auth.host as host
from fakeapi import GOOD_TOKEN, FakeAPI
from test_app import FakeComponent


def test_service_url_from_the_environment(monkeypatch):
    monkeypatch.setenv("DESKLIT_SERVICE_NOTES_API_URL", "http://127.0.0.1:41234/")
    assert auth.service_url("notes-api") == "http://127.0.0.1:41234"
    monkeypatch.delenv("DESKLIT_SERVICE_NOTES_API_URL")
    with pytest.raises(auth.UnknownService) as e:
        auth.service_url("notes-api")
    assert "[services.notes-api]" in str(e.value) and "DESKLIT_SERVICE_NOTES_API_URL" in str(e.value)


SCRIPT = '''
import streamlit as st
import desklit_auth as auth
user = auth.sign_in()
if user:
    st.json(auth.service_session("notes-api").get("/api/pong").json())
'''


def test_service_session_sends_the_token_to_that_service_only(api, monkeypatch):
    component = FakeComponent()
    monkeypatch.setattr(host, "_invoke_component", component)
    with FakeAPI() as other:
        monkeypatch.setenv("DESKLIT_SERVICE_NOTES_API_URL", api.url)
        monkeypatch.setenv("DESKLIT_API_URL", other.url)
        at = AppTest.from_string(SCRIPT)
        at.query_params["desklit_token"] = "t"
        at.run()
        component.sign_in()
        at.run()
        assert not at.exception
        assert "Hello from a SECURE endpoint!" in at.json[0].value
        assert api.requests[-1]["headers"]["Authorization"] == f"Bearer {GOOD_TOKEN}"
        assert not other.requests
