"""Article text -> the language it is written in (a BCP 47 tag), or None.

Every language langdetect knows (55) can come out. The text's script narrows
the candidates first (scripts.py): Korean, Japanese, Greek, Hebrew, Thai and
the Indic scripts each have one language, so no model runs; otherwise
langdetect weighs only the languages of that script (31 for Latin, 4 for
Cyrillic). Its profiles are read, but the detector's table is filled only
with the n-grams the texts contain, as it asks for them: detection costs a
JSON parse of those profiles, not a full load (docs/inputs.md gives accuracy
and cost; bench/detectors.py measures them).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.understand.scripts import BY_CODE, WRITTEN_WITH, main_script, script_counts

# langdetect's two Chinese profiles, as tags.
_TAGS = {"zh-cn": "zh-Hans", "zh-tw": "zh-Hant"}
_SAMPLE = 4_000  # characters weighed, from the start of the text (~600 words)
_SURE = 0.5  # the least probability taken as an answer
_SENTENCE_END = tuple('.!?:"»“”')


@lru_cache(maxsize=64)
def _profile(code: str) -> tuple[dict[str, int], list[int]]:
    from langdetect.detector_factory import PROFILES_DIRECTORY

    data = json.loads((Path(PROFILES_DIRECTORY) / code).read_bytes())
    return data["freq"], data["n_words"]


class _Profiles(dict[str, list[float]]):
    """langdetect's n-gram table for some languages, filled as the detector
    asks: each n-gram's row is read from the profiles the first time it is
    looked up, so a text costs the n-grams it contains, not a full load, and
    the answer is the one a full load gives (the detector asks for nothing else)."""

    def __init__(self, codes: tuple[str, ...]) -> None:
        super().__init__()
        self.codes = codes
        self.absent: set[str] = set()
        self.profiles: list[tuple[dict[str, int], list[int]]] = []

    def __contains__(self, gram: object) -> bool:
        if dict.__contains__(self, gram):
            return True
        if not isinstance(gram, str) or gram in self.absent or not 1 <= len(gram) <= 3:
            return False
        if not self.profiles:
            self.profiles = [_profile(code) for code in self.codes]
        row = [0.0] * len(self.codes)
        found = False
        for index, (freq, n_words) in enumerate(self.profiles):
            count = freq.get(gram)
            if count is not None:
                row[index] = count / n_words[len(gram) - 1]
                found = True
        if found:
            self[gram] = row
        else:
            self.absent.add(gram)
        return found


@lru_cache(maxsize=16)
def _factory(codes: tuple[str, ...]) -> Any:
    from langdetect.detector_factory import DetectorFactory

    factory = DetectorFactory()
    factory.langlist = list(codes)
    factory.word_lang_prob_map = _Profiles(codes)
    factory.set_seed(0)
    return factory


def _weigh(text: str, codes: tuple[str, ...]) -> str | None:
    """langdetect's answer among `codes`, or None when unsure."""
    from langdetect.lang_detect_exception import LangDetectException

    detector = _factory(codes).create()
    detector.append(text)
    try:
        guesses = detector.get_probabilities()
    except LangDetectException:
        return None
    best = guesses[0] if guesses else None
    if best is None or best.prob < _SURE:
        return None
    code = str(best.lang)
    return _TAGS.get(code, code)


def detect_language(text: str) -> str | None:
    """The language of `text` (a BCP 47 tag such as 'de' or 'zh-Hant'), or
    None when unsure. langdetect is probabilistic; its seed is fixed, so a text
    always gets the same answer."""
    sample = text[:_SAMPLE]
    script = main_script(script_counts(sample))
    if script is None:
        return None
    codes = BY_CODE[script].languages
    if len(codes) == 1:
        return _TAGS.get(codes[0], codes[0])
    return _weigh(_without_names(sample), codes) if codes else None


def _without_names(text: str) -> str:
    """`text` without the capitalised words inside sentences (names, mostly),
    when enough words remain: a Portuguese table of English drivers' names is
    Portuguese. German nouns go too; the words between them still tell."""
    words = text.split()
    kept = [
        word
        for index, word in enumerate(words)
        if not (word[:1].isupper() and index and not words[index - 1].endswith(_SENTENCE_END))
    ]
    return " ".join(kept) if len(kept) * 2 >= len(words) or len(kept) >= 30 else text


def text_script(text: str) -> str | None:
    """The main script of `text` (ISO 15924), or None when it has no letters."""
    return main_script(script_counts(text[:_SAMPLE]))


def agrees_with_text(tag: str, text: str) -> bool:
    """Whether a declared language is written in the text's main script (the
    script CLDR gives the language, or the tag's own: "zh-Hant"). A text without
    letters, or a language CLDR does not know, agrees."""
    from babel.core import get_global

    found = text_script(text)
    if found is None:
        return True
    parts = tag.split("-")
    script = next((part for part in parts[1:] if len(part) == 4), None)
    if script is None:
        likely = str(get_global("likely_subtags").get(parts[0], ""))
        script = next((part for part in likely.split("_")[1:] if len(part) == 4), None)
    if script is None:
        return True
    return found in WRITTEN_WITH.get(script, {script})
