"""Brief + built artifacts -> one e-mail message (bytes), ready to preview or send.

This module owns the composition: the subject (sanitised), the headers, the
plain-text and HTML body (templates/mail, CSS inlined with css-inline), the
attachments and their size budget. It sends nothing (see `outbox.py`) and
writes nothing itself: `prepare_messages` hands bytes to `output.py`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, make_msgid
from functools import lru_cache
from pathlib import Path

from pipeline.brief import Brief, plain
from pipeline.build.clock import build_now
from pipeline.config.model import Colors, Config
from pipeline.config.model import Email as EmailSettings
from pipeline.errors import PipelineError, RenderError, UsageError
from pipeline.render import MEDIA_TYPES
from pipeline.render.discovery import templates_root

MAIL_TEMPLATES = "mail"
MAX_FILENAME = 100

# Python before 3.11.10 and 3.12.5 re-emits a CR/LF hidden in an RFC 2047
# encoded word ("=?utf-8?q?=0D=0ABcc:...?=") raw when it folds the header
# (CVE-2024-6923), so encoded-word syntax and every line-breaking character
# are removed from anything that becomes a header, whatever the Python version.
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


def header_text(text: str) -> str:
    """`text` made safe for an unstructured header: one line, no encoded words."""
    text = _LINE_BREAKS.sub(" ", text)
    text = "".join(
        " " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in text
    )
    text = re.sub(r"\s+", " ", text).strip()
    # "=?" starts an encoded word; "= ?" is read literally by every decoder.
    return text.replace("=?", "= ?")


def subject_for(template: str, brief: Brief) -> str:
    values = {
        "title": brief.title,
        "date": brief.date_text or (brief.date.isoformat() if brief.date else ""),
        "organisation": brief.organisation or "",
    }
    # Substitute by pattern, not str.format: a title cannot reach attributes.
    text = re.sub(r"\{(title|date|organisation)\}", lambda m: values[m.group(1)], template)
    return header_text(text) or header_text(brief.title) or "Brief"


def attachment_name(title: str, fmt: str) -> str:
    """The file name the recipient sees: the title, without path or control characters."""
    name = header_text(title)
    name = re.sub(r'[\\/:*?"<>|]+', " ", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > MAX_FILENAME:
        name = name[:MAX_FILENAME].rsplit(" ", 1)[0] or name[:MAX_FILENAME]
    return f"{name or 'brief'}.{fmt}"


@dataclass(frozen=True)
class Attachment:
    format: str
    filename: str
    data: bytes
    source: Path | None = None  # the file in the output folder it was read from

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size / 1000:.0f} kB" if size >= 1000 else f"{size} B"


def within_budget(
    attachments: list[Attachment], settings: EmailSettings
) -> tuple[list[Attachment], list[str]]:
    """The attachments that fit `email.max_bytes`, per `email.on_oversize`."""
    total = sum(len(a.data) for a in attachments)
    if total <= settings.max_bytes:
        return attachments, []
    listing = ", ".join(f"{a.filename} {_size(len(a.data))}" for a in attachments)
    if settings.on_oversize == "pdf_only":
        pdfs = [a for a in attachments if a.format == "pdf"]
        if pdfs and sum(len(a.data) for a in pdfs) <= settings.max_bytes:
            return pdfs, [
                f"attachments ({listing}) exceed email.max_bytes "
                f"({_size(settings.max_bytes)}); attaching only the PDF"
            ]
    raise RenderError(
        f"the attachments are too large for one message: {listing}, "
        f"total {_size(total)} > email.max_bytes {_size(settings.max_bytes)}",
        hint="raise email.max_bytes, or set email.on_oversize: pdf_only",
    )


@lru_cache(maxsize=2)
def _environment(folder: Path) -> object:
    import jinja2

    from pipeline.render.sandbox import template_environment

    env = template_environment(
        jinja2.FileSystemLoader(str(folder)),
        # HTML is escaped; the plain-text part is not markup and stays as is.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
    )
    env.globals["plain"] = plain
    return env


def mail_templates() -> Path:
    return templates_root() / MAIL_TEMPLATES


def render_body(brief: Brief, colors: Colors, filenames: Iterable[str]) -> tuple[str, str]:
    """(plain text, HTML with inlined CSS) of the message body."""
    import css_inline
    import jinja2

    env = _environment(mail_templates())
    assert isinstance(env, jinja2.Environment)
    names = ", ".join(filenames)
    # .replace, not .format: the label text comes from editable data files.
    attached = brief.labels.attached.replace("{files}", names) if names else ""
    context = {"brief": brief, "colors": colors, "attached": attached}
    text = env.get_template("body.txt.j2").render(context)
    html = env.get_template("body.html.j2").render(context)
    inliner = css_inline.CSSInliner(
        load_remote_stylesheets=False, keep_style_tags=False, keep_link_tags=False
    )
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", inliner.inline(html)


@dataclass(frozen=True)
class Recipients:
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()
    reply_to: str | None = None


def recipients_for(
    settings: EmailSettings,
    *,
    sender: str | None = None,
    to: Iterable[str] = (),
    cc: Iterable[str] = (),
) -> Recipients:
    """Config values with the command line's overrides, checked like the config's."""
    from pipeline.config.model import _check_address

    chosen_to = tuple(to) or settings.to
    chosen_cc = tuple(cc) or settings.cc
    chosen_sender = sender or settings.sender
    if not chosen_to:
        raise UsageError("no recipient", hint="pass --to ADDRESS or set email.to in config.yaml")
    if not chosen_sender:
        raise UsageError("no sender", hint="pass --from ADDRESS or set email.sender in config.yaml")
    for value in (chosen_sender, *chosen_to, *chosen_cc):
        try:
            _check_address(value)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    return Recipients(chosen_sender, chosen_to, chosen_cc, settings.reply_to)


def _domain(address: str) -> str:
    addr = getaddresses([address])[0][1]
    domain = addr.rpartition("@")[2]
    return domain if re.fullmatch(r"[A-Za-z0-9.-]{1,253}", domain) else "localhost"


def compose(
    brief: Brief,
    attachments: list[Attachment],
    settings: EmailSettings,
    recipients: Recipients,
    colors: Colors,
    *,
    when: dt.datetime | None = None,
) -> bytes:
    """The message as CRLF bytes, exactly what `--send` will hand to the server."""
    subject = subject_for(settings.subject, brief)
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = subject
    message["From"] = recipients.sender
    message["To"] = ", ".join(recipients.to)
    if recipients.cc:
        message["Cc"] = ", ".join(recipients.cc)
    if recipients.reply_to:
        message["Reply-To"] = recipients.reply_to
    message["Date"] = format_datetime(when or build_now())
    message["Message-ID"] = make_msgid(domain=_domain(recipients.sender))
    text, html = render_body(brief, colors, (a.filename for a in attachments))
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    for attachment in attachments:
        maintype, _, subtype = attachment.media_type.partition("/")
        # The email package writes non-ASCII names as RFC 2231 filename*=.
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    data = message.as_bytes()
    _check_headers(data, subject, recipients)
    return data


_EXPECTED_HEADERS = {
    "subject",
    "from",
    "to",
    "cc",
    "reply-to",
    "date",
    "message-id",
    "mime-version",
    "content-type",
}


def _check_headers(data: bytes, subject: str, recipients: Recipients) -> None:
    """Read the message back: refuse it if any header appeared or changed on the way."""
    parsed = BytesParser(policy=policy.default).parsebytes(data, headersonly=True)
    names = [name.lower() for name in parsed]
    unexpected = set(names) - _EXPECTED_HEADERS
    duplicated = {name for name in names if names.count(name) > 1}
    if unexpected or duplicated or str(parsed["Subject"]) != subject:
        raise RenderError(
            "the message headers could not be built safely "
            f"(unexpected: {', '.join(sorted(unexpected | duplicated)) or 'subject changed'})"
        )
    wanted = {a for _, a in getaddresses([*recipients.to, *recipients.cc])}
    got = {a for _, a in getaddresses([str(parsed[h]) for h in ("To", "Cc") if parsed[h]])}
    if wanted != got:
        raise RenderError("the message recipients could not be written faithfully")


def envelope(data: bytes) -> tuple[str, list[str]]:
    """(sender, recipients) of a stored message, read from its own headers."""
    parsed = BytesParser(policy=policy.default).parsebytes(data, headersonly=True)
    sender = getaddresses([str(parsed["From"] or "")])
    recipients = [
        address
        for _, address in getaddresses([str(parsed[h]) for h in ("To", "Cc") if parsed[h]])
        if address
    ]
    if not sender or not sender[0][1] or not recipients:
        raise PipelineError("the message has no sender or no recipient in its headers")
    return sender[0][1], list(dict.fromkeys(recipients))


def describe(data: bytes) -> list[str]:
    """Headers, MIME parts and sizes of a message, for `--dry-run`."""
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    lines = []
    for name in ("From", "Reply-To", "To", "Cc", "Subject", "Date", "Message-ID"):
        if parsed[name]:
            lines.append(f"{name}: {parsed[name]}")
    lines.append(f"size: {_size(len(data))}")

    def walk(part: Message, depth: int) -> None:
        label = part.get_content_type()
        if part.is_multipart():
            lines.append("  " * depth + label)
            for child in part.get_payload():
                assert isinstance(child, Message)
                walk(child, depth + 1)
            return
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else 0
        name = part.get_filename()
        shown = f' "{name}"' if name else ""
        lines.append("  " * depth + f"{label}{shown} ({_size(size)})")

    walk(parsed, 1)
    return lines


@dataclass
class PreparedMessage:
    source: str
    stem: str
    data: bytes | None = None
    warnings: list[str] = field(default_factory=list)
    error: PipelineError | None = None


def prepare_messages(
    config: Config,
    sources: list[str],
    out_dir: Path,
    recipients: Recipients,
) -> list[PreparedMessage]:
    """Build each source (through the normal, incremental build) and compose its
    message. Up-to-date artifacts are reused as they are in the output folder.

    Returns messages as bytes; the caller writes them (preview, outbox).
    """
    from pipeline.build.batch import run_batch
    from pipeline.build.plan import make_plan
    from pipeline.build.source import read_brief

    settings = config.email
    formats = tuple(dict.fromkeys(settings.attach)) or ("pdf",)
    plan = make_plan(config, formats)
    report = run_batch(plan, sources, out_dir)
    prepared: list[PreparedMessage] = []
    for result in report.results:
        item = PreparedMessage(result.source, stem="", warnings=list(result.warnings))
        prepared.append(item)
        if result.skipped:
            # Unchanged since the last build: its files stand; the Brief (cheap:
            # no rendering) is rebuilt for the message body.
            try:
                reread = read_brief(result.source, plan)
                result.brief = reread.brief
                item.warnings.extend(reread.warnings)
            except PipelineError as error:
                error.file = error.file or result.source
                item.error = error
                continue
            paths = [out_dir / entry.path for entry in report.recorded.get(result.source, ())]
        else:
            paths = [written.path for written in result.written]
        if result.error is not None or result.brief is None:
            item.error = result.error or RenderError("the brief was not built", file=result.source)
            continue
        try:
            by_format = {path.suffix.lstrip("."): path for path in paths}
            missing = [fmt for fmt in formats if fmt not in by_format]
            if missing:
                raise RenderError(f"the build wrote no {', '.join(missing)} to attach")
            item.stem = by_format[formats[0]].stem
            attachments = [
                Attachment(
                    fmt,
                    attachment_name(result.brief.title, fmt),
                    by_format[fmt].read_bytes(),
                    by_format[fmt],
                )
                for fmt in formats
            ]
            attachments, notes = within_budget(attachments, settings)
            item.warnings.extend(notes)
            item.data = compose(
                result.brief, attachments, settings, recipients, config.layout.colors
            )
        except PipelineError as error:
            error.file = error.file or result.source
            item.error = error
        except OSError as exc:
            item.error = RenderError(f"cannot read a built file: {exc}", file=result.source)
    return prepared
