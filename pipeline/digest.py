"""The Digest: many Briefs as one document, pure data like the Brief.

It holds the briefs it gathers, whole, plus what the digest shows of its
own: a title block (title, date, organisation) and one summary row per
article (title, outlet, date, one key point), with every label already
resolved for the digest's language. Renderers read only this.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pipeline.brief import Brief, Labels, _Frozen

DIGEST_SCHEMA_VERSION = 1


class DigestRow(_Frozen):
    """One article in the digest's summary table and contents."""

    anchor: str  # "article-1": the chapter's id, for links and page references
    title: str
    outlet: str | None = None  # the site an article was fetched from, or its organisation
    date_text: str | None = None
    key_point: str | None = None  # the article's first key point


class Digest(_Frozen):
    schema_version: int = DIGEST_SCHEMA_VERSION
    kind: Literal["digest"] = "digest"
    title: str
    language: str
    date: dt.date
    date_text: str
    organisation: str | None = None
    count_text: str = ""  # "3 articles", for the title block
    labels: Labels
    rows: tuple[DigestRow, ...]
    briefs: tuple[Brief, ...]

    def cover(self) -> Brief:
        """The digest's own title block as a Brief without body: what the page
        headers, the footers and the document metadata read."""
        keywords = tuple(dict.fromkeys(k for brief in self.briefs for k in brief.keywords))
        return Brief(
            title=self.title,
            language=self.language,
            date=self.date,
            date_text=self.date_text,
            organisation=self.organisation,
            reading_text=self.count_text,
            keywords=keywords[:20],
            labels=self.labels,
        )

    def body_texts(self) -> list[str]:
        """The digest's title, then every article's text in reading order."""
        out = [self.title]
        for brief in self.briefs:
            out.extend(brief.body_texts())
        return out

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"
