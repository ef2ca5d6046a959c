"""Markdown text -> raw blocks, through markdown-it-py (CommonMark).

Raw HTML is disabled (the `js-default` preset), so article text can never
become markup, and nesting is bounded (`maxNesting`) so hostile input
cannot exhaust the stack. markdown-it silently skips what lies deeper than
that bound; we find those lines (no leaf token covers them) and keep their
text as flat blocks, so nothing the author wrote is dropped.

Inline emphasis, strong, links and code become `Run` marks. An image alone
in its paragraph becomes an image block when `images` (the article's
`ImageLoader`) accepts the file; otherwise, and inside text, its alt text
stays as plain text (a picture on the web is noted on the loader, for
figures.py to fetch in its place when `layout.images.figures` asks).
"""

from __future__ import annotations

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


def _uncovered_lines(text: str, tokens: Sequence[Token], env: dict[str, Any]) -> list[int]:
    """Numbers of the lines with text that no leaf token covers: those nested
    deeper than MAX_NESTING (link reference definitions are not text)."""
    # Parts of a link reference definition spread over several lines.
    reference_parts = {
        str(part)
        for ref in env.get("references", {}).values()
        for part in (ref.get("href"), ref.get("title"))
        if part
    }
    lines = text.split("\n")
    return [
        number
        for number in sorted(set(range(len(lines))) - _covered_lines(tokens))
        if lines[number].strip()
        and not _REFERENCE.match(_CONTAINER_MARKER.sub("", lines[number]))
        and lines[number].strip().strip("\"'()") not in reference_parts
    ]


def _flat_blocks(lines: list[str], numbers: list[int], line_offset: int) -> list[RawBlock]:
    """Runs of consecutive uncovered lines -> quotes of their text, container
    markers stripped."""
    blocks: list[RawBlock] = []
    group: list[int] = []
    for number in [*numbers, -2]:
        if group and number != group[-1] + 1:
            content = " ".join(_CONTAINER_MARKER.sub("", lines[n]).strip() for n in group)
            content = content.strip()
            first = group[0] + 1 + line_offset
            if content:
                blocks.append(RawBlock("quote", (Run(text=content),), first))
            group = []
        if number >= 0:
            group.append(number)
    return blocks


class _TokenReader:
    """markdown-it's token stream -> raw blocks, one handler per token kind."""

    def __init__(self, tokens: Sequence[Token], line_offset: int, images: ImageLoader | None):
        self.tokens = tokens
        self.line_offset = line_offset
        self.images = images
        self.blocks: list[RawBlock] = []
        self.quote_depth = 0
        self.lists: list[bool] = []  # ordered flag of each open list
        self.rows: list[tuple[str, ...]] = []  # the rows of the open table
        self.header_rows = 0
        self.table_line = 0

    def read(self) -> list[RawBlock]:
        for index, token in enumerate(self.tokens):
            line = (token.map[0] if token.map else 0) + 1 + self.line_offset
            handler = getattr(self, "_" + token.type, None)
            if handler is not None:
                handler(index, token, line)
        return self.blocks

    def _blockquote_open(self, index: int, token: Token, line: int) -> None:
        self.quote_depth += 1

    def _blockquote_close(self, index: int, token: Token, line: int) -> None:
        self.quote_depth -= 1

    def _bullet_list_open(self, index: int, token: Token, line: int) -> None:
        self.lists.append(False)

    def _ordered_list_open(self, index: int, token: Token, line: int) -> None:
        self.lists.append(True)

    def _bullet_list_close(self, index: int, token: Token, line: int) -> None:
        self.lists.pop()

    _ordered_list_close = _bullet_list_close

    def _heading_open(self, index: int, token: Token, line: int) -> None:
        runs = inline_runs(self.tokens[index + 1].children or ())
        if runs:
            self.blocks.append(RawBlock("heading", runs, line, level=int(token.tag[1:])))

    def _paragraph_open(self, index: int, token: Token, line: int) -> None:
        children = self.tokens[index + 1].children or ()
        runs = inline_runs(children)
        lone = _lone_image(children) if self.images is not None else None
        if lone is not None and self.images is not None:
            src = str(lone.attrGet("src") or "")
            picture = self.images.load(src, plain_text(runs))
            if picture is not None:
                self.blocks.append(RawBlock("image", runs, line, image=picture))
                return
            if self.images.on_web(src) and runs and not self.lists and not self.quote_depth:
                self.images.remote.append((line, src, plain_text(runs)))
        if not runs:
            return
        if self.lists:
            level, ordered = len(self.lists), self.lists[-1]
            self.blocks.append(RawBlock("list_item", runs, line, level=level, ordered=ordered))
        else:
            self.blocks.append(RawBlock("quote" if self.quote_depth else "paragraph", runs, line))

    def _fence(self, index: int, token: Token, line: int) -> None:
        code = token.content.rstrip("\n")
        if code.strip():
            self.blocks.append(RawBlock("paragraph", (Run(text=code, marks=("code",)),), line))

    _code_block = _fence

    def _table_open(self, index: int, token: Token, line: int) -> None:
        self.rows, self.header_rows, self.table_line = [], 0, line

    def _tr_open(self, index: int, token: Token, line: int) -> None:
        self.rows.append(())

    def _inline(self, index: int, token: Token, line: int) -> None:
        opener = self.tokens[index - 1].type
        if opener in ("th_open", "td_open"):
            cell = plain_text(inline_runs(token.children or ())).strip()
            self.rows[-1] = (*self.rows[-1], cell)
            if opener == "th_open" and len(self.rows) == 1:
                self.header_rows = 1

    def _table_close(self, index: int, token: Token, line: int) -> None:
        rows = tuple(row for row in self.rows if any(row))
        if rows:
            flat = "\n".join(" · ".join(cell for cell in row if cell) for row in rows)
            self.blocks.append(
                RawBlock(
                    "table",
                    (Run(text=flat),),
                    self.table_line,
                    table_cells=sum(len(row) for row in self.rows),
                    cells=rows,
                    header_rows=self.header_rows if any(self.rows[0]) else 0,
                )
            )


def parse_markdown(
    text: str, line_offset: int = 0, images: ImageLoader | None = None
) -> tuple[RawBlock, ...]:
    """Markdown -> raw blocks; `line_offset` is the front matter's length."""
    env: dict[str, Any] = {}
    tokens = _parser().parse(text, env)
    blocks = _TokenReader(tokens, line_offset, images).read()
    flat = _flat_blocks(text.split("\n"), _uncovered_lines(text, tokens, env), line_offset)
    return tuple(sorted([*blocks, *flat], key=lambda block: block.line))
