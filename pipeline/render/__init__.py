"""Brief -> artifacts (bytes), one module per format, imported only when used.

Renderers see the Brief and their slice of the layout, never the article
file or the raw config; they return bytes and never touch the disk.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.brief import Brief
    from pipeline.render.theme import Theme

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
    "png": "image/png",
}

# Format -> "module:function"; a DOCX-only build never imports WeasyPrint.
RENDERERS = {
    "pdf": "pipeline.render.pdf:render_pdf",
    "docx": "pipeline.render.docx.compose:render_docx",
    "json": "pipeline.render.json:render_json",
}


@dataclass(frozen=True)
class Artifact:
    format: str
    data: bytes
    warnings: tuple[str, ...] = field(default=())
    pages: int | None = None  # page count, for paged formats (PDF)

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


Renderer = Callable[["Brief", "Theme"], Artifact]


def renderer_for(fmt: str) -> Renderer:
    module_name, _, function = RENDERERS[fmt].partition(":")
    module = importlib.import_module(module_name)
    render: Renderer = getattr(module, function)
    return render
