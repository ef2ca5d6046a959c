"""Per-language data files and a language tag -> typed `Language` objects.

Labels, heading rules, source-line rules and typography for each language
live in `pipeline/understand/languages/<code>.yaml`; nothing language-specific is coded.
Extra folders (given by the caller) may add or replace languages. What CLDR
holds comes from Babel instead: dates, the writing direction, language names.
A language without a data file gets English labels and rules but keeps its
own tag (so its hyphenation and `lang` attributes), dates and direction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pipeline.brief import Labels
from pipeline.config.yamlfile import load_yaml
from pipeline.errors import ConfigError

BUILTIN_DIR = Path(__file__).parent / "languages"


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HeadingRules(_Data):
    conclusion: tuple[str, ...] = ()
    pros_cons: tuple[str, ...] = ()


class ProsConsRules(_Data):
    cons_markers: tuple[str, ...] = ()


class SourceRules(_Data):
    lead_in: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()
    separators: tuple[str, ...] = (", ",)


class Typography(_Data):
    # Opening and closing double, then single quotes; None leaves straight quotes.
    quotes: tuple[str, str, str, str] | None = ("“", "”", "‘", "’")
    space_before: dict[str, str] = Field(default_factory=dict)
    # Apostrophes that open a word ('s, 't in Dutch), written as the text has them.
    elisions: tuple[str, ...] = ()


class KeyPointRules(_Data):
    """What keeps a sentence out of the key points (see `keypoints`)."""

    # Openings that make a sentence lean on the one before ("Second, ...").
    dependent_openers: tuple[str, ...] = ()


class EntityRules(_Data):
    """Cues for the light, built-in entity finder (see `entities`)."""

    person_cues: tuple[str, ...] = ()
    place_cues: tuple[str, ...] = ()
    organisation_words: tuple[str, ...] = ()
    connectors: tuple[str, ...] = ()


Direction = Literal["ltr", "rtl"]


class Language(_Data):
    code: str = Field(pattern=r"^[a-z]{2,3}$")
    name: str
    labels: Labels
    # CLDR's "short", "medium", "long" or "full" date, or a CLDR pattern such as
    # "d MMMM y"; a format with {day} {month} {year} uses `months` instead.
    date_format: str = "long"
    months: tuple[str, ...] | None = Field(None, min_length=12, max_length=12)
    headings: HeadingRules = HeadingRules()
    pros_cons: ProsConsRules = ProsConsRules()
    sources: SourceRules = SourceRules()
    key_points: KeyPointRules = KeyPointRules()
    typography: Typography = Typography()
    sentences: str = Field("en", description="pysbd language code for sentence boundaries")
    stopwords: frozenset[str] = frozenset()

    @field_validator("stopwords", mode="before")
    @classmethod
    def _words(cls, value: object) -> object:
        # Written as one space-separated string in the data file.
        return frozenset(value.lower().split()) if isinstance(value, str) else value

    entities: EntityRules = EntityRules()
    ner_model: str | None = Field(None, description="spaCy model for entities.method: spacy")

    # Set when the language is chosen, not in the data file:
    tag: str = Field("", exclude=True)  # the BCP 47 tag of the brief ("pt-BR"); "" = code
    direction: Direction = Field("ltr", exclude=True)  # from CLDR
    has_data: bool = Field(True, exclude=True)  # False: English labels stand in

    @model_validator(mode="after")
    def _old_dates(self) -> Language:
        if "{" in self.date_format and self.months is None:
            raise ValueError("a date_format with {month} needs the 12 months")
        return self

    @property
    def bcp47(self) -> str:
        return self.tag or self.code

    def format_date(self, date: dt.date) -> str:
        """The date as the language writes it (CLDR through Babel)."""
        if self.months is not None and "{" in self.date_format:
            month = self.months[date.month - 1]
            return self.date_format.format(day=date.day, month=month, year=date.year)
        from babel.dates import format_date

        return str(format_date(date, self.date_format, locale=_locale(self.bcp47)))


def _load(path: Path) -> Language:
    doc = load_yaml(path.read_text(encoding="utf-8"), str(path))
    try:
        return Language.model_validate(doc.data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        raise ConfigError(
            f"{'.'.join(map(str, loc))}: {first['msg'].lower()}",
            file=str(path),
            line=doc.line_of(loc),
        ) from None


@lru_cache(maxsize=8)
def _catalogue(extra_dirs: tuple[Path, ...]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in (BUILTIN_DIR, *extra_dirs):
        for path in sorted(folder.glob("*.yaml")):
            found[path.stem] = path
    return found


def available(extra_dirs: Iterable[Path] = ()) -> list[str]:
    return sorted(_catalogue(tuple(extra_dirs)))


@lru_cache(maxsize=16)
def _cached(path: Path) -> Language:
    return _load(path)


def get_language(code: str, extra_dirs: Iterable[Path] = ()) -> Language:
    """The language of a data file; a ConfigError names the files there are."""
    catalogue = _catalogue(tuple(extra_dirs))
    path = catalogue.get(code)
    if path is None:
        raise ConfigError(
            f"no language data for '{code}'",
            hint="available: "
            + ", ".join(sorted(catalogue))
            + "; add a file to pipeline/understand/languages",
        )
    return _cached(path)


_TAG = re.compile(r"([a-z]{2,3})(?:[-_]([a-z]{4}))?(?:[-_]([a-z]{2}|\d{3}))?(?=$|[-_])", re.I)


def normalise_tag(value: str) -> str | None:
    """A BCP 47 tag written the canonical way ("pt_br" -> "pt-BR"), or None
    when `value` does not start like one. Variants and extensions are dropped."""
    match = _TAG.match(value.strip())
    if match is None:
        return None
    language, script, region = match.groups()
    parts = [language.lower()]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region.upper())
    return "-".join(parts)


def primary(tag: str) -> str:
    """The language subtag of a tag: "pt-BR" -> "pt"."""
    return tag.split("-", 1)[0]


def _locale(tag: str) -> Any:
    """Babel's locale for a tag, or its language's, or English's."""
    from babel import Locale, UnknownLocaleError

    for candidate in (tag, primary(tag), "en"):
        try:
            return Locale.parse(candidate, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    raise AssertionError("Babel knows English")  # pragma: no cover


def language_for(tag: str, extra_dirs: Iterable[Path] = ()) -> Language:
    """The Language of a BCP 47 tag: its data file (the tag's own, else its
    language's), or English labels and rules under the tag (`has_data` False).
    Either way the tag, dates and direction are the tag's own."""
    catalogue = _catalogue(tuple(extra_dirs))
    code = primary(tag)
    path = catalogue.get(tag) or catalogue.get(code)
    locale = _locale(tag)
    direction: Direction = "rtl" if locale.character_order == "right-to-left" else "ltr"
    if path is not None:
        return _cached(path).model_copy(update={"tag": tag, "direction": direction})
    english = _cached(catalogue["en"])
    name = locale.get_display_name(locale) if locale.language == code else None
    return english.model_copy(
        update={
            "code": code,
            "name": str(name or tag),
            "date_format": "long",
            "months": None,
            # Straight quotes stay: English curly quotes would be wrong for most.
            "typography": Typography(quotes=None),
            "sentences": code,
            "stopwords": frozenset(),
            "entities": EntityRules(),
            "ner_model": None,
            "tag": tag,
            "direction": direction,
            "has_data": False,
        }
    )
