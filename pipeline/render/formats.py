"""Format name -> its renderer (Brief + Theme -> Artifact), imported when first asked for.

Each renderer module is imported only for a build that asks for its format
(a DOCX-only build never imports the PDF side, let alone WeasyPrint); the
imports are written out, so the type checker sees every renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.brief import Brief
    from pipeline.render import Artifact
    from pipeline.render.theme import Theme

Renderer = Callable[["Brief", "Theme"], "Artifact"]


def renderer_for(fmt: str) -> Renderer:
    """The renderer of `fmt` ("pdf", "docx" or "json"), its module imported now."""
    if fmt == "pdf":
        from pipeline.render.pdf import render_pdf

        return render_pdf
    if fmt == "docx":
        from pipeline.render.docx.compose import render_docx

        return render_docx
    if fmt == "json":
        from pipeline.render.json import render_json

        return render_json
    raise ValueError(f"no renderer for the format {fmt!r}")


def render_format(fmt: str, brief: Brief, theme: Theme, pdf: Artifact | None = None) -> Artifact:
    """The artifact of `fmt`. A DOCX with contents (layout.toc), built with
    `pdf` (the same brief's PDF, rendered first), shows the PDF's page of each
    section heading, so its contents read right before Word updates them."""
    if fmt == "docx" and pdf is not None and theme.layout.toc:
        from pipeline.render.docx.compose import render_docx
        from pipeline.render.theme import section_anchor

        count = len(brief.sections)
        pages = tuple(pdf.anchor_pages.get(section_anchor(i)) for i in range(1, count + 1))
        return render_docx(brief, theme, pages)
    return renderer_for(fmt)(brief, theme)
