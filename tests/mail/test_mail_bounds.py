"""SMTP operations are bounded and the outbox never loses a message (issue 21 §4, §5).

The hostile servers here are plain sockets on 127.0.0.1, each serving a
bounded number of connections on a daemon thread; they count what they
sent and received, so the tests assert on counts, with time bounds only as
wide safety margins.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from mail_support import Built, Server, fresh_outbox, run, write_config

from pipeline.config.model import load_config
from pipeline.deliver.outbox import deliver, message_key, queue, smtp_settings


@dataclass
class Raw:
    port: int
    sent: int = 0  # bytes the server wrote
    data_ends: int = 0  # messages whose final "." it received
    connections: int = 0
    closed_by_client: list[float] = field(default_factory=list)


Handler = Callable[[socket.socket, Raw], None]


@pytest.fixture
def raw_server() -> Iterator[Callable[[Handler], Raw]]:
    sockets: list[socket.socket] = []

    def start(handler: Handler, connections: int = 5) -> Raw:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(connections)
        listener.settimeout(60)
        sockets.append(listener)
        state = Raw(listener.getsockname()[1])

        def serve() -> None:
            for _ in range(connections):
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return
                state.connections += 1
                with connection:
                    connection.settimeout(60)
                    try:
                        handler(connection, state)
                    except OSError:
                        state.closed_by_client.append(time.monotonic())

        threading.Thread(target=serve, daemon=True).start()
        return state

    yield start
    for listener in sockets:
        listener.close()


def send(connection: socket.socket, state: Raw, data: bytes) -> None:
    connection.sendall(data)
    state.sent += len(data)


def lines(connection: socket.socket) -> Iterator[bytes]:
    buffer = b""
    while True:
        chunk = connection.recv(65536)
        if not chunk:
            return
        buffer += chunk
        while b"\n" in buffer:
            line, _, buffer = buffer.partition(b"\n")
            yield line + b"\n"


def smtp_until_data(connection: socket.socket, state: Raw) -> Iterator[bytes]:
    """A well-behaved server up to the message's final "."; yields then."""
    send(connection, state, b"220 ready\r\n")
    in_data = False
    for line in lines(connection):
        if in_data:
            if line == b".\r\n":
                state.data_ends += 1
                in_data = False
                yield line
            continue
        verb = line[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            send(connection, state, b"250 hello\r\n")
        elif verb == b"DATA":
            send(connection, state, b"354 go on\r\n")
            in_data = True
        elif verb == b"QUIT":
            send(connection, state, b"221 bye\r\n")
            return
        else:
            send(connection, state, b"250 ok\r\n")


def config_for(built: Built, folder: Path, timeout: float, retries: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = write_config(folder)
    text = config.read_text(encoding="utf-8")
    text = text.replace("    timeout: 5\n", f"    timeout: {timeout}\n")
    text = text.replace("    retries: 2\n", f"    retries: {retries}\n")
    config.write_text(text, encoding="utf-8")
    return config


def send_outbox(
    config: Path, out: Path, port: int, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setenv("PIPELINE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PIPELINE_SMTP_PORT", str(port))
    monkeypatch.delenv("PIPELINE_SMTP_PASSWORD", raising=False)
    return run("email", "--send", "--outbox", "-c", str(config), "-o", str(out))


def test_a_server_trickling_bytes_meets_the_operation_timeout(
    built: Built, tmp_path: Path, raw_server: Callable[..., Raw], monkeypatch: pytest.MonkeyPatch
) -> None:
    greeting = b"220 " + b"x" * 400 + b"\r\n"

    def trickle(connection: socket.socket, state: Raw) -> None:
        for byte in greeting:  # one byte every 50 ms: each read is quick, the whole is not
            send(connection, state, bytes([byte]))
            time.sleep(0.05)

    server = raw_server(trickle, connections=1)
    out = tmp_path / "dist"
    message = fresh_outbox(built, out)
    started = time.monotonic()
    code, _, err = send_outbox(config_for(built, tmp_path, 1, 0), out, server.port, monkeypatch)
    assert code == 1
    assert "took more than 1 s to answer" in err
    # smtplib's per-read timeout would wait for the whole greeting (20 s here).
    assert time.monotonic() - started < 15
    assert message.exists()


def test_endless_continuation_lines_are_cut_with_a_reason(
    built: Built, tmp_path: Path, raw_server: Callable[..., Raw], monkeypatch: pytest.MonkeyPatch
) -> None:
    def endless(connection: socket.socket, state: Raw) -> None:
        line = b"220-" + b"y" * 60 + b"\r\n"
        while state.sent < 50_000_000:  # stops by itself after 50 MB
            send(connection, state, line * 100)

    server = raw_server(endless, connections=3)
    out = tmp_path / "dist"
    fresh_outbox(built, out)
    code, _, err = send_outbox(config_for(built, tmp_path, 5, 2), out, server.port, monkeypatch)
    assert code == 1
    assert "reply is longer than 64 KB" in err
    assert server.connections == 1  # a broken server is not retried
    # The client stopped reading after 64 KB (plus what the socket buffers held).
    time.sleep(0.2)
    assert server.sent < 20_000_000


def test_a_lost_answer_to_the_whole_message_is_not_retried(
    built: Built, tmp_path: Path, raw_server: Callable[..., Raw], monkeypatch: pytest.MonkeyPatch
) -> None:
    def swallow(connection: socket.socket, state: Raw) -> None:
        for _ in smtp_until_data(connection, state):
            return  # took the whole message, then hung up without answering

    server = raw_server(swallow, connections=5)
    out = tmp_path / "dist"
    message = fresh_outbox(built, out)
    code, _, err = send_outbox(config_for(built, tmp_path, 5, 4), out, server.port, monkeypatch)
    assert code == 1
    assert server.data_ends == 1  # once, not 1 + retries
    assert "may have accepted it" in err
    assert message.exists()  # kept: a deliberate re-run decides


def test_a_lost_answer_before_the_message_is_retried(
    built: Built, tmp_path: Path, raw_server: Callable[..., Raw], monkeypatch: pytest.MonkeyPatch
) -> None:
    def drop_then_accept(connection: socket.socket, state: Raw) -> None:
        if state.connections == 1:
            send(connection, state, b"220 ready\r\n")
            return  # drops before any message text
        for _ in smtp_until_data(connection, state):
            send(connection, state, b"250 queued\r\n")

    server = raw_server(drop_then_accept, connections=3)
    out = tmp_path / "dist"
    fresh_outbox(built, out)
    code, _, err = send_outbox(config_for(built, tmp_path, 5, 2), out, server.port, monkeypatch)
    assert code == 0, err
    assert server.data_ends == 1
    assert len(list((out / "sent").glob("*.eml"))) == 1


def test_messages_for_other_recipients_never_replace_each_other(
    built: Built, tmp_path: Path
) -> None:
    data = built.eml.read_bytes()
    for_bob = data.replace(b"europe@example.org", b"bob@example.org")
    out = tmp_path / "dist"
    first = queue(out, "brief", data)
    second = queue(out, "brief", for_bob)
    again = queue(out, "brief", data.replace(b"Message-ID: <", b"Message-ID: <x"))
    assert first.new and second.new and not again.new
    assert first.path != second.path and again.path == first.path
    assert sorted(p.read_bytes() for p in (out / "outbox").glob("*.eml")) == sorted([data, for_bob])
    assert message_key(data) != message_key(for_bob)


def test_a_message_changed_while_it_was_sent_stays_queued(
    built: Built, tmp_path: Path, smtp_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    message = fresh_outbox(built, out)
    sent_data = message.read_bytes()
    other = sent_data.replace(b"europe@example.org", b"bob@example.org")
    recorder = smtp_server.recorder
    original = recorder.handle_DATA

    async def replace_then_accept(*args, **kwargs):  # type: ignore[no-untyped-def]
        message.write_bytes(other)  # run B's message lands under the same name
        return await original(*args, **kwargs)

    monkeypatch.setattr(recorder, "handle_DATA", replace_then_accept)
    monkeypatch.setenv("PIPELINE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PIPELINE_SMTP_PORT", str(smtp_server.port))
    config = load_config(built.config)
    settings = smtp_settings(config.email.smtp, config.base_dir, dict(os.environ))
    delivery = deliver(message, out, settings, sleep=lambda _: None)
    assert delivery.error is None and delivery.sent is not None
    assert delivery.sent.read_bytes() == sent_data  # sent/ holds what was sent
    assert message.read_bytes() == other  # B's message still waits
