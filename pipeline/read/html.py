"""Saved web page -> metadata and raw blocks of the main article.

The page is sanitised with nh3 first (scripts, styles, event handlers and
unsafe URLs removed), so the extractor only ever sees inert markup. The
article is then extracted with trafilatura, which drops navigation,
cookie banners, asides and footers. We read trafilatura's XML (headings,
paragraphs, quotes, lists, emphasis, links) straight into raw blocks rather
than going through Markdown, so article text is never re-read as markup.
Where the page's body figures stand among those blocks is noted for
figures.py, which reads them when `layout.images.figures` asks.

trafilatura is an optional extra (`pip install 'pipeline-briefs[html]'`);
`available()` says whether it is installed, and reading a page without it
is one clear error, not an ImportError.
"""

from __future__ import annotations

import dataclasses
import re
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

from pipeline.brief import Run
from pipeline.errors import SourceError
from pipeline.read.model import RawBlock

if TYPE_CHECKING:
    from pipeline.read.htmlblocks import PageLink

INSTALL_HINT = "install the HTML extra: pip install 'pipeline-briefs[html]'"

_EXTRA_TAGS = {
    "html", "body", "article", "main", "nav", "header", "footer",
    "aside", "section", "time", "figure", "figcaption", "button", "form",
}  # fmt: skip
# Removed with everything inside: code, and markup that a browser with
# scripts on never shows as text (<noscript>), or shows as no article text.
_DROPPED_WITH_CONTENT = {
    "script", "style", "noscript", "template", "head", "title", "iframe", "object",
    "embed", "svg", "math", "canvas", "audio", "video", "select", "textarea", "dialog",
}  # fmt: skip
_EXTRA_ATTRIBUTES = {
    "a": {"href"},
    # Where lazily loaded pictures keep their address (read/fetch_images.picture_src).
    "img": {"data-src", "data-lazy-src", "data-original", "data-srcset", "srcset"},
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
        tags=(nh3.ALLOWED_TAGS | _EXTRA_TAGS) - _DROPPED_WITH_CONTENT,
        clean_content_tags=_DROPPED_WITH_CONTENT,
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )


_INLINE = (
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark",
    "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u",
    "var", "del", "ins",
)  # fmt: skip
# trafilatura compares its own result with readability's and jusText's and may
# take theirs; taken when it is several times longer than a real article that
# trafilatura's own algorithm found, it is a whole column ("related" lists,
# other posts) more often than the article.
OWN_ARTICLE_CHARS = 500
FALLBACK_GROWTH = 3.0
MIN_ARTICLE_WORDS = 10
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\$\{.*?\}|</?[a-zA-Z][\w-]*(?:\s[^<>]*)?/?>")


def _keep_spaces(tree: Any, space: str) -> None:
    """Whitespace next to inline elements -> `space`, which trafilatura keeps."""

    def inline(element: Any) -> bool:
        return element is not None and element.tag in _INLINE

    def before(text: str | None, between_inlines: bool) -> str | None:
        if not text or not text[-1].isspace():
            return text
        if not text.strip():
            return space if between_inlines else text
        return text.rstrip() + space

    for element in tree.iter(*_INLINE):
        text = element.text
        if text and text[0].isspace():
            element.text = space + text.lstrip() if text.strip() else space
        if element.text and element.text[-1].isspace() and len(element) == 0:
            element.text = element.text.rstrip() + space
        tail = element.tail
        if tail and tail[0].isspace() and tail.strip():
            element.tail = space + tail.lstrip()
        elif tail and not tail.strip() and inline(element.getnext()):
            element.tail = space
        previous = element.getprevious()
        if previous is not None:
            previous.tail = before(previous.tail, inline(previous))
        elif element.getparent() is not None:
            parent = element.getparent()
            parent.text = before(parent.text, inline(parent))


def _extract(document: str, fast: bool) -> str:
    """trafilatura's XML of the article. Links are left out: asking for them
    changes what trafilatura keeps (link density), for the worse; they are
    put back from the page by `page_links`."""
    import trafilatura

    return (
        trafilatura.extract(
            document,
            output_format="xml",
            include_formatting=True,
            include_links=False,
            include_tables=True,
            include_images=False,
            include_comments=False,
            favor_precision=True,
            fast=fast,
            deduplicate=False,
        )
        or ""
    )


def _text_length(xml: str) -> int:
    return len("".join(_main_element(xml).itertext())) if xml.strip() else 0


def _choose(own: str, compared: str) -> str:
    """trafilatura's own extraction, or the one it chose after comparing."""
    own_chars, compared_chars = _text_length(own), _text_length(compared)
    if own_chars >= OWN_ARTICLE_CHARS and compared_chars > FALLBACK_GROWTH * own_chars:
        return own
    return compared or own


def _continued(
    tree: Any, blocks: list[RawBlock], space: str, links: dict[str, list[PageLink]]
) -> list[RawBlock]:
    """The blocks of the article's later chunks that the extraction left out."""
    from lxml.html import tostring

    from pipeline.read.htmlblocks import read_blocks, words
    from pipeline.read.pageparts import later_chunks

    last = next((b.text for b in reversed(blocks) if b.kind == "paragraph"), "")
    chunks = later_chunks(tree, last)
    if not chunks:
        return []
    known = {words(block.text) for block in blocks}
    more: list[RawBlock] = []
    for chunk in chunks:  # one by one: trafilatura keeps one container per page
        page = tostring(chunk, encoding="unicode")
        xml = _extract(f"<!DOCTYPE html><html><body><article>{page}</article></body></html>", True)
        if xml.strip():
            found = read_blocks(_main_element(xml), space, links)
            more.extend(b for b in found if words(b.text) not in known)
    return [dataclasses.replace(b, line=len(blocks) + i + 1) for i, b in enumerate(more)]


def _main_element(xml: str) -> Any:
    from lxml import etree

    # trafilatura's own output; entities and network access off all the same.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(xml.encode("utf-8"), parser)
    main = root.find("main")
    return main if main is not None else root


def _no_article(blocks: list[RawBlock], path: str) -> None:
    """Fail a page whose text is a script's template, markup or a few words."""
    text = "\n".join(block.text for block in blocks)
    junk = sum(len(match) for match in _TEMPLATE.findall(text))
    real = re.findall(r"[^\W\d_]{2,}", _TEMPLATE.sub(" ", text))
    if len(real) < MIN_ARTICLE_WORDS or junk > 0.2 * len(text):
        raise SourceError(
            "the page holds no article text (template placeholders, markup or a few words)",
            file=path,
            hint="save the page once its article has loaded, or paste the article into a .txt file",
        )


def extract_article(
    html: str, path: str, base_url: str | None = None
) -> tuple[dict[str, Any], tuple[RawBlock, ...]]:
    """(metadata, raw blocks) of the main article of a saved page; relative
    links resolve against `base_url` (a fetched page's address)."""
    if not available():
        raise SourceError("reading HTML needs trafilatura", file=path, hint=INSTALL_HINT)
    from lxml.html import tostring

    from pipeline.read.fetch_images import lead_image_ref
    from pipeline.read.figures import place_figures
    from pipeline.read.htmlblocks import (
        SPACE_CANDIDATES,
        page_links,
        read_blocks,
        without_link_lists,
        words,
    )
    from pipeline.read.pagemeta import page_metadata
    from pipeline.read.pageparts import footnotes, note_links, parse, standfirst

    declared = page_metadata(html)
    space = next((c for c in SPACE_CANDIDATES if c not in html), SPACE_CANDIDATES[0])
    tree = parse("<!DOCTYPE html><html><body>" + sanitise(html) + "</body></html>")
    _keep_spaces(tree, space)
    if base_url:
        tree.make_links_absolute(base_url, resolve_base_href=False, handle_failures="discard")
    document = tostring(tree, encoding="unicode")
    body = _choose(_extract(document, fast=True), _extract(document, fast=False))
    links = page_links(tree, space, note_links(tree))
    blocks = read_blocks(_main_element(body), space, links) if body.strip() else []
    blocks.extend(_continued(tree, blocks, space, links))
    blocks = without_link_lists(blocks)
    if not blocks:
        raise SourceError(
            "no article text found in the page",
            file=path,
            hint="save the article page itself, or paste its text into a .txt file",
        )
    _no_article(blocks, path)
    meta: dict[str, Any] = {}
    for key in ("title", "authors", "date"):
        if key in declared:
            meta[key] = declared[key]
    if "lang" in declared:
        meta["declared_lang"] = declared["lang"]
    lead_image = lead_image_ref(html)
    if lead_image is not None:
        meta["lead_image"] = lead_image
    lead = standfirst(tree, declared.get("description"))
    if lead and words(lead) in words(str(declared.get("title", ""))):
        lead = None  # the headline again, not a standfirst
    if lead:
        # The extractor may have taken it as the first paragraph (after the headline).
        at = next((i for i, b in enumerate(blocks[:3]) if b.kind != "heading"), None)
        if at is not None and words(blocks[at].text) == words(lead) and len(blocks) > at + 1:
            blocks = blocks[:at] + blocks[at + 1 :]
    text = words("\n".join(block.text for block in blocks))
    if lead and words(lead) not in text:
        meta["subtitle"] = lead.replace(space, " ")
    placed = place_figures(tree, blocks, space)
    if placed:
        meta["figures"] = placed  # read and put in by figures.with_figures, when asked
    notes = footnotes(tree, text)
    if notes:
        meta["notes"] = tuple(
            (marker, " ".join(note.replace(space, " ").split())) for marker, note, _ in notes
        )
    return meta, _linked_to_notes(blocks, [href for _, _, href in notes])


def _linked_to_notes(blocks: list[RawBlock], targets: list[str]) -> tuple[RawBlock, ...]:
    """The blocks with each note marker linked to the brief's note ("#note-2"
    for the second note kept), and markers of notes not kept unlinked."""
    from pipeline.brief import note_anchor
    from pipeline.read.runs import merge_runs

    number = {href: index for index, href in enumerate(targets, 1)}

    def relinked(run: Run) -> Run:
        if not run.href or not run.href.startswith("#"):
            return run
        at = number.get(run.href)
        return run.model_copy(update={"href": f"#{note_anchor(at)}" if at else None})

    return tuple(
        dataclasses.replace(block, runs=merge_runs([relinked(run) for run in block.runs]))
        if any(run.href and run.href.startswith("#") for run in block.runs)
        else block
        for block in blocks
    )
