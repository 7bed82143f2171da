"""Desklit sign-in for Streamlit scripts: the component host, its events, and authenticated calls.

Three lines add sign-in to any Streamlit script::

    import desklit_auth as auth
    user = auth.sign_in()          # renders the component; returns the user or None
    if user: st.write(auth.requests().get(API + "/api/pong").json())

Token values are never printed, logged or put in a URL; use :func:`mask` to show one.
"""

from .config import UnknownService, api_url, component_url, service_url
from .events import (DEFAULT_EVENTS, ON_ACTION_REQUEST, ON_ERROR, ON_STATUS_UPDATE,
                     ComponentEvent)
from .handler import HandlerResult, current_status, current_token, handle_event
from .host import (ComponentHost, auth_session, component_error, component_reachable,
                   launch_token, require_sign_in, requests, run_component, service_session,
                   session, sign_in, status, user)
from .http import (ApiResult, ApiUnreachable, AuthSession, DesklitAuthError, SignInRequired,
                   result_of)
from .model import (DEFAULT_SKEW, SessionInfo, Status, Token, User, check_token, decode_claims,
                    mask, parse_expiry, token_scopes)

# `requests` (an alias of auth_session) is left out of __all__ so that a star import cannot shadow
# the requests library.
__all__ = [
    "ApiResult", "ApiUnreachable", "AuthSession", "ComponentEvent", "ComponentHost",
    "DEFAULT_EVENTS", "DEFAULT_SKEW", "DesklitAuthError", "HandlerResult", "ON_ACTION_REQUEST",
    "ON_ERROR", "ON_STATUS_UPDATE", "SessionInfo", "SignInRequired", "Status", "Token",
    "UnknownService", "User",
    "api_url", "auth_session", "check_token", "component_error", "component_reachable",
    "component_url",
    "current_status", "current_token", "decode_claims", "handle_event", "launch_token", "mask",
    "parse_expiry", "require_sign_in", "result_of", "run_component", "service_session",
    "service_url", "session", "sign_in",
    "status", "token_scopes", "user",
]
