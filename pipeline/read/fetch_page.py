"""Article URL -> `Document`: the page fetched (fetch.py), decoded and read
like a file of its content type, with where and when it came from.

The Document's metadata gains `source_url` (the address after redirects,
against which relative links resolve) and `retrieved` (the day the bytes
were downloaded), which the Brief records as its provenance.
"""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pipeline.errors import SourceError
from pipeline.read.fetch import PAGE_TYPES, Fetcher, is_url, page_text
from pipeline.read.ingest import InputFormat, clean_text, decode, parse_document, read_source
from pipeline.read.model import Document

if TYPE_CHECKING:
    from pipeline.config.model import Limits


def url_name(url: str) -> str:
    """A file-stem-like name for a URL: its last path segment, else its host."""
    parts = urlsplit(url)
    stem = PurePosixPath(parts.path).stem
    name = stem if stem and stem not in ("index", "/") else (parts.hostname or "page")
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name)[:80] or "page"


def read_article(
    source: str,
    max_bytes: int,
    input_format: InputFormat | None = None,
    fetcher: Fetcher | None = None,
    lead_image: bool = False,
    limits: Limits | None = None,
    figures: bool = False,
) -> Document:
    """Any source: an http(s) URL fetched with `fetcher` (default settings when
    None), else a file or "-" read by ingest.read_source. `lead_image`: also
    read the page's lead image (fetch_images.py) into meta["lead_figure"];
    `figures`: also read the figures of a page's body into figure blocks in
    their places (figures.py). With `limits`, the text is checked before it is
    parsed (read/limits.py), and the pictures are read within a share of
    `limits.render_timeout` counted from here (`picture_deadline`)."""
    started = time.monotonic()
    if is_url(source):
        document = read_url(source, fetcher or Fetcher(), max_bytes, input_format, limits)
    else:
        document = read_source(source, max_bytes, input_format, limits)
    lead = document.meta.get("lead_image") if lead_image else None
    if lead is None and not (figures and "figures" in document.meta):
        return document
    warnings = list(document.warnings)
    if limits is not None:
        fetcher = picture_deadline(fetcher or Fetcher(), started, limits.render_timeout)
    if lead is not None:
        from pipeline.read.fetch_images import load_lead_image

        figure = load_lead_image(document, fetcher, warnings)
        meta = {**document.meta, "lead_figure": figure} if figure else document.meta
        document = dataclasses.replace(document, meta=meta)
    if figures and "figures" in document.meta:
        from pipeline.read.figures import with_figures

        document = with_figures(document, fetcher, warnings, lead)
    return dataclasses.replace(document, warnings=tuple(warnings))


PICTURE_SHARE = 0.5  # of limits.render_timeout: the rest is the structure stage's


def picture_deadline(fetcher: Fetcher, started: float, render_timeout: float) -> Fetcher:
    """The fetcher for an article's pictures (lead image and figures): every
    download stops `PICTURE_SHARE` of `render_timeout` after `started`, so one
    slow image server cannot make the whole reading step overrun its limit
    (a picture not read in time is left out with a warning)."""
    budget = PICTURE_SHARE * render_timeout
    reason = (
        f"no time left: the article's pictures are read within {budget:g} s "
        f"(half of limits.render_timeout)"
    )
    return fetcher.until(started + budget, reason)


def read_url(
    url: str,
    fetcher: Fetcher,
    max_bytes: int,
    input_format: InputFormat | None = None,
    limits: Limits | None = None,
) -> Document:
    fetched = fetcher.get(url, PAGE_TYPES, max_bytes)
    chosen: InputFormat = input_format or PAGE_TYPES[fetched.media_type]  # type: ignore[assignment]
    text = page_text(fetched)
    if text is None:
        text = decode(fetched.data, url)
    text = clean_text(text)
    if not text.strip():
        raise SourceError("the page is empty", file=url)
    name = url_name(fetched.final_url)
    document = parse_document(
        text, chosen, url, name, None, base_url=fetched.final_url, limits=limits
    )
    meta = {**document.meta, "source_url": fetched.final_url, "retrieved": fetched.retrieved}
    return Document(
        path=document.path,
        name=document.name,
        text=document.text,
        blocks=document.blocks,
        meta=meta,
        mtime=None,
        warnings=document.warnings,
    )
