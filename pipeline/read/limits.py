"""`Document` + `Limits` -> the same Document, or a `SourceError` naming the cap it exceeds.

Runs between ingest and structure, so an article too big to be a brief
fails fast and alone, before any rendering work, with a message that says
which limit to raise. The input-size cap is applied earlier, while reading,
so a huge file is never read whole.
"""

from __future__ import annotations

from pipeline.config.model import Limits
from pipeline.errors import SourceError
from pipeline.read.model import Document, RawBlock


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
