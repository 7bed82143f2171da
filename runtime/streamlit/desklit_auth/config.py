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


class UnknownService(LookupError):
    """The app has no service of that name (no ``[services.NAME]`` in its desklit.toml)."""


def service_env_name(name: str) -> str:
    """The variable that carries a service's URL: ``notes-api`` → ``DESKLIT_SERVICE_NOTES_API_URL``."""
    return "DESKLIT_SERVICE_" + name.upper().replace("-", "_") + "_URL"


def service_url(name: str) -> str:
    """The base URL of the project's own service ``name`` (``[services.NAME]`` in desklit.toml),
    which Desklit hands to the app and to every service as ``DESKLIT_SERVICE_<NAME>_URL``. With
    ``protect = "bearer"`` it is the address of Desklit's guard in front of the service."""
    key = service_env_name(name)
    url = os.environ.get(key)
    if not url:
        raise UnknownService(
            f"The app has no service {name!r}: declare [services.{name}] in its desklit.toml "
            f"(Desklit then sets {key}).")
    return url.rstrip("/")
