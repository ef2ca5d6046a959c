"""Paragraph text -> sentences, through pysbd, for the language's rules.

Shared by key points and entities so both cut text the same way. Each
sentence is returned verbatim (a substring of its paragraph), stripped.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# pysbd knows these languages; others fall back to English rules.
_PYSBD_LANGUAGES = frozenset(
    ("am", "ar", "bg", "da", "de", "el", "en", "es", "fa", "fr", "hi", "hy", "it", "ja", "kk",
     "mr", "my", "nl", "pl", "ru", "sk", "ur", "zh")
)  # fmt: skip


@lru_cache(maxsize=8)
def _segmenter(code: str) -> Any:
    import pysbd

    return pysbd.Segmenter(language=code if code in _PYSBD_LANGUAGES else "en", clean=False)


def split_sentences(text: str, code: str) -> list[str]:
    """The sentences of one paragraph, each a verbatim substring of it."""
    if not text.strip():
        return []
    out = []
    for piece in _segmenter(code).segment(text):
        sentence = piece.strip()
        if sentence and sentence in text:
            out.append(sentence)
    return out or [text.strip()]
