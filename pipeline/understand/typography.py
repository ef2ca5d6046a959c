"""Language typography applied to plain strings, once, in the model.

Idempotent (applying it twice changes nothing) and never touches URLs,
e-mail addresses or times such as 10:30 (code runs are never passed in).
The rules' data (quote marks, spaces before punctuation, elisions such as
Dutch 's) come from the language file; a language without quote marks keeps
straight quotes.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.understand.languages import Typography

# Linear in the text's length: an address may only start where a run of
# address characters starts (the lookbehind), and possessive quantifiers
# never give back what they took, so a 50,000-character word is scanned once
# instead of once per position.
_PROTECTED = re.compile(
    r"(?:https?|ftp)://\S++|www\.\S++"
    r"|(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)++"
    r"|\b\d{1,2}:\d{2}(?::\d{2})?\b"
)
_SPACES = "[ \u00a0\u202f]"
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_ELLIPSIS = re.compile(r"\.\.\.(?!\.)")
_OPENS_AFTER = " \u00a0\u202f\n([{\u2014\u2013¿¡"


def _quotes(text: str, opening: str, closing: str) -> str:
    """Straight double quotes -> opening or closing marks, by what precedes them."""
    out: list[str] = []
    previous = ""
    for char in text:
        if char == '"':
            out.append(opening if previous == "" or previous in _OPENS_AFTER else closing)
        else:
            out.append(char)
        previous = char
    return "".join(out)


@lru_cache(maxsize=16)
def _elisions(words: tuple[str, ...]) -> re.Pattern[str]:
    """Each elision ('s) as a whole word, with a straight or curly apostrophe."""
    alternatives = "|".join(re.escape(word).replace("'", "['’]") for word in words)
    return re.compile(rf"(?<![\w'’])(?:{alternatives})(?!\w)", re.IGNORECASE)


def _apply_plain(text: str, rules: Typography) -> str:
    text = _ELLIPSIS.sub("…", text)
    if rules.elisions and "'" in text:
        text = _elisions(rules.elisions).sub(lambda m: m.group(0).replace("'", "’"), text)
    text = _APOSTROPHE.sub("’", text)
    if rules.quotes is not None and '"' in text:
        text = _quotes(text, rules.quotes[0], rules.quotes[1])
    for mark, space in rules.space_before.items():
        # A space (or none) between a word and the mark becomes the language's
        # space; the lookahead keeps "?!" and ratios such as 2:1 intact.
        pattern = re.compile(rf"(?<=[\w»”)\]…]){_SPACES}?{re.escape(mark)}(?=\s|$|[»”)\]\"!?.,])")
        text = pattern.sub(space + mark, text)
    if rules.quotes is None:
        return text
    open_double, close_double = rules.quotes[0], rules.quotes[1]
    inner_open = open_double.strip()
    inner_close = close_double.strip()
    if open_double != inner_open:  # French-style quotes carry inner spaces
        text = re.sub(rf"{re.escape(inner_open)}{_SPACES}*", open_double, text)
        text = re.sub(rf"{_SPACES}*{re.escape(inner_close)}", close_double, text)
    return text


def apply(text: str, rules: Typography) -> str:
    """Typeset one string for a language; protected tokens are left as they are."""
    pieces: list[str] = []
    position = 0
    for match in _PROTECTED.finditer(text):
        pieces.append(_apply_plain(text[position : match.start()], rules))
        pieces.append(match.group(0))
        position = match.end()
    pieces.append(_apply_plain(text[position:], rules))
    return "".join(pieces)
