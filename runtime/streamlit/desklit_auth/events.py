"""Events the sign-in component sends to Python, parsed and validated.

The component calls ``Streamlit.setComponentValue({"event": name, "seq": n, "data": {...}})``.
Streamlit hands the last value back on every rerun, so ``seq`` (with the payload's digest) lets
the host handle each event once. Anything that is not one of the agreed events becomes an
``onError`` event; error messages never quote the payload, which may hold tokens.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from .model import MalformedStatus, Status

ON_STATUS_UPDATE = "onStatusUpdate"
ON_ACTION_REQUEST = "onActionRequest"
ON_ERROR = "onError"

#: The events a host subscribes to by default (the original design's three).
DEFAULT_EVENTS: tuple[str, ...] = (ON_STATUS_UPDATE, ON_ACTION_REQUEST, ON_ERROR)

_MAX_NAME = 64


@dataclass(frozen=True)
class ComponentEvent:
    """One event from the component.

    ``name`` is always one of the allowed events; a rejected event has ``name == "onError"`` and
    ``rejected`` set to the reason. ``status`` is the parsed payload of an ``onStatusUpdate``.
    ``digest`` identifies the raw value (for de-duplication), without keeping it readable.
    """

    name: str
    data: Mapping[str, Any] = field(default_factory=dict, repr=False)
    seq: int | None = None
    status: Status | None = None
    rejected: str | None = None
    digest: str = ""

    @property
    def message(self) -> str | None:
        """The human message of an onError event."""
        m = self.data.get("message")
        return m if isinstance(m, str) and m else None

    @property
    def error(self) -> str | None:
        e = self.data.get("error")
        if isinstance(e, Mapping):
            e = e.get("message") or e.get("name")
        return str(e) if e not in (None, "") else None

    @property
    def key(self) -> tuple[int | None, str]:
        """What the host remembers to skip this event on the next rerun."""
        return (self.seq, self.digest)

    @classmethod
    def parse(cls, value: Any, allowed: tuple[str, ...] | list[str] = DEFAULT_EVENTS
              ) -> ComponentEvent | None:
        """Parse the component's value. None (nothing sent yet) gives None."""
        if value is None:
            return None
        digest = _digest(value)
        if isinstance(value, (str, bytes)):
            try:
                value = json.loads(value)
            except ValueError:
                return _reject("the event is not valid JSON", None, digest)
        if not isinstance(value, Mapping):
            return _reject("the event is not an object", None, digest)

        seq = value.get("seq")
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
            seq = None

        name = value.get("event", value.get("name"))  # "name" was the original design's key
        if not isinstance(name, str) or not name:
            return _reject("the event has no name", seq, digest)
        if name not in allowed:
            shown = name[:_MAX_NAME] + ("…" if len(name) > _MAX_NAME else "")
            return _reject(f"the event {shown!r} is not allowed", seq, digest)

        data = value.get("data")
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            return _reject(f"the data of {name} is not an object", seq, digest)

        status = None
        if name == ON_STATUS_UPDATE:
            try:
                status = Status.from_data(data)
            except MalformedStatus as e:
                return _reject(f"malformed {name}: {e}", seq, digest)
        elif name == ON_ACTION_REQUEST:
            action = data.get("action")
            if not isinstance(action, str) or not action:
                return _reject(f"{name} has no action", seq, digest)
            props = data.get("props")
            if props is not None and not isinstance(props, Mapping):
                return _reject(f"the props of {name} are not an object", seq, digest)
        return cls(name=name, data=dict(data), seq=seq, status=status, digest=digest)


def _reject(reason: str, seq: int | None, digest: str) -> ComponentEvent:
    return ComponentEvent(
        name=ON_ERROR,
        data={"message": "The sign-in component sent an event Desklit does not understand.",
              "error": reason},
        seq=seq, rejected=reason, digest=digest)


def _digest(value: Any) -> str:
    try:
        raw = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    except (TypeError, ValueError):
        raw = repr(type(value))
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()
