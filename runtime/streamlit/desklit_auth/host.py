"""The Streamlit side of the sign-in component: render it, turn its value into events, handle
each event once, and answer "who is signed in" for the rest of the script.

Args sent to the component (``components.declare_component("desklit_auth", url=...)``):
``launch_token`` (the per-launch secret from ``?desklit_token=``, or null), ``api_url``,
``signin_required`` (true after the API rejected the token), ``actions`` (only when given), and
Streamlit's ``key`` and ``default``.
"""

from __future__ import annotations

import hmac
from typing import Any, Callable, MutableMapping

import requests as _http
import streamlit as st
import streamlit.components.v1 as components

from . import config
from .events import DEFAULT_EVENTS, ComponentEvent
from .handler import (ERROR_KEY, REAUTH_KEY, SIGNIN_URL_KEY, HandlerResult, current_status,
                      current_token, handle_event)
from .http import AuthSession
from .model import SessionInfo, Status, User

COMPONENT_NAME = "desklit_auth"
DEFAULT_KEY = "desklit_auth"

LAUNCH_TOKEN_KEY = "desklit_auth.launch_token"
LAUNCH_REJECTED_KEY = "desklit_auth.launch_rejected"
_LAST_EVENT_KEY = "desklit_auth.last_event."  # + component key: (seq, digest) of the last handled

Handler = Callable[[ComponentEvent, MutableMapping[str, Any]], "HandlerResult | None"]


def _declare():
    build_dir = config.component_build_dir()
    if build_dir:
        return components.declare_component(COMPONENT_NAME, path=build_dir)
    return components.declare_component(COMPONENT_NAME, url=config.component_url())


def _invoke_component(**kwargs: Any) -> Any:
    """Render the component and return its current value (tests replace this: AppTest cannot run
    an iframe)."""
    return _declare()(**kwargs)


def launch_token() -> str | None:
    """The per-launch secret for this browser session, or None.

    Read from ``?desklit_token=`` once and kept in the session state, so reruns and moving
    between pages keep it. It is taken out of the page's address at once (Streamlit rewrites
    the address with the History API): an address that still held it could carry it to another
    site in a Referer, in a copied link or in a screenshot. A new browser session (a reload of
    the page) needs the launch link again; the Desklit window's reload uses it. When the shell
    also sets ``DESKLIT_LAUNCH_SECRET``, a token that does not match is refused (and removed
    from the address too).
    """
    state = st.session_state
    if config.LAUNCH_TOKEN_PARAM not in st.query_params:
        return state.get(LAUNCH_TOKEN_KEY) or None
    from_url = st.query_params.get(config.LAUNCH_TOKEN_PARAM)
    del st.query_params[config.LAUNCH_TOKEN_PARAM]
    if not from_url:
        return state.get(LAUNCH_TOKEN_KEY) or None
    expected = config.expected_launch_secret()
    if expected and not hmac.compare_digest(from_url.encode(), expected.encode()):
        state[LAUNCH_REJECTED_KEY] = True
        state.pop(LAUNCH_TOKEN_KEY, None)
        return None
    state[LAUNCH_REJECTED_KEY] = False
    state[LAUNCH_TOKEN_KEY] = from_url
    return from_url


class ComponentHost:
    """Hosts the sign-in component: renders it, parses and de-duplicates its events, and runs
    the event handler once per new event.

    ``handler(event, state)`` defaults to :func:`desklit_auth.handle_event`.
    """

    def __init__(self, key: str = DEFAULT_KEY, *, events=DEFAULT_EVENTS,
                 handler: Handler | None = None, api_url: str | None = None,
                 launch_token: str | None = None, actions: list[dict] | None = None) -> None:
        self.key = key
        self.actions = actions
        self.events = tuple(events)
        self.api_url = api_url or config.api_url()
        self.handler = handler or (lambda ev, state: handle_event(ev, state, api_url=self.api_url))
        self.launch_token = launch_token

    def args(self) -> dict[str, Any]:
        args = {
            "launch_token": self.launch_token,
            "api_url": self.api_url,
            "signin_required": bool(st.session_state.get(REAUTH_KEY)),
        }
        if self.actions is not None:
            # Buttons the component shows; a click sends onActionRequest with the action's
            # fields but its label, e.g. {"label": "Ping", "action": "WebRequest", "props": {...}}.
            args["actions"] = self.actions
        return args

    def next_event(self) -> ComponentEvent | None:
        """Render the component; return its event if it is new since the last rerun."""
        self._rendered_args = self.args()
        value = _invoke_component(key=self.key, default=None, **self._rendered_args)
        event = ComponentEvent.parse(value, self.events)
        if event is None:
            return None
        last_key = _LAST_EVENT_KEY + self.key
        if st.session_state.get(last_key) == event.key:
            return None
        st.session_state[last_key] = event.key
        return event

    def run(self) -> HandlerResult | None:
        """Render the component and handle a new event. A handler failure is shown, not raised."""
        event = self.next_event()
        if event is None:
            return None
        try:
            result = self.handler(event, st.session_state)
        except Exception as e:  # noqa: BLE001 - one bad event must not break the app
            # The type only: an exception message might quote a payload.
            st.session_state[ERROR_KEY] = {"message": "Handling a sign-in event failed.",
                                           "error": type(e).__name__}
            return HandlerResult(event=event.name, ok=False,
                                 message=f"Handling {event.name} failed: {type(e).__name__}.")
        if self.args() != self._rendered_args:
            # The event changed what the component should be told (e.g. signin_required):
            # render again now rather than at the next interaction. The event is not handled
            # twice: its key is already recorded.
            st.rerun()
        return result


def run_component(key: str = DEFAULT_KEY, *, handler: Handler | None = None,
                  events=DEFAULT_EVENTS, api_url: str | None = None,
                  actions: list[dict] | None = None) -> HandlerResult | None:
    """Render the sign-in component and handle its newest event (the original ``run_component``)."""
    host = ComponentHost(key, events=events, handler=handler, api_url=api_url,
                         launch_token=launch_token(), actions=actions)
    return host.run()


def sign_in(key: str = DEFAULT_KEY, *, notices: bool = True, **kwargs: Any) -> User | None:
    """Render the sign-in component and return the signed-in user, or None.

    With ``notices`` (default) it also shows, under the component, why there is no session when
    that needs saying (no launch token, a component error, the API asked to sign in again).
    """
    run_component(key, **kwargs)
    if notices:
        _show_notices()
    s = session()
    return s.user if s else None


def _show_notices() -> None:
    state = st.session_state
    if state.get(LAUNCH_REJECTED_KEY):
        st.error("This page was opened with a launch link that does not belong to this Desklit. "
                 "Open the app from the Desklit window or `desklit run`.")
    elif not state.get(LAUNCH_TOKEN_KEY):
        st.info("Open this page from Desklit (the window, or the link `desklit run` prints) to "
                "use your session. A page opened without its launch link never sees it.")
    err = state.get(ERROR_KEY)
    if err and not (err.get("error") == "missing_launch_token" and not state.get(LAUNCH_TOKEN_KEY)):
        # (A missing launch token is explained above already.)
        detail = f" ({err['error']})" if err.get("error") else ""
        st.warning(f"{err['message']}{detail}")
    if state.get(REAUTH_KEY) and session():
        st.warning("The API did not accept your sign-in. Please sign in again with the button "
                   "above.")
    url = state.get(SIGNIN_URL_KEY)
    if url:
        st.link_button("Continue signing in", url)


def status() -> Status | None:
    """The last status the component reported (None before the first)."""
    return current_status(st.session_state)


def component_reachable(timeout: float = 0.5) -> bool:
    """Whether the component server answers ``GET /api/ping`` (the only call Python makes to it)."""
    try:
        return _http.get(config.component_url() + "/api/ping", timeout=timeout).ok
    except _http.RequestException:
        return False


def component_error() -> dict | None:
    """The last error the component reported (``{message, error}``), until a status clears it."""
    err = st.session_state.get(ERROR_KEY)
    return err if isinstance(err, dict) else None


def session() -> SessionInfo | None:
    """The current session (user and tokens), or None when signed out."""
    s = status()
    return s.session if s else None


def user() -> User | None:
    s = session()
    return s.user if s else None


def require_sign_in() -> None:
    """Mark that the API rejected the token: the component is asked to offer sign-in again."""
    st.session_state[REAUTH_KEY] = True


def auth_session(base_url: str | None = None, *, auth_kind: str = "BEARER",
                 timeout: float | None = 10.0) -> AuthSession:
    """A ``requests.Session`` that sends the current access token to the protected API
    (``DESKLIT_API_URL``), reading it on every request. Relative URLs are allowed
    (``auth.requests().get("/api/pong")``). A 401 raises ``SignInRequired``."""
    state = st.session_state
    return AuthSession(base_url or config.api_url(), token=lambda: current_token(state),
                       auth_kind=auth_kind, timeout=timeout)


def service_session(name: str, *, auth_kind: str = "BEARER",
                    timeout: float | None = 10.0) -> AuthSession:
    """An :func:`auth_session` for the project's own service ``name`` (:func:`service_url`):
    ``auth.service_session("notes-api").get("/api/notes")`` sends the current access token to
    that service, and to no other address. Raises ``UnknownService`` when the app declares no
    such service."""
    return auth_session(config.service_url(name), auth_kind=auth_kind, timeout=timeout)


#: ``auth.requests().get(...)``: the name the README's three-line example uses.
requests = auth_session
