"""Layout font files -> fonts embedded in the DOCX package (ECMA-376 obfuscated),
so Word and LibreOffice draw the same faces as the PDF."""

from __future__ import annotations

import hashlib
import uuid

from docx.document import Document
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart

from pipeline.render.docx import ooxml
from pipeline.render.theme import Theme

FONT_RELTYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
FONT_TABLE_RELTYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
SLOTS: dict[tuple[str, str], ooxml.FontSlot] = {
    ("normal", "normal"): "embedRegular",
    ("bold", "normal"): "embedBold",
    ("normal", "italic"): "embedItalic",
    ("bold", "italic"): "embedBoldItalic",
}


def obfuscate(data: bytes, key: str) -> bytes:
    """ECMA-376 font obfuscation: XOR the first 32 bytes with the GUID key, reversed."""
    key_bytes = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(byte ^ key_bytes[index % 16] for index, byte in enumerate(data[:32]))
    return head + data[32:]


def font_table(doc: Document) -> XmlPart:
    """The document's font table as an XML part, whose XML python-docx writes
    back when it saves.

    python-docx loads the font table as a plain part (its bytes, read-only).
    An `XmlPart` of the same name, content type and relationships takes its
    place under the same relationship id (the relationship is replaced where
    it stands, so the package lists its parts in the same order).
    """
    part = doc.part.part_related_by(FONT_TABLE_RELTYPE)
    if isinstance(part, XmlPart):
        return part
    table = XmlPart(
        part.partname, part.content_type, ooxml.parse_font_table(part.blob), part.package
    )
    for rel in part.rels.values():
        target = rel.target_ref if rel.is_external else rel.target_part
        table.rels.add_relationship(rel.reltype, target, rel.rId, rel.is_external)
    (rel_id,) = [rel.rId for rel in doc.part.rels.values() if rel.reltype == FONT_TABLE_RELTYPE]
    doc.part.rels.add_relationship(FONT_TABLE_RELTYPE, table, rel_id)
    return table


def embed_fonts(doc: Document, theme: Theme) -> None:
    """Embed the config's font files (`layout.fonts.files`)."""
    files = theme.layout.fonts.files
    if not files:
        return
    table_part = font_table(doc)
    for number, font in enumerate(files, 1):
        data = theme.asset(font.path)
        # A key derived from the bytes keeps the build reproducible.
        key = "{" + str(uuid.UUID(bytes=hashlib.md5(data).digest())).upper() + "}"
        part = Part(
            PackURI(f"/word/fonts/font{number}.odttf"),
            OBFUSCATED_FONT,
            obfuscate(data, key),
            doc.part.package,
        )
        rel_id = table_part.relate_to(part, FONT_RELTYPE)
        ooxml.embed_font(
            table_part.element, font.family, SLOTS[(font.weight, font.style)], rel_id, key
        )
    ooxml.set_flag(doc.settings, "embedTrueTypeFonts", explicit=False)
