"""A page's body figures -> figure blocks in their places among the article's
blocks (`layout.images.figures`).

trafilatura drops `<figure>` and `<img>`; asking it to keep pictures changes
which text it keeps, for the worse (bench F1 0.977 -> 0.973). So the text is
extracted as always and the pictures are found in the sanitised page: each
`<figure>` holding a picture, and each `<img>` alone in its paragraph,
stands between the page's text elements around it, which are matched to
the extracted blocks by their first words. A picture is the article's when
article text stands right before and after it (or it opens or closes the
article: then only a `<figure>`); one in a sidebar, a "related" box or the
site's header is not, and is left out, as are icons, logos and placeholders
(by their file names, an `<img>` declared smaller than 48 px, a picture
smaller than 100 px on both sides once read). `place_figures` runs with the
reader (no network); `with_figures` then reads the pictures
(fetch_images.read_picture: the lead image's rules) and puts the blocks in.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pipeline.read.fetch_images import (
    ImageRef,
    figure_ref,
    picture_src,
    read_picture,
    resolved,
    same_picture,
)
from pipeline.read.htmlblocks import words
from pipeline.read.images import WEB_PICTURE, refusal

if TYPE_CHECKING:
    from pipeline.brief import Image
    from pipeline.read.fetch import Fetcher
    from pipeline.read.model import Document, RawBlock

MAX_FIGURES = 12  # pictures read per article: more is a gallery, and slow
MAX_PLACED = 200  # pictures placed (and counted) per page
MAX_FIGURE_BYTES = 20_000_000  # all of an article's figures, as re-encoded
KEY_WORDS = 12  # a text element and a block are the same when their first words are
MAX_GAP = 2  # unmatched text elements (chrome) allowed between a figure and its neighbour
MIN_SIDE = 48  # an <img> declared smaller than this (icons, tracking pixels) is no figure
MIN_PICTURE = 100  # a picture read smaller than this on both sides is an icon
# Pictures that are the site's, not the article's: named so in their address.
_NOT_FIGURE = re.compile(
    r"icons?\b|icon[-_]|logo|placeholder|spinner|loader|avatar|sprite|spacer|blank\.|pixel|"
    r"badge|emoji|missing-image|\.svg$",
    re.IGNORECASE,
)
_TEXT_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "th", "dd", "dt",
}  # fmt: skip
_OUTSIDE = {"nav", "header", "footer", "aside", "form", "button"}


@dataclass(frozen=True)
class PlacedFigure:
    """A body figure of the page and the block it follows (-1: none); with
    `replaces`, the block it stands for (a Markdown image's alt text)."""

    ref: ImageRef
    after: int
    replaces: bool = False


def web_pictures(
    blocks: tuple[RawBlock, ...], remote: list[tuple[int, str, str]]
) -> tuple[PlacedFigure, ...]:
    """A Markdown article's pictures on the web (line, address, alt text),
    each standing for the paragraph of its alt text, its caption as a local
    image's is."""
    at = {(b.line, b.text): i for i, b in enumerate(blocks) if b.kind == "paragraph"}
    placed = [
        PlacedFigure(ImageRef(src, alt, caption=alt), at[(line, alt)], replaces=True)
        for line, src, alt in remote
        if (line, alt) in at
    ]
    return tuple(placed[:MAX_PLACED])


def _key(text: str) -> str:
    return " ".join(words(text).split()[:KEY_WORDS])


def _lone_image(element: Any) -> Any:
    """The picture of a text element that holds one and no text, else None."""
    images = list(element.iter("img"))
    if len(images) != 1 or "".join(element.itertext()).strip():
        return None
    return images[0]


def _small(image: Any) -> bool:
    sizes = [image.get(name) or "" for name in ("width", "height")]
    return any(size.isdigit() and int(size) < MIN_SIDE for size in sizes)


def _image_ref(image: Any) -> ImageRef | None:
    src = picture_src(image)
    if not src or _small(image):
        return None
    return ImageRef(src, " ".join((image.get("alt") or "").split()))


def _site_picture(src: str) -> bool:
    return bool(_NOT_FIGURE.search(urlsplit(src).path))


@dataclass(frozen=True)
class _Found:
    """A picture of the page; `boxed`: a `<figure>`'s."""

    ref: ImageRef
    boxed: bool


def _events(tree: Any, keys: dict[str, list[int]], space: str) -> list[int | _Found | None]:
    """The page in reading order as: a block's index (its text element), a
    picture, or None (text that is not the article's)."""
    events: list[int | _Found | None] = []
    stack = [tree]
    while stack:
        element = stack.pop()
        tag = element.tag
        if not isinstance(tag, str) or tag in _OUTSIDE:
            continue
        if tag == "figure" and (ref := figure_ref(element, space)) is not None:
            if not _site_picture(ref.src):
                events.append(_Found(ref, boxed=True))
            continue  # its caption is the figure's, not text to match
        if tag == "img":
            if (ref := _image_ref(element)) is not None and not _site_picture(ref.src):
                events.append(_Found(ref, boxed=False))
            continue
        if tag in _TEXT_TAGS:
            image = _lone_image(element)
            if image is not None:
                if (ref := _image_ref(image)) is not None and not _site_picture(ref.src):
                    events.append(_Found(ref, boxed=False))
                continue
            key = _key("".join(element.itertext()).replace(space, " "))
            if key:
                found = keys.get(key)
                events.append(found.pop() if found else None)
                continue
        stack.extend(reversed(element))
    return events


def place_figures(tree: Any, blocks: list[RawBlock], space: str) -> tuple[PlacedFigure, ...]:
    """The article's figures in `tree` (the sanitised page), each with the
    index of the block it follows, in order (at most `MAX_PLACED`)."""
    if next(tree.iter("img"), None) is None:
        return ()
    keys: dict[str, list[int]] = {}
    for index in reversed(range(len(blocks))):  # each list popped from its end: first first
        if key := _key(blocks[index].text.replace(space, " ")):
            keys.setdefault(key, []).append(index)
    placed: list[PlacedFigure] = []
    last, gap = -1, 0  # the last block matched, and unmatched text since
    waiting: list[tuple[_Found, int, int]] = []  # (picture, block before, gap before)
    seen: set[str] = set()
    for event in _events(tree, keys, space):
        if isinstance(event, _Found):
            if event.ref.src not in seen:
                seen.add(event.ref.src)
                waiting.append((event, last, gap))
            gap = 0
        elif event is None:
            gap += 1
        elif event > last:
            for found, before, gap_before in waiting:
                # Between two blocks of the article; at its start, only a <figure>.
                near = event - before <= 2 if before >= 0 else found.boxed and event <= 1
                if near and gap_before <= MAX_GAP and gap <= MAX_GAP:
                    placed.append(PlacedFigure(found.ref, before))
            waiting, last, gap = [], event, 0
    for found, before, gap_before in waiting:  # after the article's last block
        if found.boxed and before == len(blocks) - 1 and gap_before <= MAX_GAP:
            placed.append(PlacedFigure(found.ref, before))
    return tuple(placed[:MAX_PLACED])


def _address(src: str, document: Document) -> str:
    """A picture's resolved address without its query string and fragment
    (which choose a size or a crop of the same picture)."""
    parts = urlsplit(resolved(src, document))
    return parts._replace(query="", fragment="").geturl()


def _file_name(src: str) -> str:
    return PurePosixPath(urlsplit(src).path).name


def _listed(addresses: list[str]) -> str:
    return f"{', '.join(addresses[:3])}{', …' if len(addresses) > 3 else ''}"


def with_figures(
    document: Document, fetcher: Fetcher | None, warnings: list[str], lead: ImageRef | None
) -> Document:
    """The document with its placed figures read and put in as blocks; a
    figure that cannot be read is left out with a warning, and so are those
    left when the fetcher's time runs out (`Fetcher.until`), on one line.
    `lead`: the lead image shown after the title, not repeated in the body:
    a figure at its address is not read, one with its file name elsewhere
    (another size of it) is read and left out when it shows the same."""
    from pipeline.brief import Figure, FigureBlock, Run
    from pipeline.read.fetch import no_answer
    from pipeline.read.model import RawBlock

    placed = document.meta.get("figures", ())
    blocks = list(document.blocks)
    first_text = next((i for i, b in enumerate(blocks) if b.kind != "heading"), 0)
    added: dict[int, list[RawBlock]] = {}
    undescribed: list[str] = []
    total = 0
    replaced: set[int] = set()
    silent: set[str] = set()  # hosts that did not answer
    tried = beyond = 0
    late: list[str] = []  # figures not read in the time given
    lead_figure = document.meta.get("lead_figure")
    for figure in placed:
        ref = figure.ref
        if lead is not None and _address(ref.src, document) == _address(lead.src, document):
            continue
        where = resolved(ref.src, document)[:120]
        if not (ref.alt or ref.caption):
            undescribed.append(where)  # a tagged PDF (PDF/UA) needs a description
            continue
        if tried == MAX_FIGURES:
            beyond += 1
            continue
        host = urlsplit(resolved(ref.src, document)).netloc
        picture: Image | str | None
        if fetcher is not None and fetcher.out_of_time():
            picture = fetcher.deadline_reason  # not read: each would be stopped at once
        elif host in silent:
            picture = f"{host} did not answer for an earlier figure"
        else:
            picture = read_picture(ref.src, document, fetcher, "figure")
        if picture is None:
            continue  # not to be read (a saved page's picture on the web)
        if figure.replaces:  # the Markdown reader's "not read" is answered here
            warnings[:] = [w for w in warnings if w != refusal(ref.src, WEB_PICTURE)]
        if fetcher is not None and picture == fetcher.deadline_reason:
            late.append(where)  # counted on one line
            continue
        tried += 1
        if isinstance(picture, str) and no_answer(picture):
            silent.add(host)  # each figure more would wait as long
        if not isinstance(picture, str) and total + len(picture.data) * 3 // 4 > MAX_FIGURE_BYTES:
            picture = f"the article's figures pass {MAX_FIGURE_BYTES:,} bytes"
        if isinstance(picture, str):
            warnings.append(f"figure {where} left out: {picture}")
            continue
        if (
            isinstance(lead_figure, Figure)
            and lead is not None
            and _file_name(ref.src) == _file_name(lead.src)
            and same_picture(picture, lead_figure.image)
        ):
            continue  # the lead image again, in another size
        small = picture.width < MIN_PICTURE and picture.height < MIN_PICTURE
        if small and not figure.replaces:
            continue  # an icon or a thumbnail, not a figure of the page's article
        total += len(picture.data) * 3 // 4
        shown = FigureBlock(
            image=picture.model_copy(update={"alt": ref.alt or ref.caption or ""}),
            caption=ref.caption,
            credit=ref.credit,
            src=resolved(ref.src, document),
        )
        # A figure never opens a page's article (the lede is its first text).
        after = figure.after if figure.replaces else max(figure.after, first_text)
        if figure.replaces:
            replaced.add(after)
        runs = (Run(text=shown.text),) if shown.text else ()
        line = blocks[after].line if blocks else 0
        added.setdefault(after, []).append(RawBlock("figure", runs, line, figure=shown))
    if beyond:
        warnings.append(f"{beyond} more figure(s) left out: at most {MAX_FIGURES} are read")
    if late:
        assert fetcher is not None
        warnings.append(
            f"{len(late)} figure(s) left out: {fetcher.deadline_reason}: {_listed(late)}"
        )
    if undescribed:
        warnings.append(
            f"{len(undescribed)} figure(s) left out: no alt text or caption to describe "
            f"them: {_listed(undescribed)}"
        )
    if not added:
        return document
    out: list[RawBlock] = []
    for index, block in enumerate(blocks):
        if out and _repeats_caption(block, out[-1]):
            continue  # the page printed the caption again as a paragraph
        if index not in replaced:
            out.append(block)
        for raw in added.get(index, ()):
            if out and out[-1].kind == "paragraph" and _repeats_caption(out[-1], raw):
                out.pop()
            out.append(raw)
    return dataclasses.replace(document, blocks=tuple(out))


def _repeats_caption(block: RawBlock, figure: RawBlock) -> bool:
    return (
        figure.kind == "figure"
        and block.kind == "paragraph"
        and bool(figure.text)
        and words(block.text) == words(figure.text)
    )
