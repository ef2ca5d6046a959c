"""What every reader produces: a `Document` of `RawBlock`s (data only, no reading).

The readers (text.py, markdown.py, html.py) turn one input format into raw
blocks; ingest.py wraps them with the file's name, text and metadata; the
understand stage reads the result. Nothing here imports a reader, so each
reader and every later stage can import these types without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pipeline.brief import FigureBlock, Image, Run

BlockKind = Literal[
    "heading", "paragraph", "list_item", "quote", "image", "figure", "page_break", "table"
]


@dataclass(frozen=True)
class RawBlock:
    kind: BlockKind
    runs: tuple[Run, ...]
    line: int
    level: int = 1  # heading level, or list nesting
    ordered: bool = False  # list items
    image: Image | None = None  # image blocks (runs hold the alt text)
    figure: FigureBlock | None = None  # a page's body figure (runs hold its caption line)
    table_cells: int = 0  # a table: the number of its cells, for limits
    cells: tuple[tuple[str, ...], ...] = ()  # a table: its rows of cell texts
    header_rows: int = 0  # a table: how many of its first rows are headings

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class Document:
    path: str  # as given by the user, for messages
    name: str  # file stem, a fallback title
    text: str
    blocks: tuple[RawBlock, ...]
    meta: dict[str, Any] = field(default_factory=dict)
    mtime: float | None = None
    warnings: tuple[str, ...] = ()  # e.g. images left out, for the build report
