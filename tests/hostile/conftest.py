"""Session fixtures of the hostile-input corpus: a planted secret file and a
local HTTP server that records every request it receives."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hostile_support import Secret, Server


@pytest.fixture(scope="session")
def secret(tmp_path_factory: pytest.TempPathFactory) -> Secret:
    folder = tmp_path_factory.mktemp("secret")
    token = b"PLANTED-SECRET-" + secrets.token_hex(16).encode()
    path = folder / "credentials.txt"
    path.write_bytes(token + b"\n")
    return Secret(path, token)


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    record = Server(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            record.requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { background: red }")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield record
    httpd.shutdown()
    httpd.server_close()
