"""The session the sign-in component reports, and the clock rules for its tokens.

Token values are kept out of ``repr`` so that printing a session, or an exception that carries
one, never shows a secret. Use :func:`mask` to show a recognisable prefix.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

#: The margin :func:`check_token` keeps before a token's expiry (clocks drift, requests take time);
#: Go's ``session.ExpirySkew`` is the same (testdata/expiry-contract.json).
DEFAULT_SKEW = timedelta(seconds=30)

# Above this an epoch value is taken to be in milliseconds (JavaScript's Date.now()).
_EPOCH_MS_THRESHOLD = 100_000_000_000


class MalformedStatus(ValueError):
    """A status payload from the component does not have the agreed shape."""


@dataclass(frozen=True)
class User:
    """Who is signed in, as the component reports it (``{user, name, email}``)."""

    user: str | None = None  # the subject or login
    name: str | None = None
    email: str | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.email or self.user or "signed-in user"


@dataclass(frozen=True)
class Token:
    """The access token, the ID token and the access token's expiry (UTC)."""

    value: str | None = field(default=None, repr=False)
    value_id_token: str | None = field(default=None, repr=False)
    expiry: datetime | None = None

    def valid(self, now: datetime | None = None, skew: timedelta | float = DEFAULT_SKEW) -> bool:
        """Whether there is an access token that is good for at least ``skew`` more."""
        return bool(self.value) and check_token(self.expiry, now=now, skew=skew)

    def usable(self, now: datetime | None = None, skew: timedelta | float = DEFAULT_SKEW) -> bool:
        """Worth sending: a value, and not expiring within ``skew`` (an unknown expiry is left
        to the API, which checks ``exp`` itself). The same rule as Go's ``session.View.Usable``
        (testdata/expiry-contract.json)."""
        return bool(self.value) and (self.expiry is None or check_token(self.expiry, now, skew))

    def expired(self, now: datetime | None = None) -> bool:
        """Whether the expiry has come (an unknown expiry has not). The same rule as Go's
        ``session.View.Expired`` (testdata/expiry-contract.json)."""
        return self.expiry is not None and _utc(now) >= self.expiry

    def seconds_left(self, now: datetime | None = None) -> float | None:
        if self.expiry is None:
            return None
        return (self.expiry - _utc(now)).total_seconds()


@dataclass(frozen=True)
class SessionInfo:
    """A signed-in session: the user and their tokens."""

    user: User
    token: Token


@dataclass(frozen=True)
class Status:
    """One ``onStatusUpdate`` payload: ``{hostname, message, isError, error, sessioninfo}``
    (pinned, with the component's other events, by testdata/session-contract.json)."""

    hostname: str | None = None
    message: str | None = None
    is_error: bool = False
    error: str | None = None
    session: SessionInfo | None = None

    @property
    def signed_in(self) -> bool:
        return self.session is not None

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None) -> Status:
        """Parse a status payload. Signed out is ``sessioninfo`` null or absent, or ``user`` null.

        Raises MalformedStatus when a field has the wrong type; the message never quotes values.
        """
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise MalformedStatus("status data is not an object")
        hostname = _opt_str(data, "hostname")
        message = _opt_str(data, "message")
        error = _opt_str(data, "error", coerce=True)
        is_error = data.get("isError", False)
        if is_error is None:
            is_error = False
        if not isinstance(is_error, bool):
            raise MalformedStatus("isError is not a boolean")
        return cls(hostname=hostname, message=message, is_error=is_error, error=error,
                   session=_session_from(data.get("sessioninfo")))


def _session_from(info: Any) -> SessionInfo | None:
    if info is None:
        return None
    if not isinstance(info, Mapping):
        raise MalformedStatus("sessioninfo is not an object")
    user_data = info.get("user")
    if user_data is None:
        return None
    if not isinstance(user_data, Mapping):
        raise MalformedStatus("sessioninfo.user is not an object")
    user = User(user=_opt_str(user_data, "user"), name=_opt_str(user_data, "name"),
                email=_opt_str(user_data, "email"))
    token_data = info.get("token")
    if token_data is None:
        token_data = {}
    if not isinstance(token_data, Mapping):
        raise MalformedStatus("sessioninfo.token is not an object")
    try:
        expiry = parse_expiry(token_data.get("expiry"))
    except ValueError:
        raise MalformedStatus(
            "sessioninfo.token.expiry is neither ISO-8601 nor epoch seconds") from None
    token = Token(value=_opt_str(token_data, "value"),
                  value_id_token=_opt_str(token_data, "value_id_token"), expiry=expiry)
    if not token.value:
        # A user without an access token cannot call anything: treat it as signed out.
        return None
    return SessionInfo(user=user, token=token)


def _opt_str(data: Mapping[str, Any], key: str, coerce: bool = False) -> str | None:
    v = data.get(key)
    if v is None or isinstance(v, str):
        return v or None
    if coerce and isinstance(v, (int, float, bool, Mapping)):
        # Errors arrive as strings or as small objects ({name, message}); keep them readable.
        if isinstance(v, Mapping):
            return str(v.get("message") or v.get("name") or "error")
        return str(v)
    raise MalformedStatus(f"{key} is not a string")


def parse_expiry(value: Any) -> datetime | None:
    """An expiry as an aware UTC datetime.

    Accepts None, a datetime (naive means UTC), epoch seconds (int, float or a numeric string;
    values that only make sense as milliseconds are read as milliseconds), or an ISO-8601 string
    (``Z`` or an offset; no offset means UTC). Raises ValueError for anything else.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, bool):
        raise ValueError("expiry is a boolean")
    if isinstance(value, (int, float)):
        return _from_epoch(float(value))
    if isinstance(value, str):
        s = value.strip()
        try:
            return _from_epoch(float(s))
        except ValueError:
            pass
        if s.endswith(("Z", "z")):
            s = s[:-1] + "+00:00"
        return _utc(datetime.fromisoformat(s))
    raise ValueError(f"expiry has an unsupported type {type(value).__name__}")


def _from_epoch(seconds: float) -> datetime:
    if not math.isfinite(seconds):
        raise ValueError("expiry is not a finite number")
    if abs(seconds) >= _EPOCH_MS_THRESHOLD:
        seconds /= 1000.0
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError) as e:
        raise ValueError("expiry is out of range") from e


def _utc(dt: datetime | None) -> datetime:
    if dt is None:
        return datetime.now(timezone.utc)
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def check_token(expiry: Any, now: datetime | None = None,
                skew: timedelta | float = DEFAULT_SKEW) -> bool:
    """True when a token expiring at ``expiry`` is still good ``skew`` from ``now``.

    ``expiry`` is anything :func:`parse_expiry` accepts, or a :class:`Token` / token mapping
    (``{value, expiry}``, the original design's shape; a missing value is not valid). Times are
    compared in UTC; naive datetimes are taken as UTC. An unknown or unparseable expiry is not
    valid (fail closed).
    """
    if isinstance(expiry, Token):
        if not expiry.value:
            return False
        expiry = expiry.expiry
    elif isinstance(expiry, Mapping):
        if not expiry.get("value"):
            return False
        expiry = expiry.get("expiry")
    try:
        exp = parse_expiry(expiry)
    except ValueError:
        return False
    if exp is None:
        return False
    if not isinstance(skew, timedelta):
        skew = timedelta(seconds=float(skew))
    return _utc(now) + skew < exp


def mask(value: str | None, keep: int = 6) -> str:
    """A token shown safely: its first ``keep`` characters and an ellipsis."""
    if not value:
        return "—"
    if len(value) <= keep:
        return "…"
    return value[:keep] + "…"


def decode_claims(jwt: str | None) -> dict[str, Any] | None:
    """The payload of a JWT, NOT verified (for display only; the API verifies tokens).

    Returns None when the value is not a JWT with a JSON object payload (opaque tokens).
    """
    if not jwt or jwt.count(".") != 2:
        return None
    payload = jwt.split(".")[1]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        claims = json.loads(raw)
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def token_scopes(claims: Mapping[str, Any] | None) -> list[str]:
    """Scopes granted by an access token's claims (``scope`` string and/or ``permissions`` list)."""
    if not claims:
        return []
    scopes: list[str] = []
    scope = claims.get("scope")
    if isinstance(scope, str):
        scopes.extend(scope.split())
    perms = claims.get("permissions")
    if isinstance(perms, list):
        scopes.extend(p for p in perms if isinstance(p, str))
    return list(dict.fromkeys(scopes))
