"""Helpers for the e-mail tests: a recording SMTP handler, the CLI in process.

The servers are aiosmtpd instances on 127.0.0.1, each on a free port, so
nothing leaves the machine. A `Recorder` handler can answer DATA from a
script (421, 550...) before accepting, and keeps what it received.
"""

from __future__ import annotations

import io
import shutil
import socket
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "poutine-iran.txt"
SENDER = "Cellule de veille <veille@example.fr>"
TO = "Équipe Europe <europe@example.org>"
CC = "archive@example.org"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls: bool

    @property
    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Recorder:
    """An aiosmtpd handler: answers DATA from `script` first, then accepts."""

    script: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    data_calls: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_calls += 1
        if self.script:
            return self.script.pop(0)
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                bytes(envelope.original_content or envelope.content),
                session.ssl is not None,
            )
        )
        return f"250 2.0.0 Ok: queued as TEST{len(self.received)}"


@dataclass
class Server:
    recorder: Recorder
    port: int


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def write_config(folder: Path, smtp: str = "", extra: str = "") -> Path:
    config = folder / "config.yaml"
    config.write_text(
        "organisation: Cellule de veille\n"
        "email:\n"
        f"  sender: {SENDER}\n"
        f"  to: ['{TO}']\n"
        f"  cc: ['{CC}']\n"
        "  reply_to: redaction@example.fr\n"
        '  subject: "Brief : {title}"\n'
        f"{extra}"
        "  smtp:\n"
        "    host: 127.0.0.1\n"
        "    security: none\n"
        "    timeout: 5\n"
        "    retries: 2\n"
        "    backoff: 0\n"
        f"{smtp}",
        encoding="utf-8",
    )
    return config


@dataclass
class Built:
    folder: Path
    config: Path
    out: Path
    eml: Path
    pdf: Path
    docx: Path


def fresh_outbox(built: Built, target: Path, name: str | None = None) -> Path:
    """A new output folder whose outbox holds a copy of the built message."""
    outbox = target / "outbox"
    outbox.mkdir(parents=True)
    copy = outbox / (name or built.eml.name)
    shutil.copyfile(built.eml, copy)
    return copy
