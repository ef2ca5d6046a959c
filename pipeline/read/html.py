"""Saved web page -> metadata and raw blocks of the main article.

The page is sanitised with nh3 first (scripts, styles, event handlers and
unsafe URLs removed), so the extractor only ever sees inert markup. The
article is then extracted with trafilatura, which drops navigation,
cookie banners, asides and footers. We read trafilatura's XML (headings,
paragraphs, quotes, lists, emphasis, links) straight into raw blocks rather
than going through Markdown, so article text is never re-read as markup.

trafilatura is an optional extra (`pip install 'pipeline-briefs[html]'`);
`available()` says whether it is installed, and reading a page without it
is one clear error, not an ImportError.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from importlib.util import find_spec
from typing import Any

from pipeline.brief import Mark, Run
from pipeline.errors import SourceError
from pipeline.read.model import BlockKind, RawBlock
from pipeline.read.runs import merge_runs

INSTALL_HINT = "install the HTML extra: pip install 'pipeline-briefs[html]'"

_EXTRA_TAGS = {
    "html", "head", "body", "title", "meta", "article", "main", "nav", "header", "footer",
    "aside", "section", "time", "figure", "figcaption", "button", "form",
}  # fmt: skip
_EXTRA_ATTRIBUTES = {
    "meta": {"name", "property", "content", "itemprop"},
    "a": {"href"},
    "time": {"datetime"},
    "*": {"class", "id", "lang", "itemprop", "role"},
}


def available() -> bool:
    return find_spec("trafilatura") is not None and find_spec("lxml_html_clean") is not None


def sanitise(html: str) -> str:
    """Inert HTML: only structural tags and harmless attributes survive."""
    import nh3

    attributes = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag, names in _EXTRA_ATTRIBUTES.items():
        attributes.setdefault(tag, set()).update(names)
    return nh3.clean(
        html,
        tags=nh3.ALLOWED_TAGS | _EXTRA_TAGS,
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


_MARKS: dict[str, Mark] = {"#b": "strong", "#i": "em", "#t": "code", "#code": "code"}
_SAFE_HREF = ("http://", "https://", "mailto:")


def _runs(element: Any) -> tuple[Run, ...]:
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
    squashed = [run.model_copy(update={"text": re.sub(r"\s+", " ", run.text)}) for run in out]
    return merge_runs(squashed)


def _blocks(root: Any) -> list[RawBlock]:
    blocks: list[RawBlock] = []

    def add(kind: BlockKind, element: Any, **extra: Any) -> None:
        runs = _runs(element)
        if runs:
            blocks.append(RawBlock(kind, runs, len(blocks) + 1, **extra))

    def walk(node: Any, quote: bool, lists: tuple[bool, ...]) -> None:
        for child in node:
            tag = child.tag
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
            elif tag == "row":
                cells = [" ".join("".join(cell.itertext()).split()) for cell in child]
                text = " · ".join(cell for cell in cells if cell)
                if text:
                    blocks.append(RawBlock("paragraph", (Run(text=text),), len(blocks) + 1))
            elif tag == "table":
                start = len(blocks)
                walk(child, quote, lists)
                # Every row of the table carries the table's size, for limits.
                size = sum(1 for row in child.iter("row") for _cell in row)
                blocks[start:] = [dataclasses.replace(b, table_cells=size) for b in blocks[start:]]
            elif tag in ("div", "main", "body", "section"):
                walk(child, quote, lists)

    walk(root, False, ())
    return blocks


def extract_article(html: str, path: str) -> tuple[dict[str, Any], tuple[RawBlock, ...]]:
    """(metadata, raw blocks) of the main article of a saved page."""
    if not available():
        raise SourceError("reading HTML needs trafilatura", file=path, hint=INSTALL_HINT)
    import trafilatura

    # nh3 returns a fragment; trafilatura wants a document to recognise it.
    clean = "<!DOCTYPE html><html><body>" + sanitise(html) + "</body></html>"
    body = trafilatura.extract(
        clean,
        output_format="xml",
        include_formatting=True,
        include_links=True,
        include_tables=True,
        include_images=False,
        include_comments=False,
        deduplicate=False,
    )
    if not body or not body.strip():
        raise SourceError(
            "no article text found in the page",
            file=path,
            hint="save the article page itself, or paste its text into a .txt file",
        )
    found = trafilatura.extract_metadata(clean)
    meta: dict[str, Any] = {}
    if found is not None:
        if found.title:
            meta["title"] = str(found.title)
        if found.author:
            meta["authors"] = tuple(
                part.strip() for part in str(found.author).split(";") if part.strip()
            )
        date = _date(found.date)
        if date:
            meta["date"] = date
    from lxml import etree

    # trafilatura's own output; entities and network access off all the same.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(body.encode("utf-8"), parser)
    main = root.find("main")
    return meta, tuple(_blocks(main if main is not None else root))
