"""Brief -> DOCX bytes through python-docx, laid out from the same `Layout`
as the PDF: page size and margins, fonts, colours, header and footer slots
(with real PAGE and NUMPAGES fields), and the same blocks in the same order.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import zipfile
from typing import Any

from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from pipeline.brief import Block, Brief, Image, ListBlock, PageBreak, Paragraph, Quote, Run
from pipeline.config.model import Layout, points
from pipeline.render import Artifact
from pipeline.render.metadata import metadata_for
from pipeline.render.theme import DocxStyle, Theme, expand_slot, reading_order

COLUMN_GAP_PT = 8 * 72 / 25.4  # the CSS column-gap: 8mm
BOX_INDENT_PT = 10  # text inside a shaded box, from its left rule
BOX_GAP_PT = 5 * 72 / 25.4  # below a box: the CSS margin of 5mm
GUTTER_PT = 3 * 72 / 25.4  # between the pros and cons cells: the CSS border-spacing, 3mm
BAND_PADDING_PT = 11  # inside the dossier's title band: the CSS padding of ~4mm
BULLET_INDENT_PT = 4 * 72 / 25.4  # a key point's bullet column: the CSS 4mm
HYPERLINK_RELTYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def _rgb(color: str) -> RGBColor:
    value = color.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    return RGBColor.from_string(value.upper())


def _hex(color: str) -> str:
    return str(_rgb(color))


def _set_fonts(rpr_owner: Any, family: str) -> None:
    """Set every script slot of a run/style font, so no theme font leaks in."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), family)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)


# Children of w:pPr in the order the schema requires (Word refuses others).
_PPR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]


def _ppr_child(ppr: Any, tag: str) -> Any:
    """The w:pPr child `tag`, created at its schema position when missing."""
    existing = ppr.find(qn(f"w:{tag}"))
    if existing is not None:
        return existing
    element = OxmlElement(f"w:{tag}")
    later = _PPR_ORDER[_PPR_ORDER.index(tag) + 1 :]
    ppr.insert_element_before(element, *(f"w:{name}" for name in later))
    return element


def _border(ppr: Any, side: str, color: str, size_eighths: int, space: int = 6) -> None:
    borders = _ppr_child(ppr, "pBdr")
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size_eighths))
    edge.set(qn("w:space"), str(space))
    edge.set(qn("w:color"), _hex(color))
    borders.append(edge)


def _shade(parent: Any, color: str) -> None:
    """Background of a paragraph (w:pPr) or a table cell (w:tcPr)."""
    if parent.tag == qn("w:pPr"):
        shd = _ppr_child(parent, "shd")
    else:
        shd = OxmlElement("w:shd")
        parent.append(shd)
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), _hex(color))


def _style(doc: Document, name: str) -> Any:
    """The paragraph style `name`, created when the base document lacks it."""
    styles = doc.styles
    if name in [style.name for style in styles]:
        return styles[name]
    return styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)


def _theme_styles(doc: Document, layout: Layout, look: DocxStyle) -> None:
    """Styles for the layout options and the theme's DOCX look (theme.yaml)."""
    fonts, colors = layout.fonts, layout.colors
    styles = doc.styles

    banner = _style(doc, "Banner")
    banner.base_style = styles["Header"]
    banner.font.bold = True
    banner.font.size = Pt(8)
    banner.font.color.rgb = _rgb(colors.accent)
    banner.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    banner.paragraph_format.space_after = Pt(4)

    heading = styles["Heading 1"]
    heading.font.all_caps = look.heading_caps
    if look.heading_rule != "none":
        _border(heading.element.get_or_add_pPr(), look.heading_rule, colors.accent, 8, 2)

    title = styles["Title"]
    title.paragraph_format.alignment = (
        WD_ALIGN_PARAGRAPH.CENTER if look.title_align == "center" else WD_ALIGN_PARAGRAPH.LEFT
    )
    if look.title_band:
        for name in ("Title", "Brief Meta", "Brief Meta Rule"):
            style = styles[name]
            _shade(style.element.get_or_add_pPr(), colors.accent)
            style.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
            style.paragraph_format.left_indent = Pt(BAND_PADDING_PT)
            style.paragraph_format.right_indent = Pt(BAND_PADDING_PT)
            style.paragraph_format.space_after = Pt(0)
            # Shading stops at the text unless the paragraph has borders: borders
            # of the band's own colour, set off from the text, pad the band.
            ppr = style.element.get_or_add_pPr()
            for side, space in (
                ("top", 6),
                ("left", BAND_PADDING_PT),
                ("bottom", 6),
                ("right", BAND_PADDING_PT),
            ):
                _border(ppr, side, colors.accent, 4, space)
        styles["Brief Meta Rule"].paragraph_format.space_after = Pt(14)
    if look.box_border == "top":
        for name in ("Box Label", "Box Text"):
            ppr = styles[name].element.get_or_add_pPr()
            borders = ppr.find(qn("w:pBdr"))
            if borders is not None:
                ppr.remove(borders)
        _border(styles["Box Label"].element.get_or_add_pPr(), "top", colors.accent, 18, 4)
        # No left rule: pad the box with borders of its own colour instead.
        for name in ("Box Label", "Box Text"):
            ppr = styles[name].element.get_or_add_pPr()
            for side in ("left", "right"):
                _border(ppr, side, colors.box, 4, BOX_INDENT_PT - 2)

    cover_title = _style(doc, "Cover Title")
    cover_title.base_style = title
    cover_title.font.size = Pt(points(fonts.title.size) * 1.4)
    cover_class = _style(doc, "Cover Classification")
    cover_class.base_style = styles["Brief Meta"]
    cover_class.font.bold = True
    cover_class.font.color.rgb = _rgb(colors.accent)
    cover_class.paragraph_format.space_before = Pt(34)

    # Small capitals label without the box look (contents).
    for name in ("TOC Heading",):
        label = _style(doc, name)
        label.base_style = styles["Normal"]
        label.font.name = fonts.heading.family
        _set_fonts(label.element, fonts.heading.family)
        label.font.size = Pt(8)
        label.font.bold = True
        label.font.all_caps = True
        label.font.color.rgb = _rgb(colors.accent)
        label.paragraph_format.keep_with_next = True
        label.paragraph_format.space_before = Pt(0)
        label.paragraph_format.space_after = Pt(4)
    toc = _style(doc, "TOC 1")
    toc.base_style = styles["Normal"]
    toc.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    toc.paragraph_format.space_after = Pt(2)
    toc.paragraph_format.tab_stops.add_tab_stop(
        Pt(_text_width(layout)), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
    )

    code = _style(doc, "Code")
    code.base_style = styles["Normal"]
    code.font.name = fonts.monospace.family
    _set_fonts(code.element, fonts.monospace.family)
    code.font.size = Pt(points(fonts.monospace.size))


def _define_styles(doc: Document, layout: Layout, language: str) -> None:
    fonts, colors = layout.fonts, layout.colors
    styles = doc.styles

    # Proofing and hyphenation language on the document defaults (the core
    # property alone does not set it).
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr_default.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr_default.append(lang)
    tag = {"fr": "fr-FR", "en": "en-GB"}.get(language, language)
    lang.set(qn("w:val"), tag)
    lang.set(qn("w:eastAsia"), tag)
    lang.set(qn("w:bidi"), tag)

    normal = styles["Normal"]
    normal.font.name = fonts.body.family
    _set_fonts(normal.element, fonts.body.family)
    normal.font.size = Pt(points(fonts.body.size))
    normal.font.color.rgb = _rgb(colors.text)
    fmt = normal.paragraph_format
    # CSS line-height is a factor of the font size; Word's "multiple" is a
    # factor of the font's own line height, so use "at least" size x factor.
    fmt.line_spacing = Pt(points(fonts.body.size) * fonts.line_height)
    fmt.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
    fmt.space_after = Pt(points(fonts.body.size) * 0.6)
    fmt.widow_control = True
    if layout.justify:
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    def heading_like(name: str, size: float, base: str | None = None) -> Any:
        style = _style(doc, name)
        if base:
            style.base_style = styles[base]
        style.font.name = fonts.heading.family
        _set_fonts(style.element, fonts.heading.family)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = _rgb(colors.accent)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        style.paragraph_format.line_spacing = 1.2
        return style

    title = heading_like("Title", points(fonts.title.size))
    title.paragraph_format.space_after = Pt(4)
    title_ppr = title.element.get_or_add_pPr()
    for old in title_ppr.findall(qn("w:pBdr")):
        title_ppr.remove(old)
    h1 = heading_like("Heading 1", points(fonts.heading.size))
    h1.paragraph_format.space_before = Pt(14)
    h1.paragraph_format.space_after = Pt(6)

    small = max(7.0, points(fonts.body.size) * 0.78)
    meta = heading_like("Brief Meta", small, "Normal")
    meta.font.bold = False
    meta.font.color.rgb = _rgb(colors.muted)
    meta.paragraph_format.space_after = Pt(2)

    meta_rule = heading_like("Brief Meta Rule", small, "Brief Meta")
    meta_rule.font.bold = False
    meta_rule.paragraph_format.space_after = Pt(14)
    _border(meta_rule.element.get_or_add_pPr(), "bottom", colors.accent, 12, 8)

    label = heading_like("Box Label", small, "Normal")
    label.font.all_caps = True
    label.paragraph_format.space_after = Pt(3)
    box = _style(doc, "Box Text")
    box.base_style = normal
    for style in (label, box):
        ppr = style.element.get_or_add_pPr()
        _border(ppr, "left", colors.accent, 24, 8)
        _shade(ppr, colors.box)
        style.paragraph_format.left_indent = Pt(BOX_INDENT_PT)
        style.paragraph_format.right_indent = Pt(6)
    label.paragraph_format.keep_with_next = True

    quote = styles["Quote"]
    quote.font.italic = True
    quote.font.color.rgb = _rgb(colors.text)
    quote.paragraph_format.left_indent = Pt(12)

    for name in ("List Bullet", "List Number"):
        styles[name].font.name = fonts.body.family

    for name in ("Header", "Footer"):
        style = styles[name]
        style.font.name = fonts.heading.family
        _set_fonts(style.element, fonts.heading.family)
        style.font.size = Pt(7.5)
        style.font.color.rgb = _rgb(colors.muted)
        style.paragraph_format.tab_stops.clear_all()
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    # Word hyphenates justified text only when the document asks for it.
    settings = doc.settings.element
    hyphenate = OxmlElement("w:autoHyphenation")
    hyphenate.set(qn("w:val"), "true")
    tab_stop = settings.find(qn("w:defaultTabStop"))
    if tab_stop is not None:
        tab_stop.addnext(hyphenate)


def _add_hyperlink(paragraph: DocxParagraph, run: Run, doc: Document) -> None:
    assert run.href is not None
    rel_id = doc.part.relate_to(run.href, HYPERLINK_RELTYPE, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    new_run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    rpr.append(style)
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "0563C1")
    rpr.append(color)
    new_run.append(rpr)
    text = OxmlElement("w:t")
    text.text = run.text
    text.set(qn("xml:space"), "preserve")
    new_run.append(text)
    link.append(new_run)
    paragraph._p.append(link)


def _add_runs(paragraph: DocxParagraph, runs: tuple[Run, ...], doc: Document) -> None:
    for run in runs:
        if run.href:
            _add_hyperlink(paragraph, run, doc)
            continue
        added = paragraph.add_run(run.text)
        added.bold = "strong" in run.marks or None
        added.italic = "em" in run.marks or None
        if "code" in run.marks:
            family = doc.styles["Code"].font.name or "DejaVu Sans Mono"
            added.font.name = family
            _set_fonts(added._r, family)


def _add_blocks(
    container: Any, blocks: tuple[Block, ...], doc: Document, style: str | None = None
) -> None:
    for block in blocks:
        if isinstance(block, ListBlock):
            list_style = "List Number" if block.ordered else "List Bullet"
            for item in block.items:
                _add_runs(container.add_paragraph(style=style or list_style), item, doc)
        elif isinstance(block, Quote):
            _add_runs(container.add_paragraph(style=style or "Quote"), block.runs, doc)
        elif isinstance(block, Paragraph):
            _add_runs(container.add_paragraph(style=style), block.runs, doc)
        elif isinstance(block, Image):
            _add_image(container, block, doc)
        elif isinstance(block, PageBreak) and container is doc:
            # Inside a box or a table cell a page break has no place: ignored.
            doc.add_paragraph().paragraph_format.page_break_before = True


def _add_image(container: Any, image: Image, doc: Document) -> None:
    """The picture at its size at 96 dpi, never wider than the text column."""
    section = doc.sections[0]
    column = int(section.page_width or 0) - int(section.left_margin or 0)
    column -= int(section.right_margin or 0)
    width = Emu(min(int(image.width * 914400 / 96), column))
    paragraph = container.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run().add_picture(io.BytesIO(base64.b64decode(image.data)), width=width)
    if image.alt:
        container.add_paragraph(image.alt, style="Brief Meta")


def _add_field(paragraph: DocxParagraph, instruction: str) -> None:
    """A complex field (PAGE, NUMPAGES) with a cached result Word refreshes."""

    def char(kind: str) -> Any:
        run = OxmlElement("w:r")
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), kind)
        run.append(fld)
        return run

    paragraph._p.append(char("begin"))
    instr_run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    instr_run.append(instr)
    paragraph._p.append(instr_run)
    paragraph._p.append(char("separate"))
    paragraph.add_run("1")
    paragraph._p.append(char("end"))


def _fill_slots(
    paragraph: DocxParagraph, slots: Any, brief: Brief, width: float, classification: str = ""
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
                _add_field(paragraph, "PAGE" if kind == "page" else "NUMPAGES")


def _page_setup(doc: Document, brief: Brief, layout: Layout) -> None:
    section = doc.sections[0]
    width, height = layout.page.dimensions_pt()
    section.orientation = (
        WD_ORIENT.LANDSCAPE if layout.page.orientation == "landscape" else WD_ORIENT.PORTRAIT
    )
    section.page_width, section.page_height = Pt(width), Pt(height)
    margins = layout.page.margins
    section.top_margin = Pt(points(margins.top))
    section.bottom_margin = Pt(points(margins.bottom))
    section.left_margin = Pt(points(margins.left))
    section.right_margin = Pt(points(margins.right))
    section.header_distance = Pt(points(margins.top) * 0.45)
    section.footer_distance = Pt(points(margins.bottom) * 0.45)


def _text_width(layout: Layout) -> float:
    margins = layout.page.margins
    return layout.page.dimensions_pt()[0] - points(margins.left) - points(margins.right)


def _fill_header_footer(part: Any, slots: Any, brief: Brief, layout: Layout, banner: bool) -> None:
    """One header or footer: the classification banner (headers), then the slots."""
    part.is_linked_to_previous = False
    first = part.paragraphs[0]
    style = first.style
    for extra in part.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    for child in list(first._p):
        if child.tag != qn("w:pPr"):
            first._p.remove(child)
    if banner:
        first.style = "Banner"
        first.add_run(layout.classification)
        if slots is None:
            return
        first = part.add_paragraph(style=style)
    if slots is not None:
        _fill_slots(first, slots, brief, _text_width(layout), layout.classification)


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
        for part, slots in ((section.header, layout.header), (section.footer, layout.footer)):
            _fill_header_footer(part, slots, brief, layout, banner and part is section.header)
        if first_different:
            _fill_header_footer(section.first_page_header, None, brief, layout, banner)
            _fill_header_footer(
                section.first_page_footer,
                None if layout.cover else layout.footer,
                brief,
                layout,
                False,
            )


def _pros_cons_table(doc: Document, brief: Brief, section: Any, layout: Layout) -> None:
    table = doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header = table.rows[0]
    # Repeat as header row (also what screen readers read as column headers).
    trpr = header._tr.get_or_add_trPr()
    for tag in ("w:tblHeader", "w:cantSplit"):
        element = OxmlElement(tag)
        trpr.append(element)
    body_trpr = table.rows[1]._tr.get_or_add_trPr()
    body_trpr.append(OxmlElement("w:cantSplit"))
    _pad_table(table, gutter=True)
    labels = (brief.labels.pros, brief.labels.cons)
    fills = (layout.colors.accent, layout.colors.muted)
    for cell, label, fill in zip(header.cells, labels, fills, strict=False):
        paragraph = cell.paragraphs[0]
        paragraph.style = doc.styles["Box Label"]
        run = paragraph.add_run(label)
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        _shade(cell._tc.get_or_add_tcPr(), fill)
        _clear_box(paragraph)
    for cell, blocks in zip(table.rows[1].cells, (section.pros, section.cons), strict=False):
        _shade(cell._tc.get_or_add_tcPr(), layout.colors.box)
        first = cell.paragraphs[0]
        _add_blocks(cell, blocks, doc)
        first._p.getparent().remove(first._p)


# w:tblPr children after tblBorders, in schema order (insertion points).
_AFTER_TBL_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption")
_AFTER_TBL_CELL_MAR = ("w:tblLook", "w:tblCaption", "w:tblDescription")


def _pad_table(table: Any, gutter: bool) -> None:
    """The PDF's padding inside the pros/cons cells (about 2 mm) and, with
    `gutter`, its 3 mm gap between the columns: a white rule between them."""
    tblpr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    # The rule is drawn across the cell boundary: half of it lies in each
    # cell's side margin, which is widened by as much.
    side_pt = 6 + (GUTTER_PT / 2 if gutter else 0)
    for side, size in (("top", 4), ("left", side_pt), ("bottom", 3), ("right", side_pt)):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(round(size * 20)))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    tblpr.insert_element_before(margins, *_AFTER_TBL_CELL_MAR)
    if gutter:
        borders = OxmlElement("w:tblBorders")
        rule = OxmlElement("w:insideV")
        rule.set(qn("w:val"), "single")
        rule.set(qn("w:sz"), str(round(GUTTER_PT * 8)))
        rule.set(qn("w:space"), "0")
        rule.set(qn("w:color"), "FFFFFF")
        borders.append(rule)
        tblpr.insert_element_before(borders, *_AFTER_TBL_BORDERS)


def _clear_box(paragraph: DocxParagraph) -> None:
    """Table cells carry their own shading: drop the paragraph box look
    (whichever rules the theme's box style draws: left, or top and sides)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = _ppr_child(ppr, "pBdr")
    for side in ("top", "left", "bottom", "right"):  # schema order
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)
    shd = _ppr_child(ppr, "shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:fill"), "auto")
    paragraph.paragraph_format.left_indent = Pt(0)
    paragraph.paragraph_format.right_indent = Pt(0)


def _core_properties(doc: Document, brief: Brief) -> None:
    meta = metadata_for(brief)  # the same values as the PDF's Info and XMP
    props = doc.core_properties
    props.title = meta.title
    props.subject = meta.subject
    props.keywords = ", ".join(meta.keywords)
    props.language = meta.language
    props.author = meta.author
    props.last_modified_by = ""
    props.comments = ""
    props.revision = 1
    stamp = meta.created.replace(tzinfo=None)  # python-docx writes naive times as UTC
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp


def _reproducible_zip(data: bytes, when: dt.date | None) -> bytes:
    """Rewrite the package with fixed entry times, so equal input gives equal bytes."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0) if when else (1980, 1, 1, 0, 0, 0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def _bullet(paragraph: Any) -> None:
    """A key point: the bullet hangs in the box's margin and the wrapped lines
    align with the text after it, as the PDF's list does; no space between
    points, which read as one list."""
    fmt = paragraph.paragraph_format
    fmt.left_indent = Pt(BOX_INDENT_PT + BULLET_INDENT_PT)
    fmt.first_line_indent = Pt(-BULLET_INDENT_PT)
    fmt.tab_stops.add_tab_stop(Pt(BOX_INDENT_PT + BULLET_INDENT_PT))
    fmt.space_after = Pt(1)


def _end_box(doc: Document) -> None:
    """A thin unbordered paragraph after a box: Word and LibreOffice merge
    consecutive paragraphs with the same borders, so two boxes in a row would
    otherwise be drawn as one."""
    spacer = doc.add_paragraph()
    spacer.paragraph_format.space_before = Pt(0)
    spacer.paragraph_format.space_after = Pt(0)
    spacer.paragraph_format.line_spacing = Pt(BOX_GAP_PT)
    spacer.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY


def _set_columns(section: Any, count: int, gap_pt: float) -> None:
    cols = section._sectPr.find(qn("w:cols"))
    if cols is None:
        cols = OxmlElement("w:cols")
        later = section._sectPr.find(qn("w:docGrid"))
        if later is not None:
            later.addprevious(cols)
        else:
            section._sectPr.append(cols)
    cols.set(qn("w:num"), str(count))
    cols.set(qn("w:space"), str(round(gap_pt * 20)))


def _update_fields_on_open(doc: Document) -> None:
    """Ask Word to refresh fields (the TOC's page numbers) when it opens the file."""
    settings = doc.settings.element
    if settings.find(qn("w:updateFields")) is not None:
        return
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    # Schema order: updateFields comes before these settings children.
    for later in ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids"):
        anchor = settings.find(qn(f"w:{later}"))
        if anchor is not None:
            anchor.addprevious(update)
            return
    settings.append(update)


def _heading_text(index: int, heading: str, layout: Layout) -> str:
    return f"{index}. {heading}" if layout.heading_numbers else heading


def _toc(doc: Document, brief: Brief, layout: Layout) -> None:
    """A TOC field Word refreshes on open, pre-filled with the headings so it is never empty."""
    if not brief.sections:
        return
    doc.add_paragraph(brief.labels.contents, style="TOC Heading")
    entries = [
        doc.add_paragraph(_heading_text(i, s.heading, layout), style="TOC 1")
        for i, s in enumerate(brief.sections, 1)
    ]

    def char(kind: str) -> Any:
        run = OxmlElement("w:r")
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            fld.set(qn("w:dirty"), "true")
        run.append(fld)
        return run

    first = entries[0]._p
    anchor = first.find(qn("w:pPr"))
    instr_run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = ' TOC \\o "1-1" \\h \\z \\u '
    instr_run.append(instr)
    for element in reversed((char("begin"), instr_run, char("separate"))):
        if anchor is not None:
            anchor.addnext(element)
        else:
            first.insert(0, element)
    entries[-1]._p.append(char("end"))
    _update_fields_on_open(doc)


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
    image: Any = io.BytesIO(theme.asset(logo.path))
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
    for doc_pr in run._r.iter(qn("wp:docPr")):
        doc_pr.set("descr", logo.alt or brief.organisation or "logo")
        doc_pr.set("name", "Logo")


def _title_block(doc: Document, brief: Brief, theme: Theme, warnings: list[str]) -> None:
    layout = theme.layout
    start = len(doc.paragraphs)
    _logo(doc, brief, theme, warnings)
    if brief.organisation:
        doc.add_paragraph(brief.organisation.upper(), style="Brief Meta")
    doc.add_paragraph(brief.title, style="Cover Title" if layout.cover else "Title")
    if brief.subtitle:
        doc.add_paragraph(brief.subtitle, style="Brief Meta")
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


def _stacked_pros_cons(doc: Document, brief: Brief, section: Any, layout: Layout) -> None:
    """Pros above cons, for a column too narrow for two cells side by side."""
    table = doc.add_table(rows=4, cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _pad_table(table, gutter=False)
    column_width = Pt((_text_width(layout) - COLUMN_GAP_PT) / 2 - 2)
    table.columns[0].width = column_width
    for cell in table.columns[0].cells:
        cell.width = column_width
    rows = table.rows
    parts = (
        (brief.labels.pros, section.pros, layout.colors.accent),
        (brief.labels.cons, section.cons, layout.colors.muted),
    )
    for index, (label, blocks, fill) in enumerate(parts):
        head, body = rows[2 * index], rows[2 * index + 1]
        for row in (head, body):
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        paragraph = head.cells[0].paragraphs[0]
        paragraph.style = doc.styles["Box Label"]
        run = paragraph.add_run(label)
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        _shade(head.cells[0]._tc.get_or_add_tcPr(), fill)
        _clear_box(paragraph)
        paragraph.paragraph_format.keep_with_next = True
        cell = body.cells[0]
        _shade(cell._tc.get_or_add_tcPr(), layout.colors.box)
        first = cell.paragraphs[0]
        _add_blocks(cell, blocks, doc)
        first._p.getparent().remove(first._p)


FONT_RELTYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
FONT_TABLE_RELTYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"


def _obfuscate(data: bytes, key: str) -> bytes:
    """ECMA-376 font obfuscation: XOR the first 32 bytes with the GUID key, reversed."""
    key_bytes = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(byte ^ key_bytes[index % 16] for index, byte in enumerate(data[:32]))
    return head + data[32:]


def _embed_fonts(doc: Document, theme: Theme) -> None:
    """Embed the config's font files, so Word and LibreOffice draw the same faces as the PDF."""
    import hashlib
    import uuid

    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    layout = theme.layout
    if not layout.fonts.files:
        return
    table_part = doc.part.part_related_by(FONT_TABLE_RELTYPE)
    table = parse_xml(table_part.blob)
    slots = {
        ("normal", "normal"): "embedRegular",
        ("bold", "normal"): "embedBold",
        ("normal", "italic"): "embedItalic",
        ("bold", "italic"): "embedBoldItalic",
    }
    for number, font in enumerate(layout.fonts.files, 1):
        data = theme.asset(font.path)
        # A key derived from the bytes keeps the build reproducible.
        key = "{" + str(uuid.UUID(bytes=hashlib.md5(data).digest())).upper() + "}"
        part = Part(
            PackURI(f"/word/fonts/font{number}.odttf"),
            OBFUSCATED_FONT,
            _obfuscate(data, key),
            doc.part.package,
        )
        rel_id = table_part.relate_to(part, FONT_RELTYPE)
        entry = None
        for candidate in table.findall(qn("w:font")):
            if candidate.get(qn("w:name")) == font.family:
                entry = candidate
        if entry is None:
            entry = OxmlElement("w:font")
            entry.set(qn("w:name"), font.family)
            table.append(entry)
        embed = OxmlElement(f"w:{slots[(font.weight, font.style)]}")
        embed.set(qn("r:id"), rel_id)
        embed.set(qn("w:fontKey"), key)
        # Schema order inside w:font: the embed* elements come last, in this order.
        order = list(slots.values())
        later = [
            child
            for child in entry
            if child.tag.split("}")[1] in order
            and order.index(child.tag.split("}")[1]) > order.index(embed.tag.split("}")[1])
        ]
        if later:
            later[0].addprevious(embed)
        else:
            entry.append(embed)
    from docx.opc.oxml import serialize_part_xml

    # The font table is a plain part in python-docx: store the edited XML back.
    table_part._blob = serialize_part_xml(table)
    settings = doc.settings.element
    if settings.find(qn("w:embedTrueTypeFonts")) is None:
        flag = OxmlElement("w:embedTrueTypeFonts")
        # Schema order: after zoom and the print flags, before proofState and the rest.
        anchor = next(
            (
                settings.find(qn(f"w:{name}"))
                for name in ("saveSubsetFonts", "proofState", "defaultTabStop")
                if settings.find(qn(f"w:{name}")) is not None
            ),
            None,
        )
        if anchor is not None:
            anchor.addprevious(flag)
        else:
            settings.insert(0, flag)


def render_docx(brief: Brief, theme: Theme) -> Artifact:
    layout = theme.layout
    warnings: list[str] = []
    doc = new_document(str(theme.reference_docx) if theme.reference_docx else None)
    # The base document's content is dropped; only its styles are kept.
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    _define_styles(doc, layout, brief.language)
    _theme_styles(doc, layout, theme.docx)
    _page_setup(doc, brief, layout)

    parts = reading_order(layout)
    # Parts before the body that span the page width (PDF: column-span: all).
    spanning = 0
    while spanning < len(parts) and parts[spanning] in ("title", "toc"):
        spanning += 1
    if layout.columns == 2 and spanning == 0:
        _set_columns(doc.sections[-1], 2, COLUMN_GAP_PT)

    for position, name in enumerate(parts):
        if name == "title":
            _title_block(doc, brief, theme, warnings)
            if layout.cover:
                doc.add_section(WD_SECTION.NEW_PAGE)
        elif name == "toc":
            _toc(doc, brief, layout)
        elif name == "key_points" and brief.key_points:
            doc.add_paragraph(brief.labels.key_points, style="Box Label")
            for point in brief.key_points:
                _bullet(doc.add_paragraph("•\t" + point, style="Box Text"))
            _end_box(doc)
        elif name == "lede" and brief.lede:
            doc.add_paragraph(brief.labels.lede, style="Box Label")
            _add_blocks(doc, brief.lede, doc, style="Box Text")
            _end_box(doc)
        elif name == "intro" and brief.intro:
            _add_blocks(doc, brief.intro, doc)
        elif name == "sections":
            for number, section in enumerate(brief.sections, 1):
                heading = doc.add_paragraph(
                    _heading_text(number, section.heading, layout), style="Heading 1"
                )
                if section.kind == "question":
                    _border(heading._p.get_or_add_pPr(), "left", layout.colors.accent, 24, 6)
                elif section.kind == "conclusion":
                    _border(heading._p.get_or_add_pPr(), "top", layout.colors.accent, 6, 8)
                _add_blocks(doc, section.blocks, doc)
                if section.pros or section.cons:
                    if layout.columns == 2:
                        _stacked_pros_cons(doc, brief, section, layout)
                    else:
                        _pros_cons_table(doc, brief, section, layout)
        elif name == "entities" and brief.entities:
            doc.add_paragraph(brief.labels.entities, style="Heading 1")
            doc.add_paragraph(" · ".join(entity.text for entity in brief.entities))
        elif name == "sources" and brief.sources:
            # A real Heading 1 (navigation pane, PDF outline parity) drawn as the
            # theme's small-capitals label.
            heading = doc.add_paragraph(style="Heading 1")
            heading.paragraph_format.space_before = Pt(14)
            heading.paragraph_format.space_after = Pt(4)
            label_run = heading.add_run(brief.labels.sources)
            label_run.font.size = Pt(8)
            label_run.font.all_caps = True
            for source in brief.sources:
                paragraph = doc.add_paragraph(style="List Bullet")
                _add_runs(paragraph, (Run(text=source.name, href=source.url),), doc)
        if layout.columns == 2 and spanning and position == spanning - 1:
            # The body starts: a continuous section break switches to two columns.
            _set_columns(doc.add_section(WD_SECTION.CONTINUOUS), 2, COLUMN_GAP_PT)

    _headers_footers(doc, brief, layout)
    _embed_fonts(doc, theme)
    _core_properties(doc, brief)
    buffer = io.BytesIO()
    doc.save(buffer)
    return Artifact("docx", _reproducible_zip(buffer.getvalue(), brief.date), tuple(warnings))
