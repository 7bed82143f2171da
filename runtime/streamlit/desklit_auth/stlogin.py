"""Makes ``st.login()``, ``st.user`` and ``st.logout()`` of an unchanged app Desklit's one session.

Desklit points such an app's ``[auth]`` at its per-launch broker (Go package ``app/stlogin``) and
starts it as ``python -m desklit_auth.stlogin run app.py …`` (everything after goes to Streamlit's
CLI unchanged). This module wraps three functions of Streamlit (≥ 1.42; tests/test_stlogin.py
pins them against the Streamlit installed): ``streamlit.user_info._get_user_info``, which
``st.user`` reads through, and ``st.login`` / ``st.logout``.

Two kinds of page:

- **Desklit's own** — opened with the launch secret (``?desklit_token=``: Desklit's window, the
  address ``desklit run`` prints). Its ``st.user`` is Desklit's session as it is now, read from the
  broker; no cookie is involved (the window shows Streamlit in a cross-site frame, which keeps no
  cookie, and whose ``st.login`` redirect Streamlit's frontend does not follow). ``st.login()``
  runs Desklit's sign-in (the native sign-in window, or the system browser) and reruns;
  ``st.logout()`` signs Desklit out and reruns.
- **Any other** (the app's address without the secret): Streamlit's own flow, through the broker,
  and its signed cookie. While the cookie names the broker's user, each run checks it against
  Desklit's session: signed out there, or someone else, ``st.user.is_logged_in`` is false.

Either way ``st.user.tokens["access"]`` (where ``expose_tokens`` asks) is the current access
token, refreshed by Desklit. One answer of the broker serves a session for a second. The broker
is named by ``DESKLIT_STLOGIN_ISSUER``; the question's bearer token is the client secret of
``[auth]`` in Streamlit's secrets. A broker that does not answer counts as signed out.
"""

from __future__ import annotations

import hmac
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable

TTL = 1.0  # seconds one answer of the broker serves a session
SIGN_IN_TIMEOUT = 600  # Desklit's sign-in ends (or fails) well within this

_lock = threading.Lock()
_answers: dict[str, tuple[float, dict[str, Any] | None]] = {}
_launch_sessions: set[str] = set()  # sessions opened with the launch secret


class SignInFailed(Exception):
    """Desklit's sign-in did not complete; the message says why and what to check."""


def ask_broker(issuer: str, secret: str, path: str = "/session", method: str = "GET",
               timeout: float = 5) -> dict[str, Any] | None:
    """The broker's answer about Desklit's session, None when signed out (404).

    Raises SignInFailed when a sign-in did not complete (403), OSError when the broker cannot be
    asked."""
    req = urllib.request.Request(issuer + path, method=method,
                                 headers={"Authorization": "Bearer " + secret})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - 127.0.0.1 only
            body = resp.read()
            return json.loads(body) if body else None
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return None
        if err.code == 403:
            try:
                desc = json.loads(err.read()).get("error_description", "")
            except ValueError:
                desc = ""
            raise SignInFailed(desc or "Desklit's sign-in did not complete") from None
        raise


def _session(issuer: str, secret: str, key: str,
             ask: Callable[..., dict[str, Any] | None]) -> dict[str, Any] | None:
    now = time.monotonic()
    with _lock:
        hit = _answers.get(key)
    if hit is not None and now - hit[0] < TTL:
        return hit[1]
    try:
        sess = ask(issuer, secret)
    except (OSError, ValueError, SignInFailed):
        sess = None
    with _lock:
        for k in [k for k, (t, _) in _answers.items() if now - t >= TTL]:
            del _answers[k]  # sessions that ended keep nothing
        _answers[key] = (now, sess)
    return sess


def _forget(key: str) -> None:
    with _lock:
        _answers.pop(key, None)


def current(info: dict[str, Any], issuer: str, secret: str, key: str,
            ask: Callable[..., dict[str, Any] | None] = ask_broker) -> dict[str, Any]:
    """``info`` (what Streamlit's cookie says) as Desklit's session has it now; ``key`` names the
    Streamlit session the answer is kept for."""
    if not info.get("is_logged_in") or info.get("iss") != issuer:
        return info
    sess = _session(issuer, secret, key, ask)
    if sess is None or sess.get("sub") != info.get("sub"):
        return {"is_logged_in": False}
    tokens = info.get("tokens")
    if isinstance(tokens, dict) and "access" in tokens:
        info = dict(info, tokens=dict(tokens, access=sess.get("access_token", "")))
    return info


def direct(issuer: str, secret: str, key: str, exposed: list[str],
           ask: Callable[..., dict[str, Any] | None] = ask_broker) -> dict[str, Any]:
    """``st.user`` of a page opened with the launch secret: Desklit's session as it is."""
    sess = _session(issuer, secret, key, ask)
    if sess is None:
        return {"is_logged_in": False}
    info = dict(sess.get("claims") or {}, is_logged_in=True)
    available = {"id": sess.get("id_token", ""), "access": sess.get("access_token", "")}
    tokens = {k: available[k] for k in exposed if k in available}
    if tokens:
        info["tokens"] = tokens
    return info


def launch_page(ctx: Any, secret: str) -> bool:
    """Whether the page of this script run was opened with the launch secret (remembered for the
    session: Streamlit may drop the query string on a page change)."""
    if ctx is None or not secret:
        return False
    with _lock:
        if ctx.session_id in _launch_sessions:
            return True
    given = urllib.parse.parse_qs(getattr(ctx, "query_string", "") or "").get("desklit_token", [""])[0]
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return False
    with _lock:
        _launch_sessions.add(ctx.session_id)
    return True


def install() -> bool:
    """Wraps st.user's reader, st.login and st.logout; False when there is nothing to do (no
    broker named) or Streamlit has no st.login (older than 1.42)."""
    issuer = os.environ.get("DESKLIT_STLOGIN_ISSUER", "")
    if not issuer:
        return False
    import streamlit
    import streamlit.user_info as user_info
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from .http import DesklitAuthError

    original = getattr(user_info, "_get_user_info", None)
    if original is None or not hasattr(user_info, "login"):
        return False
    if getattr(original, "_desklit", False):
        return True
    launch_secret = os.environ.get("DESKLIT_LAUNCH_SECRET", "")

    def _get_user_info() -> dict[str, Any]:
        ctx = get_script_run_ctx()
        key = ctx.session_id if ctx is not None else ""
        if launch_page(ctx, launch_secret):
            _take_secret_out_of_address()
            return direct(issuer, _client_secret(), key, _exposed_tokens())
        return current(original(), issuer, _client_secret(), key)

    login, logout = user_info.login, user_info.logout

    def desklit_login(provider: str | None = None) -> None:
        ctx = get_script_run_ctx()
        if not launch_page(ctx, launch_secret):
            return login(provider)
        try:
            ask_broker(issuer, _client_secret(), "/session/login", "POST", timeout=SIGN_IN_TIMEOUT)
        except SignInFailed as err:
            streamlit.error(str(err))  # the app stays signed out; the message names what to check
            return None
        except OSError as err:
            raise DesklitAuthError(f"Desklit's sign-in could not start: {err}") from None
        _forget(ctx.session_id)
        _rerun()

    def desklit_logout() -> None:
        ctx = get_script_run_ctx()
        if not launch_page(ctx, launch_secret):
            if _cookie_issuer(original) == issuer:
                # The cookie names Desklit's user: Desklit signs out too, as Streamlit's redirect to
                # the broker's end_session_endpoint does from 1.43 on (1.42 only drops the cookie,
                # and the next st.login came straight back as the same user).
                try:
                    ask_broker(issuer, _client_secret(), "/session/logout", "POST", timeout=30)
                except OSError:
                    pass  # the broker's end-session redirect, where Streamlit makes it, tries again
                if ctx is not None:
                    _forget(ctx.session_id)
            return logout()
        try:
            ask_broker(issuer, _client_secret(), "/session/logout", "POST", timeout=30)
        except OSError as err:
            raise DesklitAuthError(f"Desklit's sign-out did not complete: {err}") from None
        _forget(ctx.session_id)
        _rerun()

    _get_user_info._desklit = True  # type: ignore[attr-defined]
    user_info._get_user_info = _get_user_info
    for module in (user_info, streamlit):
        module.login, module.logout = desklit_login, desklit_logout
    return True


def _cookie_issuer(read: Callable[[], Any]) -> str:
    """The issuer Streamlit's cookie names for this run ("" when none can be read)."""
    try:
        return str((read() or {}).get("iss", ""))
    except Exception:  # noqa: BLE001 - outside a script run Streamlit has no user to read
        return ""


def _take_secret_out_of_address() -> None:
    """Removes the launch secret from the page's address (Streamlit rewrites it with the History
    API), as desklit_auth.launch_token() does for its apps: the session is remembered as
    Desklit's (launch_page), and an address that kept the secret could carry it into the
    browser's history or a copied link."""
    import streamlit

    try:
        if "desklit_token" in streamlit.query_params:
            del streamlit.query_params["desklit_token"]
    except Exception:  # noqa: BLE001 - outside a script run there is no address to change
        pass


def _rerun() -> None:
    """Runs the script again with the new st.user: at once from the script's body; from a widget's
    callback (on_click=st.login, as Streamlit's docs write it) the run that follows the callback
    does, and st.rerun() there is a no-op Streamlit 1.43-1.52 warns about on the page."""
    import streamlit

    if not _in_widget_callback():
        streamlit.rerun()


def _in_widget_callback() -> bool:
    """Whether Streamlit is calling a widget's callback (its session state's call_callback is on
    the stack)."""
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_name == "call_callback" and code.co_filename.replace("\\", "/").endswith("runtime/state/session_state.py"):
            return True
        frame = frame.f_back
    return False


def _client_secret() -> str:
    from streamlit.auth_util import get_secrets_auth_section

    return str(get_secrets_auth_section().get("client_secret", ""))


def _exposed_tokens() -> list[str]:
    """expose_tokens of [auth] ("id", ["id", "access"]) as Streamlit reads it."""
    from streamlit.auth_util import get_secrets_auth_section

    value = get_secrets_auth_section().get("expose_tokens")
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else []


def main() -> None:
    import sys

    from streamlit.web import cli

    install()
    sys.argv[0] = "streamlit"
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
