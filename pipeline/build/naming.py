"""Titles -> output file names: readable ASCII slugs, distinct within a build.

Transliteration is python-slugify's (text-unidecode underneath): "Straße"
becomes "strasse", "Øresund" "oresund", "Сергей" "sergei", where a plain
ASCII fold would drop the letter. Apostrophes join their words ("l’Iran" ->
"liran"), as French titles expect.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePath

MAX_SLUG = 80
# A name shared by several sources keeps this much of the title, then says
# which source it is, so twenty briefs of one title stay readable side by side.
SHARED_SLUG = 48
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}
_APOSTROPHES = re.compile(r"['’`ʼ]")


def slugify(text: str, fallback: str = "brief", max_length: int = MAX_SLUG) -> str:
    """ASCII, lowercase, hyphenated, at most `max_length` characters (cut at a
    hyphen), never reserved; `fallback` when nothing is left."""
    from slugify import slugify as transliterate

    slug = transliterate(_APOSTROPHES.sub("", text))
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:max_length]
    slug = slug.strip("-")
    if not slug or slug in _RESERVED:
        return fallback if fallback not in _RESERVED else "brief"
    return slug


def shared_stem(slug: str, source: str) -> str:
    """The name of one of several sources sharing `slug`: the title shortened at
    a word, the source's own file name, and a short hash of its path (stable,
    whatever the order the sources were given in)."""
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:6]
    stem = slugify(PurePath(source).stem, fallback="", max_length=24)
    tail = f"-{stem}-{digest}" if stem and stem != slug else f"-{digest}"
    head = slugify(slug, max_length=min(SHARED_SLUG, MAX_SLUG - len(tail)))
    return head + tail
