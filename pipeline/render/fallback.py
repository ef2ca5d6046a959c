"""A Brief's scripts + this machine's fonts -> the fallback fonts both formats use.

The theme's fonts (DejaVu by default) draw Latin, Greek and Cyrillic; a brief
in Japanese, Arabic, Hindi or with emoji needs more. For each script the
brief's text uses beyond Latin, fontconfig (`fc-list`) says whether the
theme's fonts draw it; when they do not, the script's Noto family (or else
another installed family that draws it) becomes a fallback: the PDF appends
it to every `font-family`, the DOCX names it in the East Asian or complex
script font slot, so both formats draw the same faces. A script that no
installed font draws is a warning naming the script and the Debian package
that provides it (`--strict` then fails the build).

Latin-only briefs never run fontconfig: the check costs nothing where the
theme's fonts suffice (the configured families themselves are checked by
the font-not-installed warning).
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipeline.brief import Brief
from pipeline.config.model import Fonts
from pipeline.understand.scripts import BY_CODE, script_of

# Scripts Word draws with the East Asian font slot; the others (not Latin)
# use the complex-script slot.
EAST_ASIAN = frozenset(("Hang", "Kana", "Hani"))
_LATIN = "Latn"
_SAMPLE = 6  # characters of a script checked against a font (its most frequent)


@dataclass(frozen=True)
class Fallback:
    families: tuple[str, ...] = ()  # appended to every font-family of the PDF, in order
    east_asian: str | None = None  # the DOCX's w:eastAsia font
    complex_script: str | None = None  # the DOCX's w:cs font
    warnings: tuple[str, ...] = ()


NONE = Fallback()


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def script_samples(brief: Brief) -> dict[str, tuple[str, ...]]:
    """Script -> its most frequent characters in the brief, for every script but Latin."""
    counts: dict[str, Counter[str]] = {}
    for text in _strings(brief.model_dump(mode="json")):
        for char in text:
            if char.isascii():
                continue
            code = script_of(char)
            if code is not None and code != _LATIN:
                counts.setdefault(code, Counter())[char] += 1
    return {
        code: tuple(char for char, _ in found.most_common(_SAMPLE))
        for code, found in sorted(counts.items())
    }


@lru_cache(maxsize=64)
def _families_drawing(chars: tuple[str, ...], family: str = "") -> tuple[str, ...]:
    """Installed families that draw every one of `chars` (among `family` when given)."""
    charset = " ".join(f"{ord(char):x}" for char in chars)
    pattern = (f"{family}" if family else "") + f":charset={charset}"
    try:
        done = subprocess.run(
            ["fc-list", pattern, "family"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ()
    names = {line.split(",")[0].strip() for line in done.stdout.splitlines() if line.strip()}
    return tuple(sorted(names))


def _choose(script: str, found: tuple[str, ...]) -> str:
    preferred = BY_CODE[script].font
    if preferred in found:
        return preferred
    noto = [name for name in found if name.startswith("Noto")]
    return (noto or list(found))[0]


def fallback_for(brief: Brief, fonts: Fonts) -> Fallback:
    """The fallback fonts for `brief` set in the layout's text fonts."""
    samples = script_samples(brief)
    if not samples or shutil.which("fc-list") is None:
        return NONE
    families = (fonts.body.family, fonts.heading.family, fonts.title.family)
    return _fallback(tuple(samples.items()), tuple(dict.fromkeys(families)))


@lru_cache(maxsize=32)
def _fallback(
    samples: tuple[tuple[str, tuple[str, ...]], ...], families: tuple[str, ...]
) -> Fallback:
    chosen: list[str] = []
    east_asian = complex_script = None
    warnings: list[str] = []
    for script, chars in samples:
        if all(_families_drawing(chars, family) for family in families):
            continue  # the theme's own fonts draw it
        found = _families_drawing(chars)
        info = BY_CODE[script]
        if not found:
            warnings.append(
                f"no installed font draws {info.name} text ({''.join(chars[:3])}...): it shows "
                f"as empty boxes; install the Debian package {info.package} (apt-get install "
                f"{info.package}) or set a font that has it in layout.fonts"
            )
            continue
        family = _choose(script, found)
        if family not in chosen:
            chosen.append(family)
        if script in EAST_ASIAN:
            east_asian = east_asian or family
        elif script != "Zsye":
            complex_script = complex_script or family
    return Fallback(tuple(chosen), east_asian, complex_script, tuple(warnings))
