import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fakeapi import FakeAPI, free_port  # noqa: E402


@pytest.fixture(scope="session")
def _api_server():
    with FakeAPI() as a:
        yield a


@pytest.fixture(scope="session")
def component_server():
    """Stands in for the component server's GET /api/ping."""
    with FakeAPI() as a:
        yield a


@pytest.fixture
def api(_api_server):
    """The fake API (one server for the run), with an empty request log."""
    _api_server.requests.clear()
    return _api_server


@pytest.fixture
def closed_port_url():
    """A loopback URL where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"
