"""Document + Brief -> the sentences of the article the Brief lost, repeated
or moved: the self-check every build runs.

Each sentence of every block the reader found must appear in the Brief's
text (subtitle, lede, intro, headings, section text, sources) once, in the
article's order; the article's headline heading is the Brief's title, shown
first wherever it stood. Key points are left aside: they repeat body
sentences on purpose. Words are compared, not characters (`\\w+` tokens,
case-folded), so typography (quotes, no-break spaces, ellipses) and the
Brief's own cuts (a long paragraph in pieces, two headings joined) are not
differences. Cheap: one pass over a token stream; no sentence model.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.brief import Brief
    from pipeline.read.model import Document

_TOKEN = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
MIN_REPEAT_TOKENS = 6  # shorter sentences ("Yes.", "Why?") may well recur
MAX_REPORTED = 5


def _tokens(text: str) -> str:
    return " ".join(_TOKEN.findall(text.casefold()))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 70 else text[:67] + "..."


def _brief_stream(brief: Brief) -> str:
    """The Brief's text after its title, as one token stream."""
    texts = brief.body_texts()[1:]  # the subtitle first
    texts.extend(source.name for source in brief.sources)
    return " " + " ".join(token for text in texts if (token := _tokens(text))) + " "


def unfaithful(document: Document, brief: Brief) -> list[str]:
    """What the Brief lost, repeated or moved of the article, as warnings."""
    blocks = [block for block in document.blocks if block.text.strip()]
    if brief.sources and blocks and blocks[-1].kind == "paragraph":
        blocks = blocks[:-1]  # the closing sources line, now `sources`
    # The headline heading is the title, shown first wherever it stood (and
    # once, however often the article repeats it); the rest keeps its order.
    # A headline "X : Y" may be cut into the title X and the subtitle Y.
    titles = {_tokens(brief.title), _tokens(f"{brief.title} {brief.subtitle or ''}")}
    blocks = [b for b in blocks if not (b.kind == "heading" and _tokens(b.text) in titles)]
    stream = _brief_stream(brief)
    whole = " " + " ".join(_tokens(b.text) for b in blocks) + " "
    problems: list[str] = []
    position = 0
    for block in blocks:
        for sentence in _SENTENCE_END.split(block.text):
            needle = _tokens(sentence)
            if not needle:
                continue
            needle = f" {needle} "
            found = stream.find(needle, position)
            if found < 0:
                anywhere = stream.find(needle)
                what = "out of order" if anywhere >= 0 else "missing"
                problems.append(f"the brief has {what} the article's text: {_short(sentence)}")
                continue
            position = found + len(needle) - 1
            if (
                needle.count(" ") > MIN_REPEAT_TOKENS
                and stream.find(needle, position) >= 0
                and whole.count(needle) == 1
            ):
                problems.append(f"the brief repeats the article's text: {_short(sentence)}")
    if len(problems) > MAX_REPORTED:
        extra = len(problems) - MAX_REPORTED
        problems = [*problems[:MAX_REPORTED], f"and {extra} more difference(s) from the article"]
    return problems
