"""python-docx objects -> the WordprocessingML python-docx has no API for.

The only module of the DOCX writer that builds XML by hand. Like
python-docx's own `oxml/`, it declares the order Word's schema requires
once (`SCHEMA_ORDER`), and every child is put in its place by `get_or_add`,
so elements land right in a reference document from any tool. The
builders take python-docx proxies (paragraphs, styles, cells, rows,
tables, sections) and hide the elements behind them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Literal

from docx.document import Document
from docx.enum.section import WD_SECTION
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.section import Section
from docx.settings import Settings
from docx.shared import RGBColor
from docx.styles.style import BaseStyle
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml.etree import _Element as Element

Side = Literal["top", "left", "bottom", "right"]
FieldChar = Literal["begin", "separate", "end"]

HYPERLINK_RELTYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
HYPERLINK_COLOR = "0563C1"

# Children of each parent in the order ECMA-376 (wml.xsd) requires; Word
# refuses a file whose children are out of order. Only the parents this
# writer edits are listed.
SCHEMA_ORDER: dict[str, tuple[str, ...]] = {
    "w:pPr": (
        "w:pStyle",
        "w:keepNext",
        "w:keepLines",
        "w:pageBreakBefore",
        "w:framePr",
        "w:widowControl",
        "w:numPr",
        "w:suppressLineNumbers",
        "w:pBdr",
        "w:shd",
        "w:tabs",
        "w:suppressAutoHyphens",
        "w:kinsoku",
        "w:wordWrap",
        "w:overflowPunct",
        "w:topLinePunct",
        "w:autoSpaceDE",
        "w:autoSpaceDN",
        "w:bidi",
        "w:adjustRightInd",
        "w:snapToGrid",
        "w:spacing",
        "w:ind",
        "w:contextualSpacing",
        "w:mirrorIndents",
        "w:suppressOverlap",
        "w:jc",
        "w:textDirection",
        "w:textAlignment",
        "w:textboxTightWrap",
        "w:outlineLvl",
        "w:divId",
        "w:cnfStyle",
        "w:rPr",
        "w:sectPr",
        "w:pPrChange",
    ),
    "w:pBdr": ("w:top", "w:left", "w:bottom", "w:right", "w:between", "w:bar"),
    "w:numPr": ("w:ilvl", "w:numId", "w:numberingChange", "w:ins"),
    "w:abstractNum": (
        "w:nsid",
        "w:multiLevelType",
        "w:tmpl",
        "w:name",
        "w:styleLink",
        "w:numStyleLink",
        "w:lvl",
    ),
    "w:lvl": (
        "w:start",
        "w:numFmt",
        "w:lvlRestart",
        "w:pStyle",
        "w:isLgl",
        "w:suff",
        "w:lvlText",
        "w:lvlPicBulletId",
        "w:legacy",
        "w:lvlJc",
        "w:pPr",
        "w:rPr",
    ),
    "w:rPr": (
        "w:rStyle",
        "w:rFonts",
        "w:b",
        "w:bCs",
        "w:i",
        "w:iCs",
        "w:caps",
        "w:smallCaps",
        "w:strike",
        "w:dstrike",
        "w:outline",
        "w:shadow",
        "w:emboss",
        "w:imprint",
        "w:noProof",
        "w:snapToGrid",
        "w:vanish",
        "w:webHidden",
        "w:color",
        "w:spacing",
        "w:w",
        "w:kern",
        "w:position",
        "w:sz",
        "w:szCs",
        "w:highlight",
        "w:u",
        "w:effect",
        "w:bdr",
        "w:shd",
        "w:fitText",
        "w:vertAlign",
        "w:rtl",
        "w:cs",
        "w:em",
        "w:lang",
        "w:eastAsianLayout",
        "w:specVanish",
        "w:oMath",
    ),
    "w:styles": ("w:docDefaults", "w:latentStyles", "w:style"),
    "w:docDefaults": ("w:rPrDefault", "w:pPrDefault"),
    "w:pPrDefault": ("w:pPr",),
    "w:rPrDefault": ("w:rPr",),
    "w:tblPr": (
        "w:tblStyle",
        "w:tblpPr",
        "w:tblOverlap",
        "w:bidiVisual",
        "w:tblStyleRowBandSize",
        "w:tblStyleColBandSize",
        "w:tblW",
        "w:jc",
        "w:tblCellSpacing",
        "w:tblInd",
        "w:tblBorders",
        "w:shd",
        "w:tblLayout",
        "w:tblCellMar",
        "w:tblLook",
        "w:tblCaption",
        "w:tblDescription",
        "w:tblPrChange",
    ),
    "w:tblBorders": ("w:top", "w:left", "w:bottom", "w:right", "w:insideH", "w:insideV"),
    "w:tblCellMar": ("w:top", "w:left", "w:bottom", "w:right"),
    "w:tcPr": (
        "w:cnfStyle",
        "w:tcW",
        "w:gridSpan",
        "w:hMerge",
        "w:vMerge",
        "w:tcBorders",
        "w:shd",
        "w:noWrap",
        "w:tcMar",
        "w:textDirection",
        "w:tcFitText",
        "w:vAlign",
        "w:hideMark",
        "w:headers",
        "w:cellIns",
        "w:cellDel",
        "w:cellMerge",
        "w:tcPrChange",
    ),
    "w:sectPr": (
        "w:headerReference",
        "w:footerReference",
        "w:footnotePr",
        "w:endnotePr",
        "w:type",
        "w:pgSz",
        "w:pgMar",
        "w:paperSrc",
        "w:pgBorders",
        "w:lnNumType",
        "w:pgNumType",
        "w:cols",
        "w:formProt",
        "w:vAlign",
        "w:noEndnote",
        "w:titlePg",
        "w:textDirection",
        "w:bidi",
        "w:rtlGutter",
        "w:docGrid",
        "w:printerSettings",
        "w:sectPrChange",
    ),
    "w:settings": (
        "w:writeProtection",
        "w:view",
        "w:zoom",
        "w:removePersonalInformation",
        "w:removeDateAndTime",
        "w:doNotDisplayPageBoundaries",
        "w:displayBackgroundShape",
        "w:printPostScriptOverText",
        "w:printFractionalCharacterWidth",
        "w:printFormsData",
        "w:embedTrueTypeFonts",
        "w:embedSystemFonts",
        "w:saveSubsetFonts",
        "w:saveFormsData",
        "w:mirrorMargins",
        "w:alignBordersAndEdges",
        "w:bordersDoNotSurroundHeader",
        "w:bordersDoNotSurroundFooter",
        "w:gutterAtTop",
        "w:hideSpellingErrors",
        "w:hideGrammaticalErrors",
        "w:activeWritingStyle",
        "w:proofState",
        "w:formsDesign",
        "w:attachedTemplate",
        "w:linkStyles",
        "w:stylePaneFormatFilter",
        "w:stylePaneSortMethod",
        "w:documentType",
        "w:mailMerge",
        "w:revisionView",
        "w:trackRevisions",
        "w:doNotTrackMoves",
        "w:doNotTrackFormatting",
        "w:documentProtection",
        "w:autoFormatOverride",
        "w:styleLockTheme",
        "w:styleLockQFSet",
        "w:defaultTabStop",
        "w:autoHyphenation",
        "w:consecutiveHyphenLimit",
        "w:hyphenationZone",
        "w:doNotHyphenateCaps",
        "w:showEnvelope",
        "w:summaryLength",
        "w:clickAndTypeStyle",
        "w:defaultTableStyle",
        "w:evenAndOddHeaders",
        "w:bookFoldRevPrinting",
        "w:bookFoldPrinting",
        "w:bookFoldPrintingSheets",
        "w:drawingGridHorizontalSpacing",
        "w:drawingGridVerticalSpacing",
        "w:displayHorizontalDrawingGridEvery",
        "w:displayVerticalDrawingGridEvery",
        "w:doNotUseMarginsForDrawingGridOrigin",
        "w:drawingGridHorizontalOrigin",
        "w:drawingGridVerticalOrigin",
        "w:doNotShadeFormData",
        "w:noPunctuationKerning",
        "w:characterSpacingControl",
        "w:printTwoOnOne",
        "w:strictFirstAndLastChars",
        "w:noLineBreaksAfter",
        "w:noLineBreaksBefore",
        "w:savePreviewPicture",
        "w:doNotValidateAgainstSchema",
        "w:saveInvalidXml",
        "w:ignoreMixedContent",
        "w:alwaysShowPlaceholderText",
        "w:doNotDemarcateInvalidXml",
        "w:saveXmlDataOnly",
        "w:useXSLTWhenSaving",
        "w:saveThroughXslt",
        "w:showXMLTags",
        "w:alwaysMergeEmptyNamespace",
        "w:updateFields",
        "w:hdrShapeDefaults",
        "w:footnotePr",
        "w:endnotePr",
        "w:compat",
        "w:docVars",
        "w:rsids",
        "m:mathPr",
        "w:attachedSchema",
        "w:themeFontLang",
        "w:clrSchemeMapping",
        "w:doNotIncludeSubdocsInStats",
        "w:doNotAutoCompressPictures",
        "w:forceUpgrade",
        "w:captions",
        "w:readModeInkLockDown",
        "w:smartTagType",
        "sl:schemaLibrary",
        "w:shapeDefaults",
        "w:doNotEmbedSmartTags",
        "w:decimalSymbol",
        "w:listSeparator",
    ),
    "w:numbering": ("w:numPicBullet", "w:abstractNum", "w:num", "w:numIdMacAtCleanup"),
    "w:font": (
        "w:altName",
        "w:panose1",
        "w:charset",
        "w:family",
        "w:notTrueType",
        "w:pitch",
        "w:sig",
        "w:embedRegular",
        "w:embedBold",
        "w:embedItalic",
        "w:embedBoldItalic",
    ),
}
_ORDER_BY_CLARK = {
    qn(parent): tuple(qn(child) for child in children) for parent, children in SCHEMA_ORDER.items()
}


def element(tag: str, **attributes: str) -> Element:
    """A new element; attributes given as `val="x"` become `w:val="x"`, in order."""
    made = OxmlElement(tag)
    for name, value in attributes.items():
        made.set(qn(name if ":" in name else f"w:{name}"), value)
    return made


def get_or_add(parent: Element, tag: str) -> Element:
    """The child `tag` of `parent`, created at its schema position when missing."""
    existing = parent.find(qn(tag))
    if existing is not None:
        return existing
    return insert_in_order(parent, element(tag))


def insert_in_order(parent: Element, child: Element) -> Element:
    """Put `child` before the first sibling the schema wants after it (else last)."""
    order = _ORDER_BY_CLARK[parent.tag]
    later = set(order[order.index(child.tag) + 1 :])
    anchor = next((sibling for sibling in parent if sibling.tag in later), None)
    if anchor is not None:
        anchor.addprevious(child)
    else:
        parent.append(child)
    return child


def _remove(child: Element) -> None:
    parent = child.getparent()
    if parent is not None:
        parent.remove(child)


def hex_color(color: str) -> str:
    """A CSS colour (#abc, #aabbcc) as Word's RRGGBB."""
    value = color.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    return str(RGBColor.from_string(value.upper()))


# -- paragraphs and paragraph styles -------------------------------------------------

Formattable = Paragraph | BaseStyle


def _ppr(target: Formattable) -> Element:
    if isinstance(target, Paragraph):
        return target._p.get_or_add_pPr()
    return target.element.get_or_add_pPr()


def set_border(target: Formattable, side: Side, color: str, eighths: int, space: int) -> None:
    """A single rule on one side of a paragraph (or of a style's paragraphs),
    replacing any rule there; `eighths` is its width in eighths of a point,
    `space` its distance from the text in points."""
    edge = get_or_add(get_or_add(_ppr(target), "w:pBdr"), f"w:{side}")
    for name, value in (("val", "single"), ("sz", str(eighths)), ("space", str(space))):
        edge.set(qn(f"w:{name}"), value)
    edge.set(qn("w:color"), hex_color(color))


def suppress_hyphenation(target: Formattable) -> None:
    """Never hyphenate these paragraphs (titles, headings, labels), as the CSS does."""
    get_or_add(_ppr(target), "w:suppressAutoHyphens")


def set_letter_spacing(target: BaseStyle | Run, points: float) -> None:
    """Extra space between letters (the CSS letter-spacing), in points."""
    rpr = target._r.get_or_add_rPr() if isinstance(target, Run) else target.element.get_or_add_rPr()
    get_or_add(rpr, "w:spacing").set(qn("w:val"), str(round(points * 20)))


def list_numbering(style: BaseStyle) -> str | None:
    """The numbering (w:numId) a list style draws its bullets or numbers with."""
    ppr = style.element.pPr
    num = None if ppr is None else ppr.find(qn("w:numPr"))
    num_id = None if num is None else num.find(qn("w:numId"))
    return None if num_id is None else num_id.get(qn("w:val"))


def set_numbering(target: Formattable, num_id: str, level: int = 0) -> None:
    """Make the paragraph (or the style's paragraphs) items of a Word list."""
    numbering = get_or_add(_ppr(target), "w:numPr")
    get_or_add(numbering, "w:ilvl").set(qn("w:val"), str(level))
    get_or_add(numbering, "w:numId").set(qn("w:val"), num_id)


def set_mark_color(paragraph: Paragraph, color: str) -> None:
    """The colour of the paragraph mark, which Word and LibreOffice give its
    list bullet or number (the text keeps its own)."""
    rpr = get_or_add(_ppr(paragraph), "w:rPr")
    get_or_add(rpr, "w:color").set(qn("w:val"), hex_color(color))


def add_decimal_numbering(doc: Document, text: str = "%1.") -> str:
    """A new one-level decimal list ("1.", "2.", ...) in the numbering part,
    the number followed by a space; its w:numId."""
    numbering = doc.part.numbering_part.element
    taken = [int(n.get(qn("w:abstractNumId")) or 0) for n in numbering.findall(qn("w:abstractNum"))]
    abstract_id = str(max(taken, default=-1) + 1)
    abstract = element("w:abstractNum", abstractNumId=abstract_id)
    get_or_add(abstract, "w:multiLevelType").set(qn("w:val"), "singleLevel")
    level = insert_in_order(abstract, element("w:lvl", ilvl="0"))
    for tag, value in (("w:start", "1"), ("w:numFmt", "decimal"), ("w:suff", "space")):
        get_or_add(level, tag).set(qn("w:val"), value)
    get_or_add(level, "w:lvlText").set(qn("w:val"), text)
    get_or_add(level, "w:lvlJc").set(qn("w:val"), "left")
    insert_in_order(numbering, abstract)
    num = numbering.add_num(int(abstract_id))
    return str(num.numId)


def remove_borders(target: Formattable) -> None:
    """Drop every paragraph rule (a reference's Title underline, a theme's box)."""
    for borders in _ppr(target).findall(qn("w:pBdr")):
        _remove(borders)


def nil_borders(paragraph: Paragraph) -> None:
    """No rule on any side, whatever the paragraph's style draws."""
    borders = get_or_add(_ppr(paragraph), "w:pBdr")
    for side in SCHEMA_ORDER["w:pBdr"][:4]:
        get_or_add(borders, side).set(qn("w:val"), "nil")


def shade(target: Formattable | _Cell, color: str) -> None:
    """Background of a paragraph, a paragraph style or a table cell."""
    if isinstance(target, _Cell):
        shd = get_or_add(target._tc.get_or_add_tcPr(), "w:shd")
    else:
        shd = get_or_add(_ppr(target), "w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), hex_color(color))


def clear_shading(paragraph: Paragraph) -> None:
    """No background, whatever the paragraph's style fills."""
    shd = get_or_add(_ppr(paragraph), "w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:fill"), "auto")


def remove_paragraph(paragraph: Paragraph) -> None:
    _remove(paragraph._p)


def clear_body(doc: Document) -> None:
    """Drop a base document's content; its last section's page setup stays."""
    doc.element.body.clear_content()


# -- runs and fonts ------------------------------------------------------------------


def set_fonts(target: Run | BaseStyle, family: str) -> None:
    """Set every script slot of a run's or a style's font, so no theme font leaks in."""
    owner = target._r if isinstance(target, Run) else target.element
    fonts = owner.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), family)
    for slot in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(slot), None)


def _link(link: Element, text: str, superscript: bool = False) -> Element:
    """`link` (a w:hyperlink) holding one run of `text` in the Hyperlink style."""
    run = _text_run(text)
    rpr = element("w:rPr")
    rpr.append(element("w:rStyle", val="Hyperlink"))
    rpr.append(element("w:color", val=HYPERLINK_COLOR))
    if superscript:
        rpr.append(element("w:vertAlign", val="superscript"))
    run.insert(0, rpr)
    link.append(run)
    return link


def _text_run(text: str) -> Element:
    """A run of `text`, its spaces kept."""
    run = element("w:r")
    text_element = element("w:t")
    text_element.text = text
    text_element.set(qn("xml:space"), "preserve")
    run.append(text_element)
    return run


def add_hyperlink(paragraph: Paragraph, url: str, text: str) -> None:
    """An external link run in the Hyperlink character style (blue, as Word draws it)."""
    rel_id = paragraph.part.relate_to(url, HYPERLINK_RELTYPE, is_external=True)
    link = element("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    paragraph._p.append(_link(link, text))


def bookmark_name(anchor: str) -> str:
    """A Word bookmark name for an anchor ("note-1" -> "note_1"): Word takes
    letters, digits and underscores only."""
    return re.sub(r"\W", "_", anchor)[:40]


def add_note_link(paragraph: Paragraph, name: str, text: str) -> None:
    """A note marker: a raised link run to the bookmark `name` (its note)."""
    link = element("w:hyperlink", anchor=name, history="1")
    paragraph._p.append(_link(link, text, superscript=True))


def bookmark_names(paragraph: Paragraph) -> list[str]:
    """The names of the bookmarks already in the paragraph's document."""
    root = paragraph._p.getroottree().getroot()
    return [str(start.get(qn("w:name"))) for start in root.iter(qn("w:bookmarkStart"))]


def add_bookmark(paragraph: Paragraph, name: str) -> None:
    """A bookmark `name` (see `bookmark_name`) around the paragraph's content,
    with the next free bookmark id of the document."""
    root = paragraph._p.getroottree().getroot()
    ids = [int(start.get(qn("w:id"), "0")) for start in root.iter(qn("w:bookmarkStart"))]
    number = str(max(ids, default=0) + 1)
    start = element("w:bookmarkStart", id=number, name=name)
    end = element("w:bookmarkEnd", id=number)
    ppr = paragraph._p.find(qn("w:pPr"))
    if ppr is None:
        paragraph._p.insert(0, start)
    else:
        ppr.addnext(start)
    paragraph._p.append(end)


def describe_pictures(run: Run, name: str, description: str) -> None:
    """The alternative text (and name) of the pictures in `run`, read by screen readers."""
    for doc_pr in run._r.iter(qn("wp:docPr")):
        doc_pr.set("descr", description)
        doc_pr.set("name", name)


# -- fields --------------------------------------------------------------------------


def _field_char(kind: FieldChar, dirty: bool = False) -> Element:
    run = element("w:r")
    char = element("w:fldChar", fldCharType=kind)
    if dirty:
        char.set(qn("w:dirty"), "true")
    run.append(char)
    return run


def _field_start(instruction: str, dirty: bool) -> Iterator[Element]:
    """The runs that open a complex field: begin, the instruction, separate."""
    yield _field_char("begin", dirty)
    run = element("w:r")
    instr = element("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run.append(instr)
    yield run
    yield _field_char("separate")


def add_field(paragraph: Paragraph, instruction: str, result: str) -> None:
    """A complex field (PAGE, NUMPAGES) at the end of `paragraph`, showing
    `result` until Word or LibreOffice computes it."""
    for run in _field_start(instruction, dirty=False):
        paragraph._p.append(run)
    paragraph.add_run(result)
    paragraph._p.append(_field_char("end"))


def add_contents_entry(paragraph: Paragraph, text: str, bookmark: str, page: int | None) -> None:
    """One entry of a TOC field's result, as Word writes it: the heading's
    `text` linked to its `bookmark` and, when the page is known, a tab (the
    style's dotted leader) and the page number as a PAGEREF field."""
    link = element("w:hyperlink", anchor=bookmark, history="1")
    link.append(_text_run(text))
    if page is not None:
        tab = element("w:r")
        tab.append(element("w:tab"))
        link.append(tab)
        link.extend(_field_start(f"PAGEREF {bookmark} \\h", dirty=False))
        link.append(_text_run(str(page)))
        link.append(_field_char("end"))
    paragraph._p.append(link)


def wrap_in_field(first: Paragraph, last: Paragraph, instruction: str) -> None:
    """Make the paragraphs `first`..`last` the (dirty) result of a field such
    as TOC, so Word rebuilds them on open and they are never empty meanwhile."""
    start = list(_field_start(instruction, dirty=True))
    ppr = first._p.pPr
    for run in reversed(start):
        if ppr is not None:
            ppr.addnext(run)
        else:
            first._p.insert(0, run)
    last._p.append(_field_char("end"))


# -- tables --------------------------------------------------------------------------


def repeat_as_header(row: _Row) -> None:
    """Repeat the row at the top of each page; screen readers read it as column headers."""
    row._tr.get_or_add_trPr().append(element("w:tblHeader"))


def keep_together(row: _Row) -> None:
    """A row never split across pages."""
    row._tr.get_or_add_trPr().append(element("w:cantSplit"))


def set_cell_margins(table: Table, top: float, left: float, bottom: float, right: float) -> None:
    """The default inner margins of the table's cells, in points."""
    margins = element("w:tblCellMar")
    for side, size in (("w:top", top), ("w:left", left), ("w:bottom", bottom), ("w:right", right)):
        margins.append(element(side, w=str(round(size * 20)), type="dxa"))
    insert_in_order(table._tbl.tblPr, margins)


def set_inside_vertical_rule(table: Table, width_pt: float, color: str) -> None:
    """A rule between the table's columns (none elsewhere)."""
    borders = element("w:tblBorders")
    rule = element("w:insideV", val="single", sz=str(round(width_pt * 8)), space="0")
    rule.set(qn("w:color"), hex_color(color))
    borders.append(rule)
    insert_in_order(table._tbl.tblPr, borders)


# -- sections, styles and settings ---------------------------------------------------


def break_section(doc: Document) -> Section:
    """A continuous section break after what the body holds so far: what
    comes next is a new section (returned), the earlier one keeps its
    settings. The body's last paragraph ends the section (as Word writes a
    break typed at its end), so no empty paragraph is added unless the body
    ends with a table or a break already."""
    body = doc.element.body
    sentinel = body.get_or_add_sectPr()
    last = sentinel.getprevious()
    if (
        last is None
        or last.tag != qn("w:p")
        or last.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None
    ):
        last = body.add_p()
    last.set_sectPr(sentinel.clone())
    # The new section's header and footer are set later (compose._headers_footers).
    for reference in sentinel.xpath("w:headerReference|w:footerReference"):
        sentinel.remove(reference)
    section = doc.sections[-1]
    section.start_type = WD_SECTION.CONTINUOUS
    return section


def set_columns(section: Section, count: int, gap_pt: float) -> None:
    """Newspaper columns for the section, `gap_pt` apart."""
    cols = get_or_add(section._sectPr, "w:cols")
    cols.set(qn("w:num"), str(count))
    cols.set(qn("w:space"), str(round(gap_pt * 20)))


def set_default_language(
    doc: Document, tag: str, east_asian: bool = False, complex_script: bool = False
) -> None:
    """Proofing and hyphenation language on the document defaults (the core
    property alone does not set it): `w:val`, and `w:eastAsia` / `w:bidi` when
    the language is written in an East Asian or a complex (RTL, Indic, Thai) script."""
    defaults = get_or_add(doc.styles.element, "w:docDefaults")
    rpr = get_or_add(get_or_add(defaults, "w:rPrDefault"), "w:rPr")
    lang = get_or_add(rpr, "w:lang")
    lang.set(qn("w:val"), tag)
    for attribute, applies in (("w:eastAsia", east_asian), ("w:bidi", complex_script)):
        if applies:
            lang.set(qn(attribute), tag)
        else:
            lang.attrib.pop(qn(attribute), None)


def set_default_right_to_left(doc: Document) -> None:
    """Right-to-left paragraphs (`w:bidi`) and runs (`w:rtl`) on the document defaults."""
    defaults = get_or_add(doc.styles.element, "w:docDefaults")
    get_or_add(get_or_add(get_or_add(defaults, "w:pPrDefault"), "w:pPr"), "w:bidi")
    get_or_add(get_or_add(get_or_add(defaults, "w:rPrDefault"), "w:rPr"), "w:rtl")


def set_script_fonts(doc: Document, east_asian: str | None, complex_script: str | None) -> None:
    """The East Asian (`w:eastAsia`) and complex-script (`w:cs`) font of the
    document defaults and of every style that names fonts: the fallback
    families that draw the brief's other scripts (render/fallback.py)."""
    slots = {"w:eastAsia": ("w:eastAsiaTheme", east_asian), "w:cs": ("w:cstheme", complex_script)}
    if not east_asian and not complex_script:
        return
    defaults = get_or_add(doc.styles.element, "w:docDefaults")
    get_or_add(get_or_add(get_or_add(defaults, "w:rPrDefault"), "w:rPr"), "w:rFonts")
    for fonts in doc.styles.element.iter(qn("w:rFonts")):
        for slot, (theme_slot, family) in slots.items():
            if family:
                fonts.set(qn(slot), family)
                fonts.attrib.pop(qn(theme_slot), None)


def set_setting(settings: Settings, name: str, value: str) -> None:
    """Give a valued document setting (consecutiveHyphenLimit, hyphenationZone, ...)."""
    get_or_add(settings.element, f"w:{name}").set(qn("w:val"), value)


def set_flag(settings: Settings, name: str, explicit: bool = True) -> None:
    """Turn an on/off document setting on (autoHyphenation, updateFields, ...);
    `explicit` writes w:val="true" rather than relying on the default."""
    flag = get_or_add(settings.element, f"w:{name}")
    if explicit:
        flag.set(qn("w:val"), "true")


# -- the font table ------------------------------------------------------------------

FontSlot = Literal["embedRegular", "embedBold", "embedItalic", "embedBoldItalic"]


def parse_font_table(blob: bytes) -> Element:
    return parse_xml(blob)


def embed_font(table: Element, family: str, slot: FontSlot, rel_id: str, key: str) -> None:
    """Point the font table's entry for `family` (added when missing) at an embedded file."""
    entry = None
    for candidate in table.findall(qn("w:font")):
        if candidate.get(qn("w:name")) == family:
            entry = candidate
    if entry is None:
        entry = element("w:font", name=family)
        table.append(entry)
    embed = element(f"w:{slot}")
    embed.set(qn("r:id"), rel_id)
    embed.set(qn("w:fontKey"), key)
    insert_in_order(entry, embed)


# -- numbering -----------------------------------------------------------------------


def copy_list(source: Element, target: Element, num_id: str) -> str:
    """The list definition `num_id` of the numbering part `source` (its w:num
    and w:abstractNum) copied into `target` under new IDs; the new num ID."""
    num = _with(source, "w:num", "w:numId", num_id)  # KeyError: no such list
    abstract_id = get_or_add(num, "w:abstractNumId").get(qn("w:val"), "")
    abstract = copy.deepcopy(_with(source, "w:abstractNum", "w:abstractNumId", abstract_id))
    num = copy.deepcopy(num)
    new_abstract_id = _next_id(target, "w:abstractNum", "w:abstractNumId")
    new_num_id = _next_id(target, "w:num", "w:numId")
    abstract.set(qn("w:abstractNumId"), new_abstract_id)
    for unique in abstract.findall(qn("w:nsid")) + abstract.findall(qn("w:tmpl")):
        abstract.remove(unique)  # Word takes equal nsids for one list
    num.set(qn("w:numId"), new_num_id)
    get_or_add(num, "w:abstractNumId").set(qn("w:val"), new_abstract_id)
    insert_in_order(target, abstract)
    insert_in_order(target, num)
    return new_num_id


def _with(parent: Element, tag: str, attribute: str, value: str) -> Element:
    for child in parent.findall(qn(tag)):
        if child.get(qn(attribute)) == value:
            return child
    raise KeyError(f"no {tag} with {attribute}={value}")


def _next_id(numbering: Element, tag: str, attribute: str) -> str:
    values = [int(e.get(qn(attribute), "0")) for e in numbering.findall(qn(tag))]
    return str(max(values, default=0) + 1)
