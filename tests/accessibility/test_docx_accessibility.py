"""The DOCX read back with python-docx and checked against the Brief: core
properties, proofing language, heading styles and order, the table header
row and real hyperlinks.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from docx import Document as open_docx
from docx.document import Document
from docx.oxml.ns import qn

from pipeline.brief import Brief
from pipeline.config.model import Config
from pipeline.render.docx.compose import render_docx
from pipeline.render.metadata import metadata_for
from pipeline.render.theme import load_theme
from tests.clock import BUILD_DATE

from .support import build_example, load_brief, rich_brief


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Brief, Path]:
    files = build_example(tmp_path_factory.mktemp("docx"), "docx,json")
    return load_brief(files["json"]), files["docx"]


@pytest.fixture(scope="module")
def rich() -> tuple[Brief, bytes]:
    brief = rich_brief()
    return brief, render_docx(brief, load_theme("note", Config().layout)).data


def open_bytes(data: bytes) -> Document:
    return open_docx(io.BytesIO(data))


def both(example: tuple[Brief, Path], rich: tuple[Brief, bytes]) -> list[tuple[Brief, Document]]:
    return [
        (example[0], open_docx(str(example[1]))),
        (rich[0], open_bytes(rich[1])),
    ]


def heading_level(paragraph: Any) -> int | None:
    match = re.fullmatch(r"Heading (\d)", paragraph.style.name)
    return int(match[1]) if match else None


def test_core_properties(example: tuple[Brief, Path], rich: tuple[Brief, bytes]) -> None:
    for brief, doc in both(example, rich):
        meta = metadata_for(brief)
        props = doc.core_properties
        assert props.title == brief.title
        assert props.subject == meta.subject and props.subject
        assert props.keywords == ", ".join(brief.keywords)
        assert props.language == brief.language
        assert props.author == meta.author and props.author
        assert props.created == props.modified == meta.created
    rich_props = open_bytes(rich[1]).core_properties
    assert rich_props.keywords == "réseau électrique, canicule, énergie"
    assert rich_props.author == "Camille Martin, Yann Le Goff"
    assert rich_props.subject == rich[0].subtitle
    assert rich_props.created == dt.datetime(2025, 9, 14, tzinfo=dt.UTC)
    assert example[0].date == BUILD_DATE  # SOURCE_DATE_EPOCH, not the clock


def test_reproducible_bytes(rich: tuple[Brief, bytes]) -> None:
    brief, data = rich
    assert render_docx(brief, load_theme("note", Config().layout)).data == data


def test_proofing_language_on_default_styles(
    example: tuple[Brief, Path], rich: tuple[Brief, bytes]
) -> None:
    for brief, doc in both(example, rich):
        styles = doc.styles.element
        default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        lang = default.find(qn("w:lang"))
        assert lang is not None, "w:lang on the document defaults"
        value = lang.get(qn("w:val"))
        assert value.split("-")[0] == brief.language
        # No style says another language.
        for other in styles.iter(qn("w:lang")):
            assert other.get(qn("w:val")) in (None, value)


def test_headings_are_builtin_in_order(
    example: tuple[Brief, Path], rich: tuple[Brief, bytes]
) -> None:
    for brief, doc in both(example, rich):
        headings = [p for p in doc.paragraphs if heading_level(p) is not None]
        expected = [section.heading for section in brief.sections]
        if brief.sources:
            expected.append(brief.labels.sources)
        assert [p.text for p in headings] == expected
        levels = [heading_level(p) for p in headings]
        assert levels[0] == 1
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
        for paragraph in headings:
            assert paragraph.style.builtin, paragraph.style.name
        # Nothing else claims an outline level (box captions are not headings).
        for paragraph in doc.paragraphs:
            if heading_level(paragraph) is None:
                ppr = paragraph.style.element.pPr
                assert ppr is None or ppr.find(qn("w:outlineLvl")) is None, paragraph.style.name
        titles = [p.text for p in doc.paragraphs if p.style.name == "Title"]
        assert titles == [brief.title]


def test_pros_cons_table_has_a_header_row(rich: tuple[Brief, bytes]) -> None:
    brief, data = rich
    doc = open_bytes(data)
    tables = doc.tables
    with_pros = [s for s in brief.sections if s.pros or s.cons]
    assert len(tables) == len(with_pros) == 1
    header = tables[0].rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [cell.text for cell in header.cells] == [brief.labels.pros, brief.labels.cons]
    assert tables[0].rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    body = [cell.text for cell in tables[0].rows[1].cells]
    assert body == [with_pros[0].pros[0].text, with_pros[0].cons[0].text]  # type: ignore[union-attr]


def test_sources_are_real_hyperlinks(rich: tuple[Brief, bytes]) -> None:
    brief, data = rich
    doc = open_bytes(data)
    links = [(link.text, link.address) for p in doc.paragraphs for link in p.hyperlinks]
    assert links == [(s.name, s.url) for s in brief.sources if s.url]
    plain_names = [s.name for s in brief.sources if not s.url]
    paragraphs = [p.text for p in doc.paragraphs]
    for name in plain_names:
        assert name in paragraphs


def test_docx_only_build_does_not_import_weasyprint(tmp_path: Path) -> None:
    import subprocess
    import sys

    from .support import CONFIG, EXAMPLE, ROOT

    code = (
        "import io, sys; from pipeline.cli import main; "
        f"rc = main(['build', '-c', {str(CONFIG)!r}, '-f', 'docx', '-o', {str(tmp_path)!r}, "
        f"{str(EXAMPLE)!r}], io.StringIO(), sys.stderr); "
        "assert rc == 0; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('weasyprint', 'pydyf')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
