"""RSS/Atom feed (URL or file) -> the URLs of its items, newest first.

A feed is a source that expands, before the build, into one source per
item (its link), so each item is fetched, built, skipped when unchanged
and listed in the manifest like any URL, and a failing item fails alone.
feedparser reads RSS 0.9x/1.0/2.0 and Atom; `--since` keeps the items
dated on or after a day (undated items are then left out: they cannot be
shown to be new), `fetch.max_items` caps how many are taken.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import SourceError
from pipeline.read.fetch import FEED_TYPES, PAGE_TYPES, Fetcher, is_url

FEED_SUFFIXES = (".rss", ".atom", ".xml")
_FEED_START = (b"<rss", b"<feed", b"<rdf:rdf")


@dataclass(frozen=True)
class FeedItem:
    url: str
    title: str
    published: dt.datetime | None


@dataclass
class Expansion:
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # one line each, for the build report


def looks_like_feed(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    if head.startswith(b"<?xml"):
        head = head[head.find(b"?>") + 2 :].lstrip()
        while head.startswith(b"<!--") or head.startswith(b"<?"):
            end = head.find(b"-->" if head.startswith(b"<!--") else b"?>")
            head = head[end + 3 :].lstrip() if end >= 0 else b""
    return head.startswith(_FEED_START)


def _when(entry: Any) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        stamp = entry.get(key)
        if stamp:
            return dt.datetime.fromtimestamp(calendar.timegm(stamp), dt.UTC)
    return None


def feed_items(data: bytes, base_url: str, where: str) -> list[FeedItem]:
    """Every item of a feed that has a link, newest first (undated ones last)."""
    import feedparser

    parsed = feedparser.parse(data, response_headers={"content-location": base_url})
    if not parsed.entries and parsed.get("bozo"):
        raise SourceError(
            f"not a readable RSS or Atom feed ({parsed.get('bozo_exception', 'parse error')})",
            file=where,
        )
    items = [
        FeedItem(str(entry.get("link")), str(entry.get("title", "")), _when(entry))
        for entry in parsed.entries
        if entry.get("link")
    ]
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(items, key=lambda item: item.published or oldest, reverse=True)


def select(items: list[FeedItem], since: dt.date | None, max_items: int) -> list[FeedItem]:
    if since is not None:
        items = [item for item in items if item.published and item.published.date() >= since]
    return items[:max_items]


def expand_feeds(
    sources: list[str], fetcher: Fetcher, since: dt.date | None, max_bytes: int
) -> Expansion:
    """Replace every feed among `sources` (a URL serving a feed, or a .rss,
    .atom or .xml file) by its selected items; other sources stay as they are.
    A URL that cannot be fetched stays too: the build reports it as that source."""
    out = Expansion()
    for source in sources:
        data: bytes | None = None
        base = source
        if is_url(source):
            try:
                fetched = fetcher.get(source, PAGE_TYPES.keys() | FEED_TYPES, max_bytes)
            except SourceError:
                out.sources.append(source)
                continue
            if fetched.media_type in FEED_TYPES or looks_like_feed(fetched.data):
                data, base = fetched.data, fetched.final_url
        elif Path(source).suffix.lower() in FEED_SUFFIXES:
            path = Path(source)
            try:
                with path.open("rb") as handle:
                    data = handle.read(max_bytes + 1)
            except OSError as exc:
                raise SourceError(f"cannot read the feed: {exc.strerror}", file=source) from None
            if len(data) > max_bytes:
                raise SourceError(f"the feed is larger than {max_bytes:,} bytes", file=source)
            base = path.resolve().as_uri()
        if data is None:
            out.sources.append(source)
            continue
        items = feed_items(data, base, source)
        chosen = select(items, since, fetcher.settings.max_items)
        if not chosen:
            after = f" dated {since.isoformat()} or later" if since else ""
            out.notes.append(f"{source}: the feed has no item{after}")
        out.sources.extend(item.url for item in chosen if item.url not in out.sources)
    return out
