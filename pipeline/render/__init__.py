"""Brief -> artifacts (bytes), one module per format (formats.py picks it).

Renderers see the Brief and their slice of the layout, never the article
file or the raw config; they return bytes and never touch the disk. This
module holds what every renderer returns: an `Artifact`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
    "png": "image/png",
}


@dataclass(frozen=True)
class Artifact:
    format: str
    data: bytes
    warnings: tuple[str, ...] = field(default=())
    pages: int | None = None  # page count, for paged formats (PDF)
    # The page (1-based) of each anchor (HTML id) of a PDF, for the DOCX's contents.
    anchor_pages: dict[str, int] = field(default_factory=dict)

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]
