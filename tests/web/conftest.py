"""Fixtures for the URL, feed and digest tests: a local HTTP server and a
config that lets the fetcher reach it (127.0.0.1 is a loopback address)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import WebServer


@pytest.fixture
def server() -> Iterator[WebServer]:
    with WebServer() as running:
        yield running


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # (SOURCE_DATE_EPOCH is pinned for the whole suite: tests/clock.py.)
    """A project folder whose config allows the local server, with its own cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    (tmp_path / "config.yaml").write_text(
        "fetch:\n  allow_private: true\n  timeout: 2\n  cache_dir: cache\n", encoding="utf-8"
    )
    return tmp_path
