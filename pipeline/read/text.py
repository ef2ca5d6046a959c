"""Plain text -> raw blocks: one block per non-empty line.

A line is a heading when it has the shape of one (short, no final sentence
punctuation, or ending with "?"), a list item when it starts with a bullet
or a number, a paragraph otherwise; a form feed on a line of its own (see
`ingest.clean_text`) is a page break.
"""

from __future__ import annotations

import re

from pipeline.brief import Run
from pipeline.read.model import RawBlock

_BULLET = re.compile(r"^\s*(?:[-*•–]\s+|(\d{1,3})[.)]\s+)")
_SENTENCE_END = tuple('.!…;:,»"”)]')
MAX_HEADING_CHARS = 140
MAX_HEADING_WORDS = 20


def looks_like_heading(line: str) -> bool:
    stripped = line.strip()
    if not stripped or len(stripped) > MAX_HEADING_CHARS:
        return False
    if len(stripped.split()) > MAX_HEADING_WORDS:
        return False
    if stripped.endswith("?"):
        return True
    return not stripped.endswith(_SENTENCE_END)


def parse_text(text: str) -> tuple[RawBlock, ...]:
    blocks: list[RawBlock] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line == "\x0c":
            if blocks and blocks[-1].kind != "page_break":
                blocks.append(RawBlock("page_break", (), number))
            continue
        stripped = " ".join(line.split())
        if not stripped:
            continue
        bullet = _BULLET.match(line)
        if bullet:
            item = stripped[len(bullet.group(0).strip()) :].strip() or stripped
            blocks.append(
                RawBlock("list_item", (Run(text=item),), number, ordered=bool(bullet.group(1)))
            )
        elif looks_like_heading(stripped):
            blocks.append(RawBlock("heading", (Run(text=stripped),), number))
        else:
            blocks.append(RawBlock("paragraph", (Run(text=stripped),), number))
    return tuple(blocks)
