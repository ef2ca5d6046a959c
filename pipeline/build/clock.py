"""The environment -> the build's time: SOURCE_DATE_EPOCH when set, else now; always UTC.

The one reader of SOURCE_DATE_EPOCH (the reproducible-builds convention):
the brief's fallback date, the manifest's build time and an e-mail's Date
header all come from here, so a bad value is the same error everywhere and
a build never mixes the local date with UTC.
"""

from __future__ import annotations

import datetime as dt
import os

from pipeline.errors import UsageError

ENV_VAR = "SOURCE_DATE_EPOCH"


def build_now() -> dt.datetime:
    """SOURCE_DATE_EPOCH when set, else the current time; UTC, whole seconds."""
    epoch = os.environ.get(ENV_VAR, "").strip()
    if not epoch:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"{ENV_VAR}={epoch!r} is not a number of seconds since 1970",
            hint=f"set it to a whole number such as $(git log -1 --format=%ct), or unset {ENV_VAR}",
        ) from None


def build_date() -> dt.date:
    """The build's date in UTC: what dates a brief whose article gives none."""
    return build_now().date()


def build_time() -> str:
    """The build's time as the manifest records it: ISO 8601 in UTC, e.g. 2026-01-01T00:00:00Z."""
    return build_now().isoformat().replace("+00:00", "Z")
