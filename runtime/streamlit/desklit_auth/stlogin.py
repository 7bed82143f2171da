"""Keeps ``st.user`` of an app written for Streamlit's own sign-in in step with Desklit's session.

Desklit points such an app's ``[auth]`` at its per-launch broker (Go package ``app/stlogin``), so
``st.login()`` signs in through Desklit and Streamlit keeps the result in its signed cookie. That
cookie is read once, when the page connects; Desklit's session may end (Log out in the window,
``st.logout()`` in another tab) or its access token be refreshed meanwhile. Desklit starts such an
app as ``python -m desklit_auth.stlogin run app.py …`` (everything after goes to Streamlit's CLI
unchanged), which wraps the one function ``st.user`` reads through,
``streamlit.user_info._get_user_info`` (Streamlit ≥ 1.42; tests/test_stlogin.py pins it against
the Streamlit installed): while the cookie names the broker's user, each run asks the broker who
Desklit's session is. Signed out there, or someone else: ``st.user.is_logged_in`` is false on the
next rerun. Signed in: ``st.user.tokens["access"]`` (where ``expose_tokens`` asks) is the current
access token. The answer is kept for a second per session, so one run asks once.

The broker is named by ``DESKLIT_STLOGIN_ISSUER``; its client secret, the bearer token of the
question, is the one of ``[auth]`` in Streamlit's secrets. Nothing is asked of anyone else, and a
broker that does not answer counts as signed out (fail closed).
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Callable

TTL = 1.0  # seconds one answer of the broker serves a session

_lock = threading.Lock()
_answers: dict[str, tuple[float, dict[str, Any] | None]] = {}


def broker_session(issuer: str, secret: str) -> dict[str, Any] | None:
    """Desklit's session as the broker tells it: ``{"sub", "access_token"}``, None when signed out.

    Raises OSError when the broker cannot be asked."""
    req = urllib.request.Request(issuer + "/session", headers={"Authorization": "Bearer " + secret})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:  # noqa: S310 - 127.0.0.1 only
            return json.load(resp)
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return None
        raise


def current(info: dict[str, Any], issuer: str, secret: str, key: str,
            ask: Callable[[str, str], dict[str, Any] | None] = broker_session) -> dict[str, Any]:
    """``info`` (what Streamlit's cookie says) as Desklit's session has it now; ``key`` names the
    Streamlit session the answer is kept for."""
    if not info.get("is_logged_in") or info.get("iss") != issuer:
        return info
    now = time.monotonic()
    with _lock:
        hit = _answers.get(key)
    if hit is not None and now - hit[0] < TTL:
        sess = hit[1]
    else:
        try:
            sess = ask(issuer, secret)
        except (OSError, ValueError):
            sess = None
        with _lock:
            for k in [k for k, (t, _) in _answers.items() if now - t >= TTL]:
                del _answers[k]  # sessions that ended keep nothing
            _answers[key] = (now, sess)
    if sess is None or sess.get("sub") != info.get("sub"):
        return {"is_logged_in": False}
    tokens = info.get("tokens")
    if isinstance(tokens, dict) and "access" in tokens:
        info = dict(info, tokens=dict(tokens, access=sess.get("access_token", "")))
    return info


def install() -> bool:
    """Wraps ``streamlit.user_info._get_user_info``; False when there is nothing to do (no broker
    named) or Streamlit has no such function (older than st.login)."""
    issuer = os.environ.get("DESKLIT_STLOGIN_ISSUER", "")
    if not issuer:
        return False
    import streamlit.user_info as user_info
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    original = getattr(user_info, "_get_user_info", None)
    if original is None or getattr(original, "_desklit", False):
        return original is not None

    def _get_user_info() -> dict[str, Any]:
        info = original()
        ctx = get_script_run_ctx()
        key = ctx.session_id if ctx is not None else ""
        return current(info, issuer, _client_secret(), key)

    _get_user_info._desklit = True  # type: ignore[attr-defined]
    user_info._get_user_info = _get_user_info
    return True


def _client_secret() -> str:
    from streamlit.auth_util import get_secrets_auth_section

    return str(get_secrets_auth_section().get("client_secret", ""))


def main() -> None:
    import sys

    from streamlit.web import cli

    install()
    sys.argv[0] = "streamlit"
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
