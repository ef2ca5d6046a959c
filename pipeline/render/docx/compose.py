"""Brief -> DOCX bytes through python-docx, laid out from the same `Layout`
as the PDF: page size and margins, fonts, colours, header and footer slots
(with real PAGE and NUMPAGES fields), and the same blocks in the same order.

The composer touches python-docx objects only: what python-docx has no API
for comes from `ooxml`, the styles from `styles`, embedded fonts from
`fonts` and the reproducible package from `package`.
"""

from __future__ import annotations

import base64
import io
from typing import IO

from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.section import _Footer, _Header
from docx.shared import Emu, Pt
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from pipeline.brief import (
    Block,
    Brief,
    Figure,
    FigureBlock,
    Image,
    ListBlock,
    PageBreak,
    Paragraph,
    Quote,
    Run,
    Section,
    note_anchor,
    note_number,
)
from pipeline.brief import (
    Table as TableBlock,
)
from pipeline.config.model import Layout, Slots, points
from pipeline.render import Artifact
from pipeline.render.docx import fonts, ooxml
from pipeline.render.docx.package import package
from pipeline.render.docx.reference import open_base
from pipeline.render.docx.styles import (
    BOX_PAD_PT,
    box_indent,
    box_top_rule,
    caption_style,
    define_styles,
    has_style,
    paragraph_style,
    rgb,
    text_width,
)
from pipeline.render.fallback import fallback_for
from pipeline.render.theme import (
    ContentsPages,
    Splits,
    Theme,
    expand_slot,
    reading_order,
    section_anchor,
    splits,
    tint,
)

COLUMN_GAP_PT = 8 * 72 / 25.4  # the CSS column-gap: 8mm
BOX_GAP_PT = 5 * 72 / 25.4  # below a box: the CSS margin of 5mm
GUTTER_PT = 3 * 72 / 25.4  # between the pros and cons cells: the CSS border-spacing, 3mm
BULLET_INDENT_PT = 4 * 72 / 25.4  # a key point's bullet column: the CSS 4mm
HEADER_GAP_PT = 4 * 72 / 25.4  # between the header (footer) and the text block: the CSS 4mm
SOURCE_INDENT_PT = 3 * 72 / 25.4  # a source's text right of its bullet: the CSS 3mm
IMAGE_MAX_HEIGHT_PT = 120 * 72 / 25.4  # a Markdown image: the CSS's figure.image max-height
QUESTION_BAR_PT = 9  # a question heading's text, right of its 3 pt bar and 6 pt gap
TOC_FIELD = 'TOC \\o "1-1" \\h \\z \\u'

Container = Document | _Cell


def _note_bookmark(paragraph: DocxParagraph, number: int) -> str:
    """The bookmark name of the brief's N-th note: "note_N", prefixed in a
    document of several briefs (a digest) by the count of notes lists that
    earlier briefs wrote (this brief's notes come after its markers)."""
    name = ooxml.bookmark_name(note_anchor(number))
    first = ooxml.bookmark_name(note_anchor(1))
    earlier = sum(1 for known in ooxml.bookmark_names(paragraph) if known.endswith(first))
    return f"a{earlier + 1}_{name}" if earlier else name


def _add_runs(paragraph: DocxParagraph, runs: tuple[Run, ...], doc: Document) -> None:
    for run in runs:
        note = note_number(run.href)
        if note is not None:
            ooxml.add_note_link(paragraph, _note_bookmark(paragraph, note), run.text)
            continue
        if run.href:
            ooxml.add_hyperlink(paragraph, run.href, run.text)
            continue
        added = paragraph.add_run(run.text)
        added.bold = "strong" in run.marks or None
        added.italic = "em" in run.marks or None
        if "code" in run.marks:
            family = paragraph_style(doc, "Code").font.name or "DejaVu Sans Mono"
            added.font.name = family
            ooxml.set_fonts(added, family)


def _add_blocks(
    container: Container,
    blocks: tuple[Block, ...],
    doc: Document,
    style: str | None = None,
    notes: bool = False,
    theme: Theme | None = None,
) -> None:
    """The blocks in `container`; `notes`: they are the notes section's, each
    item bookmarked as the target of its markers' links; `theme` lays out the
    page's figures (the column, images.max_height, the caption style)."""
    for block in blocks:
        if isinstance(block, ListBlock):
            list_style = "List Number" if block.ordered else "List Bullet"
            names: list[str] = []
            for number, item in enumerate(block.items, 1):
                paragraph = container.add_paragraph(style=style or list_style)
                _add_runs(paragraph, item, doc)
                if notes:
                    # Named before any is written: the first one counts earlier briefs.
                    names = names or [
                        _note_bookmark(paragraph, n) for n in range(1, len(block.items) + 1)
                    ]
                    ooxml.add_bookmark(paragraph, names[number - 1])
        elif isinstance(block, Quote):
            _add_runs(container.add_paragraph(style=style or "Quote"), block.runs, doc)
        elif isinstance(block, Paragraph):
            paragraph = container.add_paragraph(style=style)
            _add_runs(paragraph, block.runs, doc)
            if any(run.href and len(run.text) > 30 and " " not in run.text for run in block.runs):
                # Justified, a line before an address that cannot break stretches.
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        elif isinstance(block, Image):
            _add_image(container, block, doc, theme)
        elif isinstance(block, FigureBlock):
            _add_figure(container, block, doc, theme)
        elif isinstance(block, TableBlock):
            _add_table(container, block, doc)
        elif isinstance(block, PageBreak) and container is doc:
            # Inside a box or a table cell a page break has no place: ignored.
            doc.add_paragraph().paragraph_format.page_break_before = True


TABLE_STYLE = "Table Grid"  # python-docx's default template has it; a reference may not


def _add_table(container: Container, block: TableBlock, doc: Document) -> None:
    """An article's table: heading rows bold and repeated on each page, rows
    never split (structure keeps as tables only those that fit the column)."""
    columns = max(len(row) for row in block.rows)
    table = container.add_table(rows=len(block.rows), cols=columns)
    if has_style(doc, TABLE_STYLE):
        table.style = doc.styles[TABLE_STYLE]
    for index, (row, cells) in enumerate(zip(table.rows, block.rows, strict=True)):
        heading = index < block.header_rows
        if heading:
            ooxml.repeat_as_header(row)
        ooxml.keep_together(row)
        for cell, text in zip(row.cells, cells, strict=False):
            run = cell.paragraphs[0].add_run(text)
            run.bold = heading or None
            run.font.size = Pt(8.5)


def _add_image(container: Container, image: Image, doc: Document, theme: Theme | None) -> None:
    """A Markdown image at its size at 96 dpi, never wider than its column
    nor taller than the CSS's 120 mm; its alt text is its description and,
    below it, its caption."""
    widest = _picture_width(container, doc, theme)
    picture = _picture(container, Figure(image=image), widest, int(Pt(IMAGE_MAX_HEIGHT_PT)))
    _add_caption(container, doc, picture, image.alt, None, theme)


def _picture_width(container: Container, doc: Document, theme: Theme | None) -> int:
    """The widest a picture in `container` may be drawn (EMU): the text
    column (one of two in a two-column layout), or a pros or cons cell."""
    section = doc.sections[-1]
    widest = int(section.page_width or 0) - int(section.left_margin or 0)
    widest -= int(section.right_margin or 0)
    if theme is not None and theme.layout.columns == 2:
        widest = (widest - int(Pt(COLUMN_GAP_PT))) // 2
    if isinstance(container, _Cell) and container.width:
        widest = min(widest, int(container.width))
    return widest


def _add_caption(
    container: Container,
    doc: Document,
    picture: DocxParagraph,
    caption: str | None,
    credit: str | None,
    theme: Theme | None,
) -> None:
    """The caption under `picture`, its credit in italics (as in the PDF),
    kept on the picture's page."""
    if not (caption or credit):
        return
    picture.paragraph_format.keep_with_next = True
    paragraph = container.add_paragraph(caption or "", style=_caption(doc, theme))
    if credit:
        paragraph.add_run(f" {credit}" if caption else credit).italic = True


def _caption(doc: Document, theme: Theme | None) -> ParagraphStyle:
    """The style of a picture's caption: Word's Caption, set up from the theme."""
    if theme is None:
        return paragraph_style(doc, "Caption")
    return caption_style(doc, theme.layout, theme.reference_docx is not None)


def _picture(
    container: Container, figure: Figure | FigureBlock, widest: int, tallest: int | None
) -> DocxParagraph:
    """A figure's picture, centred, within `widest` and `tallest` (EMU), with
    its description as the picture's alt text; the paragraph holding it."""
    image = figure.image
    width = min(int(image.width * 914400 / 96), widest)
    if tallest is not None:
        width = min(width, tallest * image.width // image.height)
    paragraph = container.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    run.add_picture(io.BytesIO(base64.b64decode(image.data)), width=Emu(width))
    ooxml.describe_pictures(run, image.name, image.alt or figure.caption or "")
    return paragraph


def _add_figure(
    container: Container, figure: FigureBlock, doc: Document, theme: Theme | None
) -> None:
    """A figure of the page's body in place: within the column (one of two in
    a two-column layout) and images.max_height, kept on the page of its
    caption (Word's Caption style, as the PDF's figcaption)."""
    tallest = int(Pt(points(theme.layout.images.max_height))) if theme is not None else None
    picture = _picture(container, figure, _picture_width(container, doc, theme), tallest)
    _add_caption(container, doc, picture, figure.caption, figure.credit, theme)


def lead_image(doc: Document, brief: Brief, theme: Theme) -> None:
    """The lead image after the title block: within the column and images.max_height,
    its description as the picture's alt text, its caption and credit below
    (Word's Caption style, as the PDF's figcaption), on the picture's page."""
    layout = theme.layout
    figure = brief.lead_image
    if figure is None or not layout.images.lead:
        return
    section = doc.sections[-1]
    column = int(section.page_width or 0) - int(section.left_margin or 0)
    column -= int(section.right_margin or 0)
    picture = _picture(doc, figure, column, int(Pt(points(layout.images.max_height))))
    _add_caption(doc, doc, picture, figure.caption, figure.credit, theme)


def _fill_cell(cell: _Cell, blocks: tuple[Block, ...], doc: Document, theme: Theme) -> None:
    """The blocks in place of the cell's initial empty paragraph (which stays
    when there are none: a cell must hold a paragraph); `theme` lays out their
    pictures as in the body (images.max_height, the Caption style)."""
    first = cell.paragraphs[0]
    _add_blocks(cell, blocks, doc, theme=theme)
    if len(cell.paragraphs) > 1:
        ooxml.remove_paragraph(first)
    for paragraph in cell.paragraphs:
        if paragraph.style is not None and paragraph.style.name == "Normal":
            paragraph.style = paragraph_style(doc, "Cell Text")


def _fill_slots(
    paragraph: DocxParagraph, slots: Slots, brief: Brief, width: float, classification: str = ""
) -> None:
    fmt = paragraph.paragraph_format
    fmt.tab_stops.add_tab_stop(Pt(width / 2), WD_TAB_ALIGNMENT.CENTER)
    fmt.tab_stops.add_tab_stop(Pt(width), WD_TAB_ALIGNMENT.RIGHT)
    for index, template in enumerate((slots.left, slots.center, slots.right)):
        if index:
            paragraph.add_run("\t")
        for kind, text in expand_slot(template, brief, classification):
            if kind == "text":
                paragraph.add_run(text)
            else:
                ooxml.add_field(paragraph, "PAGE" if kind == "page" else "NUMPAGES", "1")


def _page_setup(doc: Document, layout: Layout) -> None:
    section = doc.sections[0]
    width, height = layout.page.dimensions_pt()
    section.orientation = (
        WD_ORIENT.LANDSCAPE if layout.page.orientation == "landscape" else WD_ORIENT.PORTRAIT
    )
    section.page_width, section.page_height = Pt(width), Pt(height)
    margins = layout.page.margins
    section.top_margin = Pt(points(margins.top))
    section.bottom_margin = Pt(points(margins.bottom))
    # The side margins as the PDF draws them (widened on a wide page).
    _top, right, _bottom, left = layout.margins_pt()
    section.left_margin, section.right_margin = Pt(left), Pt(right)
    if layout.classification and layout.banner:
        # The banner and the header share the top margin.
        section.header_distance = Pt(points(margins.top) * 0.45)
    else:
        # Where the PDF draws them: 4 mm from the text block, one 7.5 pt line tall.
        section.header_distance = Pt(points(margins.top) - HEADER_GAP_PT - 9)
    section.footer_distance = Pt(points(margins.bottom) - HEADER_GAP_PT - 9)


def _fill_header_footer(
    part: _Header | _Footer, slots: Slots | None, brief: Brief, layout: Layout, banner: bool
) -> None:
    """One header or footer: the classification banner (headers), then the slots."""
    part.is_linked_to_previous = False
    first = part.paragraphs[0]
    style = first.style
    for extra in part.paragraphs[1:]:
        ooxml.remove_paragraph(extra)
    first.clear()
    if banner:
        first.style = "Banner"
        first.add_run(layout.classification)
        if slots is None:
            return
        first = part.add_paragraph(style=style)
    if slots is not None:
        _fill_slots(first, slots, brief, text_width(layout), layout.classification)


def _headers_footers(doc: Document, brief: Brief, layout: Layout) -> None:
    """Every section gets its own header and footer (nothing linked).

    The document's first page (the cover, or the title block) leaves out the
    header unless `first_page_header` is on, and a cover has no footer, just
    as the PDF's `@page :first` rules do. The banner is on every page.
    """
    banner = bool(layout.classification and layout.banner)
    for index, section in enumerate(doc.sections):
        first_different = index == 0 and (layout.cover or not layout.first_page_header)
        section.different_first_page_header_footer = first_different
        _fill_header_footer(section.header, layout.header, brief, layout, banner)
        _fill_header_footer(section.footer, layout.footer, brief, layout, False)
        if first_different:
            _fill_header_footer(section.first_page_header, None, brief, layout, banner)
            _fill_header_footer(
                section.first_page_footer,
                None if layout.cover else layout.footer,
                brief,
                layout,
                False,
            )


def _pros_cons_table(
    doc: Document, brief: Brief, section: Section, layout: Layout, split: bool, theme: Theme
) -> None:
    """Pros beside cons, each a shaded label cell above a shaded body cell;
    the row breaks across pages only when `split` (render.theme.may_split)."""
    table = doc.add_table(rows=2, cols=2)
    header, body = table.rows
    # Repeat as header row (also what screen readers read as column headers).
    ooxml.repeat_as_header(header)
    ooxml.keep_together(header)
    if not split:
        ooxml.keep_together(body)
    _pad_table(table, gutter=True)
    labels = (brief.labels.pros, brief.labels.cons)
    for cell, label, (fill, ink) in zip(header.cells, labels, _side_colors(layout), strict=True):
        _label_cell(cell, label, fill, ink, doc)
    for cell, blocks in zip(body.cells, (section.pros, section.cons), strict=True):
        ooxml.shade(cell, layout.colors.box)
        _fill_cell(cell, blocks, doc, theme)


def _stacked_pros_cons(
    doc: Document, brief: Brief, section: Section, layout: Layout, split: bool, theme: Theme
) -> None:
    """Pros above cons, for a column too narrow for two cells side by side."""
    table = doc.add_table(rows=4, cols=1)
    _pad_table(table, gutter=False)
    column_width = Pt((text_width(layout) - COLUMN_GAP_PT) / 2 - 2)
    table.columns[0].width = column_width
    for cell in table.columns[0].cells:
        cell.width = column_width
    rows = table.rows
    parts = zip((brief.labels.pros, brief.labels.cons), (section.pros, section.cons), strict=True)
    for index, ((label, blocks), (fill, ink)) in enumerate(
        zip(parts, _side_colors(layout), strict=True)
    ):
        head, body = rows[2 * index], rows[2 * index + 1]
        ooxml.keep_together(head)
        if not split:
            ooxml.keep_together(body)
        _label_cell(head.cells[0], label, fill, ink, doc).paragraph_format.keep_with_next = True
        ooxml.shade(body.cells[0], layout.colors.box)
        _fill_cell(body.cells[0], blocks, doc, theme)


def _side_colors(layout: Layout) -> tuple[tuple[str, str], tuple[str, str]]:
    """(fill, ink) of the pros and cons labels: the accent, and a tint of it
    (grey would read as disabled), as in the CSS."""
    accent = layout.colors.accent
    return (accent, "#ffffff"), (tint(accent, 0.3), accent)


def _label_cell(cell: _Cell, label: str, fill: str, ink: str, doc: Document) -> DocxParagraph:
    """A pros or cons label: capitals on the cell's own fill."""
    paragraph: DocxParagraph = cell.paragraphs[0]
    paragraph.style = paragraph_style(doc, "Box Label")
    run = paragraph.add_run(label)
    run.font.color.rgb = rgb(ink)
    ooxml.shade(cell, fill)
    # The cell carries its own shading: drop the paragraph box look
    # (whichever rules the theme's box style draws: left, or top and sides).
    ooxml.nil_borders(paragraph)
    ooxml.clear_shading(paragraph)
    paragraph.paragraph_format.left_indent = Pt(0)
    paragraph.paragraph_format.right_indent = Pt(0)
    return paragraph


def _pad_table(table: Table, gutter: bool) -> None:
    """A centred fixed-width table with the PDF's padding inside the pros/cons
    cells (about 2 mm) and, with `gutter`, its 3 mm gap between the columns:
    a white rule between them."""
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # The rule is drawn across the cell boundary: half of it lies in each
    # cell's side margin, which is widened by as much.
    side_pt = 6 + (GUTTER_PT / 2 if gutter else 0)
    ooxml.set_cell_margins(table, top=4, left=side_pt, bottom=3, right=side_pt)
    if gutter:
        ooxml.set_inside_vertical_rule(table, GUTTER_PT, "#FFFFFF")


def _bullet(paragraph: DocxParagraph, indent: float) -> None:
    """A key point: the bullet at the box's text `indent` and the lines after
    it aligned, as the PDF's list does; no space between points, which read
    as one list."""
    fmt = paragraph.paragraph_format
    fmt.left_indent = Pt(indent + BULLET_INDENT_PT)
    fmt.first_line_indent = Pt(-BULLET_INDENT_PT)
    fmt.tab_stops.add_tab_stop(Pt(indent + BULLET_INDENT_PT))
    fmt.space_after = Pt(1)


def _end_box(doc: Document, count: int, split: bool) -> None:
    """The box's last paragraph: the CSS gap below it, and free to part from
    what follows. A box that may split (render.theme.may_split) lets each of
    its `count` paragraphs part from the next."""
    for paragraph in doc.paragraphs[-count:] if split else ():
        paragraph.paragraph_format.keep_with_next = False
        paragraph.paragraph_format.keep_together = False
    last = doc.paragraphs[-1]
    last.paragraph_format.keep_with_next = False
    last.paragraph_format.space_after = Pt(BOX_GAP_PT)


def _heading_text(index: int, heading: str, layout: Layout) -> str:
    return f"{index}. {heading}" if layout.heading_numbers else heading


def _toc_bookmark(index: int) -> str:
    """The bookmark on the index-th section heading that its contents entry
    links to ("_Toc": Word's hidden contents bookmarks)."""
    return ooxml.bookmark_name(f"_Toc_{section_anchor(index)}")


def _toc(doc: Document, brief: Brief, layout: Layout, pages: ContentsPages | None) -> None:
    """A TOC field Word refreshes on open, pre-filled as Word would fill it so
    it reads right before any update: each heading linked to its bookmark,
    with its page number in the PDF when `pages` gives it (else none)."""
    if not brief.sections:
        return
    doc.add_paragraph(brief.labels.contents, style="TOC Heading")
    entries = []
    for index, section in enumerate(brief.sections, 1):
        entry = doc.add_paragraph(style="TOC 1")
        page = pages[index - 1] if pages is not None and index <= len(pages) else None
        text = _heading_text(index, section.heading, layout)
        ooxml.add_contents_entry(entry, text, _toc_bookmark(index), page)
        entries.append(entry)
    ooxml.wrap_in_field(entries[0], entries[-1], TOC_FIELD)
    entries[-1].paragraph_format.space_after = Pt(BOX_GAP_PT)  # the CSS's 5 mm below the list
    ooxml.set_flag(doc.settings, "updateFields")


def _svg_to_png(svg: bytes, width_pt: float, warnings: list[str]) -> io.BytesIO | None:
    """An SVG logo rasterised at 300 dpi (Word's SVG support needs a PNG fallback anyway)."""
    try:
        import cairosvg
    except (ImportError, OSError):
        warnings.append("the SVG logo is left out of the DOCX: install cairosvg (and libcairo)")
        return None

    try:
        data = cairosvg.svg2png(
            bytestring=svg,
            output_width=round(width_pt / 72 * 300),
            # unsafe=False: no XML entities, and cairosvg's safe fetcher
            # serves data: URLs only (no network, no other file).
            unsafe=False,
        )
    except Exception as exc:  # a broken SVG: the PDF still shows what it can
        warnings.append(f"the SVG logo could not be drawn for the DOCX: {exc}")
        return None
    return io.BytesIO(data)


def _logo(doc: Document, brief: Brief, theme: Theme, warnings: list[str]) -> None:
    logo = theme.layout.logo
    if logo is None:
        return
    image: IO[bytes] | None = io.BytesIO(theme.asset(logo.path))
    if logo.path.lower().endswith(".svg"):
        image = _svg_to_png(theme.asset(logo.path), points(logo.width), warnings)
    if image is None:
        return
    paragraph = doc.add_paragraph(style="Brief Meta")
    paragraph.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[logo.position]
    run = paragraph.add_run()
    run.add_picture(image, width=Pt(points(logo.width)))
    ooxml.describe_pictures(run, "Logo", logo.alt or brief.organisation or "logo")


def title_block(
    doc: Document, brief: Brief, theme: Theme, warnings: list[str], title_style: str = "Title"
) -> None:
    """Organisation, title, subtitle, provenance and meta line; `title_style`:
    "Heading 1" for an article of a digest (the document's title is the digest's)."""
    layout = theme.layout
    start = len(doc.paragraphs)
    _logo(doc, brief, theme, warnings)
    if brief.organisation:
        doc.add_paragraph(brief.organisation, style="Brief Organisation")
    doc.add_paragraph(brief.title, style="Cover Title" if layout.cover else title_style)
    if brief.subtitle:
        doc.add_paragraph(brief.subtitle, style="Subtitle")
    if brief.provenance:
        doc.add_paragraph(brief.provenance, style="Brief Meta")
    authors = ", ".join(brief.authors)
    meta = " · ".join(t for t in (brief.date_text, authors, brief.reading_text) if t)
    doc.add_paragraph(meta, style="Brief Meta Rule")
    if layout.cover and layout.classification:
        doc.add_paragraph(layout.classification, style="Cover Classification")
    if layout.cover:
        # The cover's title block sits 30% down the text area, as in the CSS.
        margins = layout.page.margins
        height = layout.page.dimensions_pt()[1] - points(margins.top) - points(margins.bottom)
        first = doc.paragraphs[start]
        first.paragraph_format.space_before = Pt(round(height * 0.3))


def _sections(doc: Document, brief: Brief, theme: Theme, level: int, split: Splits) -> None:
    layout = theme.layout
    # Heading numbers as Word numbering, which Word renumbers when headings move.
    numbers = ooxml.add_decimal_numbering(doc) if layout.heading_numbers else None
    for index, section in enumerate(brief.sections):
        heading = doc.add_paragraph(section.heading, style=f"Heading {level}")
        if layout.toc:
            ooxml.add_bookmark(heading, _toc_bookmark(index + 1))
        if numbers is not None:
            ooxml.set_numbering(heading, numbers)
        if theme.docx.heading_rule != "none":
            pass  # a theme that rules its headings (the dossier) marks no kind twice
        elif section.kind == "question":
            # The bar inside the text column, as in the PDF.
            heading.paragraph_format.left_indent = Pt(QUESTION_BAR_PT)
            ooxml.set_border(heading, "left", layout.colors.accent, 24, 6)
        elif section.kind == "conclusion":
            ooxml.set_border(heading, "top", layout.colors.accent, 6, 8)
        _add_blocks(doc, section.blocks, doc, notes=section.kind == "notes", theme=theme)
        if section.pros or section.cons:
            if layout.columns == 2:
                _stacked_pros_cons(doc, brief, section, layout, split.pros_cons[index], theme)
            else:
                _pros_cons_table(doc, brief, section, layout, split.pros_cons[index], theme)


def _sources(doc: Document, brief: Brief, layout: Layout, level: int) -> None:
    # A real heading (navigation pane, PDF outline parity) drawn as the
    # theme's small-capitals label, below a hairline.
    heading = doc.add_paragraph(style=f"Heading {level}")
    # As in the CSS: 5 mm above the hairline, 2 mm below it, an 8 pt line, 1 mm under it.
    heading.paragraph_format.space_before = Pt(14)
    heading.paragraph_format.space_after = Pt(3)
    heading.paragraph_format.line_spacing = Pt(8 * 1.35)
    heading.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    # The label as the box labels are (accent, letter-spaced), under the
    # hairline only: no heading rule of the theme.
    ooxml.nil_borders(heading)
    ooxml.set_border(heading, "top", layout.colors.muted, 4, 6)
    label_run = heading.add_run(brief.labels.sources)
    label_run.font.size = Pt(8)
    label_run.font.all_caps = True
    label_run.font.color.rgb = rgb(layout.colors.accent)
    ooxml.set_letter_spacing(label_run, 8 * 0.08)
    for source in brief.sources:
        paragraph = doc.add_paragraph(style="Brief Source")
        # The bullet at the margin, the text 3 mm in, as in the CSS.
        paragraph.paragraph_format.left_indent = Pt(SOURCE_INDENT_PT)
        paragraph.paragraph_format.first_line_indent = Pt(-SOURCE_INDENT_PT)
        _add_runs(paragraph, (Run(text=source.name, href=source.url),), doc)
    # The list is kept whole (its style) and free from what follows. In two
    # columns only the label keeps with the first source: LibreOffice gives up
    # balancing the last page's columns when they end on a longer kept chain.
    items = doc.paragraphs[-len(brief.sources) :] if layout.columns == 2 else doc.paragraphs[-1:]
    for item in items:
        item.paragraph_format.keep_with_next = False


def add_part(doc: Document, brief: Brief, theme: Theme, name: str, level: int = 1) -> None:
    """One body part of the brief (key points, lede, intro, sections, entities,
    sources); its headings at `level` (2 inside a digest, under the article's title)."""
    layout = theme.layout
    split = splits(brief, layout)
    if name == "key_points" and brief.key_points:
        doc.add_paragraph(brief.labels.key_points, style="Box Label")
        # A Word list when the styles carry bullet numbering; else a typed bullet.
        listed = ooxml.list_numbering(paragraph_style(doc, "Box Bullet"))
        for point in brief.key_points:
            paragraph = doc.add_paragraph(point if listed else "•\t" + point, style="Box Bullet")
            if listed:
                # On the paragraph too: the numbering is List Bullet's (its level
                # names that style), and LibreOffice drew no bullet from the style alone.
                ooxml.set_numbering(paragraph, listed)
                ooxml.set_mark_color(paragraph, layout.colors.accent)  # as the CSS's bullet
            _bullet(paragraph, box_indent(theme.docx))
        # Its top rule set 1 pt closer than the lede box's: paragraphs with
        # the same rules are drawn as one box, and the two would merge.
        top, eighths = box_top_rule(layout, theme.docx)
        for paragraph in doc.paragraphs[-len(brief.key_points) - 1 :]:
            ooxml.set_border(paragraph, "top", top, eighths, BOX_PAD_PT - 1)
        _end_box(doc, len(brief.key_points), split.key_points)
    elif name == "lede" and brief.lede:
        doc.add_paragraph(brief.labels.lede, style="Box Label")
        before = len(doc.paragraphs)
        _add_blocks(doc, brief.lede, doc, style="Box Text", theme=theme)
        if layout.columns == 2 and split.lede:
            # In a column (see render_docx), ragged-right as in the CSS.
            for paragraph in doc.paragraphs[before:]:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _end_box(doc, len(doc.paragraphs) - before, split.lede)
    elif name == "intro" and brief.intro:
        _add_blocks(doc, brief.intro, doc, theme=theme)
    elif name == "sections":
        _sections(doc, brief, theme, level, split)
    elif name == "entities" and brief.entities:
        doc.add_paragraph(brief.labels.entities, style=f"Heading {level}")
        doc.add_paragraph(" · ".join(entity.text for entity in brief.entities))
    elif name == "sources" and brief.sources:
        _sources(doc, brief, layout, level)


def start_document(theme: Theme, brief: Brief) -> Document:
    """An empty document with the theme's styles (for `brief`'s language, direction
    and scripts) and page setup."""
    layout = theme.layout
    doc = open_base(theme.reference_docx)
    # The base document's content is dropped; only its styles are kept.
    ooxml.clear_body(doc)
    define_styles(
        doc,
        layout,
        theme.docx,
        brief.language,
        brief.direction,
        fallback_for(brief, layout.fonts),  # the PDF's fallback families too
        reference=theme.reference_docx is not None,
    )
    _page_setup(doc, layout)
    return doc


def finish_document(doc: Document, brief: Brief, theme: Theme, warnings: list[str]) -> Artifact:
    """Headers and footers, embedded fonts, core properties from `brief`: the bytes."""
    _headers_footers(doc, brief, theme.layout)
    fonts.embed_fonts(doc, theme)
    return Artifact("docx", package(doc, brief), tuple(warnings))


def _draws(name: str, brief: Brief) -> bool:
    """Whether the part `name` draws anything for this brief."""
    return {
        "toc": bool(brief.sections),
        "key_points": bool(brief.key_points),
        "lede": bool(brief.lede),
        "intro": bool(brief.intro),
        "sources": bool(brief.sources),
        "entities": bool(brief.entities),
    }.get(name, True)


def render_docx(
    brief: Brief, theme: Theme, contents_pages: ContentsPages | None = None
) -> Artifact:
    """The brief's DOCX; `contents_pages`: the page of each section heading
    in the PDF of the same brief, written into the contents (layout.toc)."""
    layout = theme.layout
    warnings: list[str] = []
    doc = start_document(theme, brief)

    parts = reading_order(layout, brief)
    split = splits(brief, layout)
    # The title block, the contents and the boxes span the page above the
    # columns (PDF: column-span: all), unless a box may break across pages.
    boxes = {"key_points": split.key_points, "lede": split.lede}
    full_width = {"title", "toc", *(name for name, splits_ in boxes.items() if not splits_)}
    columns = 1  # of the section being written
    for name in parts:
        if layout.columns == 2 and _draws(name, brief):
            # A continuous section break switches between one and two columns.
            wanted = 1 if name in full_width else 2
            if wanted != columns:
                started = doc.paragraphs or doc.tables
                section = ooxml.break_section(doc) if started else doc.sections[-1]
                ooxml.set_columns(section, wanted, COLUMN_GAP_PT)
                columns = wanted
        if name == "title":
            title_block(doc, brief, theme, warnings)
            lead_image(doc, brief, theme)
            if layout.cover:
                doc.add_section(WD_SECTION.NEW_PAGE)
        elif name == "toc":
            _toc(doc, brief, layout, contents_pages)
        else:
            add_part(doc, brief, theme, name)
    if columns == 2:
        # Ending the two-column section with a continuous break makes Word
        # and LibreOffice balance its columns on the last page.
        ooxml.set_columns(ooxml.break_section(doc), 1, COLUMN_GAP_PT)

    return finish_document(doc, brief, theme, warnings)
