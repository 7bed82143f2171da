"""The authenticated requests session against a local fake API (no network)."""

from datetime import datetime, timedelta, timezone

import pytest
import requests

from desklit_auth import ApiUnreachable, AuthSession, SignInRequired, Token, result_of
from fakeapi import GOOD_TOKEN, FakeAPI

LATER = datetime.now(timezone.utc) + timedelta(hours=1)


def good():
    return Token(value=GOOD_TOKEN, expiry=LATER)


def test_bearer_header_on_api_calls(api):
    s = AuthSession(api.url, token=good)
    resp = s.get("/api/pong")
    assert resp.status_code == 200 and resp.json()["data"].startswith("Hello from a SECURE")
    assert api.requests[-1]["headers"]["Authorization"] == f"Bearer {GOOD_TOKEN}"
    # absolute URLs to the same origin get it too, and caller headers are kept
    s.get(api.url + "/api/pong", headers={"X-Test": "1"})
    h = api.requests[-1]["headers"]
    assert h["Authorization"] == f"Bearer {GOOD_TOKEN}" and h["X-Test"] == "1"


def test_accesstoken_kind_uses_the_original_header(api):
    s = AuthSession(api.url, token=good, auth_kind="ACCESSTOKEN")
    assert s.get("/api/pong").status_code == 200
    h = api.requests[-1]["headers"]
    assert h["accesstoken"] == GOOD_TOKEN and "Authorization" not in h
    assert GOOD_TOKEN not in api.requests[-1]["path"]  # never in the URL


def test_token_is_not_sent_to_another_origin(api):
    with FakeAPI() as other:
        s = AuthSession(api.url, token=good)
        assert s.get(other.url + "/api/ping").status_code == 200
        assert "Authorization" not in other.requests[-1]["headers"]
    assert api.requests == []


@pytest.mark.parametrize("token", [None, "", Token(value=None), lambda: None])
def test_not_signed_in_raises_before_sending(api, token):
    s = AuthSession(api.url, token=token)
    with pytest.raises(SignInRequired, match="not signed in"):
        s.get("/api/pong")
    assert api.requests == []


def test_expired_token_raises_before_sending(api):
    s = AuthSession(api.url, token=Token(value=GOOD_TOKEN,
                                         expiry=datetime.now(timezone.utc) + timedelta(seconds=5)))
    with pytest.raises(SignInRequired) as e:
        s.get("/api/pong")
    assert e.value.error == "token_expired" and api.requests == []


def test_401_raises_sign_in_required(api):
    s = AuthSession(api.url, token=Token(value="rejected-token-value", expiry=LATER))
    with pytest.raises(SignInRequired) as e:
        s.get("/api/pong")
    assert e.value.response.status_code == 401
    assert e.value.error == "invalid_header"
    assert "rejected-token-value" not in str(e.value) + repr(e.value)


def test_token_is_read_per_request(api):
    current = {"t": Token(value="old-token", expiry=LATER)}
    s = AuthSession(api.url, token=lambda: current["t"])
    with pytest.raises(SignInRequired):
        s.get("/api/pong")
    current["t"] = good()  # the shell refreshed it
    assert s.get("/api/pong").status_code == 200


def test_bare_string_token(api):
    assert AuthSession(api.url, token=GOOD_TOKEN).get("/api/pong").ok


def test_forbidden_is_returned_not_raised(api):
    resp = AuthSession(api.url, token=good).get("/api/pong-scoped")
    r = result_of(resp)
    assert r.status == 403 and not r.ok and r.code == "insufficient_scope"
    assert r.description == "read:messages is required"


def test_unreachable_api(closed_port_url):
    s = AuthSession(closed_port_url, token=good)
    with pytest.raises(ApiUnreachable) as e:
        s.get("/api/pong")
    assert isinstance(e.value, requests.ConnectionError)  # existing except clauses still work
    assert f"not reachable at {closed_port_url}" in str(e.value)
    assert GOOD_TOKEN not in str(e.value)


def test_default_timeout_and_repr(api):
    s = AuthSession(api.url, token=good, timeout=3)
    seen = {}
    orig = requests.Session.request

    def spy(self, method, url, *a, **kw):
        seen.update(kw)
        return orig(self, method, url, *a, **kw)

    requests.Session.request, saved = spy, orig
    try:
        s.get("/api/ping")
    finally:
        requests.Session.request = saved
    assert seen["timeout"] == 3
    assert GOOD_TOKEN not in repr(s)
    with pytest.raises(ValueError):
        AuthSession(api.url, auth_kind="BASIC")
