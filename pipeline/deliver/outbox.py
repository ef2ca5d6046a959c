"""Outbox -> SMTP server -> sent/: delivers queued messages, each exactly once.

A message is a file in `<out>/outbox/` until a server accepts it. Once the
server has said 250 to its DATA, the server's reply is written to
`<out>/sent/<name>.log` and then the message is moved (one rename) to
`<out>/sent/<name>.eml`. A message whose log already names its Message-ID is
only moved, never sent again, so a run interrupted between the two steps does
not send twice. Temporary failures (refused connection, timeout, 4xx) are
retried with a doubling back-off; permanent ones (5xx, authentication, TLS)
are not. Each queued message has a name of its own, from its recipients and content,
and is never replaced; the move to sent/ checks that the file still holds
what was sent. Every SMTP operation has a deadline and replies are bounded
(smtp.py); once the whole message went out and the answer was lost, the
message is not sent again in that run. Files are written only through
`output.py`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from pathlib import Path

from pipeline.build.output import folder_lock, move_atomic, write_atomic, write_new
from pipeline.config.model import Smtp
from pipeline.deliver.mail import envelope
from pipeline.deliver.smtp import BoundedSMTP, BoundedSMTP_SSL, ReplyTooLong
from pipeline.errors import DeliveryError, PipelineError, UsageError

log = logging.getLogger(__name__)

OUTBOX = "outbox"
SENT = "sent"
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
PASSWORD_VARIABLE = "PIPELINE_SMTP_PASSWORD"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    username: str | None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 2.0

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"


def smtp_settings(smtp: Smtp, base_dir: Path, environ: Mapping[str, str]) -> SmtpSettings:
    """The config's `email.smtp`, with PIPELINE_SMTP_HOST/PORT/PASSWORD applied."""
    host = environ.get("PIPELINE_SMTP_HOST") or smtp.host
    port_text = environ.get("PIPELINE_SMTP_PORT")
    if port_text:
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise UsageError(f"PIPELINE_SMTP_PORT={port_text!r} is not a port number (1-65535)")
        port = int(port_text)
    else:
        port = smtp.port or DEFAULT_PORTS[smtp.security]
    password = environ.get(PASSWORD_VARIABLE)
    if smtp.username and not password:
        raise UsageError(
            f"email.smtp.username is set but {PASSWORD_VARIABLE} is not",
            hint=f"export {PASSWORD_VARIABLE} before sending",
        )
    if smtp.username and smtp.security == "none":
        raise UsageError(
            "refusing to send a password without TLS",
            hint="set email.smtp.security to starttls or ssl",
        )
    ca_file = None
    if smtp.ca_file:
        ca_file = Path(smtp.ca_file)
        if not ca_file.is_absolute():
            ca_file = base_dir / ca_file
        if not ca_file.is_file():
            raise UsageError(f"email.smtp.ca_file: no such file {ca_file}")
    return SmtpSettings(
        host=host,
        port=port,
        security=smtp.security,
        username=smtp.username,
        password=password,
        ca_file=ca_file,
        timeout=smtp.timeout,
        retries=smtp.retries,
        backoff=smtp.backoff,
    )


@dataclass(frozen=True)
class Queued:
    path: Path
    new: bool  # False: the same message was already waiting


def message_key(data: bytes) -> str:
    """A digest of who gets the message and what it says: its addresses,
    subject and every part's type, name and bytes, but not its Message-ID,
    Date or MIME boundaries (which differ each time a message is composed)."""
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    digest = hashlib.sha256()
    for name in ("From", "To", "Cc", "Reply-To", "Subject"):
        digest.update(f"{name}: {parsed[name] or ''}\n".encode())
    for part in parsed.walk():
        if part.is_multipart():
            continue
        label = f"{part.get_content_type()}\0{part.get_filename() or ''}\0"
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else str(payload).encode()
        digest.update(label.encode() + hashlib.sha256(content).digest())
    return digest.hexdigest()


def queue(out_dir: Path, stem: str, data: bytes) -> Queued:
    """Put a message in the outbox under a name of its own (the brief's stem
    and `message_key`): a message for other recipients, or with other
    content, never replaces one that is waiting; the same message is not
    queued twice."""
    name = f"{stem}-{message_key(data)[:10]}.eml"
    written = write_new(out_dir / OUTBOX, name, data)
    if written is None:
        return Queued(out_dir / OUTBOX / name, new=False)
    return Queued(written.path, new=True)


def pending(out_dir: Path) -> list[Path]:
    folder = out_dir / OUTBOX
    return sorted(folder.glob("*.eml")) if folder.is_dir() else []


@dataclass
class Delivery:
    message: Path  # where the message was in the outbox
    attempts: int = 0
    sent: Path | None = None
    reply: str = ""
    refused: dict[str, str] = field(default_factory=dict)
    error: DeliveryError | None = None


class Unconfirmed(Exception):
    """The whole message went out but the server's answer to it never came:
    it may have been accepted, so it is not sent again in this run."""


def _context(settings: SmtpSettings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if settings.ca_file is not None:
        context.load_verify_locations(cafile=str(settings.ca_file))
    return context


def _connect(settings: SmtpSettings) -> BoundedSMTP | BoundedSMTP_SSL:
    client: BoundedSMTP | BoundedSMTP_SSL
    if settings.security == "ssl":
        client = BoundedSMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=_context(settings)
        )
    else:
        client = BoundedSMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        client.ehlo()
        if settings.security == "starttls":
            client.starttls(context=_context(settings))
            client.ehlo()
        if settings.username:
            client.login(settings.username, settings.password or "")
    except BaseException:
        client.close()
        raise
    return client


def _transmit(
    settings: SmtpSettings, sender: str, recipients: list[str], data: bytes
) -> tuple[str, dict[str, str]]:
    """One attempt: (the server's reply to DATA, refused recipients). Raises on failure."""
    client = _connect(settings)
    try:
        code, reply = client.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused: dict[str, tuple[int, bytes]] = {}
        for recipient in recipients:
            code, reply = client.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        if len(refused) == len(recipients):
            raise smtplib.SMTPRecipientsRefused(refused)
        code, reply = client.data(data)
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
    except BaseException as exc:
        client.close()
        if client.awaiting_data_reply and isinstance(exc, Exception):
            raise Unconfirmed(_reason(exc)[1]) from exc
        raise
    # Accepted: whatever happens now (QUIT failing) must not cause a resend.
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()
    text = f"{code} {reply.decode('utf-8', 'replace')}"
    return text, {r: f"{c} {m.decode('utf-8', 'replace')}" for r, (c, m) in refused.items()}


def _reason(exc: BaseException) -> tuple[bool, str]:
    """(temporary?, what went wrong) for one failed attempt."""
    if isinstance(exc, Unconfirmed):
        return False, (
            f"{exc}, after the whole message was sent: the server may have accepted it, "
            "so it was not sent again"
        )
    if isinstance(exc, ReplyTooLong):
        return False, str(exc)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False, f"authentication refused: {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{r}: {c} {_text(m)}" for r, (c, m) in exc.recipients.items())
        return all(400 <= c < 500 for c in codes), f"every recipient refused ({detail})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500, f"{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return False, f"the server does not support it: {exc}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return False, f"TLS certificate not trusted: {exc.verify_message}"
    if isinstance(exc, ssl.SSLError):
        return False, f"TLS failed: {exc.reason or exc}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True, f"the server closed the connection ({exc})"
    if isinstance(exc, ConnectionRefusedError):
        return True, "connection refused (is the server running?)"
    if isinstance(exc, TimeoutError):
        return True, str(exc) or "timed out"
    if isinstance(exc, OSError):
        return True, exc.strerror or str(exc) or type(exc).__name__
    return False, str(exc) or type(exc).__name__


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _message_id(data: bytes) -> str:
    parsed = BytesParser(policy=policy.default).parsebytes(data, headersonly=True)
    return str(parsed["Message-ID"] or "").strip()


def _already_sent(sent_dir: Path, message_id: str) -> Path | None:
    """The log of an earlier accepted delivery of this message, if any."""
    if not message_id or not sent_dir.is_dir():
        return None
    needle = f"Message-ID: {message_id}\n"
    for log_file in sorted(sent_dir.glob("*.log")):
        try:
            if needle in log_file.read_text(encoding="utf-8"):
                return log_file
        except OSError:
            continue
    return None


def _sent_name(message: Path, now: dt.datetime) -> str:
    return f"{message.stem}-{now.strftime('%Y%m%dT%H%M%S%fZ')}"


def _file_as_sent(message: Path, sent_dir: Path, filename: str, data: bytes) -> Path:
    """Move the outbox file to sent/ if it still holds what was sent; if
    another run put something else under its name, that stays queued and
    sent/ gets a copy of what was really sent."""
    try:
        unchanged = message.read_bytes() == data
    except OSError:
        unchanged = False
    if unchanged:
        return move_atomic(message, sent_dir, filename).path
    log.warning("%s changed while it was sent; the new one stays in the outbox", message.name)
    return write_atomic(sent_dir, filename, data).path


def deliver(
    message: Path,
    out_dir: Path,
    settings: SmtpSettings,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Send one outbox message, retrying temporary failures; move it to sent/ once accepted."""
    delivery = Delivery(message)
    sent_dir = out_dir / SENT
    data = message.read_bytes()
    message_id = _message_id(data)
    earlier = _already_sent(sent_dir, message_id)
    if earlier is not None:
        # Accepted in a run that stopped before the move: finish the move only.
        delivery.sent = move_atomic(message, sent_dir, earlier.stem + ".eml").path
        delivery.reply = "already accepted earlier (see " + earlier.name + ")"
        return delivery
    try:
        sender, recipients = envelope(data)
    except PipelineError as error:
        delivery.error = DeliveryError(error.message, file=str(message))
        return delivery
    reason = ""
    for attempt in range(1, settings.retries + 2):
        delivery.attempts = attempt
        try:
            reply, refused = _transmit(settings, sender, recipients, data)
        except Exception as exc:  # classified below; anything unknown is permanent
            temporary, reason = _reason(exc)
            log.info("attempt %d to %s failed: %s", attempt, settings.server, reason)
            if not temporary or attempt > settings.retries:
                break
            sleep(settings.backoff * 2 ** (attempt - 1))
            continue
        now = dt.datetime.now(dt.UTC)
        name = _sent_name(message, now)
        lines = [
            f"Message-ID: {message_id}",
            f"Server: {settings.server} ({settings.security})",
            f"Accepted: {now.isoformat(timespec='seconds')}",
            f"Attempts: {attempt}",
            f"Envelope-From: {sender}",
            f"Recipients: {', '.join(r for r in recipients if r not in refused)}",
            *(f"Refused: {r}: {why}" for r, why in refused.items()),
            f"Reply: {reply}",
        ]
        # The log first: if the move below never happens, the next run sees
        # this log and moves the message without sending it again.
        write_atomic(sent_dir, f"{name}.log", ("\n".join(lines) + "\n").encode("utf-8"))
        delivery.sent = _file_as_sent(message, sent_dir, f"{name}.eml", data)
        delivery.reply = reply
        delivery.refused = refused
        return delivery
    tries = f"{delivery.attempts} attempt{'s' if delivery.attempts > 1 else ''}"
    delivery.error = DeliveryError(
        f"{settings.server}: {reason} (after {tries}; the message stays in the outbox)",
        file=str(message),
        hint="run 'python -m pipeline email --send --outbox' to try again",
    )
    return delivery


def flush(
    out_dir: Path,
    settings: SmtpSettings,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Delivery]:
    """Deliver every message in the outbox, in name order, under the outbox's lock."""
    with folder_lock(out_dir / OUTBOX) as locked:
        if not locked:
            raise DeliveryError(
                "another 'email --send' is delivering this outbox right now",
                file=str(out_dir / OUTBOX),
                hint="wait for it to finish; nothing was sent twice",
            )
        return [deliver(message, out_dir, settings, sleep=sleep) for message in pending(out_dir)]
