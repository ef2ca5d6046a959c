"""Per-language data files -> typed `Language` objects.

Labels, heading rules, source-line rules and typography for each language
live in `pipeline/understand/languages/<code>.yaml`; nothing language-specific is coded.
Extra folders (given by the caller) may add or replace languages.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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
    quotes: tuple[str, str, str, str] = ("“", "”", "‘", "’")
    space_before: dict[str, str] = Field(default_factory=dict)


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


class Language(_Data):
    code: str = Field(pattern=r"^[a-z]{2}$")
    name: str
    labels: Labels
    months: tuple[str, ...] = Field(min_length=12, max_length=12)
    date_format: str = "{day} {month} {year}"
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

    def format_date(self, day: int, month: int, year: int) -> str:
        return self.date_format.format(day=day, month=self.months[month - 1], year=year)


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


# Languages langdetect also weighs besides ours, so that an article in one
# of them is reported as "not ours" (None) instead of being forced into the
# nearest language we have data for. Loading all 55 of langdetect's profiles
# costs ~0.4 s per process; these ~20 cost ~0.03 s (bench/PROFILE.md).
_REFERENCE_PROFILES = (
    "ar",
    "de",
    "el",
    "es",
    "fa",
    "hi",
    "it",
    "ja",
    "ko",
    "nl",
    "pl",
    "pt",
    "ro",
    "ru",
    "sv",
    "tr",
    "uk",
    "vi",
    "zh-cn",
)


@lru_cache(maxsize=4)
def _detector_factory(candidates: frozenset[str]) -> Any:
    """A langdetect factory holding only the profiles detection needs."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    folder = Path(PROFILES_DIRECTORY)
    codes = sorted(
        code for code in candidates | set(_REFERENCE_PROFILES) if (folder / code).is_file()
    )
    factory = DetectorFactory()
    factory.load_json_profile([(folder / code).read_text(encoding="utf-8") for code in codes])
    factory.set_seed(0)
    return factory


def detect(text: str, candidates: Iterable[str]) -> str | None:
    """The language of `text` among `candidates`, or None when unsure.

    langdetect is probabilistic; its seed is fixed so a text always gets
    the same answer.
    """
    from langdetect.lang_detect_exception import LangDetectException

    allowed = frozenset(candidates)
    try:
        detector = _detector_factory(allowed).create()
        detector.append(text[:20_000])
        guesses = detector.get_probabilities()
    except LangDetectException:
        return None
    for guess in guesses:
        if guess.lang in allowed and guess.prob >= 0.5:
            return str(guess.lang)
    return None
