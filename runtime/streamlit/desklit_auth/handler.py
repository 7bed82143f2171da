"""The event handler: what Python does with each component event (the original contract).

- ``onStatusUpdate``: remember the status (who is signed in, the tokens) in the state.
- ``onActionRequest``: ``WebRequest`` (the host calls the API for the component, optionally with
  the token as ``BEARER`` → ``Authorization: Bearer <token>`` or ``ACCESSTOKEN`` →
  ``accesstoken: <token>`` header) or ``AppAuthRequest`` (the component asks the host to start a
  sign-in; the host shows the link it was given, if any).
- ``onError``: remember the error to show it.

The handler works on any mutable mapping (``st.session_state`` in an app, a dict in tests) and
never raises for a bad event; it returns a :class:`HandlerResult`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Mapping, MutableMapping
from urllib.parse import urlsplit

import requests

from . import config
from .events import ON_ACTION_REQUEST, ON_ERROR, ON_STATUS_UPDATE, ComponentEvent
from .http import (DEFAULT_TIMEOUT, ApiResult, ApiUnreachable, AuthSession, SignInRequired, origin,
                   result_of)
from .model import Status, Token

# Keys in the state mapping (st.session_state). Public: scripts may read them.
STATUS_KEY = "desklit_auth.status"          # dict | None: the last onStatusUpdate data (validated)
ERROR_KEY = "desklit_auth.error"            # dict {message, error} | None: the last component error
RESULT_KEY = "desklit_auth.result"          # HandlerResult | None: the last handled event's result
SIGNIN_URL_KEY = "desklit_auth.signin_url"  # str | None: where an AppAuthRequest asked to go
REAUTH_KEY = "desklit_auth.signin_required"  # bool: the API rejected the token; sign in again

WEB_REQUEST = "WebRequest"
APP_AUTH_REQUEST = "AppAuthRequest"


@dataclass
class HandlerResult:
    """What handling one event did, for display and for tests (never holds a token)."""

    event: str
    ok: bool = True
    message: str = ""
    action: str | None = None
    label: str | None = None
    response: ApiResult | None = None
    details: dict[str, Any] = field(default_factory=dict)


def handle_event(event: ComponentEvent | None, state: MutableMapping[str, Any], *,
                 api_url: str | None = None) -> HandlerResult | None:
    """Handle one parsed event; None (no event) gives None."""
    if event is None:
        return None
    if event.name == ON_STATUS_UPDATE:
        result = _on_status(event.status or Status(), event.data, state)
    elif event.name == ON_ACTION_REQUEST:
        result = _on_action(event, state, api_url or config.api_url())
    elif event.name == ON_ERROR:
        result = _on_error(event, state)
    else:  # an event the host subscribed to but this handler does not know
        result = HandlerResult(event=event.name, ok=False,
                               message=f"No handler for the event {event.name!r}.")
    state[RESULT_KEY] = result
    return result


def _on_status(status: Status, data: Mapping[str, Any], state: MutableMapping[str, Any]
               ) -> HandlerResult:
    # Kept as plain data (parsed on read) so it survives Streamlit reloading this package.
    state[STATUS_KEY] = dict(data)
    # Any new status (a new token, or signed out) settles an earlier "sign in again".
    state[REAUTH_KEY] = False
    state[SIGNIN_URL_KEY] = None
    if status.is_error:
        state[ERROR_KEY] = {"message": status.message or "Sign-in reported a problem.",
                            "error": status.error}
    else:
        state[ERROR_KEY] = None
    if status.session:
        who = status.session.user.display_name
        return HandlerResult(event=ON_STATUS_UPDATE, ok=not status.is_error,
                             message=f"Signed in as {who}.")
    return HandlerResult(event=ON_STATUS_UPDATE, ok=not status.is_error, message="Signed out.")


def _on_error(event: ComponentEvent, state: MutableMapping[str, Any]) -> HandlerResult:
    err = {"message": event.message or "The sign-in component reported an error.",
           "error": event.error}
    state[ERROR_KEY] = err
    return HandlerResult(event=ON_ERROR, ok=False, message=err["message"],
                         details={"error": err["error"], "rejected": event.rejected})


def _on_action(event: ComponentEvent, state: MutableMapping[str, Any], api_url: str
               ) -> HandlerResult:
    action = event.data.get("action")
    props = event.data.get("props") or {}
    if action == WEB_REQUEST:
        return _web_request(props, state, api_url)
    if action == APP_AUTH_REQUEST:
        return _app_auth_request(props, state)
    return HandlerResult(event=ON_ACTION_REQUEST, ok=False, action=str(action)[:64],
                         message=f"Unknown action {str(action)[:64]!r}.")


def _web_request(props: Mapping[str, Any], state: MutableMapping[str, Any], api_url: str
                 ) -> HandlerResult:
    label = str(props.get("label") or "Request")
    res = HandlerResult(event=ON_ACTION_REQUEST, action=WEB_REQUEST, label=label)
    url = props.get("url")
    method = str(props.get("type") or "GET").upper()
    if not isinstance(url, str) or not url:
        return _fail(res, "The request has no URL.")
    if url.startswith("/"):
        url = api_url.rstrip("/") + url
    # The component may only ask for calls to the protected API: the host holds the token and
    # must not send it (or make requests) wherever a page asks.
    if origin(url) != origin(api_url):
        return _fail(res, f"Requests are allowed only to the protected API at {api_url}.")
    if method not in ("GET", "POST"):
        return _fail(res, f"The method {method[:10]!r} is not supported (GET or POST).")
    headers = props.get("headers") or {}
    if not isinstance(headers, Mapping):
        return _fail(res, "The request headers are not an object.")
    auth_kind = str(props.get("auth_kind") or "BEARER").upper()
    if props.get("useauth") and auth_kind not in ("BEARER", "ACCESSTOKEN"):
        return _fail(res, f"Unknown auth kind {auth_kind[:20]!r} (BEARER or ACCESSTOKEN).")
    # The one request path of this package: AuthSession (the token attached for the API only,
    # its expiry judged by the shared rule, a 401 read as "sign in again").
    session = (AuthSession(api_url, token=lambda: current_token(state), auth_kind=auth_kind)
               if props.get("useauth") else requests.Session())
    try:
        with session:
            resp = session.request(method, url, headers={str(k): str(v) for k, v in headers.items()},
                                   data=props.get("data"), timeout=DEFAULT_TIMEOUT)
    except SignInRequired as e:
        state[REAUTH_KEY] = True
        if e.response is None:  # no token, or one about to expire: nothing was sent
            return _fail(res, "Authentication token not available or expired. Please log in.")
        res.response, res.ok, res.message = result_of(e.response), False, str(e)
        return res
    except (requests.ConnectionError, requests.Timeout):
        return _fail(res, str(ApiUnreachable(api_url)))
    except requests.RequestException as e:
        return _fail(res, f"The request failed: {type(e).__name__}.")
    res.response = result_of(resp)
    res.ok = res.response.ok
    res.message = f"{label} response: {resp.status_code}"
    return res


def _app_auth_request(props: Mapping[str, Any], state: MutableMapping[str, Any]) -> HandlerResult:
    url = props.get("auth_url")
    if url is not None and not _safe_link(url):
        return HandlerResult(event=ON_ACTION_REQUEST, action=APP_AUTH_REQUEST, ok=False,
                             message="The sign-in link is not an https (or loopback http) URL.")
    state[SIGNIN_URL_KEY] = url
    return HandlerResult(event=ON_ACTION_REQUEST, action=APP_AUTH_REQUEST,
                         message="Sign-in requested.", details={"has_url": url is not None})


def _safe_link(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme == "http" and parts.hostname:
        if parts.hostname == "localhost":
            return True
        try:
            return ipaddress.ip_address(parts.hostname).is_loopback
        except ValueError:
            return False
    return False


def _fail(res: HandlerResult, message: str) -> HandlerResult:
    res.ok = False
    res.message = message
    return res


def current_status(state: Mapping[str, Any]) -> Status | None:
    """The last status the component reported, or None before the first one."""
    data = state.get(STATUS_KEY)
    if not isinstance(data, Mapping):
        return None
    try:
        return Status.from_data(data)
    except ValueError:
        return None


def current_token(state: Mapping[str, Any]) -> Token | None:
    s = current_status(state)
    return s.session.token if s and s.session else None
