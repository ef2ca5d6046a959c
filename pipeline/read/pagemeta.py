"""Raw saved page -> its metadata: title, authors, date, description, language.

Read from the page as saved, before it is sanitised (sanitising removes the
`<head>`, the `<meta>` tags and the JSON-LD scripts). Nothing is executed:
lxml parses the markup (no network, no entities) and JSON-LD is read with
`json.loads`. Sources, in order of trust:

- JSON-LD of the article (`NewsArticle`, `Article`, `BlogPosting`, ...):
  `headline`, `author`, `datePublished` (never `dateModified` when a
  publication date exists), `description`, `inLanguage`;
- `<meta>` tags: Open Graph (`og:title`, `og:description`, `og:locale`,
  `article:published_time`, `article:author` when it is a name), `author`,
  `description`, `dc.*`, `itemprop`;
- `<html lang>`;
- trafilatura's own metadata search, only for what is still missing.

Author names are cleaned of the words pages put around them ("By",
"Author", "Search", "Photo", ...); the language is a BCP-47 tag ("pt-BR").
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

_ARTICLE_TYPES = {
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "scholarlyarticle",
    "techarticle", "report", "liveblogposting", "socialmediaposting", "posting", "webpage",
}  # fmt: skip
# Words pages put before, after or instead of a name: labels, UI words, roles.
_NOT_NAME = re.compile(
    r"^(?:by|par|von|por|de|di|door|av|author|authors|auteur|autor|written by|posted by|"
    r"search|photo|photos|image|images|credit|credits|gallery|video|editor|reporter|"
    r"staff|correspondent|contributor|columnist|follow|email|twitter|more|and|et|und|y|e)$",
    re.IGNORECASE,
)
_NAME_SPLIT = re.compile(r"\s*(?:;|,|\band\b|\bet\b|\bund\b|&|\||/)\s*", re.IGNORECASE)
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


def _jsonld_nodes(tree: Any) -> Iterator[dict[str, Any]]:
    def walk(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            yield node
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    for script in tree.iter("script"):
        if "ld+json" not in str(script.get("type", "")).lower():
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        yield from walk(data)


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type", ())
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds}


def _names(value: Any) -> list[str]:
    """Author names from a JSON-LD `author` value (a string, a Person, a list)."""
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    if isinstance(value, dict):
        if "organization" in _types(value) and "person" not in _types(value):
            return []
        return _names(value.get("name"))
    if isinstance(value, str):
        return [value]
    return []


def clean_author(text: str) -> str | None:
    """One author name without the label or UI words glued to it, or None."""
    text = " ".join(text.split()).strip(" ,;:|-–—·")
    if not text or "://" in text or "@" in text or len(text) > 80:
        return None
    words = text.split()
    while words and (_NOT_NAME.match(words[0].strip(":")) or words[0] in ":|-–—"):
        words.pop(0)
    while words and (_NOT_NAME.match(words[-1].strip(":")) or words[-1] in ":|-–—"):
        words.pop()
    name = " ".join(words).strip(" ,;:|-–—·")
    if not name or not any(char.isalpha() for char in name):
        return None
    return name


def clean_authors(values: list[str]) -> tuple[str, ...]:
    names: list[str] = []
    for value in values:
        if "://" in value:
            continue  # a profile page's address, not a name
        for part in _NAME_SPLIT.split(value):
            name = clean_author(part)
            if name and name.lower() not in (n.lower() for n in names):
                names.append(name)
    return tuple(names)


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def language_tag(value: Any) -> str | None:
    """A BCP-47 tag ("pt-BR", "en") from `lang`, `og:locale` ("pt_BR") or `inLanguage`."""
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    text = str(value or "").strip()
    if not _LANGUAGE.match(text):
        return None
    head, *rest = re.split(r"[-_]", text)
    return "-".join([head.lower(), *(part.upper() if len(part) == 2 else part for part in rest)])


def _meta_tags(tree: Any) -> dict[str, str]:
    """The page's <meta> values by lower-cased name/property/itemprop (first wins)."""
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        content = str(meta.get("content") or "").strip()
        if not content:
            continue
        for attribute in ("property", "name", "itemprop"):
            key = str(meta.get(attribute) or "").strip().lower()
            if key:
                found.setdefault(key, content)
    return found


def page_metadata(html: str) -> dict[str, Any]:
    """The metadata the page declares about its article (only keys found)."""
    from lxml import etree
    from lxml.html import HTMLParser, document_fromstring

    parser = HTMLParser(no_network=True, remove_comments=True, huge_tree=False, encoding="utf-8")
    try:
        tree = document_fromstring(html.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError):
        return {}
    meta: dict[str, Any] = {}
    article = next(
        (node for node in _jsonld_nodes(tree) if _types(node) & _ARTICLE_TYPES - {"webpage"}),
        None,
    ) or next((node for node in _jsonld_nodes(tree) if "webpage" in _types(node)), None)
    tags = _meta_tags(tree)
    ld = article or {}

    title = ld.get("headline") or tags.get("og:title") or tags.get("twitter:title")
    if isinstance(title, str) and title.strip():
        meta["title"] = " ".join(title.split())

    authors = clean_authors(_names(ld.get("author")))
    if not authors:
        candidates = [tags.get(key, "") for key in ("author", "dc.creator", "article:author")]
        authors = clean_authors([c for c in candidates if c])
    if authors:
        meta["authors"] = authors

    date = (
        _date(ld.get("datePublished"))
        or _date(tags.get("article:published_time"))
        or _date(tags.get("datepublished"))
        or _date(tags.get("dc.date.issued"))
        or _date(tags.get("dc.date"))
        or _date(tags.get("date"))
        or _date(ld.get("dateCreated"))
        or _date(ld.get("dateModified"))
        or _date(tags.get("article:modified_time"))
    )
    if date:
        meta["date"] = date

    description = ld.get("description") or tags.get("og:description") or tags.get("description")
    if isinstance(description, str) and description.strip():
        meta["description"] = " ".join(description.split())

    root_lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    lang = (
        language_tag(ld.get("inLanguage"))
        or language_tag(root_lang)
        or language_tag(tags.get("og:locale"))
        or language_tag(tags.get("content-language"))
    )
    if lang:
        meta["lang"] = lang

    if "title" not in meta or "authors" not in meta:
        _fill_from_trafilatura(tree, meta)
    return meta


def _fill_from_trafilatura(tree: Any, meta: dict[str, Any]) -> None:
    """trafilatura's search (the <title>, bylines in the page) for what is missing."""
    from trafilatura.metadata import extract_metadata

    # A fixed latest date: the result must not depend on the day of the build.
    config = {"original_date": True, "extensive_search": False, "max_date": "2100-01-01"}
    try:
        found = extract_metadata(tree, date_config=config)
    except Exception:  # a metadata bug in the library must not fail the page
        return
    if "title" not in meta and found.title:
        meta["title"] = " ".join(str(found.title).split())
    if "authors" not in meta and found.author:
        authors = clean_authors(str(found.author).split(";"))
        if authors:
            meta["authors"] = authors
