"""Fixtures for the accessibility and archiving checks."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .support import EPOCH


@pytest.fixture(scope="session")
def fixed_epoch() -> Iterator[str]:
    """SOURCE_DATE_EPOCH for the whole session, restored afterwards."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    yield EPOCH
    if before is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = before
