"""The words a brief shows (`Labels`), declared once.

The Brief carries them resolved for its language (pipeline/brief.py
re-exports this model); the language files hold the defaults; config.yaml's
`labels:` overrides any of them per language, validated against these same
fields. Light on purpose: the config loader reads it without the Brief models.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Labels(BaseModel):
    """User-visible words, resolved for the brief's language."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    lede: str
    key_points: str
    sources: str
    pros: str
    cons: str
    entities: str
    contents: str
    date_prefix: str
    reading_time: str
    words: str
    # Used by the e-mail body; defaults keep older language files loading.
    summary: str = "Summary"
    attached: str = "Attached: {files}"
    notes: str = "Notes"  # the heading of a page's footnotes
    # The provenance line of a fetched article, and the digest's words.
    retrieved: str = "Source: {source}, retrieved {date}"
    digest: str = "Digest"
    articles: str = "{count} articles"
    article: str = "Article"
    outlet: str = "Outlet"
    date: str = "Date"
    key_point: str = "Key point"
