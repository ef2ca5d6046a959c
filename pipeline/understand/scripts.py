"""Text -> the writing systems (scripts) it uses.

One table says, for each script the pipeline tells apart: its ISO 15924
code, the characters that belong to it, the languages langdetect can tell
apart within it, and the Noto family and Debian package that draw it. Language
detection narrows its candidates by script (detect.py); the font check names
the package to install for a script that no font covers (render/fonts.py).
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Script:
    code: str  # ISO 15924
    name: str
    ranges: tuple[tuple[int, int], ...]
    languages: tuple[str, ...]  # langdetect codes written in it
    font: str  # the Noto family that draws it
    package: str  # the Debian package that ships that family


_NOTO_CORE = "fonts-noto-core"
_CJK = "fonts-noto-cjk"

SCRIPTS: tuple[Script, ...] = (
    Script(
        "Latn",
        "Latin",
        ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x1E00, 0x1EFF)),
        (
            "af",
            "ca",
            "cs",
            "cy",
            "da",
            "de",
            "en",
            "es",
            "et",
            "fi",
            "fr",
            "hr",
            "hu",
            "id",
            "it",
            "lt",
            "lv",
            "nl",
            "no",
            "pl",
            "pt",
            "ro",
            "sk",
            "sl",
            "so",
            "sq",
            "sv",
            "sw",
            "tl",
            "tr",
            "vi",
        ),  # fmt: skip
        "Noto Sans",
        _NOTO_CORE,
    ),
    Script(
        "Cyrl", "Cyrillic", ((0x400, 0x52F),), ("bg", "mk", "ru", "uk"), "Noto Sans", _NOTO_CORE
    ),
    Script("Grek", "Greek", ((0x370, 0x3FF), (0x1F00, 0x1FFF)), ("el",), "Noto Sans", _NOTO_CORE),
    Script(
        "Arab",
        "Arabic",
        ((0x600, 0x6FF), (0x750, 0x77F), (0x8A0, 0x8FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
        ("ar", "fa", "ur"),
        "Noto Naskh Arabic",
        _NOTO_CORE,
    ),
    Script("Hebr", "Hebrew", ((0x590, 0x5FF),), ("he",), "Noto Sans Hebrew", _NOTO_CORE),
    Script(
        "Deva",
        "Devanagari",
        ((0x900, 0x97F),),
        ("hi", "mr", "ne"),
        "Noto Sans Devanagari",
        _NOTO_CORE,
    ),  # fmt: skip
    Script("Beng", "Bengali", ((0x980, 0x9FF),), ("bn",), "Noto Sans Bengali", _NOTO_CORE),
    Script("Guru", "Gurmukhi", ((0xA00, 0xA7F),), ("pa",), "Noto Sans Gurmukhi", _NOTO_CORE),
    Script("Gujr", "Gujarati", ((0xA80, 0xAFF),), ("gu",), "Noto Sans Gujarati", _NOTO_CORE),
    Script("Taml", "Tamil", ((0xB80, 0xBFF),), ("ta",), "Noto Sans Tamil", _NOTO_CORE),
    Script("Telu", "Telugu", ((0xC00, 0xC7F),), ("te",), "Noto Sans Telugu", _NOTO_CORE),
    Script("Knda", "Kannada", ((0xC80, 0xCFF),), ("kn",), "Noto Sans Kannada", _NOTO_CORE),
    Script("Mlym", "Malayalam", ((0xD00, 0xD7F),), ("ml",), "Noto Sans Malayalam", _NOTO_CORE),
    Script("Thai", "Thai", ((0xE00, 0xE7F),), ("th",), "Noto Sans Thai", _NOTO_CORE),
    Script(
        "Hang",
        "Hangul",
        ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF)),
        ("ko",),
        "Noto Sans CJK KR",
        _CJK,
    ),  # fmt: skip
    Script("Kana", "Japanese kana", ((0x3040, 0x30FF),), ("ja",), "Noto Sans CJK JP", _CJK),
    Script(
        "Hani",
        "Han (CJK)",
        ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)),
        ("zh-cn", "zh-tw"),
        "Noto Sans CJK SC",
        _CJK,
    ),  # fmt: skip
    Script(
        "Zsye",
        "Emoji",
        ((0x1F300, 0x1FAFF), (0x2600, 0x27BF)),
        (),
        "Noto Color Emoji",
        "fonts-noto-color-emoji",
    ),  # fmt: skip
)

BY_CODE = {script.code: script for script in SCRIPTS}
# Word's "complex scripts" (the DOCX's w:cs font, w:bidi language).
COMPLEX = frozenset(
    ("Arab", "Hebr", "Deva", "Beng", "Guru", "Gujr", "Taml", "Telu", "Knda", "Mlym", "Thai")
)


def language_script(code: str) -> str | None:
    """The script a language is written in, among those the table knows ("ja" -> "Kana")."""
    for script in SCRIPTS:
        if any(known.split("-")[0] == code for known in script.languages):
            return script.code
    return None


# The text scripts a language's CLDR script (Babel's likely subtags) may show.
WRITTEN_WITH = {
    "Jpan": {"Kana", "Hani"},
    "Kore": {"Hang", "Hani"},
    "Hans": {"Hani"},
    "Hant": {"Hani"},
}

_STARTS: list[int] = []
_ENDS: list[tuple[int, str]] = []
for _script in SCRIPTS:
    for _low, _high in _script.ranges:
        _STARTS.append(_low)
        _ENDS.append((_high, _script.code))
_ORDER = sorted(range(len(_STARTS)), key=_STARTS.__getitem__)
_STARTS = [_STARTS[i] for i in _ORDER]
_ENDS = [_ENDS[i] for i in _ORDER]


def script_of(char: str) -> str | None:
    """The ISO 15924 code of one character's script, or None (digits, punctuation...)."""
    point = ord(char)
    index = bisect.bisect_right(_STARTS, point) - 1
    if index < 0:
        return None
    high, code = _ENDS[index]
    return code if point <= high else None


def script_counts(text: str, limit: int = 5_000) -> Counter[str]:
    """How many letters of each script the first `limit` characters hold."""
    counts: Counter[str] = Counter()
    for char in text[:limit]:
        if char.isascii():
            if char.isalpha():
                counts["Latn"] += 1
            continue
        code = script_of(char)
        if code is not None:
            counts[code] += 1
    return counts


def main_script(counts: Counter[str]) -> str | None:
    """The script most of the letters are written in; Japanese text mixes kana
    and Han, so a text with a tenth as much kana as Han is Japanese."""
    letters = Counter({code: n for code, n in counts.items() if code != "Zsye"})
    if not letters:
        return None
    if letters["Kana"] and letters["Kana"] * 10 >= letters["Hani"]:
        letters["Kana"] += letters.pop("Hani", 0)
    if letters["Hang"] and letters["Hang"] * 2 >= letters["Hani"]:
        letters["Hang"] += letters.pop("Hani", 0)
    return letters.most_common(1)[0][0]
