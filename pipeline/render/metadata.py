"""Brief -> document metadata shared by the PDF and the DOCX renderers.

Title, author, subject, keywords, language and the creation date are chosen
once here, so the PDF's Info dictionary and XMP packet and the DOCX's core
properties cannot disagree. Dates come from the Brief (its own date, or the
build date, which SOURCE_DATE_EPOCH fixes), never from the clock, so two
builds of the same article give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

# The typesetter (render/typeset.py) imports DocumentMetadata without the
# pydantic Brief models; the functions that read a Brief import them.
if TYPE_CHECKING:
    from pipeline.brief import Brief

# A Brief with no date still needs a fixed stamp (never "now").
FALLBACK_DATE = dt.date(2000, 1, 1)
SUBJECT_MAX = 255  # python-docx refuses longer core properties


@dataclass(frozen=True)
class DocumentMetadata:
    title: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    language: str  # the Brief's BCP 47 tag, as in <html lang>
    created: dt.datetime  # timezone-aware, UTC

    @property
    def created_w3c(self) -> str:
        """The creation date as WeasyPrint reads it (W3C profile of ISO 8601)."""
        return self.created.strftime("%Y-%m-%dT%H:%M:%SZ")


def _shorten(text: str, limit: int = SUBJECT_MAX) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def subject_of(brief: Brief) -> str:
    """What the brief is about: the article's description, else its subtitle,
    else the opening of its lede or intro."""
    from pipeline.brief import Paragraph, Quote, plain

    if brief.description:
        return _shorten(brief.description)
    if brief.subtitle:
        return _shorten(brief.subtitle)
    for block in (*brief.lede, *brief.intro):
        if isinstance(block, Paragraph | Quote) and block.runs:
            return _shorten(plain(block.runs))
    return ""


def metadata_for(brief: Brief) -> DocumentMetadata:
    day = brief.date or FALLBACK_DATE
    return DocumentMetadata(
        title=brief.title,
        author=", ".join(brief.authors) or (brief.organisation or ""),
        subject=subject_of(brief),
        keywords=brief.keywords,
        language=brief.language,
        created=dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC),
    )
