"""A fake protected API on 127.0.0.1:0 (http.server in a thread) that records what it was sent."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GOOD_TOKEN = "good-access-token-value"
SCOPED_TOKEN = "scoped-access-token-value"


def free_port() -> int:
    """A loopback port that was free a moment ago (bind, note the port, close)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeAPI:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, status: int, body: dict, headers: dict | None = None) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def _handle(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                api.requests.append({"method": self.command, "path": self.path,
                                     "headers": dict(self.headers), "body": body})
                auth = self.headers.get("Authorization", "")
                token = auth[len("Bearer "):] if auth.startswith("Bearer ") else None
                if self.headers.get("accesstoken"):
                    token = self.headers["accesstoken"]
                if self.path == "/api/ping":
                    return self._send(200, {"data": "Hello from a PUBLIC endpoint! now"})
                if self.path in ("/api/pong", "/api/pong-scoped"):
                    if token not in (GOOD_TOKEN, SCOPED_TOKEN):
                        code = "authorization_header_missing" if not auth else "invalid_header"
                        return self._send(401, {"code": code, "description": "nope"},
                                          {"WWW-Authenticate": 'Bearer error="invalid_token"'})
                    if self.path == "/api/pong-scoped" and token != SCOPED_TOKEN:
                        return self._send(403, {"code": "insufficient_scope",
                                                "description": "read:messages is required"},
                                          {"WWW-Authenticate":
                                           'Bearer error="insufficient_scope"'})
                    return self._send(200, {"data": "Hello from a SECURE endpoint! now",
                                            "sub": "user-1"})
                return self._send(404, {"code": "not_found"})

            do_GET = _handle
            do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> FakeAPI:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
