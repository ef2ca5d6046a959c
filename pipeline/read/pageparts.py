"""Sanitised page -> what the article extractor leaves out but the page shows
as part of the article: the standfirst under the title and the footnotes.

The standfirst (chapô, dek, summary) is the element the page marks as such
(its class or id), or the page's description when the page also shows that
text. Footnotes are the targets of in-page links whose text is a note marker
("1", "[2]", "*"): the marker stays in the text, the note's own text is kept.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.read.htmlblocks import words

_STANDFIRST = re.compile(
    r"(?:^|[-_\s])(?:standfirst|chapo|chapeau|dek|deck|subtitle|sub-title|subheadline|"
    r"subhead|strapline|summary|lede|lead|intro|excerpt|teaser|description)(?:$|[-_\s])",
    re.IGNORECASE,
)
_MARKER = re.compile(r"^[\[(]?(\d{1,3}|[*†‡§])[\])]?$")
_BACKLINK = re.compile(r"[↩↑^⤴]+\s*$|^\s*[↩↑^⤴]+")
MIN_STANDFIRST_CHARS = 40
MAX_STANDFIRST_CHARS = 600


def parse(clean_html: str) -> Any:
    from lxml.html import HTMLParser, document_fromstring

    parser = HTMLParser(no_network=True, remove_comments=True, huge_tree=False, encoding="utf-8")
    return document_fromstring(clean_html.encode("utf-8"), parser=parser)


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def standfirst(tree: Any, description: str | None) -> str | None:
    """The standfirst the page shows under its title, if it has one."""
    found: str | None = None
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in ("body", "html", "article", "main"):
            continue
        marks = f"{element.get('class', '')} {element.get('id', '')}"
        if not _STANDFIRST.search(marks):
            continue
        text = _text(element)
        if MIN_STANDFIRST_CHARS <= len(text) <= MAX_STANDFIRST_CHARS:
            found = text
            break
    if found is None and description:
        shown = words(_text(tree.body)) if tree.body is not None else ""
        key = words(description)
        if len(description) >= MIN_STANDFIRST_CHARS and key and key in shown:
            found = " ".join(description.split())
    return found


def footnotes(tree: Any, body: str) -> list[tuple[str, str]]:
    """(marker, note text) of each note the body refers to but does not hold."""
    notes: list[tuple[str, str]] = []
    seen: set[str] = set()
    for link in tree.iter("a"):
        href = str(link.get("href") or "")
        marker = _MARKER.match(_text(link))
        if not href.startswith("#") or len(href) < 2 or marker is None or href in seen:
            continue
        seen.add(href)
        target = tree.get_element_by_id(href[1:], None)
        if target is None:
            continue
        note = target
        while note is not None and note.tag not in ("li", "p", "div", "dd", "aside", "section"):
            note = note.getparent()
        if note is None:
            continue
        text = _BACKLINK.sub("", _text(note)).strip()
        # The note may start with its own marker ("1. Text", "[1] Text").
        text = re.sub(rf"^[\[(]?{re.escape(marker.group(1))}[\])]?[.:]?\s+", "", text)
        if len(text) < 3 or words(text) in body or len(text) > 3000:
            continue
        notes.append((marker.group(1), text))
    return notes
