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
    return list(_split(text, code))


# Key points and entities both split the same paragraphs; pysbd is most of
# the cost of either, so each paragraph is split once (per process).
@lru_cache(maxsize=512)
def _split(text: str, code: str) -> tuple[str, ...]:
    if not text.strip():
        return ()
    out = []
    for piece in _segmenter(code).segment(text):
        sentence = piece.strip()
        if sentence and sentence in text:
            out.append(sentence)
    return tuple(out) or (text.strip(),)
