"""Fixtures for the e-mail tests: one build of the example, and real SMTP servers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from mail_support import EXAMPLE, Built, Recorder, Server, free_port, run, write_config


@pytest.fixture
def start_server() -> Iterator[Callable[..., Server]]:
    """Start aiosmtpd servers on 127.0.0.1 (options go to aiosmtpd's SMTP); stop them after."""
    aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
    controllers: list[Any] = []

    def start(port: int | None = None, handler: Recorder | None = None, **options: Any) -> Server:
        recorder = handler or Recorder()
        chosen = port or free_port()
        controller = aiosmtpd_controller.Controller(
            recorder, hostname="127.0.0.1", port=chosen, **options
        )
        controller.start()
        controllers.append(controller)
        return Server(recorder, chosen)

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def smtp_server(start_server: Callable[..., Server]) -> Server:
    return start_server()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The example built once and written as a message (no sending)."""
    folder = tmp_path_factory.mktemp("mail-built")
    config = write_config(folder)
    out = folder / "dist"
    code, stdout, stderr = run("email", str(EXAMPLE), "-c", str(config), "-o", str(out))
    assert code == 0, stderr
    (eml,) = out.glob("*.eml")
    return Built(folder, config, out, eml, eml.with_suffix(".pdf"), eml.with_suffix(".docx"))
