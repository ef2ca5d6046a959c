"""Saved web page -> metadata and Markdown of the main article.

The page is sanitised with nh3 first (scripts, styles, event handlers and
unsafe URLs removed), so the extractor only ever sees inert markup. The
article is then extracted with trafilatura, which drops navigation,
cookie banners, asides and footers, and returned as Markdown for the
Markdown reader: one path from Markdown to blocks for both formats.

trafilatura is an optional extra (`pip install 'pipeline-briefs[html]'`);
`available()` says whether it is installed, and reading a page without it
is one clear error, not an ImportError.
"""

from __future__ import annotations

import datetime as dt
from importlib.util import find_spec
from typing import Any

from .errors import SourceError

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


def extract_article(html: str, path: str) -> tuple[dict[str, Any], str]:
    """(metadata, Markdown body) of the main article of a saved page."""
    if not available():
        raise SourceError("reading HTML needs trafilatura", file=path, hint=INSTALL_HINT)
    import trafilatura

    clean = sanitise(html)
    body = trafilatura.extract(
        clean,
        output_format="markdown",
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
    return meta, body
