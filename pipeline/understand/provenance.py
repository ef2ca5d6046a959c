"""Document metadata -> the Brief's provenance: where a fetched article came from, and when.

A brief read from a URL records the address (after redirects) and the
retrieval day, and one line saying both in the brief's language, which the
PDF and the DOCX show under the title block and the JSON carries as fields.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.brief import Brief
    from pipeline.understand.languages import Language


def with_provenance(brief: Brief, meta: dict[str, Any], language: Language) -> Brief:
    url = meta.get("source_url")
    if not url:
        return brief
    retrieved = meta.get("retrieved")
    date = retrieved if isinstance(retrieved, dt.date) else None
    when = language.format_date(date) if date else ""
    line = brief.labels.retrieved.format(source=url, date=when)
    return brief.model_copy(update={"source_url": str(url), "retrieved": date, "provenance": line})
