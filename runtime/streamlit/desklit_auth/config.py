"""Where things are, from the environment the shell sets for Streamlit (read on every call, so a
test or a script can change it)."""

from __future__ import annotations

import os

DEFAULT_API_URL = "http://127.0.0.1:8888"
DEFAULT_COMPONENT_URL = "http://127.0.0.1:3001"

#: The query parameter that carries the per-launch secret (``/?desklit_token=...``).
LAUNCH_TOKEN_PARAM = "desklit_token"


def api_url() -> str:
    """The protected API's base URL (``DESKLIT_API_URL``)."""
    return (os.environ.get("DESKLIT_API_URL") or DEFAULT_API_URL).rstrip("/")


def component_url() -> str:
    """The component server's URL (``DESKLIT_COMPONENT_URL``); it serves the built component."""
    return (os.environ.get("DESKLIT_COMPONENT_URL") or DEFAULT_COMPONENT_URL).rstrip("/")


def component_build_dir() -> str | None:
    """A local build of the component (``DESKLIT_COMPONENT_BUILD_DIR``), served by Streamlit
    instead of the component server; for component development only."""
    return os.environ.get("DESKLIT_COMPONENT_BUILD_DIR") or None


def expected_launch_secret() -> str | None:
    """The launch secret, when the shell also gives it to Streamlit (``DESKLIT_LAUNCH_SECRET``).
    If set, a page whose ``desklit_token`` differs is not handed to the component."""
    return os.environ.get("DESKLIT_LAUNCH_SECRET") or None
