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
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from ..brief import Block, Brief, Image, ListBlock, Paragraph, Quote, Run
from ..config import Layout, points
from . import Artifact
from .metadata import metadata_for
from .theme import Theme, expand_slot

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
        style = (
            styles[name]
            if name in [s.name for s in styles]
            else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        )
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
    box = styles.add_style("Box Text", WD_STYLE_TYPE.PARAGRAPH)
    box.base_style = normal
    for style in (label, box):
        ppr = style.element.get_or_add_pPr()
        _border(ppr, "left", colors.accent, 24, 8)
        _shade(ppr, colors.box)
        style.paragraph_format.left_indent = Pt(10)
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
            added.font.name = "DejaVu Sans Mono"
            _set_fonts(added._r, "DejaVu Sans Mono")


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


def _fill_slots(paragraph: DocxParagraph, slots: Any, brief: Brief, width: float) -> None:
    fmt = paragraph.paragraph_format
    fmt.tab_stops.add_tab_stop(Pt(width / 2), WD_TAB_ALIGNMENT.CENTER)
    fmt.tab_stops.add_tab_stop(Pt(width), WD_TAB_ALIGNMENT.RIGHT)
    for index, template in enumerate((slots.left, slots.center, slots.right)):
        if index:
            paragraph.add_run("\t")
        for kind, text in expand_slot(template, brief):
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
    text_width = width - points(margins.left) - points(margins.right)

    section.different_first_page_header_footer = True
    _fill_slots(section.header.paragraphs[0], layout.header, brief, text_width)
    _fill_slots(section.footer.paragraphs[0], layout.footer, brief, text_width)
    _fill_slots(section.first_page_footer.paragraphs[0], layout.footer, brief, text_width)
    section.first_page_header.is_linked_to_previous = False


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


def _clear_box(paragraph: DocxParagraph) -> None:
    """Table cells carry their own shading: drop the paragraph box look."""
    ppr = paragraph._p.get_or_add_pPr()
    edge = OxmlElement("w:left")
    edge.set(qn("w:val"), "nil")
    _ppr_child(ppr, "pBdr").append(edge)
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


def render_docx(brief: Brief, theme: Theme) -> Artifact:
    layout = theme.layout
    doc = new_document()
    _define_styles(doc, layout, brief.language)
    _page_setup(doc, brief, layout)
    # The default template starts with one empty paragraph; drop it.
    body = doc.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):
        body.remove(paragraph)

    for name in layout.blocks:
        if name == "title":
            if brief.organisation:
                doc.add_paragraph(brief.organisation.upper(), style="Brief Meta")
            doc.add_paragraph(brief.title, style="Title")
            meta = " · ".join(t for t in (brief.date_text, brief.reading_text) if t)
            doc.add_paragraph(meta, style="Brief Meta Rule")
        elif name == "key_points" and brief.key_points:
            doc.add_paragraph(brief.labels.key_points, style="Box Label")
            for point in brief.key_points:
                doc.add_paragraph("• " + point, style="Box Text")
        elif name == "lede" and brief.lede:
            doc.add_paragraph(brief.labels.lede, style="Box Label")
            _add_blocks(doc, brief.lede, doc, style="Box Text")
        elif name == "intro" and brief.intro:
            _add_blocks(doc, brief.intro, doc)
        elif name == "sections":
            for section in brief.sections:
                heading = doc.add_paragraph(section.heading, style="Heading 1")
                if section.kind == "question":
                    _border(heading._p.get_or_add_pPr(), "left", layout.colors.accent, 24, 6)
                elif section.kind == "conclusion":
                    _border(heading._p.get_or_add_pPr(), "top", layout.colors.accent, 6, 8)
                _add_blocks(doc, section.blocks, doc)
                if section.pros or section.cons:
                    _pros_cons_table(doc, brief, section, layout)
        elif name == "entities" and brief.entities:
            doc.add_paragraph(brief.labels.entities, style="Heading 1")
            doc.add_paragraph(" · ".join(entity.text for entity in brief.entities))
        elif name == "sources" and brief.sources:
            doc.add_paragraph(brief.labels.sources, style="Heading 1")
            for source in brief.sources:
                paragraph = doc.add_paragraph(style="List Bullet")
                _add_runs(paragraph, (Run(text=source.name, href=source.url),), doc)

    _core_properties(doc, brief)
    buffer = io.BytesIO()
    doc.save(buffer)
    return Artifact("docx", _reproducible_zip(buffer.getvalue(), brief.date))
