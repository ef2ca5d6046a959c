"""Layout + theme look -> the Word styles every DOCX paragraph refers to.

Fonts, colours and sizes come from `layout:`; the theme's DOCX look
(theme.yaml's `docx:`, the counterpart of its style.css) adds rules, bands
and capitals. The composer only names these styles.
"""

from __future__ import annotations

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.shared import Pt, RGBColor
from docx.styles.style import ParagraphStyle

from pipeline.config.model import Layout, points
from pipeline.render.docx import ooxml
from pipeline.render.theme import DocxStyle

BOX_INDENT_PT = 10  # text inside a shaded box, from its left rule
BAND_PADDING_PT = 11  # inside the dossier's title band: the CSS padding of ~4mm
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
LANGUAGE_TAGS = {"fr": "fr-FR", "en": "en-GB"}


def rgb(color: str) -> RGBColor:
    return RGBColor.from_string(ooxml.hex_color(color))


def text_width(layout: Layout) -> float:
    """The width between the side margins, in points."""
    margins = layout.page.margins
    return layout.page.dimensions_pt()[0] - points(margins.left) - points(margins.right)


def paragraph_style(doc: Document, name: str) -> ParagraphStyle:
    """The paragraph style `name`, created when the base document lacks it."""
    styles = doc.styles
    if name in [style.name for style in styles]:
        style = styles[name]
    else:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(style, ParagraphStyle)
    return style


def define_styles(doc: Document, layout: Layout, look: DocxStyle, language: str) -> None:
    """Every style the composer uses, from the layout and then the theme's look."""
    _layout_styles(doc, layout, language)
    _theme_styles(doc, layout, look)


def _layout_styles(doc: Document, layout: Layout, language: str) -> None:
    fonts, colors = layout.fonts, layout.colors

    ooxml.set_default_language(doc, LANGUAGE_TAGS.get(language, language))

    normal = paragraph_style(doc, "Normal")
    normal.font.name = fonts.body.family
    ooxml.set_fonts(normal, fonts.body.family)
    normal.font.size = Pt(points(fonts.body.size))
    normal.font.color.rgb = rgb(colors.text)
    fmt = normal.paragraph_format
    # CSS line-height is a factor of the font size; Word's "multiple" is a
    # factor of the font's own line height, so use "at least" size x factor.
    fmt.line_spacing = Pt(points(fonts.body.size) * fonts.line_height)
    fmt.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
    fmt.space_after = Pt(points(fonts.body.size) * 0.6)
    fmt.widow_control = True
    if layout.justify:
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    def heading_like(name: str, size: float, base: str | None = None) -> ParagraphStyle:
        style = paragraph_style(doc, name)
        if base:
            style.base_style = paragraph_style(doc, base)
        style.font.name = fonts.heading.family
        ooxml.set_fonts(style, fonts.heading.family)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = rgb(colors.accent)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        style.paragraph_format.line_spacing = 1.2
        return style

    title = heading_like("Title", points(fonts.title.size))
    title.paragraph_format.space_after = Pt(4)
    ooxml.remove_borders(title)
    h1 = heading_like("Heading 1", points(fonts.heading.size))
    h1.paragraph_format.space_before = Pt(14)
    h1.paragraph_format.space_after = Pt(6)

    small = max(7.0, points(fonts.body.size) * 0.78)
    meta = heading_like("Brief Meta", small, "Normal")
    meta.font.bold = False
    meta.font.color.rgb = rgb(colors.muted)
    meta.paragraph_format.space_after = Pt(2)

    meta_rule = heading_like("Brief Meta Rule", small, "Brief Meta")
    meta_rule.font.bold = False
    meta_rule.paragraph_format.space_after = Pt(14)
    ooxml.add_border(meta_rule, "bottom", colors.accent, 12, 8)

    label = heading_like("Box Label", small, "Normal")
    label.font.all_caps = True
    label.paragraph_format.space_after = Pt(3)
    box = paragraph_style(doc, "Box Text")
    box.base_style = normal
    for style in (label, box):
        ooxml.add_border(style, "left", colors.accent, 24, 8)
        ooxml.shade(style, colors.box)
        style.paragraph_format.left_indent = Pt(BOX_INDENT_PT)
        style.paragraph_format.right_indent = Pt(6)
    label.paragraph_format.keep_with_next = True

    quote = paragraph_style(doc, "Quote")
    quote.font.italic = True
    quote.font.color.rgb = rgb(colors.text)
    quote.paragraph_format.left_indent = Pt(12)

    for name in ("List Bullet", "List Number"):
        paragraph_style(doc, name).font.name = fonts.body.family

    for name in ("Header", "Footer"):
        style = paragraph_style(doc, name)
        style.font.name = fonts.heading.family
        ooxml.set_fonts(style, fonts.heading.family)
        style.font.size = Pt(7.5)
        style.font.color.rgb = rgb(colors.muted)
        style.paragraph_format.tab_stops.clear_all()
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    # Word hyphenates justified text only when the document asks for it.
    ooxml.set_flag(doc.settings, "autoHyphenation")


def _theme_styles(doc: Document, layout: Layout, look: DocxStyle) -> None:
    """Styles for the layout options and the theme's DOCX look (theme.yaml)."""
    fonts, colors = layout.fonts, layout.colors

    banner = paragraph_style(doc, "Banner")
    banner.base_style = paragraph_style(doc, "Header")
    banner.font.bold = True
    banner.font.size = Pt(8)
    banner.font.color.rgb = rgb(colors.accent)
    banner.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    banner.paragraph_format.space_after = Pt(4)

    heading = paragraph_style(doc, "Heading 1")
    heading.font.all_caps = look.heading_caps
    if look.heading_rule != "none":
        ooxml.add_border(heading, look.heading_rule, colors.accent, 8, 2)

    title = paragraph_style(doc, "Title")
    title.paragraph_format.alignment = (
        WD_ALIGN_PARAGRAPH.CENTER if look.title_align == "center" else WD_ALIGN_PARAGRAPH.LEFT
    )
    if look.title_band:
        band_rules: tuple[tuple[ooxml.Side, int], ...] = (
            ("top", 6),
            ("left", BAND_PADDING_PT),
            ("bottom", 6),
            ("right", BAND_PADDING_PT),
        )
        for name in ("Title", "Brief Meta", "Brief Meta Rule"):
            style = paragraph_style(doc, name)
            ooxml.shade(style, colors.accent)
            style.font.color.rgb = WHITE
            style.paragraph_format.left_indent = Pt(BAND_PADDING_PT)
            style.paragraph_format.right_indent = Pt(BAND_PADDING_PT)
            style.paragraph_format.space_after = Pt(0)
            # Shading stops at the text unless the paragraph has borders: borders
            # of the band's own colour, set off from the text, pad the band.
            for side, space in band_rules:
                ooxml.add_border(style, side, colors.accent, 4, space)
        paragraph_style(doc, "Brief Meta Rule").paragraph_format.space_after = Pt(14)
    if look.box_border == "top":
        label, box = paragraph_style(doc, "Box Label"), paragraph_style(doc, "Box Text")
        for style in (label, box):
            ooxml.remove_borders(style)
        ooxml.add_border(label, "top", colors.accent, 18, 4)
        # No left rule: pad the box with borders of its own colour instead.
        for style in (label, box):
            ooxml.add_border(style, "left", colors.box, 4, BOX_INDENT_PT - 2)
            ooxml.add_border(style, "right", colors.box, 4, BOX_INDENT_PT - 2)

    cover_title = paragraph_style(doc, "Cover Title")
    cover_title.base_style = title
    cover_title.font.size = Pt(points(fonts.title.size) * 1.4)
    cover_class = paragraph_style(doc, "Cover Classification")
    cover_class.base_style = paragraph_style(doc, "Brief Meta")
    cover_class.font.bold = True
    cover_class.font.color.rgb = rgb(colors.accent)
    cover_class.paragraph_format.space_before = Pt(34)

    # Small capitals label without the box look (contents).
    label = paragraph_style(doc, "TOC Heading")
    label.base_style = paragraph_style(doc, "Normal")
    label.font.name = fonts.heading.family
    ooxml.set_fonts(label, fonts.heading.family)
    label.font.size = Pt(8)
    label.font.bold = True
    label.font.all_caps = True
    label.font.color.rgb = rgb(colors.accent)
    label.paragraph_format.keep_with_next = True
    label.paragraph_format.space_before = Pt(0)
    label.paragraph_format.space_after = Pt(4)
    toc = paragraph_style(doc, "TOC 1")
    toc.base_style = paragraph_style(doc, "Normal")
    toc.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    toc.paragraph_format.space_after = Pt(2)
    toc.paragraph_format.tab_stops.add_tab_stop(
        Pt(text_width(layout)), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
    )

    code = paragraph_style(doc, "Code")
    code.base_style = paragraph_style(doc, "Normal")
    code.font.name = fonts.monospace.family
    ooxml.set_fonts(code, fonts.monospace.family)
    code.font.size = Pt(points(fonts.monospace.size))
