"""The one build date of the test suite.

Every test runs with SOURCE_DATE_EPOCH pinned to `EPOCH` (set once, for the
whole session, by `pytest_configure` in tests/conftest.py), so no test depends
on the day, the time zone or the clock. A test about "today" itself asks for the
`real_clock` fixture, which unsets the variable and computes today with the
code's own reader, so test and code agree on the day and the time zone.
"""

from __future__ import annotations

import datetime as dt

BUILD_EPOCH = 1795478400  # 2026-11-24T00:00:00Z
EPOCH = str(BUILD_EPOCH)
BUILD_DATE = dt.datetime.fromtimestamp(BUILD_EPOCH, dt.UTC).date()
BUILD_TIME = dt.datetime.fromtimestamp(BUILD_EPOCH, dt.UTC)


def pdf_date(when: dt.datetime = BUILD_TIME) -> str:
    """A PDF date string (`D:YYYYMMDDHHmmSSZ`) for a UTC time."""
    return when.strftime("D:%Y%m%d%H%M%SZ")


def iso_z(when: dt.datetime = BUILD_TIME) -> str:
    """An ISO 8601 UTC time with a `Z`, as the manifest writes it."""
    return when.replace(microsecond=0).isoformat().replace("+00:00", "Z")
