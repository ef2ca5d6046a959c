"""build/clock.py: the one reader of SOURCE_DATE_EPOCH, in UTC, with one error everywhere."""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.build.clock import build_date, build_now, build_time
from pipeline.cli import main
from pipeline.errors import EXIT_USAGE, UsageError

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "poutine-iran.txt"


@pytest.fixture
def far_east(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A local time zone a day ahead of UTC for part of the day."""
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_epoch_is_read_in_utc(monkeypatch: pytest.MonkeyPatch, far_east: None) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028799")  # 2025-11-24 23:59:59 UTC
    assert build_now() == dt.datetime(2025, 11, 24, 23, 59, 59, tzinfo=dt.UTC)
    assert build_date() == dt.date(2025, 11, 24)  # local time is already the 25th
    assert build_time() == "2025-11-24T23:59:59Z"


@pytest.mark.parametrize("bad", ["yesterday", "1.5", "99999999999999999999"])
def test_a_bad_epoch_is_the_same_error_for_every_reader(
    monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", bad)
    messages = set()
    for reader in (build_now, build_date, build_time):
        with pytest.raises(UsageError) as caught:
            reader()
        messages.add(str(caught.value))
    assert len(messages) == 1
    assert "SOURCE_DATE_EPOCH" in messages.pop()


@pytest.mark.parametrize("command", ["build", "email"])
def test_a_bad_epoch_stops_build_and_email_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    argv = [command, str(EXAMPLE), "-o", str(tmp_path / "out")]
    if command == "email":
        argv += ["--to", "a@example.org", "--from", "b@example.org"]
    else:
        argv += ["-f", "json"]
    err = io.StringIO()
    assert main(argv, io.StringIO(), err) == EXIT_USAGE
    lines = err.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: SOURCE_DATE_EPOCH='soon'"), lines
    assert not (tmp_path / "out").exists()
