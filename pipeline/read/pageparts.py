"""Sanitised page -> what the article extractor leaves out but the page shows
as part of the article: the standfirst under the title and the footnotes.

The standfirst (chapô, dek) is the element just after the headline that
the page marks as such (its class or id), or that shows the page's
description. Footnotes are the targets of in-page links whose text is a
note marker ("1", "[2]", "*"): the marker stays in the text, the note's own
text is kept. An article the page cuts into chunks (a container repeated
around advertisements) is followed into its later chunks.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.read.htmlblocks import words

_STANDFIRST = re.compile(
    r"(?:^|[-_\s])(?:standfirst|chapo|chapeau|dek|deck|subtitle|sub-title|subheadline|"
    r"subhead|sub-headline|strapline|lede|article-summary|article__summary|summary-text)"
    r"(?:$|[-_\s])",
    re.IGNORECASE,
)
_MARKER = re.compile(r"^[\[(]?(\d{1,3}|[*†‡§])[\])]?$")
_BACKLINK = re.compile(r"[↩↑^⤴]+\s*$|^\s*[↩↑^⤴]+")
MIN_STANDFIRST_CHARS = 40
MIN_STANDFIRST_WORDS = 7
STANDFIRST_WINDOW = 40  # elements after the headline where a standfirst may stand
MAX_STANDFIRST_CHARS = 600


def parse(clean_html: str) -> Any:
    from lxml.html import HTMLParser, document_fromstring

    parser = HTMLParser(no_network=True, remove_comments=True, huge_tree=False, encoding="utf-8")
    return document_fromstring(clean_html.encode("utf-8"), parser=parser)


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _after_headline(tree: Any) -> list[Any]:
    """The elements that follow the page's headline (its first <h1>), nearest first."""
    headline = next(tree.iter("h1"), None)
    if headline is None:
        return []
    following: list[Any] = []
    for element in headline.itersiblings():
        following.extend(e for e in element.iter() if isinstance(e.tag, str))
        if len(following) >= STANDFIRST_WINDOW:
            break
    parent = headline.getparent()
    if len(following) < STANDFIRST_WINDOW and parent is not None:
        for element in parent.itersiblings():
            following.extend(e for e in element.iter() if isinstance(e.tag, str))
            if len(following) >= STANDFIRST_WINDOW:
                break
    return following[:STANDFIRST_WINDOW]


def _reads_as_prose(text: str) -> bool:
    return (
        MIN_STANDFIRST_CHARS <= len(text) <= MAX_STANDFIRST_CHARS
        and len(text.split()) >= MIN_STANDFIRST_WORDS
        and "[…]" not in text
        and "[...]" not in text
    )


def standfirst(tree: Any, description: str | None) -> str | None:
    """The standfirst the page shows under its headline, if it has one: an
    element marked as such, or one showing the page's description."""
    key = words(description or "")
    for element in _after_headline(tree):
        if element.tag in ("a", "h1") or any(a.tag == "a" for a in element.iterancestors()):
            continue
        text = _text(element)
        marks = f"{element.get('class', '')} {element.get('id', '')}"
        marked = _STANDFIRST.search(marks) is not None
        if (marked or (key and words(text) == key)) and _reads_as_prose(text):
            return text
    return None


def _note_target(tree: Any, link: Any) -> tuple[str, Any] | None:
    """(marker, the element holding the note) when `link` is a note marker:
    an in-page link whose text is a marker and whose target exists."""
    href = str(link.get("href") or "")
    marker = _MARKER.match(_text(link))
    if not href.startswith("#") or len(href) < 2 or marker is None:
        return None
    note = tree.get_element_by_id(href[1:], None)
    while note is not None and note.tag not in ("li", "p", "div", "dd", "aside", "section"):
        note = note.getparent()
    return None if note is None else (marker.group(1), note)


def note_links(tree: Any) -> set[str]:
    """The targets ("#fn1") of the page's note markers."""
    return {str(link.get("href")) for link in tree.iter("a") if _note_target(tree, link)}


def footnotes(tree: Any, body: str) -> list[tuple[str, str, str]]:
    """(marker, note text, the marker's target "#fn1") of each note the body
    refers to but does not hold, in the order the text refers to them."""
    notes: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for link in tree.iter("a"):
        href = str(link.get("href") or "")
        found = _note_target(tree, link)
        if found is None or href in seen:
            continue
        seen.add(href)
        marker, note = found
        text = _BACKLINK.sub("", _text(note)).strip()
        # The note may start with its own marker ("1. Text", "[1] Text").
        text = re.sub(rf"^[\[(]?{re.escape(marker)}[\])]?[.:]?\s+", "", text)
        if len(text) < 3 or words(text) in body or len(text) > 3000:
            continue
        notes.append((marker, text, href))
    return notes


CHUNK_LEVELS = 4  # how far up from the last paragraph a repeated container may be
MIN_CHUNK_PARAGRAPH_WORDS = 20
MAX_CHUNK_LINK_SHARE = 0.3


def _prose(element: Any) -> bool:
    text = _text(element)
    linked = sum(len(_text(a)) for a in element.iter("a"))
    long_paragraph = any(
        len(_text(p).split()) >= MIN_CHUNK_PARAGRAPH_WORDS for p in element.iter("p")
    )
    return bool(text) and long_paragraph and linked <= MAX_CHUNK_LINK_SHARE * len(text)


def later_chunks(tree: Any, last_paragraph: str) -> list[Any]:
    """The later chunks of an article cut into repeated containers: siblings
    after the container of its last extracted paragraph with the same tag
    and class, holding prose (not a list of links)."""
    key = words(last_paragraph)
    if not key:
        return []
    anchor = next((p for p in tree.iter("p") if words(_text(p)) == key), None)
    if anchor is None:
        return []
    container = anchor.getparent()
    for _level in range(CHUNK_LEVELS):
        if container is None or container.tag in ("body", "html"):
            break
        kind = (container.tag, container.get("class", ""))
        if kind[1]:
            chunks = [
                sibling
                for sibling in container.itersiblings()
                if (sibling.tag, sibling.get("class", "")) == kind and _prose(sibling)
            ]
            if chunks:
                return chunks
        container = container.getparent()
    return []
