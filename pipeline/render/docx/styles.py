"""Layout + theme look -> the Word styles every DOCX paragraph refers to.

One path per style: fonts, colours and sizes come from `layout:`, and the
theme's DOCX look (theme.yaml's `docx:`, the counterpart of its style.css:
title band, heading rule and capitals, box rules) is decided where the
style is written, never added and then undone. The composer only names
these styles.
"""

from __future__ import annotations

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.shared import Pt, RGBColor
from docx.styles import BabelFish
from docx.styles.style import ParagraphStyle
from pydantic import BaseModel

from pipeline.config.model import Layout, points
from pipeline.render.docx import ooxml
from pipeline.render.fallback import EAST_ASIAN, Fallback
from pipeline.render.fallback import NONE as NO_FALLBACK
from pipeline.render.theme import BOX_LEADING, DocxStyle, box_text_pt, hyphenation_zone_pt
from pipeline.understand.scripts import COMPLEX, language_script

BOX_SIDE_PT = 11  # inside a shaded box at the sides: the CSS padding of 4mm
BOX_RULE_PT = 3  # the note's left rule (the CSS's 3pt); the dossier's side rules are 0.5pt


def box_indent(look: DocxStyle) -> float:
    """Where box text starts, from the margin: the left rule, then the padding."""
    return (BOX_RULE_PT if look.box_border == "left" else 0.5) + BOX_SIDE_PT


BOX_PAD_PT = 6  # above a box's label, inside the shading: the CSS padding of 2.5mm
BAND_PADDING_PT = 17  # inside the dossier's title band, at the sides: the CSS padding of 6mm
BAND_TOP_PT, BAND_BOTTOM_PT = 11, 10  # above and below: the CSS's 4mm and 3.5mm
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
LANGUAGE_TAGS = {"fr": "fr-FR", "en": "en-GB"}


def rgb(color: str) -> RGBColor:
    return RGBColor.from_string(ooxml.hex_color(color))


def box_top_rule(layout: Layout, look: DocxStyle) -> tuple[str, int]:
    """Colour and width (eighths of a point) of a box's top rule: the
    dossier's accent rule, or one of the box's colour that pads it."""
    if look.box_border == "top":
        return layout.colors.accent, 18
    return layout.colors.box, 4


def text_width(layout: Layout) -> float:
    """The width between the side margins, in points."""
    _top, right, _bottom, left = layout.margins_pt()
    return layout.page.dimensions_pt()[0] - left - right


def has_style(doc: Document, name: str) -> bool:
    """Whether the document has a style named `name` (python-docx's UI name).

    One XPath query: `name in doc.styles` compares every style in Python, and
    listing the styles' names builds a proxy for each (the default template
    has 160), which took a third of a DOCX render.
    """
    return doc.styles.element.get_by_name(BabelFish.ui2internal(name)) is not None


def paragraph_style(doc: Document, name: str) -> ParagraphStyle:
    """The paragraph style `name`, created when the base document lacks it."""
    styles = doc.styles
    if has_style(doc, name):
        style = styles[name]
    else:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if not isinstance(style, ParagraphStyle) or style.type != WD_STYLE_TYPE.PARAGRAPH:
        raise ValueError(f"the style {name!r} is not a paragraph style")
    return style


def set_by_user(model: BaseModel, dotted: str) -> bool:
    """Whether the config gave `dotted` (say "fonts.body.family") rather than
    leaving it to its default."""
    for name in dotted.split("."):
        if name not in model.model_fields_set:
            return False
        model = getattr(model, name)
    return True


def caption_style(doc: Document, layout: Layout, reference: bool = False) -> ParagraphStyle:
    """Word's Caption style, for the caption under a picture (the lead image, a
    page's figure), as the PDF's figcaption: 8 pt of the body font, muted,
    ragged, never on the dossier's title band (where its meta line is). Set
    up when the first picture needs it, so a document without one keeps its
    bytes; a `reference` document's own Caption style is kept."""
    if reference and has_style(doc, "Caption"):
        return paragraph_style(doc, "Caption")
    style = paragraph_style(doc, "Caption")
    style.base_style = paragraph_style(doc, "Normal")
    _font(style, None, 8, layout.colors.muted)
    style.font.bold = False
    style.font.italic = False
    fmt = style.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
    fmt.keep_with_next = False
    fmt.space_before = Pt(2.8)  # the CSS's 1mm
    fmt.space_after = Pt(8)
    fmt.line_spacing = 1.15
    return style


def define_styles(
    doc: Document,
    layout: Layout,
    look: DocxStyle,
    language: str,
    direction: str = "ltr",
    fallback: Fallback = NO_FALLBACK,
    reference: bool = False,
) -> None:
    """Every style the composer names, each written once from the layout and the
    look; the brief's language and direction, and the fallback fonts for its scripts.

    With a `reference` document, its styles keep their fonts, colours and
    spacing wherever the config leaves the layout's value to its default.
    """
    fonts, colors = layout.fonts, layout.colors

    def given(dotted: str) -> bool:
        return not reference or set_by_user(layout, dotted)

    by_role = {"body": fonts.body, "heading": fonts.heading, "title": fonts.title}
    palette = {"accent": colors.accent, "text": colors.text, "muted": colors.muted}

    def family(role: str) -> str | None:
        return by_role[role].family if given(f"fonts.{role}.family") else None

    def size(role: str) -> float | None:
        return points(by_role[role].size) if given(f"fonts.{role}.size") else None

    def color(name: str) -> str | None:
        return palette[name] if given(f"colors.{name}") else None

    script = language_script(language.split("-")[0])
    ooxml.set_default_language(
        doc,
        LANGUAGE_TAGS.get(language, language),
        east_asian=script in EAST_ASIAN,
        complex_script=direction == "rtl" or script in COMPLEX,
    )
    if direction == "rtl":
        ooxml.set_default_right_to_left(doc)
    # Word hyphenates justified text only when the document asks for it.
    ooxml.set_flag(doc.settings, "autoHyphenation")
    # As in the CSS: at most 2 hyphenated lines in a row, and no hyphen when
    # the line would end less than about 8 characters short (in twips).
    ooxml.set_setting(doc.settings, "consecutiveHyphenLimit", "2")
    ooxml.set_setting(doc.settings, "hyphenationZone", str(round(hyphenation_zone_pt(layout) * 20)))

    normal = paragraph_style(doc, "Normal")
    _font(normal, family("body"), size("body"), color("text"))
    fmt = normal.paragraph_format
    if given("fonts.line_height") or given("fonts.body.size"):
        # CSS line-height is a factor of the font size; Word's "multiple" is a
        # factor of the font's own line height, so use "at least" size x factor.
        fmt.line_spacing = Pt(points(fonts.body.size) * fonts.line_height)
        fmt.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
    if given("fonts.body.size"):
        fmt.space_after = Pt(points(fonts.body.size) * 0.35)  # the CSS's 0.35em
    fmt.widow_control = True
    if layout.justify and given("justify"):
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    def heading_like(
        name: str,
        size: float | None,
        base: str | None = None,
        spacing: bool = True,
        font: str = "heading",
    ) -> ParagraphStyle:
        style = paragraph_style(doc, name)
        if base:
            style.base_style = paragraph_style(doc, base)
        _font(style, family(font), size, color("accent"))
        style.font.bold = True
        style.font.italic = False
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        if spacing and size is not None:
            # Leading as in the CSS (1.2 x the size), not a multiple of the font's own line.
            style.paragraph_format.line_spacing = Pt(size * 1.2)
            style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
        elif spacing:
            style.paragraph_format.line_spacing = 1.2
        # Titles, headings and labels are never hyphenated (as in the CSS).
        ooxml.suppress_hyphenation(style)
        return style

    # The title block: on the theme's accent band, or plain with a rule under the meta line.
    title = heading_like("Title", size("title"), spacing=not reference, font="title")
    if not reference:
        title.paragraph_format.space_after = Pt(4)
    ooxml.remove_borders(title)
    if look.title_align == "center":
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # The subtitle: Word's own Subtitle style, a muted sans line under the title.
    body_size = size("body")
    subtitle = heading_like(
        "Subtitle", body_size * 1.1 if body_size else None, spacing=not reference
    )
    subtitle.font.bold = False
    if color("muted") is not None:
        subtitle.font.color.rgb = rgb(colors.muted)
    if not reference:
        ooxml.set_letter_spacing(subtitle, 0)  # Word's Subtitle is letter-spaced; the PDF's is not
        subtitle.paragraph_format.space_before = Pt(0)
        subtitle.paragraph_format.space_after = Pt(5.7)
    # Section headings near-black (the accent stays for rules and labels),
    # more space above than below: the CSS's 4.5 mm and 1.5 mm (dossier 5 and 2).
    h1 = heading_like("Heading 1", size("heading"), spacing=not reference)
    if color("text") is not None:
        h1.font.color.rgb = rgb(colors.text)
    if not reference:
        ruled = look.heading_rule != "none"
        h1.paragraph_format.space_before = Pt(14.2 if ruled else 12.8)
        h1.paragraph_format.space_after = Pt(5.7 if ruled else 4.3)
        h1.paragraph_format.line_spacing = Pt(points(fonts.heading.size) * 1.25)
        h1.paragraph_format.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
    h1.font.all_caps = look.heading_caps
    if look.heading_rule != "none":
        ooxml.set_border(h1, look.heading_rule, colors.accent, 6, 2)

    small = max(7.0, points(fonts.body.size) * 0.78)
    meta = heading_like("Brief Meta", small, "Normal")
    meta.font.bold = False
    meta.font.color.rgb = rgb(colors.muted)
    meta.paragraph_format.space_after = Pt(2)
    meta_rule = heading_like("Brief Meta Rule", small, "Brief Meta")
    meta_rule.font.bold = False
    meta_rule.font.color.rgb = rgb(colors.muted)  # grey, as in the PDF
    meta_rule.paragraph_format.space_after = Pt(14)
    organisation = heading_like("Brief Organisation", 8, "Brief Meta")
    organisation.font.bold = False
    organisation.font.color.rgb = rgb(colors.muted)
    organisation.font.all_caps = True
    ooxml.set_letter_spacing(organisation, 8 * (0.15 if look.title_band else 0.08))
    if look.title_band:
        for style in (organisation, title, subtitle, meta, meta_rule):
            _band(style, colors.accent)
        # The CSS's gaps inside the band: 3 mm under the title, 2 mm under the subtitle.
        title.paragraph_format.space_after = Pt(8.5)
        subtitle.paragraph_format.space_after = Pt(5.7)
        meta_rule.paragraph_format.space_after = Pt(14)
    else:
        ooxml.set_border(meta_rule, "bottom", colors.accent, 12, 8)

    # Boxes (key points, lede): ruled on the left, or on top and padded at the sides.
    label = heading_like("Box Label", 8, "Normal")
    label.font.all_caps = True
    ooxml.set_letter_spacing(label, 8 * 0.08)
    label.paragraph_format.space_after = Pt(4)
    box = paragraph_style(doc, "Box Text")
    box.base_style = normal
    # As in the CSS: box text a half point smaller, and the box kept whole
    # (each paragraph kept with the next; the composer releases the last).
    box.font.size = Pt(box_text_pt(layout))
    box.paragraph_format.line_spacing = Pt(box_text_pt(layout) * BOX_LEADING)
    box.paragraph_format.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
    box.paragraph_format.space_after = Pt(3)
    box.paragraph_format.keep_together = True
    box.paragraph_format.keep_with_next = True
    # Every paragraph of a box carries the same rules, so Word and LibreOffice
    # draw them as one group: the theme's rule, and rules of the box's own
    # colour that pad it (the shading reaches them) above and below.
    # The rules sit at the margins and the text inside them by the CSS's
    # padding; a rule of the box's colour on the right pads the shading there.
    for style in (label, box):
        if look.box_border == "top":
            ooxml.set_border(style, "left", colors.box, 4, BOX_SIDE_PT)
        else:
            ooxml.set_border(style, "left", colors.accent, BOX_RULE_PT * 8, BOX_SIDE_PT)
        ooxml.set_border(style, "right", colors.box, 4, BOX_SIDE_PT)
        top, eighths = box_top_rule(layout, look)
        ooxml.set_border(style, "top", top, eighths, BOX_PAD_PT)
        ooxml.set_border(style, "bottom", colors.box, 4, 3)
        ooxml.shade(style, colors.box)
        style.paragraph_format.left_indent = Pt(box_indent(look))
        style.paragraph_format.right_indent = Pt(BOX_SIDE_PT + 0.5)
    label.paragraph_format.keep_with_next = True
    # Key points: a real Word list (the List Bullet numbering) in the box, ragged.
    bullet = paragraph_style(doc, "Box Bullet")
    bullet.base_style = box
    bullet.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    bullet.paragraph_format.space_after = Pt(2)
    num_id = ooxml.list_numbering(paragraph_style(doc, "List Bullet"))
    if num_id is not None:
        ooxml.set_numbering(bullet, num_id)

    quote = paragraph_style(doc, "Quote")
    quote.font.italic = True
    if color("text") is not None:
        quote.font.color.rgb = rgb(colors.text)
    if not reference:
        # A muted rule on the left, as in the CSS (4 mm in, the text 3 mm further).
        quote.paragraph_format.left_indent = Pt(20)
    ooxml.set_border(quote, "left", colors.muted, 12, 8)

    # Sources: a small sans list below a hairline (the hairline is on the label).
    source = paragraph_style(doc, "Brief Source")
    source.base_style = paragraph_style(doc, "List Bullet")
    _font(source, family("heading"), 8, color("text"))
    source.paragraph_format.space_after = Pt(0)
    # The CSS's line-height 1.35 of 8 pt, not the body's 14 pt lines.
    source.paragraph_format.line_spacing = Pt(8 * 1.35)
    source.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    source.paragraph_format.keep_with_next = True  # the short list stays whole
    source.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    # Narrow cells (pros/cons): ragged-right, a half point smaller.
    cell = paragraph_style(doc, "Cell Text")
    cell.base_style = normal
    cell.font.size = Pt(box_text_pt(layout))
    cell.paragraph_format.line_spacing = Pt(box_text_pt(layout) * BOX_LEADING)
    cell.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    for name in ("List Bullet", "List Number"):
        if family("body") is not None:
            paragraph_style(doc, name).font.name = fonts.body.family

    for name in ("Header", "Footer"):
        style = paragraph_style(doc, name)
        _font(style, family("heading"), 7.5, color("muted"))
        style.paragraph_format.tab_stops.clear_all()
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    banner = paragraph_style(doc, "Banner")
    banner.base_style = paragraph_style(doc, "Header")
    banner.font.bold = True
    banner.font.size = Pt(8)
    banner.font.color.rgb = rgb(colors.accent)
    banner.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    banner.paragraph_format.space_after = Pt(4)

    cover_title = paragraph_style(doc, "Cover Title")
    cover_title.base_style = title
    cover_title.font.size = Pt(points(fonts.title.size) * 1.4)
    cover_class = paragraph_style(doc, "Cover Classification")
    cover_class.base_style = meta
    cover_class.font.bold = True
    # On the dossier's band the marking is white, as in the CSS (accent on accent is invisible).
    cover_class.font.color.rgb = WHITE if look.title_band else rgb(colors.accent)
    cover_class.paragraph_format.space_before = Pt(34)

    # Contents: a small-capitals label without the box look, then dotted entries.
    toc_label = paragraph_style(doc, "TOC Heading")
    toc_label.base_style = normal
    _font(toc_label, family("heading"), 8, colors.accent)
    toc_label.font.bold = True
    toc_label.font.all_caps = True
    toc_label.paragraph_format.keep_with_next = True
    toc_label.paragraph_format.space_before = Pt(0)
    toc_label.paragraph_format.space_after = Pt(4)
    toc = paragraph_style(doc, "TOC 1")
    toc.base_style = normal
    toc.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    toc.paragraph_format.space_after = Pt(2)
    toc.paragraph_format.tab_stops.add_tab_stop(
        Pt(text_width(layout)), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
    )

    code = paragraph_style(doc, "Code")
    code.base_style = normal
    _font(code, fonts.monospace.family, points(fonts.monospace.size), None)
    # The East Asian and complex-script slots: the PDF's fallback families.
    ooxml.set_script_fonts(doc, fallback.east_asian, fallback.complex_script)


def _font(style: ParagraphStyle, family: str | None, size: float | None, color: str | None) -> None:
    """The style's font; what is None stays as the base document has it."""
    if family is not None:
        style.font.name = family
        ooxml.set_fonts(style, family)
    if size is not None:
        style.font.size = Pt(size)
    if color is not None:
        style.font.color.rgb = rgb(color)


def _band(style: ParagraphStyle, color: str) -> None:
    """White text on the theme's band. Shading stops at the text unless the
    paragraph has borders: borders of the band's own colour, set off from
    the text, pad the band."""
    ooxml.shade(style, color)
    style.font.color.rgb = WHITE
    style.paragraph_format.left_indent = Pt(BAND_PADDING_PT)
    style.paragraph_format.right_indent = Pt(BAND_PADDING_PT)
    style.paragraph_format.space_after = Pt(0)
    ooxml.set_border(style, "top", color, 4, BAND_TOP_PT)
    ooxml.set_border(style, "left", color, 4, BAND_PADDING_PT)
    ooxml.set_border(style, "bottom", color, 4, BAND_BOTTOM_PT)
    ooxml.set_border(style, "right", color, 4, BAND_PADDING_PT)
