"""The PDF variants read back with pypdf/pdfplumber and checked against the Brief:
language, tags, outline, Info and XMP metadata, conformance claims, the Brief
JSON attached to PDF/A-3, links, and headers/footers as artifacts.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import typing
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pdfplumber
import pytest
from pypdf import PdfReader
from pypdf.generic import BooleanObject, ContentStream, DictionaryObject, IndirectObject

from pipeline.brief import Brief
from pipeline.cli_parser import PDF_VARIANTS
from pipeline.config.model import Config, Pdf, PdfVariant, parse_config
from pipeline.errors import ConfigErrors
from pipeline.render.metadata import metadata_for
from pipeline.render.pdf import WEASYPRINT_VARIANTS, render_pdf
from pipeline.render.theme import load_theme
from tests.clock import iso_z, pdf_date

from .support import build_example, load_brief, rich_brief

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
PDFUAID = "{http://www.aiim.org/pdfua/ns/id/}"
XMP = "{http://ns.adobe.com/xap/1.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
PDFNS = "{http://ns.adobe.com/pdf/1.3/}"


# --- builds, once per module ---------------------------------------------------


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The example brief built through the CLI in every variant, plus its JSON."""
    built: dict[str, Any] = {}
    for variant in PDF_VARIANTS:
        out = tmp_path_factory.mktemp("variant")
        formats = "pdf,json" if variant == "pdf/a-3b" else "pdf"
        files = build_example(out, formats, "--pdf-variant", variant)
        built[variant] = files["pdf"]
        if "json" in files:
            built["json"] = files["json"]
    built["brief"] = load_brief(built["json"])
    return built


@pytest.fixture(scope="module")
def rich() -> tuple[Brief, bytes]:
    brief = rich_brief()
    theme = load_theme("note", Config().layout, Pdf(variant="pdf/a-3b+ua-1"))
    return brief, render_pdf(brief, theme).data


def reader_of(source: Path | bytes) -> PdfReader:
    import io

    return PdfReader(io.BytesIO(source) if isinstance(source, bytes) else source)


def xmp_values(reader: PdfReader) -> dict[str, str]:
    """Every simple XMP property (attribute or element text), by namespaced name."""
    raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    values: dict[str, str] = {}
    for description in ElementTree.fromstring(raw).iter(f"{RDF}Description"):
        values.update(description.attrib)
        for child in description:
            items = [li.text or "" for li in child.iter(f"{RDF}li")]
            values[child.tag] = ", ".join(items) if items else (child.text or "")
    return values


def outline_titles(items: list[Any]) -> list[Any]:
    return [outline_titles(item) if isinstance(item, list) else item.title for item in items]


def expected_outline(brief: Brief) -> list[Any]:
    """The title, then every section heading (and the sources heading) under it."""
    children = [section.heading for section in brief.sections]
    if brief.sources:
        children.append(brief.labels.sources)
    return [brief.title, children]


# --- the variants -----------------------------------------------------------------


def test_cli_variants_are_the_config_variants() -> None:
    assert typing.get_args(PdfVariant) == PDF_VARIANTS
    assert set(WEASYPRINT_VARIANTS) == set(PDF_VARIANTS)
    from weasyprint.pdf import VARIANTS

    for weasy_variant, _ in WEASYPRINT_VARIANTS.values():
        assert weasy_variant is None or weasy_variant in VARIANTS


def test_default_variant_is_tagged_ua() -> None:
    assert Config().pdf.variant == "pdf/ua-1"


def test_bad_variant_is_one_config_error_with_line() -> None:
    with pytest.raises(ConfigErrors) as caught:
        parse_config({"pdf": {"variant": "pdf/a-9z"}}, "c.yaml", lambda loc: 7)
    (error,) = caught.value.errors
    assert str(error).startswith("c.yaml: line 7: pdf.variant: must be one of")


@pytest.mark.parametrize("variant", PDF_VARIANTS)
def test_every_variant_is_tagged_with_language_and_title(
    example: dict[str, Any], variant: str
) -> None:
    brief: Brief = example["brief"]
    reader = reader_of(example[variant])
    root = reader.trailer["/Root"]
    assert root["/Lang"] == brief.language
    assert root["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert "/StructTreeRoot" in root
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)
    assert reader.pdf_header == "%PDF-1.7"


@pytest.mark.parametrize("variant", PDF_VARIANTS)
def test_outline_mirrors_the_headings(example: dict[str, Any], variant: str) -> None:
    brief: Brief = example["brief"]
    titles = outline_titles(reader_of(example[variant]).outline)
    assert titles == expected_outline(brief)
    assert brief.labels.lede not in titles[1]  # box captions are not headings


@pytest.mark.parametrize("variant", PDF_VARIANTS)
def test_info_and_xmp_agree_with_the_brief(example: dict[str, Any], variant: str) -> None:
    brief: Brief = example["brief"]
    meta = metadata_for(brief)
    reader = reader_of(example[variant])
    info = reader.metadata
    assert info is not None
    assert info["/Title"] == brief.title
    assert info["/Author"] == brief.organisation == meta.author
    assert info["/Subject"] == meta.subject and meta.subject
    # Reproducible: the brief's date (SOURCE_DATE_EPOCH here), not the clock.
    assert info["/CreationDate"] == info["/ModDate"] == pdf_date()
    xmp = xmp_values(reader)
    assert xmp[f"{DC}title"] == brief.title
    assert xmp[f"{DC}creator"] == meta.author
    assert xmp[f"{DC}description"] == meta.subject
    assert xmp[f"{XMP}CreateDate"] == xmp[f"{XMP}ModifyDate"] == iso_z()


CLAIMS = {
    "none": (None, None, None),
    "pdf/a-3b": ("3", "B", None),
    "pdf/a-3a": ("3", "A", None),
    "pdf/ua-1": (None, None, "1"),
    "pdf/a-3b+ua-1": ("3", "B", "1"),
}


@pytest.mark.parametrize("variant", PDF_VARIANTS)
def test_conformance_is_declared_in_xmp(example: dict[str, Any], variant: str) -> None:
    reader = reader_of(example[variant])
    xmp = xmp_values(reader)
    part, conformance, ua_part = CLAIMS[variant]
    assert xmp.get(f"{PDFAID}part") == part
    assert xmp.get(f"{PDFAID}conformance") == conformance
    assert xmp.get(f"{PDFUAID}part") == ua_part
    root = reader.trailer["/Root"]
    if part is not None:  # PDF/A needs the output intent and a file identifier
        assert root["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
        assert "/ID" in reader.trailer


@pytest.mark.parametrize("variant", ["pdf/a-3b", "pdf/a-3a", "pdf/a-3b+ua-1"])
def test_pdfa3_carries_the_brief_json(example: dict[str, Any], variant: str) -> None:
    reader = reader_of(example[variant])
    attachments = reader.attachments
    assert list(attachments) == ["brief.json"]
    (data,) = attachments["brief.json"]
    assert data == example["json"].read_bytes()
    assert Brief.model_validate(json.loads(data)) == example["brief"]
    associated = reader.trailer["/Root"]["/AF"]
    assert len(associated) == 1
    spec = associated[0].get_object()
    assert spec["/AFRelationship"] == "/Data"
    embedded = spec["/EF"]["/F"].get_object()
    assert embedded["/Subtype"] == "/application/json"
    assert embedded["/Params"]["/ModDate"] == pdf_date()


@pytest.mark.parametrize("variant", ["none", "pdf/ua-1"])
def test_no_attachment_without_pdfa3(example: dict[str, Any], variant: str) -> None:
    reader = reader_of(example[variant])
    assert reader.attachments == {}
    assert "/AF" not in reader.trailer["/Root"]


def test_attachment_can_be_switched_off(rich: tuple[Brief, bytes]) -> None:
    brief, _ = rich
    theme = load_theme("note", Config().layout, Pdf(variant="pdf/a-3b", attach_json=False))
    reader = reader_of(render_pdf(brief, theme).data)
    assert reader.attachments == {}
    assert xmp_values(reader)[f"{PDFAID}part"] == "3"


# --- structure: artifacts, links -----------------------------------------------


def _reachable_mcids(reader: PdfReader) -> set[tuple[int, int]]:
    """(page object number, MCID) of every marked content the structure tree reaches."""
    found: set[tuple[int, int]] = set()

    def walk(node: Any, page: int | None) -> None:
        if isinstance(node, IndirectObject):
            node = node.get_object()
        if isinstance(node, int):
            assert page is not None
            found.add((page, node))
            return
        if isinstance(node, list):
            for kid in node:
                walk(kid, page)
            return
        if not isinstance(node, DictionaryObject):
            return
        if "/Pg" in node:
            page = node.raw_get("/Pg").idnum
        if node.get("/Type") == "/MCR":
            found.add((page, int(node["/MCID"])))  # type: ignore[arg-type]
        elif "/K" in node:
            walk(node["/K"], page)

    walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"], None)
    return found


def _marked_content(reader: PdfReader, page_index: int) -> tuple[list[int], list[str]]:
    """MCIDs used on a page, and the text drawn inside /Artifact sequences."""
    page = reader.pages[page_index]
    stack: list[str] = []
    mcids: list[int] = []
    artifact_text: list[str] = []
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator in (b"BDC", b"BMC"):
            stack.append(str(operands[0]))
            if operator == b"BDC" and isinstance(operands[1], dict) and "/MCID" in operands[1]:
                mcids.append(int(operands[1]["/MCID"]))
        elif operator == b"EMC":
            stack.pop()
        elif operator in (b"Tj", b"TJ") and "/Artifact" in stack:
            artifact_text.append(repr(operands))
    return mcids, artifact_text


@pytest.mark.parametrize("variant", ["none", "pdf/ua-1", "pdf/a-3b+ua-1"])
def test_all_marked_content_is_in_the_tree_and_footers_are_artifacts(
    example: dict[str, Any], variant: str
) -> None:
    reader = reader_of(example[variant])
    reachable = _reachable_mcids(reader)
    assert len(reader.pages) >= 2
    for index, page in enumerate(reader.pages):
        mcids, artifact_text = _marked_content(reader, index)
        assert mcids, "the body text is tagged"
        number = page.indirect_reference.idnum
        orphans = [mcid for mcid in mcids if (number, mcid) not in reachable]
        assert orphans == [], f"page {index + 1}: content neither tagged nor artifact"
        assert artifact_text, f"page {index + 1}: the footer is drawn as an artifact"
    # Still visible: only its tagging changed.
    with pdfplumber.open(example[variant]) as pdf:
        last = pdf.pages[-1].extract_text()
    assert f"page {len(reader.pages)} / {len(reader.pages)}" in last


def test_rich_metadata_and_links(rich: tuple[Brief, bytes]) -> None:
    brief, data = rich
    reader = reader_of(data)
    info = reader.metadata
    assert info is not None
    assert info["/Author"] == "Camille Martin, Yann Le Goff"
    assert info["/Subject"] == brief.subtitle
    assert info["/Keywords"] == "réseau électrique, canicule, énergie"
    assert info["/CreationDate"] == "D:20250914000000Z"
    xmp = xmp_values(reader)
    assert xmp[f"{PDFNS}Keywords"] == "réseau électrique, canicule, énergie"
    assert xmp[f"{DC}creator"] == "Camille Martin, Yann Le Goff"
    assert xmp[f"{PDFUAID}part"] == "1"
    assert outline_titles(reader.outline) == expected_outline(brief)

    uris = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation["/Subtype"] == "/Link":
                uris.append(annotation["/A"]["/URI"])
                # PDF/UA asks for an alternate description of each link.
                assert annotation["/Contents"] == annotation["/A"]["/URI"]
                assert "/StructParent" in annotation  # reachable from a /Link element
    expected = [source.url for source in brief.sources if source.url]
    assert sorted(set(uris)) == sorted(expected)


def test_reproducible_bytes(rich: tuple[Brief, bytes]) -> None:
    brief, data = rich
    theme = load_theme("note", Config().layout, Pdf(variant="pdf/a-3b+ua-1"))
    again = render_pdf(brief, theme).data
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(data).hexdigest()


# --- veraPDF, when the machine has it ---------------------------------------------

VERAPDF_FLAVOURS = {"pdf/a-3b": ["3b"], "pdf/ua-1": ["ua1"], "pdf/a-3b+ua-1": ["3b", "ua1"]}


@pytest.mark.skipif(shutil.which("verapdf") is None, reason="veraPDF is not installed")
@pytest.mark.parametrize("variant", sorted(VERAPDF_FLAVOURS))
def test_verapdf_accepts_the_example(example: dict[str, Any], variant: str) -> None:
    for flavour in VERAPDF_FLAVOURS[variant]:
        result = subprocess.run(
            ["verapdf", "--flavour", flavour, "--format", "text", str(example[variant])],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.stdout.strip().startswith("PASS"), result.stdout + result.stderr
