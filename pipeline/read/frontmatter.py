"""Article text -> (front matter metadata, body text).

A Markdown article may open with a YAML block between `---` lines. Its
known keys (title, subtitle, author/authors, date, lang, tags,
organisation) override what the pipeline would infer; other keys are
ignored, since front matter is often shared with other tools (static-site
generators). Values are validated once, here, and errors name the line.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.config.yamlfile import load_yaml
from pipeline.errors import ConfigError, SourceError

_OPEN = re.compile(r"\A(?:\ufeff)?---[ \t]*\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


class FrontMatter(BaseModel):
    """The front matter keys the pipeline understands."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    title: str | None = Field(None, max_length=500)
    subtitle: str | None = Field(None, max_length=500)
    author: str | list[str] | None = None
    authors: list[str] | None = None
    date: dt.date | None = None
    lang: str | None = Field(None, pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")  # fr, pt-BR
    tags: list[str] | str | None = None
    organisation: str | None = Field(None, max_length=200)

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        # YAML gives a datetime for "2026-11-24 10:00"; the brief wants the day.
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip()[:10])
            except ValueError:
                raise ValueError("write the date as YYYY-MM-DD") from None
        return value

    def to_meta(self) -> dict[str, Any]:
        """The metadata dict `structure` reads (only keys that were given)."""
        authors: list[str] = []
        for value in (self.author, self.authors):
            if isinstance(value, str):
                authors.extend(part.strip() for part in value.split(",") if part.strip())
            elif value:
                authors.extend(str(part).strip() for part in value if str(part).strip())
        tags: list[str] = []
        if isinstance(self.tags, str):
            tags = [part.strip() for part in self.tags.split(",") if part.strip()]
        elif self.tags:
            tags = [str(tag).strip() for tag in self.tags if str(tag).strip()]
        meta: dict[str, Any] = {
            "title": self.title,
            "subtitle": self.subtitle,
            "date": self.date,
            "lang": self.lang,
            "organisation": self.organisation,
            "authors": tuple(dict.fromkeys(authors)),
            "tags": tuple(dict.fromkeys(tags)),
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
            f"front matter: {key}: {first['msg'].lower()}",
            file=path,
            line=line + 1 if line is not None else None,
            hint="see docs/inputs.md for the keys and their types",
        ) from None
    return front.to_meta(), body, offset
