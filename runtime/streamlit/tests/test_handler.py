"""The event handler's contract, on a plain dict as the state."""

import time

import pytest

from desklit_auth import ComponentEvent, handle_event
from desklit_auth.handler import (ERROR_KEY, REAUTH_KEY, RESULT_KEY, SIGNIN_URL_KEY,
                                  current_status, current_token)
from fakeapi import GOOD_TOKEN


def status(token=GOOD_TOKEN, expiry=None, **over):
    data = {"hostname": "desklit", "message": "ok", "isError": False, "error": None,
            "sessioninfo": {"user": {"user": "auth0|1", "name": "Ada", "email": "a@x"},
                            "token": {"value": token, "value_id_token": "i.d.t",
                                      "expiry": expiry or int(time.time()) + 3600}}}
    data.update(over)
    return ComponentEvent.parse({"event": "onStatusUpdate", "seq": 1, "data": data})


def web(props, seq=2):
    return ComponentEvent.parse({"event": "onActionRequest", "seq": seq,
                                 "data": {"action": "WebRequest", "props": props}})


def signed_in_state():
    state = {}
    handle_event(status(), state)
    return state


def test_none_event():
    assert handle_event(None, {}) is None


def test_status_update_signed_in_then_out():
    state = {ERROR_KEY: {"message": "old"}, REAUTH_KEY: True}
    r = handle_event(status(), state)
    assert r.ok and "Ada" in r.message and state[RESULT_KEY] is r
    assert current_status(state).session.user.email == "a@x"
    assert current_token(state).value == GOOD_TOKEN
    assert state[ERROR_KEY] is None and state[REAUTH_KEY] is False
    r = handle_event(status(sessioninfo=None), state)
    assert r.message == "Signed out." and current_token(state) is None
    assert current_status(state).signed_in is False


def test_status_with_error():
    state = {}
    r = handle_event(status(isError=True, error="keyring locked", message="No keyring"), state)
    assert not r.ok and state[ERROR_KEY] == {"message": "No keyring", "error": "keyring locked"}


def test_on_error_and_rejected_event():
    state = {}
    r = handle_event(ComponentEvent.parse({"event": "onError", "data": {"message": "SSE lost",
                                                                         "error": "E"}}), state)
    assert not r.ok and state[ERROR_KEY] == {"message": "SSE lost", "error": "E"}
    r = handle_event(ComponentEvent.parse({"event": "onSurprise", "data": {}}), state)
    assert not r.ok and "not allowed" in r.details["rejected"]
    assert "does not understand" in state[ERROR_KEY]["message"]


@pytest.mark.parametrize("kind,header,value", [
    ("BEARER", "Authorization", f"Bearer {GOOD_TOKEN}"),
    ("ACCESSTOKEN", "accesstoken", GOOD_TOKEN),
])
def test_web_request_with_auth(api, kind, header, value):
    state = signed_in_state()
    r = handle_event(web({"label": "Secure", "url": api.url + "/api/pong", "useauth": True,
                          "auth_kind": kind}), state, api_url=api.url)
    assert r.ok and r.label == "Secure" and r.response.status == 200
    assert r.response.body["data"].startswith("Hello from a SECURE")
    assert api.requests[-1]["headers"][header] == value


def test_web_request_without_auth_and_relative_url(api):
    r = handle_event(web({"url": "/api/ping"}), {}, api_url=api.url)
    assert r.ok and r.response.body["data"].startswith("Hello from a PUBLIC")
    assert "Authorization" not in api.requests[-1]["headers"]


def test_web_request_post(api):
    r = handle_event(web({"url": "/api/ping", "type": "post", "data": "x=1",
                          "headers": {"X-A": "b"}}), {}, api_url=api.url)
    assert r.ok and api.requests[-1]["method"] == "POST" and api.requests[-1]["body"] == b"x=1"
    assert api.requests[-1]["headers"]["X-A"] == "b"


@pytest.mark.parametrize("state_event", [None, "expired"])
def test_web_request_needs_a_valid_token(api, state_event):
    state = {}
    if state_event == "expired":
        handle_event(status(expiry=int(time.time()) - 10), state)
    r = handle_event(web({"url": "/api/pong", "useauth": True, "auth_kind": "BEARER"}), state,
                     api_url=api.url)
    assert not r.ok and "Please log in" in r.message and state[REAUTH_KEY] is True
    assert api.requests == []


def test_web_request_401_asks_to_sign_in_again(api):
    state = {}
    handle_event(status(token="rejected-token"), state)
    r = handle_event(web({"url": "/api/pong", "useauth": True, "auth_kind": "BEARER"}), state,
                     api_url=api.url)
    assert not r.ok and r.response.status == 401 and r.response.code == "invalid_header"
    assert state[REAUTH_KEY] is True and "Sign in again" in r.message


@pytest.mark.parametrize("props,msg", [
    ({"url": "https://evil.example/steal", "useauth": True, "auth_kind": "BEARER"},
     "allowed only to the protected API"),
    ({"url": "http://127.0.0.1:1/x"}, "allowed only to the protected API"),
    ({"url": ""}, "no URL"),
    ({}, "no URL"),
    ({"url": "/api/ping", "type": "DELETE"}, "not supported"),
    ({"url": "/api/ping", "headers": "x"}, "not an object"),
    ({"url": "/api/pong", "useauth": True, "auth_kind": "BASIC"}, "Unknown auth kind"),
])
def test_web_request_refused(api, props, msg):
    r = handle_event(web(props), signed_in_state(), api_url=api.url)
    assert not r.ok and msg in r.message
    assert api.requests == []


def test_web_request_api_down(closed_port_url):
    r = handle_event(web({"url": "/api/ping"}), {}, api_url=closed_port_url)
    assert not r.ok and f"not reachable at {closed_port_url}" in r.message


@pytest.mark.parametrize("url,ok", [
    ("https://idp.example.com/authorize", True),
    ("http://127.0.0.1:9010/authorize", True),
    ("http://localhost:9010/authorize", True),
    ("http://idp.example.com/authorize", False),
    ("javascript:alert(1)", False),
    (None, True),
])
def test_app_auth_request(url, ok):
    state = {}
    props = {} if url is None else {"auth_url": url}
    r = handle_event(ComponentEvent.parse({"event": "onActionRequest", "data": {
        "action": "AppAuthRequest", "props": props}}), state)
    assert r.ok is ok and r.action == "AppAuthRequest"
    assert state.get(SIGNIN_URL_KEY) == (url if ok else None)


def test_unknown_action():
    r = handle_event(ComponentEvent.parse({"event": "onActionRequest",
                                           "data": {"action": "Teleport"}}), {})
    assert not r.ok and "Unknown action" in r.message


def test_results_never_hold_the_token(api):
    state = signed_in_state()
    r = handle_event(web({"url": "/api/pong", "useauth": True, "auth_kind": "BEARER"}), state,
                     api_url=api.url)
    assert GOOD_TOKEN not in repr(r)
