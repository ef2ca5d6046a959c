"""Briefs -> `Digest`: the digest's title block, language and summary rows.

The digest speaks the language most of its articles share (or the
config's), takes its title from `--title`, `digest.title` or the language's
label, and is dated by the build date. An article's outlet is the site it
was fetched from (host name without "www."), else its organisation.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from pipeline.brief import Brief, Digest, Labels
    from pipeline.understand.languages import Language


def outlet_of(brief: Brief) -> str | None:
    if brief.source_url:
        host = urlsplit(brief.source_url).hostname or ""
        return host.removeprefix("www.") or None
    return brief.organisation


def digest_language(briefs: Sequence[Brief], configured: str) -> str:
    if configured != "auto":
        return configured
    counts = Counter(brief.language for brief in briefs)
    # Most articles' language; ties go to the first article's.
    return max(counts, key=lambda code: (counts[code], -_first(briefs, code)))


def _first(briefs: Sequence[Brief], code: str) -> int:
    return next(i for i, brief in enumerate(briefs) if brief.language == code)


def make_digest(
    briefs: Sequence[Brief],
    language: Language,
    labels: Labels,
    today: dt.date,
    title: str = "",
    organisation: str | None = None,
) -> Digest:
    from pipeline.brief import Digest, DigestRow
    from pipeline.understand.typography import apply as typeset

    rows = tuple(
        DigestRow(
            anchor=f"article-{index}",
            title=brief.title,
            outlet=outlet_of(brief),
            date_text=brief.date_text,
            key_point=brief.key_points[0] if brief.key_points else None,
        )
        for index, brief in enumerate(briefs, start=1)
    )
    return Digest(
        title=typeset(title, language.typography) if title else labels.digest,
        language=language.code,
        date=today,
        date_text=language.format_date(today),
        organisation=organisation or None,
        count_text=labels.articles.format(count=len(briefs)),
        labels=labels,
        rows=rows,
        briefs=tuple(briefs),
    )
