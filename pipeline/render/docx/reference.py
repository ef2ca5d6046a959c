"""`reference_docx` file -> the base Document the composer starts from.

A reference made by Word (in any UI language), pandoc, LibreOffice or
python-docx is reduced to what a reference is for: styles, numbering,
theme, fonts and page setup. Its body, comments, notes, headers, custom
properties and XML, attached template and every external relationship are
dropped (nothing in it can reach a brief or make Word fetch anything).
Its styles are then found by built-in identity (the style ID, or the
`w:name` Word writes, such as "heading 1", whatever the UI language named
them), and the built-in styles it lacks are taken from python-docx's
default template, the base used without a reference.
"""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

from docx import Document as open_document
from docx.document import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import OpcError
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml.ns import qn
from docx.styles import BabelFish
from lxml.etree import XMLSyntaxError
from lxml.etree import _Element as Element

from pipeline.config.model import Layout
from pipeline.errors import ConfigError
from pipeline.render.docx import ooxml
from pipeline.render.theme import DocxStyle

# The built-in styles the composer names, by the name python-docx's API takes.
BUILTIN_STYLES = (
    "Normal",
    "Title",
    "Heading 1",
    "Quote",
    "List Bullet",
    "List Number",
    "Header",
    "Footer",
    "TOC Heading",
    "TOC 1",
)

# Relationships a reference keeps: from the package, and from its document part.
_PACKAGE_KEEPS = {RT.OFFICE_DOCUMENT, RT.CORE_PROPERTIES}
_DOCUMENT_KEEPS = {RT.STYLES, RT.NUMBERING, RT.THEME, RT.FONT_TABLE, RT.SETTINGS}
# Internal relationships the kept parts may hold: embedded fonts, picture bullets.
_PART_KEEPS = {RT.FONT, RT.IMAGE}
# Settings that point outside the styles (a template, a mail-merge source, notes
# that are dropped) or change how the brief behaves (protection, tracked changes).
_SETTINGS_DROPS = (
    "w:writeProtection",
    "w:removePersonalInformation",
    "w:removeDateAndTime",
    "w:attachedTemplate",
    "w:linkStyles",
    "w:mailMerge",
    "w:revisionView",
    "w:trackRevisions",
    "w:documentProtection",
    "w:footnotePr",
    "w:endnotePr",
    "w:docVars",
    "w:attachedSchema",
    "w:saveThroughXslt",
    "w:useXSLTWhenSaving",
    "w:saveXmlDataOnly",
    "w:alwaysMergeEmptyNamespace",
    "w:doNotValidateAgainstSchema",
    "w:saveInvalidXml",
    "w:updateFields",
)
_RELATIONSHIP_ATTRIBUTES = (qn("r:id"), qn("r:embed"), qn("r:link"), qn("r:pict"))


def open_base(reference: Path | None) -> Document:
    """python-docx's default template, or the reference reduced to its styles."""
    if reference is None:
        return open_document()
    doc = open_reference(reference)
    keep_only_what_a_reference_is_for(doc)
    adopt_builtin_styles(doc)
    return doc


def open_reference(reference: Path) -> Document:
    """The reference opened, or a `ConfigError` naming it (exit 2)."""
    try:
        return open_document(str(reference))
    except (OSError, zipfile.BadZipFile, OpcError, KeyError, ValueError, XMLSyntaxError) as exc:
        reason = str(exc).split("\n")[0] or type(exc).__name__
        raise ConfigError(
            f"reference_docx: not a usable Word document ({reason})",
            file=str(reference),
            hint="save it again as .docx (Word, LibreOffice, pandoc) or remove reference_docx",
        ) from exc


def check_reference(reference: Path, layout: Layout, look: DocxStyle) -> None:
    """Fail before any rendering when the reference cannot serve as a base:
    it is opened and the brief's styles are written over it once."""
    from pipeline.render.docx.styles import define_styles

    doc = open_base(reference)
    try:
        define_styles(doc, layout, look, "en", reference=True)
    except ValueError as exc:
        raise ConfigError(
            f"reference_docx: its styles cannot be used ({exc})",
            file=str(reference),
            hint="fix the style in Word or LibreOffice, or remove reference_docx",
        ) from exc


# -- what a reference is for ---------------------------------------------------------


def keep_only_what_a_reference_is_for(doc: Document) -> None:
    """Drop every part and relationship of the reference but its styles,
    numbering, theme, fonts, settings and the last section's page setup."""
    package = doc.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype not in _PACKAGE_KEEPS or rel.is_external:
            package.rels.pop(rel_id)
    doc.element.body.clear_content()
    sect_pr = doc.element.body.sectPr
    if sect_pr is not None:
        for reference in sect_pr.findall(qn("w:headerReference")) + sect_pr.findall(
            qn("w:footerReference")
        ):
            sect_pr.remove(reference)
    _keep_rels(doc.part, _DOCUMENT_KEEPS)
    for element in doc.settings.element.findall("*"):
        if element.tag in {qn(tag) for tag in _SETTINGS_DROPS}:
            doc.settings.element.remove(element)
    for part in doc.part.package.iter_parts():
        if part is not doc.part:
            _keep_rels(part, _PART_KEEPS)
    _clear_core_properties(doc)


def _keep_rels(part: Part, keeps: set[str]) -> None:
    """Drop `part`'s relationships of other types and every external one, and
    what its XML says about them."""
    dropped = set()
    for rel_id, rel in list(part.rels.items()):
        if rel.reltype not in keeps or rel.is_external:
            part.rels.pop(rel_id)
            dropped.add(rel_id)
    if dropped and isinstance(part, XmlPart):
        for element in list(part.element.iter()):
            for attribute in _RELATIONSHIP_ATTRIBUTES:
                if element.get(attribute) in dropped:
                    _forget(element, attribute)


def _forget(element: Element, attribute: str) -> None:
    """An element pointing at a dropped relationship: a picture loses its link,
    anything else goes."""
    if attribute in (qn("r:link"), qn("r:embed")) and element.tag == qn("a:blip"):
        del element.attrib[attribute]
        return
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def _clear_core_properties(doc: Document) -> None:
    """The reference's own metadata; the brief's is set when it is packaged."""
    props = doc.core_properties
    for name in ("category", "content_status", "identifier", "version", "subject", "title"):
        setattr(props, name, "")
    props.keywords = ""
    props.author = ""


# -- styles by built-in identity -----------------------------------------------------


def _style_key(name: str) -> str:
    return name.replace(" ", "").casefold()


def adopt_builtin_styles(doc: Document) -> None:
    """Each built-in style the composer names, found by its built-in identity
    and named as python-docx looks it up; taken from the default template
    (with its list numbering) when the reference lacks it."""
    styles = doc.styles.element
    default: Document | None = None
    for wanted in BUILTIN_STYLES:
        style = _find_builtin(styles, wanted)
        if style is None:
            default = default or open_document()
            template = _find_builtin(default.styles.element, wanted)
            if template is None:
                continue  # not in the default either (TOC 1): the composer adds it
            style = _import_style(doc, default, template)
        name = style.find(qn("w:name"))
        if name is None:
            name = styles.makeelement(qn("w:name"), {})
            style.insert(0, name)
        name.set(qn("w:val"), BabelFish.ui2internal(wanted))


def _find_builtin(styles: Element, wanted: str) -> Element | None:
    """The paragraph style whose w:name is `wanted` in any case (Word writes
    "heading 1" in every UI language; pandoc and LibreOffice "Heading 1"),
    else the one whose style ID is `wanted` without spaces (a localized name)."""
    by_id = None
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) != "paragraph":
            continue
        name = style.find(qn("w:name"))
        if name is not None and _style_key(name.get(qn("w:val"), "")) == _style_key(wanted):
            return style
        if style.get(qn("w:styleId")) == wanted.replace(" ", ""):
            by_id = style
    return by_id


def _import_style(doc: Document, default: Document, template: Element) -> Element:
    """A copy of the default template's style in the reference, its list
    numbering copied too, links to styles the reference lacks dropped."""
    style = copy.deepcopy(template)
    ids = {s.get(qn("w:styleId")) for s in doc.styles.element.findall(qn("w:style"))}
    for tag in ("w:basedOn", "w:next", "w:link"):
        pointer = style.find(qn(tag))
        if pointer is not None and pointer.get(qn("w:val")) not in ids:
            style.remove(pointer)
    num_id = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
    if num_id is not None:
        num_id.set(qn("w:val"), _import_numbering(doc, default, num_id.get(qn("w:val"), "")))
    doc.styles.element.append(style)
    return style


def _numbering(doc: Document) -> Element:
    """The reference's numbering definitions, an empty part added when it has none."""
    try:
        part = doc.part.part_related_by(RT.NUMBERING)
    except KeyError:
        blob = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'
        )
        part = XmlPart.load(
            PackURI("/word/numbering.xml"), CT.WML_NUMBERING, blob, doc.part.package
        )
        doc.part.relate_to(part, RT.NUMBERING)
    assert isinstance(part, XmlPart)
    return part.element


def _import_numbering(doc: Document, default: Document, num_id: str) -> str:
    """The default template's list definition `num_id`, copied into the
    reference's numbering; the copy's num ID."""
    return ooxml.copy_list(default.part.numbering_part.element, _numbering(doc), num_id)
