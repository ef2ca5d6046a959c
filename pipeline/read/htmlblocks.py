"""trafilatura's XML of an article -> raw blocks (headings, paragraphs, quotes,
lists, tables), with their inline runs (emphasis, code, links).

The page's text is never re-read as markup: element text becomes run text.
Whitespace that separates words is kept (see `SPACE`), and lines a page shows
as chrome around an article ("Read more", "Share this", newsletter and
"related" boxes) that the extractor let through are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from pipeline.brief import Mark, Run
from pipeline.read.model import BlockKind, RawBlock
from pipeline.read.runs import merge_runs

# Stands for a space between words that trafilatura would drop (it trims the
# whitespace around inline elements: "word<i> </i>word" became "wordword").
# A visible character it keeps; the reader turns it back into a space.
SPACE_CANDIDATES = ("\u2423", "\u2422", "\u2421")

# A page link put back into a block: (its text, its target, the word just
# before it: "" for a web link, which is found by its text alone).
PageLink = tuple[str, str, str]


_MARKS: dict[str, Mark] = {"#b": "strong", "#i": "em", "#t": "code", "#code": "code"}
_SAFE_HREF = ("http://", "https://", "mailto:")

# Chrome: a whole block that only points elsewhere or asks for something.
_CHROME = re.compile(
    r"^(?:"
    r"(?:read|see|view|load) (?:more|also|next)\b.{0,100}"
    r"|(?:also on \S+|don'?t miss|more from \S+)\b.{0,120}"
    r"|(?:related|recommended|trending|popular|most read|latest|watch|listen|more|sponsored|"
    r"advertisement)(?: \w+){0,2}\s*:.{0,120}"
    r"|(?:advertisement|advert|sponsored|share|share this(?: article| story| page)?|tweet|"
    r"print|email|comments?|subscribe|sign up|log ?in|register|next|previous)"
    r"|like this story\?.*|share (?:it|this) with a friend!?"
    r"|(?:sign up|subscribe) (?:to|for|now)\b.{0,120}|follow (?:us|@\w+)\b.{0,160}"
    r"|.{0,120}\[(?:video|insight|reaction|pictures|photos|gallery|poll|watch)\]\|?"
    r")$",
    re.IGNORECASE,
)


# A call to follow the site or take its newsletter, or a copyright line:
# short blocks that speak of the publication, not of the article's subject.
PROMO_MAX_WORDS = 45
_COPYRIGHT = re.compile(r"^(?:©|ⓒ|\(c\)\s|copyright\b)", re.IGNORECASE)
_NEWSLETTER = re.compile(r"\bnewsletters?\b", re.IGNORECASE)
_SUBSCRIBE = re.compile(
    r"\b(?:inbox|sign(?:ing)? up|subscrib\w*|send me|delivered)\b", re.IGNORECASE
)
_FOLLOW = re.compile(r"\bfollow\b", re.IGNORECASE)
_SOCIAL = re.compile(
    r"\b(?:facebook|twitter|instagram|youtube|linkedin|tiktok|threads|bluesky|mastodon)\b"
    r"|(?<![\w.])@\w{2,}",
    re.IGNORECASE,
)


def is_promo(text: str) -> bool:
    if len(text.split()) > PROMO_MAX_WORDS:
        return False
    if _COPYRIGHT.match(text.strip()):
        return True
    if _NEWSLETTER.search(text) and _SUBSCRIBE.search(text):
        return True
    return bool(_FOLLOW.search(text)) and len(_SOCIAL.findall(text)) >= 2


def is_chrome(text: str) -> bool:
    return bool(_CHROME.match(" ".join(text.split()).strip(" .:|·•»›>"))) or is_promo(text)


def runs_of(element: Any, space: str) -> tuple[Run, ...]:
    """The inline runs of one XML element (its text, marks and links)."""
    out: list[Run] = []

    def walk(node: Any, marks: tuple[Mark, ...], href: str | None) -> None:
        if node.text:
            out.append(Run(text=node.text, marks=marks, href=href))
        for child in node:
            if child.tag == "lb":
                out.append(Run(text=" ", marks=marks, href=href))
            elif child.tag in ("list", "quote", "table", "graphic", "p", "head", "item"):
                pass  # block content inside inline content: read as its own block
            else:
                child_marks = marks
                mark = _MARKS.get(str(child.get("rend", "")))
                if child.tag == "code":
                    mark = "code"
                if mark and mark not in marks:
                    child_marks = tuple(m for m in ("strong", "em", "code") if m in (*marks, mark))
                target = str(child.get("target", "")) if child.tag == "ref" else ""
                child_href = target if target.startswith(_SAFE_HREF) else href
                walk(child, child_marks, child_href)
            if child.tail:
                out.append(Run(text=child.tail, marks=marks, href=href))

    walk(element, (), None)
    # Newlines in extracted text are layout, not meaning.
    squashed = [
        run.model_copy(update={"text": re.sub(r"\s+", " ", run.text.replace(space, " "))})
        for run in out
    ]
    return merge_runs(squashed)


def _cells(row: Any, space: str) -> list[str]:
    return [" ".join("".join(cell.itertext()).replace(space, " ").split()) for cell in row]


def _table(element: Any, space: str, line: int) -> RawBlock | None:
    """One table block: its rows of cell texts, heading rows first."""
    rows = [tuple(_cells(row, space)) for row in element.iter("row")]
    rows = [row for row in rows if any(row)]
    if not rows:
        return None
    header_rows = 0
    for row in element.iter("row"):
        if not len(row) or any(cell.get("role") != "head" for cell in row):
            break
        header_rows += 1
    flat = "\n".join(" · ".join(cell for cell in row if cell) for row in rows)
    return RawBlock(
        "table",
        (Run(text=flat),),
        line,
        table_cells=sum(len(row) for row in rows),
        cells=tuple(rows),
        header_rows=min(header_rows, len(rows)),
    )


_CONTAINERS = ("div", "main", "body", "section")
_INLINE_XML = ("hi", "ref", "lb", "del")


class _Loose:
    """Text and inline elements that stand straight in a container, between
    its blocks (trafilatura leaves a heading's following text as its tail):
    gathered into one paragraph."""

    def __init__(self, text: str | None) -> None:
        self.paragraph: Any = None
        self.text(text)

    def _element(self) -> Any:
        if self.paragraph is None:
            from lxml import etree

            self.paragraph = etree.Element("p")
        return self.paragraph

    def text(self, text: str | None) -> None:
        if not text or not text.strip():
            return
        paragraph = self._element()
        if len(paragraph):
            paragraph[-1].tail = (paragraph[-1].tail or "") + text
        else:
            paragraph.text = (paragraph.text or "") + text

    def add(self, element: Any) -> None:
        import copy

        self._element().append(copy.deepcopy(element))

    def take(self) -> Any:
        paragraph, self.paragraph = self.paragraph, None
        return paragraph


def read_blocks(
    root: Any, space: str, links: dict[str, list[PageLink]] | None = None
) -> list[RawBlock]:
    """The blocks of trafilatura's <main>, in reading order, chrome left out;
    `links` (from `page_links`) gives back the links of the page's blocks."""
    blocks: list[RawBlock] = []

    def add(kind: BlockKind, element: Any, **extra: Any) -> None:
        runs = runs_of(element, space)
        text = "".join(run.text for run in runs)
        if not runs or is_chrome(text):
            return
        found = links.get(words(text)) if links else None
        if found:
            runs = with_links(runs, found)
        blocks.append(RawBlock(kind, runs, len(blocks) + 1, **extra))

    def walk(node: Any, quote: bool, lists: tuple[bool, ...]) -> None:
        loose = _Loose(node.text if node.tag in _CONTAINERS else None)

        def flush() -> None:
            paragraph = loose.take()
            if paragraph is not None:
                add("quote" if quote else "paragraph", paragraph)

        for child in node:
            tag = child.tag
            if node.tag in _CONTAINERS and tag in _INLINE_XML:
                loose.add(child)  # inline content straight in a container
                continue
            flush()
            if tag == "head":
                rend = str(child.get("rend", "h2"))
                level = int(rend[1]) if len(rend) == 2 and rend[1].isdigit() else 2
                add("heading", child, level=level)
            elif tag == "p" or tag == "code":
                if lists:
                    add("list_item", child, level=len(lists), ordered=lists[-1])
                else:
                    add("quote" if quote else "paragraph", child)
            elif tag == "quote":
                add("quote", child)  # its own text, if any; paragraphs inside follow
                walk(child, True, lists)
            elif tag == "list":
                walk(child, quote, (*lists, str(child.get("rend", "")) == "ol"))
            elif tag == "item":
                add("list_item", child, level=max(1, len(lists)), ordered=bool(lists and lists[-1]))
                walk(child, quote, lists)
            elif tag == "table":
                table = _table(child, space, len(blocks) + 1)
                if table is not None:
                    blocks.append(table)
            elif tag in _CONTAINERS:
                walk(child, quote, lists)
            if node.tag in _CONTAINERS:
                loose.text(child.tail)  # text after a block, before the next one
        flush()

    walk(root, False, ())
    return blocks


# A list of links to other pages ("related", "more stories"): every item
# short and linked, links most of its text.
LINK_LIST_MIN_ITEMS = 2
LINK_LIST_MAX_WORDS = 30
LINK_LIST_SHARE = 0.4


def _link_list(items: list[RawBlock]) -> bool:
    linked = sum(len(run.text) for item in items for run in item.runs if run.href)
    return (
        len(items) >= LINK_LIST_MIN_ITEMS
        and all(len(item.text.split()) <= LINK_LIST_MAX_WORDS for item in items)
        and all(any(run.href for run in item.runs) for item in items)
        and linked >= LINK_LIST_SHARE * sum(len(item.text) for item in items)
    )


def without_link_lists(blocks: list[RawBlock]) -> list[RawBlock]:
    """The blocks without the lists that are boxes of links to other pages."""
    out: list[RawBlock] = []
    items: list[RawBlock] = []
    for block in [*blocks, None]:
        if block is not None and block.kind == "list_item":
            items.append(block)
            continue
        if not _link_list(items):
            out.extend(items)
        items = []
        if block is not None:
            out.append(block)
    return out


def page_links(tree: Any, space: str, notes: Collection[str] = ()) -> dict[str, list[PageLink]]:
    """(link text, target, word before) of each web link of the page, and of
    each note marker whose target is in `notes` ("#fn1"), by the words of the
    block (paragraph, item, heading, quote, cell) that holds it."""
    found: dict[str, list[PageLink]] = {}
    holders = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "th", "dd")
    for link in tree.iter("a"):
        href = str(link.get("href") or "")
        text = " ".join("".join(link.itertext()).replace(space, " ").split())
        note = href in notes
        if not (href.startswith(_SAFE_HREF) or note) or not text:
            continue
        holder = next((a for a in link.iterancestors() if a.tag in holders), None)
        if holder is None:
            continue
        before = ""
        if note:  # a marker ("1") is found after the word it follows, never alone
            preceding = "".join(link.xpath("preceding::text()[position() <= 4]"))
            before = (preceding.replace(space, " ").split() or [""])[-1]
            if not before:
                continue
        key = words("".join(holder.itertext()).replace(space, " "))
        found.setdefault(key, []).append((text, href, before))
    return found


def words(text: str) -> str:
    """Text as its words only, lower-cased: what comparisons between the
    page and the extracted article look at (spacing and quotes differ)."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def with_links(runs: tuple[Run, ...], links: list[PageLink]) -> tuple[Run, ...]:
    """The runs with each link's text (found in order, after its word before
    when it has one) pointing to its target."""
    text = "".join(run.text for run in runs)
    targets: list[str | None] = [None] * len(text)
    position = 0
    for label, href, before in links:
        if before:
            after_word = re.compile(rf"{re.escape(before)}\s*({re.escape(label)})")
            match = after_word.search(text, position)
            found = match.start(1) if match else -1
        else:
            found = text.find(label, position)
        if found < 0:
            continue
        targets[found : found + len(label)] = [href] * len(label)
        position = found + len(label)
    out: list[Run] = []
    index = 0
    for run in runs:
        start = index
        for offset in range(1, len(run.text) + 1):
            at = start + offset
            if at == start + len(run.text) or targets[at] != targets[at - 1]:
                piece_start = index
                out.append(
                    Run(text=text[piece_start:at], marks=run.marks, href=targets[piece_start])
                )
                index = at
    return merge_runs(out)
