"""Article text -> (front matter metadata, body text).

A Markdown article may open with a YAML block between `---` lines, written
as Pandoc, Quarto or a static-site generator writes it. Its known keys
(title, subtitle, author/authors, date, lang, tags, keywords, abstract,
description, organisation) override what the pipeline would infer; every
other key belongs to another tool and is ignored. Known keys are read the
way those tools define them (a string `author` is one person; `lang: fr-FR`
is French; `date: today`), and a value we cannot read is an error naming its
line, never a guess. Values are validated once, here.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.config.model import describe_error
from pipeline.config.yamlfile import load_yaml
from pipeline.errors import ConfigError, SourceError

_OPEN = re.compile(r"\A(?:\ufeff)?---[ \t]*\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
# BCP 47 as Pandoc and Quarto take it (fr, fr-FR, pt-BR, zh-Hant-TW; en_US too).
_LANG = r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$"
# Dates that are rules, not days (Quarto): resolved at build time.
DATE_RULES = {"today": "today", "now": "today", "last-modified": "last-modified"}


def _person(value: Any) -> str:
    """A name from Pandoc's / Quarto's author forms: "Jane Doe", {name: Jane Doe},
    {name: {given: Jane, family: Doe}}, {name: {literal: Jane Doe}}."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        name = value.get("name", value)
        if isinstance(name, str):
            return name.strip()
        if isinstance(name, dict):
            if isinstance(name.get("literal"), str):
                return str(name["literal"]).strip()
            parts = [
                name.get(key)
                for key in ("given", "dropping-particle", "non-dropping-particle", "family")
            ]
            words = [
                str(part).strip()
                for part in parts
                if isinstance(part, str | int) and str(part).strip()
            ]
            if words:
                return " ".join(words)
    raise ValueError("an author is a name, or a mapping with name: (and affiliation:, email:)")


def _words(value: Any) -> list[str]:
    """A list of short texts, or one comma-separated text."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(item).strip() for item in value if str(item).strip()]


class FrontMatter(BaseModel):
    """The front matter keys the pipeline understands."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    title: str | None = Field(None, max_length=500)
    subtitle: str | None = Field(None, max_length=500)
    author: list[str] | None = None
    authors: list[str] | None = None
    date: dt.date | str | None = None
    lang: str | None = Field(None, pattern=_LANG)
    tags: list[str] | None = None
    keywords: list[str] | None = None
    abstract: str | None = Field(None, max_length=20_000)
    description: str | None = Field(None, max_length=2_000)
    organisation: str | None = Field(None, max_length=200)

    @field_validator("author", mode="before")
    @classmethod
    def _author(cls, value: Any) -> Any:
        # Pandoc and Quarto: a string is one author ("Doe, Jane" included), a
        # mapping is one author, a list holds either.
        if value is None:
            return None
        items = value if isinstance(value, list) else [value]
        return [name for name in map(_person, items) if name]

    @field_validator("authors", mode="before")
    @classmethod
    def _authors(cls, value: Any) -> Any:
        # Ours and Hugo's: a list, or "Jane Doe, Sam Patel".
        if value is None:
            return None
        if isinstance(value, str):
            return _words(value)
        items = value if isinstance(value, list) else [value]
        return [name for name in map(_person, items) if name]

    @field_validator("tags", "keywords", mode="before")
    @classmethod
    def _list_of_words(cls, value: Any) -> Any:
        if value is None or isinstance(value, str | list):
            return None if value is None else _words(value)
        raise ValueError("expected a list such as [work, productivity]")

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        # YAML gives a datetime for "2026-11-24 10:00"; the brief wants the day.
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str):
            text = value.strip()
            if text.lower() in DATE_RULES:
                return DATE_RULES[text.lower()]
            try:
                return dt.date.fromisoformat(text[:10])
            except ValueError:
                raise ValueError("write the date as YYYY-MM-DD (or today, last-modified)") from None
        return value

    @field_validator("abstract", "description", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if isinstance(value, list):  # Pandoc allows a list of paragraphs
            return "\n\n".join(str(item) for item in value)
        return value

    def to_meta(self) -> dict[str, Any]:
        """The metadata dict `structure` reads (only keys that were given)."""
        authors = [*(self.author or ()), *(self.authors or ())]
        date = self.date if isinstance(self.date, dt.date) else None
        abstract = tuple(
            " ".join(part.split())
            for part in re.split(r"\n\s*\n", self.abstract or "")
            if part.strip()
        )
        meta: dict[str, Any] = {
            "title": self.title,
            "subtitle": self.subtitle,
            "date": date,
            "date_rule": self.date if isinstance(self.date, str) else None,
            "lang": self.lang,  # the tag as written (pt-BR); build/source.py normalises it
            "organisation": self.organisation,
            "authors": tuple(dict.fromkeys(authors)),
            "tags": tuple(dict.fromkeys(self.tags or ())),
            "keywords": tuple(dict.fromkeys(self.keywords or ())),
            "abstract": abstract,
            "description": " ".join((self.description or "").split()),
        }
        return {key: value for key, value in meta.items() if value}


def split_front_matter(text: str, path: str) -> tuple[dict[str, Any], str, int]:
    """(metadata, body, number of lines taken by the front matter)."""
    opening = _OPEN.match(text)
    if opening is None:
        return {}, text, 0
    closing = _CLOSE.search(text, opening.end())
    if closing is None:
        return {}, text, 0  # a lone "---" is a thematic break, not front matter
    yaml_text = text[opening.end() : closing.start()]
    body = text[closing.end() :].removeprefix("\n")
    offset = text[: closing.end()].count("\n") + 1
    try:
        document = load_yaml(yaml_text, path)
    except ConfigError as error:
        # Lines in the YAML block count from the file's second line.
        line = error.line + 1 if error.line is not None else None
        raise SourceError(
            f"front matter: {error.message}", file=path, line=line, hint=error.hint
        ) from None
    if not isinstance(document.data, dict):
        raise SourceError(
            "front matter must be a mapping of keys (title: ..., date: ...)", file=path, line=2
        )
    try:
        front = FrontMatter.model_validate(document.data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        line = document.line_of(loc)
        key = ".".join(map(str, loc))
        raise SourceError(
            f"front matter: {key}: {describe_error(first)}",
            file=path,
            line=line + 1 if line is not None else None,
            hint="see docs/inputs.md for the keys and their types",
        ) from None
    return front.to_meta(), body, offset
