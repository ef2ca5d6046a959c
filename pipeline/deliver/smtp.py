"""SMTP commands -> server replies, each operation bounded in time and size.

`smtplib` applies its timeout to each read of the socket, so a server that
sends one byte a second holds a command forever, and it collects reply
lines without limit, so endless `220-` continuation lines fill the memory.
`BoundedSMTP` (and `BoundedSMTP_SSL`) read and write the socket themselves
with one deadline per operation: a command and its reply take at most
`timeout` seconds, the message text `timeout` plus one second per
`MIN_RATE` bytes. A reply is at most `MAX_REPLY_BYTES` long.

They also record whether the end of the message (`CRLF.CRLF`) went out
with no reply read back yet (`awaiting_data_reply`): in that window the server may have accepted the
message, so the outbox does not retry it (see outbox.deliver).
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MAX_REPLY_BYTES = 64 * 1024
MAX_LINE = 8192  # smtplib's own cap on one reply line
MIN_RATE = 50_000  # bytes per second a server must at least take the message at


class ReplyTooLong(smtplib.SMTPException):
    """The server's reply went past `MAX_REPLY_BYTES` (or one line past `MAX_LINE`)."""


class _Bounded(smtplib.SMTP):
    timeout: float
    sock: Any

    def _begin(self, seconds: float | None = None) -> None:
        self._deadline = time.monotonic() + (self.timeout if seconds is None else seconds)

    def _remaining(self, doing: str) -> float:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            self.close()
            raise TimeoutError(f"the server took more than {self.timeout:g} s {doing}")
        return remaining

    @contextmanager
    def _socket_errors(self, doing: str) -> Iterator[None]:
        """A socket timeout or error closes the connection and says what the
        server failed to do, in smtplib's terms."""
        try:
            yield
        except TimeoutError:
            self.close()
            raise TimeoutError(f"the server took more than {self.timeout:g} s {doing}") from None
        except OSError as exc:
            self.close()
            raise smtplib.SMTPServerDisconnected(f"the connection broke: {exc}") from None

    def connect(self, host: str = "localhost", port: int = 0, source_address: Any = None) -> Any:
        self._pending = b""
        self.awaiting_data_reply = False
        self._in_data = False
        self._begin()  # the greeting is one operation too
        return super().connect(host, port, source_address)

    def starttls(self, *args: Any, **kwargs: Any) -> Any:
        reply = super().starttls(*args, **kwargs)
        self._pending = b""  # nothing may be read across the TLS handshake
        return reply

    def data(self, msg: Any) -> tuple[int, bytes]:
        self._in_data = True
        try:
            return super().data(msg)
        finally:
            self._in_data = False

    def send(self, s: Any) -> None:
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        data = s.encode(self.command_encoding) if isinstance(s, str) else bytes(s)
        self._begin(self.timeout + len(data) / MIN_RATE)
        view = memoryview(data)
        with self._socket_errors("to take what was sent"):
            while view:
                self.sock.settimeout(self._remaining("to take what was sent"))
                view = view[self.sock.send(view) :]
        if self._in_data and data.endswith(b"\r\n.\r\n"):
            self.awaiting_data_reply = True
        self._begin()  # the reply to what was just sent

    def _readline(self) -> bytes:
        while b"\n" not in self._pending:
            if len(self._pending) > MAX_LINE:
                self.close()
                raise ReplyTooLong(f"a reply line of the server is longer than {MAX_LINE} bytes")
            self.sock.settimeout(self._remaining("to answer"))
            with self._socket_errors("to answer"):
                chunk = self.sock.recv(4096)
            if not chunk:
                self.close()
                raise smtplib.SMTPServerDisconnected("the server closed the connection")
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return line + b"\n"

    def getreply(self) -> tuple[int, bytes]:
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("the server closed the connection")
        lines: list[bytes] = []
        total = 0
        while True:
            line = self._readline()
            total += len(line)
            if total > MAX_REPLY_BYTES:
                self.close()
                raise ReplyTooLong(
                    f"the server's reply is longer than {MAX_REPLY_BYTES // 1024} KB "
                    f"({len(lines)} lines)"
                )
            lines.append(line[4:].strip(b" \t\r\n"))
            try:
                code = int(line[:3])
            except ValueError:
                return -1, b"\n".join(lines)
            if line[3:4] != b"-":
                self.awaiting_data_reply = False
                return code, b"\n".join(lines)

    def close(self) -> None:
        self._pending = b""
        super().close()


class BoundedSMTP(_Bounded):
    """`smtplib.SMTP` with a deadline per operation and a bounded reply."""


class BoundedSMTP_SSL(_Bounded, smtplib.SMTP_SSL):  # noqa: N801 - as smtplib names it
    """`smtplib.SMTP_SSL` with a deadline per operation and a bounded reply."""
