"""PDF bytes -> a PNG of its first page (pypdfium2), for READMEs and reviews."""

from __future__ import annotations

import io

from pipeline.errors import RenderError
from pipeline.render import Artifact

PREVIEW_DPI = 110


def render_preview(pdf: bytes, dpi: int = PREVIEW_DPI) -> Artifact:
    try:
        import pypdfium2
    except ImportError:
        raise RenderError("--preview needs pypdfium2: pip install pypdfium2") from None
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    buffer = io.BytesIO()
    # No timestamps or text chunks: the same PDF gives the same PNG bytes.
    image.save(buffer, format="PNG", optimize=True)
    return Artifact("png", buffer.getvalue())
