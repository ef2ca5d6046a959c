"""Digest + theme -> DOCX bytes: the digest's title block, its summary table,
a real TOC field, then each article on a new page under a Heading 1 of its
own title, its parts composed as in a brief with their headings one level
down (Heading 2), so Word's navigation pane and TOC list the articles.
"""

from __future__ import annotations

from docx.document import Document
from docx.shared import Pt

from pipeline.brief import Digest
from pipeline.config.model import Layout, points
from pipeline.render import Artifact
from pipeline.render.docx import ooxml
from pipeline.render.docx.compose import (
    TOC_FIELD,
    add_part,
    finish_document,
    lead_image,
    start_document,
    title_block,
)
from pipeline.render.docx.styles import paragraph_style, rgb
from pipeline.render.theme import Theme, reading_order


def _heading_styles(doc: Document, layout: Layout) -> None:
    """Heading 1 (an article's title) at the title's size; Heading 2 (its
    sections) looks like a brief's section headings."""
    fonts = layout.fonts
    h1 = paragraph_style(doc, "Heading 1")
    h2 = paragraph_style(doc, "Heading 2")
    h2.base_style = h1
    h2.font.name = fonts.heading.family
    ooxml.set_fonts(h2, fonts.heading.family)
    h2.font.size = Pt(points(fonts.heading.size))
    h2.font.bold = True
    h2.font.italic = False
    h2.font.color.rgb = rgb(layout.colors.accent)
    h2.paragraph_format.space_before = Pt(14)
    h2.paragraph_format.space_after = Pt(6)
    h2.paragraph_format.keep_with_next = True
    h1.font.size = Pt(points(fonts.title.size))
    h1.paragraph_format.space_before = Pt(0)
    h1.paragraph_format.space_after = Pt(4)


def _summary(doc: Document, digest: Digest, layout: Layout) -> None:
    """One row per article: title, outlet, date, one key point."""
    labels = digest.labels
    table = doc.add_table(rows=1, cols=4)
    header = table.rows[0]
    ooxml.repeat_as_header(header)  # also what screen readers read as column headers
    size = Pt(max(7.0, points(layout.fonts.body.size) * 0.8))
    heads = (labels.article, labels.outlet, labels.date, labels.key_point)
    for cell, text in zip(header.cells, heads, strict=True):
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        run.font.size = size
        run.font.color.rgb = rgb(layout.colors.accent)
        ooxml.set_border(cell.paragraphs[0], "bottom", layout.colors.accent, 8, 2)
    for row in digest.rows:
        cells = table.add_row().cells
        values = (row.title, row.outlet or "", row.date_text or "", row.key_point or "")
        for cell, text in zip(cells, values, strict=True):
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.alignment = None
            run = paragraph.add_run(text)
            run.font.size = size
    doc.add_paragraph()


def _contents(doc: Document, digest: Digest) -> None:
    """A TOC field over the Heading 1s (the articles), pre-filled so it is never empty."""
    doc.add_paragraph(digest.labels.contents, style="TOC Heading")
    entries = [doc.add_paragraph(row.title, style="TOC 1") for row in digest.rows]
    ooxml.wrap_in_field(entries[0], entries[-1], TOC_FIELD)
    ooxml.set_flag(doc.settings, "updateFields")


def compose_digest(digest: Digest, theme: Theme) -> Artifact:
    """The digest's DOCX; `theme` is already the digest's (no cover, no per-brief TOC)."""
    layout = theme.layout
    warnings: list[str] = []
    cover = digest.cover()
    doc = start_document(theme, cover)
    _heading_styles(doc, layout)
    title_block(doc, cover, theme, warnings)
    _summary(doc, digest, layout)
    _contents(doc, digest)
    for brief in digest.briefs:
        parts = [name for name in reading_order(layout, brief) if name not in ("title", "toc")]
        start = len(doc.paragraphs)
        title_block(doc, brief, theme, warnings, title_style="Heading 1")
        doc.paragraphs[start].paragraph_format.page_break_before = True
        lead_image(doc, brief, theme)
        for name in parts:
            add_part(doc, brief, theme, name, level=2)
    return finish_document(doc, cover, theme, warnings)
