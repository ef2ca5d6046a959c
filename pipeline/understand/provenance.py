"""Document metadata -> the Brief's origin: where a fetched article came from,
when, and the lead image the page showed.

A brief read from a URL records the address (after redirects) and the
retrieval day, and one line saying both in the brief's language, which the
PDF and the DOCX show under the title block and the JSON carries as fields.
The lead image (read and checked by read/fetch_images.py) is carried over.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.brief import Brief
    from pipeline.understand.languages import Language


def with_origin(brief: Brief, meta: dict[str, Any], language: Language) -> Brief:
    figure = meta.get("lead_figure")
    if figure is not None:
        brief = brief.model_copy(update={"lead_image": figure})
    url = meta.get("source_url")
    if not url:
        return brief
    retrieved = meta.get("retrieved")
    date = retrieved if isinstance(retrieved, dt.date) else None
    when = language.format_date(date) if date else ""
    line = brief.labels.retrieved.format(source=url, date=when)
    return brief.model_copy(update={"source_url": str(url), "retrieved": date, "provenance": line})
