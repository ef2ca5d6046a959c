"""render/docx: the style lookup and the font table part, on python-docx's own template."""

from __future__ import annotations

import io

from docx import Document
from docx.opc.part import XmlPart
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml

from pipeline.render.docx.fonts import FONT_TABLE_RELTYPE, font_table
from pipeline.render.docx.styles import has_style, paragraph_style


def _families(xml: bytes) -> list[str]:
    return [font.get(qn("w:name")) for font in parse_xml(xml).findall(qn("w:font"))]


def test_has_style_agrees_with_python_docx_listing_every_style() -> None:
    doc = Document()
    names = [style.name for style in doc.styles]
    assert len(names) > 100  # python-docx's template: the lookup has something to find
    for name in names:
        assert has_style(doc, name), name
    # UI names as python-docx's API takes them (stored as "heading 1", "caption")
    assert has_style(doc, "Heading 1") and has_style(doc, "Caption")
    assert not has_style(doc, "Brief Meta")
    paragraph_style(doc, "Brief Meta")  # created when missing
    assert has_style(doc, "Brief Meta")


def test_the_font_table_becomes_an_xml_part_in_place() -> None:
    doc = Document()
    before = doc.part.part_related_by(FONT_TABLE_RELTYPE)
    order = list(doc.part.rels)
    (rel_id,) = [r.rId for r in doc.part.rels.values() if r.reltype == FONT_TABLE_RELTYPE]
    table = font_table(doc)
    assert isinstance(table, XmlPart) and not isinstance(before, XmlPart)
    assert (table.partname, table.content_type) == (before.partname, before.content_type)
    assert _families(table.blob) == _families(before.blob) != []  # the same table
    assert list(doc.part.rels) == order  # same ids, same place
    assert doc.part.rels[rel_id].target_part is table
    assert font_table(doc) is table  # asked again: the same part
    # What is edited on the element is what the saved package holds.
    table.element.set("{urn:test}mark", "1")
    saved = io.BytesIO()
    doc.save(saved)
    again = Document(io.BytesIO(saved.getvalue()))
    assert b"urn:test" in again.part.part_related_by(FONT_TABLE_RELTYPE).blob
