"""Authenticated HTTP: a ``requests.Session`` that adds the Bearer token for the protected API.

The token is attached only to requests for the API's origin (scheme, host and port of
``base_url``), so a script cannot leak it to another site by mistake; relative URLs are joined to
``base_url``. A 401 from the API raises :class:`SignInRequired`; a refused connection raises
:class:`ApiUnreachable`. Neither message contains a token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Union
from urllib.parse import urljoin, urlsplit

import requests

from .model import DEFAULT_SKEW, Token

#: Where the token comes from: a value, a Token, or a callable returning either (read per request,
#: so a refreshed token is used at once).
TokenSource = Union[str, Token, None, Callable[[], Union[str, Token, None]]]

DEFAULT_TIMEOUT = 10.0


class DesklitAuthError(Exception):
    """Base class for the errors this package raises on purpose."""


class SignInRequired(DesklitAuthError):
    """There is no valid sign-in for the API: sign in (again).

    ``error`` is the API's error code when it gave one (``invalid_token``, ``token_expired``, ...);
    ``response`` is the 401 response, when there was one.
    """

    def __init__(self, message: str, *, error: str | None = None,
                 response: requests.Response | None = None) -> None:
        super().__init__(message)
        self.error = error
        self.response = response


class ApiUnreachable(DesklitAuthError, requests.ConnectionError):
    """The API did not answer (not running, wrong port, timeout)."""

    def __init__(self, base: str) -> None:
        super().__init__(f"The protected API is not reachable at {base}. "
                         "Is Desklit running? Check `desklit status`.")
        self.base = base


def origin(url: str) -> str:
    """``scheme://host:port`` of a URL, lower-cased, with the default port made explicit."""
    parts = urlsplit(url)
    scheme = (parts.scheme or "").lower()
    host = (parts.hostname or "").lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


class AuthSession(requests.Session):
    """A ``requests.Session`` for the protected API at ``base_url``.

    >>> s = AuthSession("http://127.0.0.1:8888", token=lambda: current_token())
    >>> s.get("/api/pong").json()
    """

    def __init__(self, base_url: str, token: TokenSource = None, *,
                 timeout: float | None = DEFAULT_TIMEOUT,
                 skew=DEFAULT_SKEW, auth_kind: str = "BEARER") -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.skew = skew
        if auth_kind not in ("BEARER", "ACCESSTOKEN"):
            raise ValueError("auth_kind must be BEARER or ACCESSTOKEN")
        self.auth_kind = auth_kind
        self._token = token
        self._origin = origin(self.base_url)

    def __repr__(self) -> str:
        return f"AuthSession(base_url={self.base_url!r})"

    def _current_token(self) -> Token | None:
        t = self._token() if callable(self._token) else self._token
        if isinstance(t, str):
            # A bare value: the caller vouches for it; the API checks the expiry.
            return Token(value=t) if t else None
        return t

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        url = urljoin(self.base_url, url)
        attach = origin(url) == self._origin
        if attach:
            token = self._current_token()
            if token is None or not token.value:
                raise SignInRequired("You are not signed in. Use Log in at the top of the page.")
            if not token.usable(skew=self.skew):
                raise SignInRequired("Your sign-in has expired. Sign in again.",
                                     error="token_expired")
            headers = dict(kwargs.pop("headers", None) or {})
            headers.update(auth_headers(token.value, self.auth_kind))
            kwargs["headers"] = headers
        kwargs.setdefault("timeout", self.timeout)
        try:
            resp = super().request(method, url, *args, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as e:
            raise ApiUnreachable(self.base_url.rstrip("/")) from e
        if attach and resp.status_code == 401:
            code = api_error_code(resp)
            raise SignInRequired(
                "The API did not accept your sign-in"
                + (f" ({code})" if code else "") + ". Sign in again.",
                error=code, response=resp)
        return resp


def auth_headers(value: str, auth_kind: str = "BEARER") -> dict[str, str]:
    """The header that carries the token: ``Authorization: Bearer`` or the original design's
    ``accesstoken`` header (never a query parameter: tokens stay out of URLs)."""
    if auth_kind == "ACCESSTOKEN":
        return {"accesstoken": value}
    return {"Authorization": f"Bearer {value}"}


_WWW_ERROR = re.compile(r'error="([^"]*)"')


def api_error_code(resp: requests.Response) -> str | None:
    """The error code of an API error: the JSON body's ``code`` (or ``error``), else the
    ``WWW-Authenticate`` header's ``error``."""
    body = _json(resp)
    if isinstance(body, dict):
        for k in ("code", "error"):
            if isinstance(body.get(k), str) and body[k]:
                return body[k]
    m = _WWW_ERROR.search(resp.headers.get("WWW-Authenticate", ""))
    return m.group(1) if m else None


@dataclass(frozen=True)
class ApiResult:
    """An API answer, ready to show: status, parsed body, and the error code/description if any."""

    status: int
    body: Any
    code: str | None = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def result_of(resp: requests.Response, limit: int = 4000) -> ApiResult:
    body = _json(resp)
    if body is None:
        body = resp.text[:limit]
    code = description = None
    if not resp.ok:
        code = api_error_code(resp)
        if isinstance(body, dict) and isinstance(body.get("description"), str):
            description = body["description"]
    return ApiResult(status=resp.status_code, body=body, code=code, description=description)


def _json(resp: requests.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None
