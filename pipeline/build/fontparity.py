"""A rendered PDF + DOCX -> the font families each actually uses, and where they differ.

A family that is not installed is replaced in the PDF (fontconfig picks
another) while the DOCX still names it, so the two look different although
their text agrees. This reads the families back from both artifacts: the
PDF's embedded fonts behind the characters drawn (pdfplumber), the DOCX's
fonts of the paragraphs and runs that hold text (python-docx, following the
style chain). A family the DOCX embeds itself (layout.fonts.files) is taken
as matching whatever PostScript name its file carries.
"""

from __future__ import annotations

import io
import re
from typing import Any

_SUBSET = re.compile(r"^[A-Z]{6}\+")


def _squash(name: str) -> str:
    return re.sub(r"[\s_-]+", "", name).casefold()


def pdf_fonts(data: bytes) -> set[str]:
    """PostScript names of the fonts behind the PDF's characters, without subset tags."""
    import pdfplumber

    names: set[str] = set()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for char in page.chars:
                if char.get("text", "").strip():
                    names.add(_SUBSET.sub("", str(char.get("fontname", ""))))
    return names


def docx_fonts(data: bytes) -> tuple[set[str], set[str]]:
    """(families of the text's runs, families the DOCX embeds)."""
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(io.BytesIO(data))

    def style_font(style: Any) -> str | None:
        while style is not None:
            if style.font is not None and style.font.name:
                return str(style.font.name)
            style = style.base_style
        return None

    default = style_font(doc.styles["Normal"])
    families: set[str] = set()
    for paragraph in doc.paragraphs:
        for run in paragraph.runs:
            if not run.text.strip():
                continue
            name = run.font.name or style_font(run.style) or style_font(paragraph.style) or default
            if name:
                families.add(name)
    embedded: set[str] = set()
    marks = {qn(f"w:embed{kind}") for kind in ("Regular", "Bold", "Italic", "BoldItalic")}
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            from lxml import etree

            for font in etree.fromstring(rel.target_part.blob).iter(qn("w:font")):
                if any(child.tag in marks for child in font):
                    embedded.add(str(font.get(qn("w:name"))))
    return families, embedded


def font_problems(pdf_data: bytes, docx_data: bytes) -> list[str]:
    """One line per family the DOCX uses that the PDF does not draw with."""
    drawn = pdf_fonts(pdf_data)
    squashed = {_squash(name) for name in drawn}
    used, embedded = docx_fonts(docx_data)
    problems = []
    for family in sorted(used - embedded):
        key = _squash(family)
        if not any(name.startswith(key) for name in squashed):
            problems.append(
                f"fonts: the DOCX sets text in '{family}', which the PDF does not use "
                f"(it draws with {', '.join(sorted(drawn)) or 'no font'}); is '{family}' installed?"
            )
    return problems
