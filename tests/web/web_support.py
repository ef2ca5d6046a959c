"""A small HTTP server on 127.0.0.1 for the web-reading tests: routes map a
path to a response the test wrote (status, headers, body), and every request
is logged with its headers. Nothing here touches any other address."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Response:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Callable[[], Iterator[bytes]] = b""


Route = Response | Callable[[dict[str, str]], Response]


@dataclass
class Request:
    path: str
    headers: dict[str, str]


class WebServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.sent: dict[str, int] = {}  # body bytes written per path
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def handle(self) -> None:
                with contextlib.suppress(OSError):  # the client hung up between requests
                    super().handle()

            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.requests.append(Request(self.path, headers))
                route = server.routes.get(self.path)
                if route is None:
                    response = Response(404, {"Content-Type": "text/plain"}, b"not found")
                elif callable(route):
                    response = route(headers)
                else:
                    response = route
                if response.status == 0:  # never answer
                    server.stop.wait(10)
                    return
                self.send_response(response.status)
                streamed = callable(response.body)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                if streamed:
                    self.send_header("Connection", "close")
                else:
                    assert isinstance(response.body, bytes)
                    self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                try:
                    chunks = response.body() if callable(response.body) else [response.body]
                    for chunk in chunks:
                        if server.stop.is_set():
                            break
                        self.wfile.write(chunk)
                        server.sent[self.path] = server.sent.get(self.path, 0) + len(chunk)
                except OSError:
                    pass  # the client hung up (that is what a size cap does)
                if streamed:
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    def __enter__(self) -> WebServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def html_page(title: str, paragraphs: list[str], head: str = "", body_extra: str = "") -> bytes:
    text = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"{head}</head><body><article><h1>{title}</h1>{text}{body_extra}</article></body></html>"
    ).encode()


def html(body: bytes, **headers: str) -> Response:
    return Response(200, {"Content-Type": "text/html; charset=utf-8", **headers}, body)
