"""Article text or `Document` + `Limits` -> unchanged, or a `SourceError` naming the cap it exceeds.

Two checks. `check_text` runs on the decoded text *before* a reader parses
it: one linear scan, in constant memory, counts what the reader would
build (lines, block starts, list items, table cells, HTML nesting and text
runs), so a file of a million one-letter lines or a million-cell table
fails before its millions of objects exist, and HTML nested deeper than
`MAX_HTML_DEPTH` never reaches the sanitiser (nh3 is quadratic in depth).
`check_document` runs between ingest and structure on the exact blocks.
The input-size cap is applied earlier still, while reading the bytes.
"""

from __future__ import annotations

import re

from pipeline.config.model import Limits
from pipeline.errors import SourceError
from pipeline.read.model import Document, RawBlock

# Deeper HTML is not an article page (libxml2 itself stops at 256 levels).
MAX_HTML_DEPTH = 200
# A page holds menus, footers and asides around the article: its block
# elements may outnumber the article's blocks by this factor.
PAGE_BLOCK_FACTOR = 10
# Lines a text or Markdown article may have per block of `max_blocks` (a
# paragraph hard-wrapped at 72 columns, at the paragraph limit, is ~700 lines;
# blank lines count too).
LINES_PER_BLOCK = 40
# Raw text (markup, entities, link targets) may be this much longer than the
# text of the block it makes before the pre-parse check refuses it.
RAW_TEXT_FACTOR = 2

_BLOCK_HINT = "split the article, or raise limits.max_blocks in the config"
_PARAGRAPH_HINT = "add line breaks, or raise limits.max_paragraph_chars in the config"
_TABLE_HINT = "split the table, or raise limits.max_table_cells in the config"


def _too_many_blocks(count: str, limits: Limits, path: str) -> SourceError:
    return SourceError(
        f"the article has {count} blocks (headings, paragraphs, list items); "
        f"the limit is {limits.max_blocks:,}",
        file=path,
        hint=_BLOCK_HINT,
    )


def _too_long(what: str, length: int, limit: int, path: str, line: int | None) -> SourceError:
    return SourceError(
        f"{what} of {length:,} characters; the limit is {limit:,}",
        file=path,
        line=line,
        hint=_PARAGRAPH_HINT,
    )


def _too_many_cells(count: str, limits: Limits, path: str, line: int | None) -> SourceError:
    return SourceError(
        f"a table of {count} cells; the limit is {limits.max_table_cells:,}",
        file=path,
        line=line,
        hint=_TABLE_HINT,
    )


def check_text(text: str, input_format: str, limits: Limits, path: str) -> None:
    """Refuse, before parsing, a text whose reader would exceed `limits`."""
    if input_format == "html":
        _check_html(text, limits, path)
    else:
        _check_lines(text, input_format == "markdown", limits, path)


_NON_BLANK_LINE = re.compile(r"^[^\S\n]*\S", re.M)
_MARKDOWN_START = re.compile(r"[ \t]{0,3}(?:[-*+][ \t]|\d{1,9}[.)][ \t]|#{1,6}[ \t]|>|\|)")
_FENCE = re.compile(r"[ \t]{0,3}(?:```|~~~)")


def _line_number(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _check_lines(text: str, markdown: bool, limits: Limits, path: str) -> None:
    """Plain text makes a block of each non-empty line; Markdown one of each
    line that starts a paragraph, list item, heading, quote or table row,
    and an inline token of each line of a paragraph."""
    lines, most = text.count("\n") + 1, limits.max_blocks * LINES_PER_BLOCK
    if lines > most:
        raise SourceError(
            f"the article has {lines:,} lines; the limit is {most:,} "
            f"({LINES_PER_BLOCK} per block of limits.max_blocks)",
            file=path,
            hint=_BLOCK_HINT,
        )
    longest = limits.max_paragraph_chars * RAW_TEXT_FACTOR
    # Anchored at line starts, so each line is scanned once (linear).
    long_line = re.search(rf"^[^\n]{{{longest + 1}}}", text, re.M)
    if long_line is not None:
        start = text.rfind("\n", 0, long_line.start()) + 1
        end = text.find("\n", start)
        length = (len(text) if end == -1 else end) - start
        number = _line_number(text, start)
        raise _too_long("a line", length, limits.max_paragraph_chars, path, number)
    # The line cap above bounds both counts: they are exact, not cut short.
    if not markdown:
        count = sum(1 for _ in _NON_BLANK_LINE.finditer(text))
        if count > limits.max_blocks:
            raise _too_many_blocks(f"{count:,}", limits, path)
        return
    blocks = 0
    run = 0  # characters of the block being read
    run_line = 1
    previous_blank = True
    fenced = False
    for number, line in enumerate(text.split("\n"), start=1):
        blank = not line.strip()
        if _FENCE.match(line):
            fenced = not fenced
            starts = fenced  # a code block is one block
        else:
            marker = _MARKDOWN_START.match(line) is not None
            starts = not blank and not fenced and (previous_blank or marker)
        previous_blank = blank
        if starts or blank:
            run, run_line = 0, number
        run += len(line) + 1
        if run > longest:
            raise _too_long("a paragraph", run, limits.max_paragraph_chars, path, run_line)
        blocks += int(starts)
    if blocks > limits.max_blocks:
        raise _too_many_blocks(f"{blocks:,}", limits, path)


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>|<!--.*?-->", re.S)
# Elements without content, and elements whose end tag may be left out (an
# unclosed <p> or <li> must not read as nesting).
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
})  # fmt: skip
_OPTIONAL_END = frozenset({
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "colgroup",
})  # fmt: skip
_BLOCKS = frozenset({
    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "dt", "dd",
})  # fmt: skip
_RAW = frozenset({"script", "style"})


def _check_html(text: str, limits: Limits, path: str) -> None:
    """Nesting depth, block elements, cells per table and text runs of a page."""
    depth = 0
    blocks = 0
    tables: list[int] = []  # cells of each open table, innermost last
    position = 0
    raw_until: str | None = None
    text_limit = limits.max_paragraph_chars * RAW_TEXT_FACTOR
    for tag in _TAG.finditer(text):
        closing, name = tag.group(1), (tag.group(2) or "").lower()
        if raw_until is not None:  # inside <script>/<style>: only its end tag counts
            if closing and name == raw_until:
                raw_until = None
                position = tag.end()
            continue
        run = tag.start() - position
        if run > text_limit:
            line = _line_number(text, position)
            raise _too_long("a text run", run, limits.max_paragraph_chars, path, line)
        position = tag.end()
        if not name:  # a comment
            continue
        if closing:
            if name == "table" and tables:
                tables.pop()
            if name not in _VOID and name not in _OPTIONAL_END:
                depth = max(depth - 1, 0)
            continue
        if name in _RAW and not tag.group(3):
            raw_until = name
        if name in ("td", "th") and tables:
            tables[-1] += 1
            if tables[-1] > limits.max_table_cells:
                line = _line_number(text, tag.start())
                raise _too_many_cells(f"more than {limits.max_table_cells:,}", limits, path, line)
        if name == "table":
            tables.append(0)
        if name in _BLOCKS:
            blocks += 1
            if blocks > limits.max_blocks * PAGE_BLOCK_FACTOR:
                cap = limits.max_blocks * PAGE_BLOCK_FACTOR
                raise _too_many_blocks(
                    f"more than {cap:,} block elements in the page;", limits, path
                )
        if name not in _VOID and name not in _OPTIONAL_END and not tag.group(3):
            depth += 1
            if depth > MAX_HTML_DEPTH:
                line = _line_number(text, tag.start())
                raise SourceError(
                    f"the page nests elements more than {MAX_HTML_DEPTH} levels deep",
                    file=path,
                    line=line,
                    hint="this is not an article page: save the article itself",
                )
    run = len(text) - position
    if raw_until is None and run > text_limit:
        line = _line_number(text, position)
        raise _too_long("a text run", run, limits.max_paragraph_chars, path, line)


def check_document(document: Document, limits: Limits) -> Document:
    if len(document.blocks) > limits.max_blocks:
        raise SourceError(
            f"the article has {len(document.blocks):,} blocks (headings, paragraphs, "
            f"list items); the limit is {limits.max_blocks:,}",
            file=document.path,
            hint="split the article, or raise limits.max_blocks in the config",
        )
    for block in document.blocks:
        cells = table_cells(block)
        if cells > limits.max_table_cells:
            raise SourceError(
                f"a table of {cells:,} cells; the limit is {limits.max_table_cells:,}",
                file=document.path,
                line=block.line,
                hint="split the table, or raise limits.max_table_cells in the config",
            )
        # A table's text is its cells': each is held to the paragraph cap.
        texts = [c for row in block.cells for c in row] if block.cells else [block.text]
        length = max(map(len, texts), default=0)
        if length > limits.max_paragraph_chars:
            raise SourceError(
                f"a {block.kind.replace('_', ' ')} of {length:,} characters; the limit is "
                f"{limits.max_paragraph_chars:,}",
                file=document.path,
                line=block.line,
                hint="add line breaks, or raise limits.max_paragraph_chars in the config",
            )
    return document


def table_cells(block: RawBlock) -> int:
    """Cells of a table block; 0 for other blocks (plain text has no tables)."""
    return block.table_cells
