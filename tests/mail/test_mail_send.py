"""`email --send` against real SMTP servers (aiosmtpd on 127.0.0.1, free ports).

Checks delivery, retries, the outbox/sent hand-over and exactly-once
re-runs, by what the server received and what is left on disk.
"""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Callable
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from mail_support import (
    EXAMPLE,
    Built,
    Recorder,
    Server,
    free_port,
    fresh_outbox,
    run,
    write_config,
)

from pipeline.brief import Brief
from pipeline.build.plan import BriefSettings
from pipeline.build.source import make_brief
from pipeline.config.model import load_config
from pipeline.deliver.mail import Recipients, compose
from pipeline.deliver.outbox import deliver, queue, smtp_settings
from pipeline.read.ingest import read_source
from tests.clock import BUILD_DATE


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Point the pipeline at a local port through PIPELINE_SMTP_HOST/PORT."""

    def point(port: int) -> None:
        monkeypatch.setenv("PIPELINE_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("PIPELINE_SMTP_PORT", str(port))
        monkeypatch.delenv("PIPELINE_SMTP_PASSWORD", raising=False)

    return point


def send_outbox(config: Path, out: Path) -> tuple[int, str, str]:
    return run("email", "--send", "--outbox", "-c", str(config), "-o", str(out))


def test_send_end_to_end(tmp_path: Path, smtp_server: Server, env: Callable[[int], None]) -> None:
    env(smtp_server.port)
    config = write_config(tmp_path)
    out = tmp_path / "dist"
    code, stdout, stderr = run("email", str(EXAMPLE), "-c", str(config), "-o", str(out), "--send")
    assert code == 0, stderr
    (received,) = smtp_server.recorder.received
    assert received.mail_from == "veille@example.fr"
    assert received.rcpt_tos == ["europe@example.org", "archive@example.org"]
    message = received.message
    (eml,) = out.glob("*.eml")
    attachments = {
        part.get_content_type(): part.get_content() for part in message.iter_attachments()
    }
    assert attachments["application/pdf"] == eml.with_suffix(".pdf").read_bytes()
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert attachments[docx_type] == eml.with_suffix(".docx").read_bytes()
    assert (
        message["Message-ID"]
        == BytesParser(policy=policy.default).parsebytes(eml.read_bytes())["Message-ID"]
    )
    # Handed over: nothing left in the outbox; the sent copy and the reply are kept.
    assert not list((out / "outbox").glob("*.eml"))
    (sent,) = (out / "sent").glob("*.eml")
    assert sent.read_bytes() == eml.read_bytes()
    log = sent.with_suffix(".log").read_text(encoding="utf-8")
    assert "Reply: 250 2.0.0 Ok: queued as TEST1" in log
    assert f"Server: 127.0.0.1:{smtp_server.port}" in log and "Attempts: 1" in log
    assert "queued as TEST1" in stderr

    # A re-run has nothing left to send: the message went exactly once.
    code, stdout, stderr = send_outbox(config, out)
    assert code == 0 and "outbox is empty" in stderr
    assert len(smtp_server.recorder.received) == 1


def test_421_twice_then_250_is_delivered_once(
    built: Built, tmp_path: Path, smtp_server: Server, env: Callable[[int], None]
) -> None:
    env(smtp_server.port)
    smtp_server.recorder.script = ["421 4.3.2 Try again later"] * 2
    out = tmp_path / "dist"
    fresh_outbox(built, out)
    code, stdout, stderr = send_outbox(built.config, out)
    assert code == 0, stderr
    assert smtp_server.recorder.data_calls == 3
    assert len(smtp_server.recorder.received) == 1
    assert smtp_server.recorder.received[0].message.get_body(("html",)) is not None
    (log,) = (out / "sent").glob("*.log")
    assert "Attempts: 3" in log.read_text(encoding="utf-8")
    assert not list((out / "outbox").glob("*.eml"))


def test_550_is_not_retried(
    built: Built, tmp_path: Path, smtp_server: Server, env: Callable[[int], None]
) -> None:
    env(smtp_server.port)
    smtp_server.recorder.script = ["550 5.7.1 Message rejected"] * 5
    out = tmp_path / "dist"
    queued = fresh_outbox(built, out)
    code, stdout, stderr = send_outbox(built.config, out)
    assert code == 1
    assert smtp_server.recorder.data_calls == 1
    assert f"127.0.0.1:{smtp_server.port}" in stderr and "550 5.7.1 Message rejected" in stderr
    assert "after 1 attempt" in stderr and "Traceback" not in stderr
    assert queued.read_bytes() == built.eml.read_bytes()  # kept, whole, in the outbox
    assert not (out / "sent").exists()


def test_server_down_keeps_the_message_then_a_rerun_sends_it_once(
    built: Built,
    tmp_path: Path,
    start_server: Callable[..., Server],
    env: Callable[[int], None],
) -> None:
    port = free_port()  # nothing listens here yet
    env(port)
    out = tmp_path / "dist"
    queued = fresh_outbox(built, out)
    code, stdout, stderr = send_outbox(built.config, out)
    assert code == 1
    assert f"127.0.0.1:{port}" in stderr and "connection refused" in stderr
    assert "after 3 attempts" in stderr  # retries: 2 in the test config
    assert queued.read_bytes() == built.eml.read_bytes()
    assert not (out / "sent").exists()

    server = start_server(port=port)
    code, stdout, stderr = send_outbox(built.config, out)
    assert code == 0, stderr
    code, stdout, stderr = send_outbox(built.config, out)
    assert code == 0 and "outbox is empty" in stderr
    assert len(server.recorder.received) == 1
    assert not queued.exists()


def test_backoff_doubles_between_attempts(built: Built, tmp_path: Path) -> None:
    config = load_config(built.config)
    smtp = config.email.smtp.model_copy(update={"retries": 3, "backoff": 1.5})
    settings = smtp_settings(
        smtp, tmp_path, {"PIPELINE_SMTP_HOST": "127.0.0.1", "PIPELINE_SMTP_PORT": str(free_port())}
    )
    out = tmp_path / "dist"
    queued = fresh_outbox(built, out)
    delays: list[float] = []
    delivery = deliver(queued, out, settings, sleep=delays.append)
    assert delays == [1.5, 3.0, 6.0]
    assert delivery.attempts == 4 and delivery.error is not None and queued.exists()


def test_accepted_but_not_moved_is_not_sent_again(
    built: Built, tmp_path: Path, smtp_server: Server, env: Callable[[int], None]
) -> None:
    """A run stopped after the server accepted (log written) but before the move."""
    env(smtp_server.port)
    out = tmp_path / "dist"
    fresh_outbox(built, out)
    assert send_outbox(built.config, out)[0] == 0
    (sent,) = (out / "sent").glob("*.eml")
    # Put the message back as if the move had never happened.
    (out / "outbox" / built.eml.name).write_bytes(sent.read_bytes())
    sent.unlink()
    code, stdout, stderr = send_outbox(built.config, out)
    assert code == 0, stderr
    assert "already accepted" in stderr
    assert len(smtp_server.recorder.received) == 1
    assert len(list((out / "sent").glob("*.eml"))) == 1


def test_hostile_title_reaches_the_server_without_extra_headers_or_recipients(
    built: Built, tmp_path: Path, smtp_server: Server, env: Callable[[int], None]
) -> None:
    env(smtp_server.port)
    config = load_config(built.config)
    brief: Brief = make_brief(read_source(str(EXAMPLE)), BriefSettings.of(config), BUILD_DATE, [])
    hostile = brief.model_copy(
        update={"title": "Réunion : l'été\r\nBcc: x@y =?utf-8?q?=0D=0ABcc:_z@y?="}
    )
    recipients = Recipients("veille@example.fr", ("europe@example.org",))
    data = compose(hostile, [], config.email, recipients, config.layout.colors)
    out = tmp_path / "dist"
    queue(out, "hostile", data)
    assert send_outbox(built.config, out)[0] == 0
    (received,) = smtp_server.recorder.received
    assert received.rcpt_tos == ["europe@example.org"]
    message = received.message
    assert message["Bcc"] is None
    assert message["Subject"] == "Brief : Réunion : l'été Bcc: x@y = ?utf-8?q?=0D=0ABcc:_z@y?="


# --- TLS -------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made for this test run."""
    pytest.importorskip("cryptography")
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pipeline test SMTP")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def _tls_server(
    start_server: Callable[..., Server], certificate: tuple[Path, Path], **more: object
) -> Server:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return start_server(tls_context=context, require_starttls=True, **more)


def test_starttls_with_a_trusted_self_signed_certificate(
    built: Built,
    tmp_path: Path,
    start_server: Callable[..., Server],
    certificate: tuple[Path, Path],
    env: Callable[[int], None],
) -> None:
    server = _tls_server(start_server, certificate)
    env(server.port)
    config = (
        write_config(tmp_path, smtp=f"    ca_file: {certificate[0]}\n")
        .read_text()
        .replace("security: none", "security: starttls")
    )
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    out = tmp_path / "dist"
    fresh_outbox(built, out)
    code, stdout, stderr = send_outbox(tmp_path / "config.yaml", out)
    assert code == 0, stderr
    (received,) = server.recorder.received
    assert received.tls
    assert received.message["Message-ID"]


def test_starttls_with_an_untrusted_certificate_fails_without_retry(
    built: Built,
    tmp_path: Path,
    start_server: Callable[..., Server],
    certificate: tuple[Path, Path],
    env: Callable[[int], None],
) -> None:
    server = _tls_server(start_server, certificate)
    env(server.port)
    config = write_config(tmp_path).read_text().replace("security: none", "security: starttls")
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    out = tmp_path / "dist"
    queued = fresh_outbox(built, out)
    code, stdout, stderr = send_outbox(tmp_path / "config.yaml", out)
    assert code == 1
    assert "certificate not trusted" in stderr and "after 1 attempt" in stderr
    assert server.recorder.data_calls == 0 and queued.exists()


def test_authentication_failure_is_not_retried(
    built: Built,
    tmp_path: Path,
    start_server: Callable[..., Server],
    certificate: tuple[Path, Path],
    env: Callable[[int], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from aiosmtpd.smtp import AuthResult

    attempts: list[str] = []

    def authenticator(
        server: object, session: object, envelope: object, mechanism: str, data: object
    ) -> AuthResult:
        attempts.append(mechanism)
        login, password = bytes(data.login), bytes(data.password)  # type: ignore[attr-defined]
        # handled=False: aiosmtpd itself answers 235 or 535.
        return AuthResult(success=(login, password) == (b"bot", b"right"), handled=False)

    server = _tls_server(start_server, certificate, authenticator=authenticator, auth_required=True)
    env(server.port)
    monkeypatch.setenv("PIPELINE_SMTP_PASSWORD", "wrong")
    config = (
        write_config(tmp_path, smtp=f"    ca_file: {certificate[0]}\n    username: bot\n")
        .read_text()
        .replace("security: none", "security: starttls")
    )
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    out = tmp_path / "dist"
    queued = fresh_outbox(built, out)
    code, stdout, stderr = send_outbox(tmp_path / "config.yaml", out)
    assert code == 1
    assert "authentication refused: 535" in stderr and "after 1 attempt" in stderr, stderr
    assert "wrong" not in stderr
    # smtplib tries each advertised mechanism once per connection; a retry would double this.
    assert attempts == ["PLAIN", "LOGIN"] and queued.exists()

    monkeypatch.setenv("PIPELINE_SMTP_PASSWORD", "right")
    code, stdout, stderr = send_outbox(tmp_path / "config.yaml", out)
    assert code == 0, stderr
    assert len(server.recorder.received) == 1


def test_a_second_sender_stands_back_while_the_outbox_is_locked(
    built: Built, tmp_path: Path, smtp_server: Server, env: Callable[[int], None]
) -> None:
    from pipeline.build.output import folder_lock

    env(smtp_server.port)
    out = tmp_path / "dist"
    queued = fresh_outbox(built, out)
    with folder_lock(out / "outbox") as locked:
        assert locked
        code, stdout, stderr = send_outbox(built.config, out)
    assert code == 1 and "another 'email --send'" in stderr
    assert smtp_server.recorder.data_calls == 0 and queued.exists()
    assert send_outbox(built.config, out)[0] == 0
    assert len(smtp_server.recorder.received) == 1


def test_a_refused_recipient_is_logged_and_the_others_get_it(
    built: Built, tmp_path: Path, start_server: Callable[..., Server], env: Callable[[int], None]
) -> None:
    class RefuseArchive(Recorder):
        async def handle_RCPT(
            self, server: object, session: object, envelope: object, address: str, options: object
        ) -> str:
            if address == "archive@example.org":
                return "550 5.1.1 No such mailbox"
            envelope.rcpt_tos.append(address)  # type: ignore[attr-defined]
            return "250 OK"

    server = start_server(handler=RefuseArchive())
    env(server.port)
    out = tmp_path / "dist"
    fresh_outbox(built, out)
    code, stdout, stderr = send_outbox(built.config, out)
    assert code == 0, stderr
    (received,) = server.recorder.received
    assert received.rcpt_tos == ["europe@example.org"]
    assert "archive@example.org refused: 550 5.1.1 No such mailbox" in stderr
    (log,) = (out / "sent").glob("*.log")
    assert "Refused: archive@example.org: 550 5.1.1 No such mailbox" in log.read_text("utf-8")


def test_implicit_tls_on_the_ssl_port(
    built: Built,
    tmp_path: Path,
    start_server: Callable[..., Server],
    certificate: tuple[Path, Path],
    env: Callable[[int], None],
) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    server = start_server(ssl_context=context)
    env(server.port)
    config = (
        write_config(tmp_path, smtp=f"    ca_file: {certificate[0]}\n")
        .read_text()
        .replace("security: none", "security: ssl")
    )
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    out = tmp_path / "dist"
    fresh_outbox(built, out)
    code, stdout, stderr = send_outbox(tmp_path / "config.yaml", out)
    assert code == 0, stderr
    (received,) = server.recorder.received
    assert received.message["Subject"].startswith("Brief : ")
