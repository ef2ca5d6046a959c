"""Fixtures for the accessibility and archiving checks."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .support import EPOCH


@pytest.fixture(scope="package")
def fixed_epoch() -> Iterator[str]:
    """SOURCE_DATE_EPOCH while this folder's tests run, restored afterwards
    (package scope: later test folders must not inherit it)."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    yield EPOCH
    if before is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = before
