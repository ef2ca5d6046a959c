"""Markdown text -> raw blocks, through markdown-it-py (CommonMark).

Raw HTML is disabled (the `js-default` preset), so article text can never
become markup, and nesting is bounded (`maxNesting`) so hostile input
cannot exhaust the stack. markdown-it silently skips what lies deeper than
that bound; we find those lines (no leaf token covers them) and keep their
text as flat blocks, so nothing the author wrote is dropped.

Inline emphasis, strong, links and code become `Run` marks. An image alone
in its paragraph becomes an image block when `images` (the article's
`ImageLoader`) accepts the file; otherwise, and inside text, its alt text
stays as plain text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.brief import Mark, Run
from pipeline.read.model import RawBlock
from pipeline.read.runs import merge_runs

if TYPE_CHECKING:
    from pipeline.read.images import ImageLoader

MAX_NESTING = 20
_SAFE_HREF = re.compile(r"^(?:https?:|mailto:|#)", re.IGNORECASE)
_CONTAINER_MARKER = re.compile(r"^(?:\s*(?:>|[-*+]\s|\d{1,9}[.)]\s))+\s*")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S*")
_LEAF_OPEN = ("paragraph_open", "heading_open", "fence", "code_block", "table_open", "hr")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("js-default", {"maxNesting": MAX_NESTING, "html": False})


def inline_runs(children: Sequence[Token]) -> tuple[Run, ...]:
    """markdown-it inline tokens -> runs with marks and link targets."""
    marks: list[Mark] = []
    href: str | None = None
    runs: list[Run] = []

    def add(text: str, extra: tuple[Mark, ...] = ()) -> None:
        ordered = tuple(m for m in ("strong", "em", "code") if m in marks or m in extra)
        runs.append(Run(text=text, marks=ordered, href=href))

    for token in children:
        kind = token.type
        if kind == "text":
            add(token.content)
        elif kind in ("softbreak", "hardbreak"):
            add(" ")
        elif kind == "code_inline":
            add(token.content, ("code",))
        elif kind == "em_open":
            marks.append("em")
        elif kind == "strong_open":
            marks.append("strong")
        elif kind in ("em_close", "strong_close"):
            wanted = "em" if kind == "em_close" else "strong"
            if wanted in marks:
                marks.reverse()
                marks.remove(wanted)
                marks.reverse()
        elif kind == "link_open":
            target = str(token.attrGet("href") or "")
            # Relative links point into the author's machine; only web,
            # mail and in-page links are kept clickable.
            href = target if _SAFE_HREF.match(target) else None
        elif kind == "link_close":
            href = None
        elif kind == "image":
            alt = "".join(child.content for child in token.children or ())
            if alt:
                add(alt)
        elif token.content:
            add(token.content)
    return merge_runs(runs)


def plain_text(runs: tuple[Run, ...]) -> str:
    return "".join(run.text for run in runs)


def _covered_lines(tokens: Sequence[Token]) -> set[int]:
    covered: set[int] = set()
    for token in tokens:
        if token.type in _LEAF_OPEN and token.map:
            covered.update(range(token.map[0], token.map[1]))
    return covered


def _lone_image(children: Sequence[Token]) -> Token | None:
    """The image token when a paragraph holds nothing else."""
    meaningful = [
        child
        for child in children
        if not (
            child.type in ("softbreak", "hardbreak")
            or (child.type == "text" and not child.content.strip())
        )
    ]
    if len(meaningful) == 1 and meaningful[0].type == "image":
        return meaningful[0]
    return None


def parse_markdown(
    text: str, line_offset: int = 0, images: ImageLoader | None = None
) -> tuple[RawBlock, ...]:
    """Markdown -> raw blocks; `line_offset` is the front matter's length."""
    env: dict[str, Any] = {}
    tokens = _parser().parse(text, env)
    # Parts of a link reference definition spread over several lines.
    reference_parts = {
        str(part)
        for ref in env.get("references", {}).values()
        for part in (ref.get("href"), ref.get("title"))
        if part
    }
    lines = text.split("\n")
    # Link reference definitions produce no token either; they are not text.
    dropped = [
        number
        for number in sorted(set(range(len(lines))) - _covered_lines(tokens))
        if lines[number].strip()
        and not _REFERENCE.match(_CONTAINER_MARKER.sub("", lines[number]))
        and lines[number].strip().strip("\"'()") not in reference_parts
    ]
    blocks: list[tuple[int, RawBlock]] = []
    quote_depth = 0
    lists: list[bool] = []  # ordered flag of each open list
    row: list[str] = []
    table_start, table_cells = 0, 0
    row_line = 0
    for index, token in enumerate(tokens):
        kind = token.type
        line = (token.map[0] if token.map else 0) + 1 + line_offset
        if kind == "blockquote_open":
            quote_depth += 1
        elif kind == "blockquote_close":
            quote_depth -= 1
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists.append(kind == "ordered_list_open")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "heading_open":
            runs = inline_runs(tokens[index + 1].children or ())
            if runs:
                level = int(token.tag[1:])
                blocks.append((line, RawBlock("heading", runs, line, level=level)))
        elif kind == "paragraph_open":
            children = tokens[index + 1].children or ()
            runs = inline_runs(children)
            lone = _lone_image(children) if images is not None else None
            if lone is not None and images is not None:
                picture = images.load(str(lone.attrGet("src") or ""), plain_text(runs))
                if picture is not None:
                    blocks.append((line, RawBlock("image", runs, line, image=picture)))
                    continue
            if not runs:
                continue
            if lists:
                raw = RawBlock("list_item", runs, line, level=len(lists), ordered=lists[-1])
            elif quote_depth:
                raw = RawBlock("quote", runs, line)
            else:
                raw = RawBlock("paragraph", runs, line)
            blocks.append((line, raw))
        elif kind in ("fence", "code_block"):
            code = token.content.rstrip("\n")
            if code.strip():
                code_run = Run(text=code, marks=("code",))
                blocks.append((line, RawBlock("paragraph", (code_run,), line)))
        elif kind == "table_open":
            table_start, table_cells = len(blocks), 0
        elif kind == "table_close":
            # Every row of the table carries the table's size, for limits.
            blocks[table_start:] = [
                (at, dataclasses.replace(raw, table_cells=table_cells))
                for at, raw in blocks[table_start:]
            ]
        elif kind == "tr_open":
            row, row_line = [], line
        elif kind == "inline" and tokens[index - 1].type in ("th_open", "td_open"):
            table_cells += 1
            row.append("".join(run.text for run in inline_runs(token.children or ())))
        elif kind == "tr_close" and any(cell.strip() for cell in row):
            # A table row becomes one line: the brief models no tables.
            text = " · ".join(cell.strip() for cell in row)
            blocks.append((row_line, RawBlock("paragraph", (Run(text=text),), row_line)))

    # Lines deeper than MAX_NESTING: their text, container markers stripped.
    group: list[int] = []
    for number in [*dropped, -2]:
        if group and number != group[-1] + 1:
            content = " ".join(_CONTAINER_MARKER.sub("", lines[n]).strip() for n in group)
            content = content.strip()
            first = group[0] + 1 + line_offset
            if content:
                blocks.append((first, RawBlock("quote", (Run(text=content),), first)))
            group = []
        if number >= 0:
            group.append(number)
    blocks.sort(key=lambda pair: pair[0])
    return tuple(raw for _, raw in blocks)
