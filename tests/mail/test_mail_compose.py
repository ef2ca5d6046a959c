"""The message `python -m pipeline email` writes: structure, body, headers, budget, config.

Everything is read back from the bytes with the `email` package and compared
with the Brief and with the files of the output folder.
"""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from mail_support import CC, EXAMPLE, TO, Built, run, write_config

from pipeline.brief import Brief
from pipeline.build.plan import BriefSettings
from pipeline.build.source import make_brief
from pipeline.config.model import Config, load_config, parse_config
from pipeline.deliver.mail import (
    Attachment,
    Recipients,
    attachment_name,
    compose,
    header_text,
    recipients_for,
    within_budget,
)
from pipeline.deliver.outbox import smtp_settings
from pipeline.errors import ConfigErrors, RenderError, UsageError
from pipeline.read.ingest import read_source
from pipeline.render import MEDIA_TYPES
from tests.clock import BUILD_DATE


def parse(data: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


@pytest.fixture(scope="module")
def brief(built: Built) -> Brief:
    config = load_config(built.config)
    return make_brief(read_source(str(EXAMPLE)), BriefSettings.of(config), BUILD_DATE, [])


RECIPIENTS = Recipients("veille@example.fr", (TO,), (CC,), None)


def default_config() -> Config:
    return parse_config({"email": {"sender": "veille@example.fr"}})


def html_and_text(message: EmailMessage) -> tuple[str, str]:
    html = message.get_body(("html",))
    text = message.get_body(("plain",))
    assert html is not None and text is not None
    return html.get_content(), text.get_content()


def test_message_structure_and_attachments_match_the_output_folder(built: Built) -> None:
    message = parse(built.eml.read_bytes())
    assert message.get_content_type() == "multipart/mixed"
    body, *attachments = message.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in body.iter_parts()] == ["text/plain", "text/html"]
    assert [a.get_content_type() for a in attachments] == [MEDIA_TYPES["pdf"], MEDIA_TYPES["docx"]]
    pdf, docx = attachments
    assert pdf.get_content() == built.pdf.read_bytes()
    assert docx.get_content() == built.docx.read_bytes()
    for part in attachments:
        assert part.get_content_disposition() == "attachment"


def test_headers_are_set(built: Built, brief: Brief) -> None:
    message = parse(built.eml.read_bytes())
    assert message["Subject"] == header_text("Brief : " + brief.title)
    assert message["From"].addresses[0].addr_spec == "veille@example.fr"
    assert message["From"].addresses[0].display_name == "Cellule de veille"
    assert [a.addr_spec for a in message["To"].addresses] == ["europe@example.org"]
    assert message["To"].addresses[0].display_name == "Équipe Europe"
    assert [a.addr_spec for a in message["Cc"].addresses] == ["archive@example.org"]
    assert message["Reply-To"] == "redaction@example.fr"
    assert message["Date"].datetime is not None
    assert re.fullmatch(r"<[^<>@\s]+@example\.fr>", message["Message-ID"])
    raw = built.eml.read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # SMTP line endings


def test_non_ascii_file_names_use_rfc_2231(built: Built, brief: Brief) -> None:
    raw = built.eml.read_bytes().decode("ascii")  # the whole message is 7-bit
    # RFC 2231: charset-tagged, percent-encoded, split in numbered pieces when long
    assert re.search(r"filename\*(0\*)?=utf-8''Poutine%20et%20l%E2%80%99Iran", raw)
    message = parse(built.eml.read_bytes())
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == [attachment_name(brief.title, "pdf"), attachment_name(brief.title, "docx")]
    assert "’" in names[0]  # the example's title is not ASCII: its apostrophe survives


def test_body_shows_title_date_lede_summary_without_links(built: Built, brief: Brief) -> None:
    html, text = html_and_text(parse(built.eml.read_bytes()))
    assert brief.date_text and brief.lede and brief.sections
    for part in (html, text):
        assert brief.date_text in part
        assert brief.labels.lede in part
        assert brief.labels.summary in part
        for section in brief.sections:
            assert section.heading in part or section.heading.replace("'", "&#39;") in part
    assert brief.title in text
    lede_first_words = brief.lede[0].text.split()[:8]
    assert " ".join(lede_first_words) in text
    assert "<a " not in html and "href" not in html
    assert "<style" not in html and 'style="' in html  # CSS inlined for mail clients
    # The example's brief has key points (issue 4): they head the message.
    assert brief.key_points and "Points clés" in html
    assert all(point in text for point in brief.key_points)


def test_no_key_points_no_section(brief: Brief) -> None:
    without = brief.model_copy(update={"key_points": ()})
    pdf = Attachment("pdf", "a.pdf", b"%PDF-1.7 test")
    config = default_config()
    data = compose(without, [pdf], config.email, RECIPIENTS, config.layout.colors)
    html, _text = html_and_text(parse(data))
    assert "Points clés" not in html


def test_html_part_contains_key_points(brief: Brief) -> None:
    points = ("Moscou et Téhéran <alignés>", "Coopération & énergie")
    with_points = brief.model_copy(update={"key_points": points})
    pdf = Attachment("pdf", "a.pdf", b"%PDF-1.7 test")
    config = default_config()
    data = compose(with_points, [pdf], config.email, RECIPIENTS, config.layout.colors)
    html, text = html_and_text(parse(data))
    assert "Points clés" in html
    assert "<li" in html and "Moscou et Téhéran &lt;alignés&gt;" in html  # escaped, not markup
    assert "Coopération &amp; énergie" in html
    assert "- Moscou et Téhéran <alignés>" in text


@pytest.mark.parametrize(
    "title",
    [
        "Été : bilan\r\nBcc: x@y",
        "Été : bilan\nBcc: x@y",
        "Été : bilan =?utf-8?q?=0D=0ABcc:_x@y?=",
        "Été : bilan\u2028Bcc: x@y",
    ],
)
def test_a_title_cannot_inject_headers(brief: Brief, title: str) -> None:
    hostile = brief.model_copy(update={"title": title})
    config = default_config()
    data = compose(hostile, [], config.email, RECIPIENTS, config.layout.colors)
    message = parse(data)
    assert message["Bcc"] is None
    assert "bcc" not in [name.lower() for name in message]
    headers = data.split(b"\r\n\r\n", 1)[0]
    assert not re.search(rb"(?im)^bcc:", headers)
    subject = str(message["Subject"])
    assert subject.startswith("Brief : Été : bilan")
    assert "\r" not in subject and "\n" not in subject
    assert "=?" not in subject  # no encoded word left to decode into a line break
    assert "x@y" in subject  # the text is kept, harmless, in the subject


def test_header_text_neutralises_encoded_words_and_breaks() -> None:
    assert header_text("a\r\nb\tc\x00d") == "a b c d"
    assert header_text("=?utf-8?b?QmNjOiB4QHk=?=") == "= ?utf-8?b?QmNjOiB4QHk= ?="
    assert header_text("  plain   title ") == "plain title"


def _attachments() -> list[Attachment]:
    return [
        Attachment("pdf", "Brief été.pdf", b"p" * 600),
        Attachment("docx", "Brief été.docx", b"d" * 700),
    ]


def test_oversize_is_an_error_listing_each_attachment() -> None:
    settings = parse_config({"email": {"max_bytes": 1000}}).email
    with pytest.raises(RenderError) as caught:
        within_budget(_attachments(), settings)
    message = str(caught.value)
    assert "Brief été.pdf 600 B" in message and "Brief été.docx 700 B" in message
    assert "1 kB" in message and "pdf_only" in message


def test_oversize_pdf_only_keeps_the_pdf() -> None:
    settings = parse_config({"email": {"max_bytes": 1000, "on_oversize": "pdf_only"}}).email
    kept, notes = within_budget(_attachments(), settings)
    assert [a.format for a in kept] == ["pdf"]
    assert notes and "only the PDF" in notes[0]
    tight = parse_config({"email": {"max_bytes": 500, "on_oversize": "pdf_only"}}).email
    with pytest.raises(RenderError):
        within_budget(_attachments(), tight)


def test_oversize_through_the_cli_writes_no_message(tmp_path: Path) -> None:
    config = write_config(tmp_path, extra="  max_bytes: 2000\n")
    out = tmp_path / "dist"
    code, stdout, stderr = run("email", str(EXAMPLE), "-c", str(config), "-o", str(out))
    assert code == 1
    assert stderr.count("\n") == 1 and "email.max_bytes" in stderr
    assert ".pdf" in stderr and ".docx" in stderr and "kB" in stderr
    assert "Traceback" not in stderr
    assert not list(out.glob("*.eml")) and not (out / "outbox").exists()


def test_dry_run_prints_the_summary_and_writes_no_message(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    code, stdout, stderr = run(
        "email",
        str(EXAMPLE),
        "-c",
        str(built.config),
        "-o",
        str(out),
        "--to",
        "x@example.net",
        "--dry-run",
    )
    assert code == 0, stderr
    assert "To: x@example.net" in stdout  # the CLI override wins over email.to
    assert "Subject: Brief : " in stdout and "Message-ID: <" in stdout
    assert "multipart/alternative" in stdout and "text/html" in stdout
    assert "application/pdf" in stdout and "kB)" in stdout
    assert not list(out.glob("*.eml")) and not (out / "outbox").exists()


def test_password_in_yaml_is_refused_with_file_and_line(tmp_path: Path) -> None:
    config = write_config(tmp_path, smtp="    password: hunter2\n")
    code, stdout, stderr = run("email", str(EXAMPLE), "-c", str(config), "--dry-run")
    assert code == 2
    assert str(config) in stderr and "line " in stderr
    assert "PIPELINE_SMTP_PASSWORD" in stderr
    assert "hunter2" not in stderr


def test_config_errors_are_all_reported() -> None:
    with pytest.raises(ConfigErrors) as caught:
        parse_config(
            {
                "email": {
                    "to": ["not an address", "a@b.c\r\nBcc: x@y"],
                    "smtp": {"security": "tls", "port": 0},
                }
            }
        )
    text = str(caught.value)
    assert "email.to.0" in text and "email.to.1" in text
    assert "email.smtp.security" in text and "email.smtp.port" in text
    with pytest.raises(ConfigErrors, match="unknown placeholder"):
        parse_config({"email": {"subject": "{title.__class__}"}})


def test_environment_overrides_host_port_and_gives_the_password() -> None:
    smtp = parse_config(
        {"email": {"smtp": {"host": "mail.example.org", "username": "bot"}}}
    ).email.smtp
    settings = smtp_settings(
        smtp,
        Path("."),
        {
            "PIPELINE_SMTP_HOST": "relay.test",
            "PIPELINE_SMTP_PORT": "2525",
            "PIPELINE_SMTP_PASSWORD": "s3cret",
        },
    )
    assert (settings.host, settings.port, settings.password) == ("relay.test", 2525, "s3cret")
    assert "s3cret" not in repr(settings)
    default = smtp_settings(parse_config({}).email.smtp, Path("."), {})
    assert (default.host, default.port) == ("localhost", 587)
    with pytest.raises(UsageError, match="PIPELINE_SMTP_PASSWORD"):
        smtp_settings(smtp, Path("."), {})
    with pytest.raises(UsageError, match="PIPELINE_SMTP_PORT"):
        smtp_settings(
            smtp, Path("."), {"PIPELINE_SMTP_PORT": "smtp", "PIPELINE_SMTP_PASSWORD": "x"}
        )


def test_recipients_need_a_sender_and_a_recipient() -> None:
    settings = parse_config({}).email
    with pytest.raises(UsageError, match="--to"):
        recipients_for(settings, sender="a@b.c")
    with pytest.raises(UsageError, match="--from"):
        recipients_for(settings, to=["a@b.c"])
    with pytest.raises(UsageError):
        recipients_for(settings, sender="a@b.c", to=["x@y.z\r\nBcc: evil@example.com"])


def test_email_reuses_up_to_date_artifacts(tmp_path: Path) -> None:
    """A second `email` run rewrites no artifact: the incremental build skips the
    unchanged source, and the message attaches the files already there."""
    config = write_config(tmp_path)
    out = tmp_path / "dist"
    args = ("email", str(EXAMPLE), "-c", str(config), "-o", str(out))
    assert run(*args)[0] == 0
    pdf = next(out.glob("*.pdf"))
    before = pdf.stat().st_mtime_ns
    (eml,) = out.glob("*.eml")
    first = parse(eml.read_bytes())
    code, _stdout, stderr = run(*args)
    assert code == 0, stderr
    assert pdf.stat().st_mtime_ns == before
    (eml,) = out.glob("*.eml")
    attached = {
        part.get_content_type(): part.get_content()
        for part in parse(eml.read_bytes()).iter_attachments()
    }
    assert attached["application/pdf"] == pdf.read_bytes()
    assert first["Subject"] == parse(eml.read_bytes())["Subject"]
