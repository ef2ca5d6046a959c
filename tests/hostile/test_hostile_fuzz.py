"""Hypothesis fuzzing of ingest + structure + render with arbitrary Unicode
and arbitrary bytes: nothing may raise anything but a SourceError, and what
the DOCX and the PDF show is the Brief's text (a few examples only: a PDF
render takes about a second)."""

from __future__ import annotations

import io
import re

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.brief import Brief
from pipeline.config.model import Layout
from pipeline.errors import SourceError
from pipeline.read.ingest import clean_text, decode
from pipeline.read.model import Document
from pipeline.read.text import parse_text
from pipeline.render.theme import load_theme
from pipeline.understand.languages import get_language
from pipeline.understand.structure import build_brief
from tests.clock import BUILD_DATE

THEME = load_theme("note", Layout())
LANGUAGE = get_language("en")
XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# Lines of anything, including controls, surrogates, bidi overrides and emoji.
unicode_lines = st.lists(
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=80),
    min_size=1,
    max_size=12,
).map("\n".join)


def to_brief(text: str) -> Brief | None:
    cleaned = clean_text(text)
    blocks = parse_text(cleaned)
    if not blocks:
        return None
    document = Document(path="fuzz.txt", name="fuzz", text=cleaned, blocks=blocks)
    return build_brief(document, LANGUAGE, LANGUAGE.labels, today=BUILD_DATE)


@given(st.binary(max_size=2000))
@settings(max_examples=60, deadline=None)
def test_decode_never_crashes(data: bytes) -> None:
    try:
        text = decode(data, "fuzz.txt")
    except SourceError:
        return
    assert isinstance(text, str)


@given(unicode_lines)
@settings(max_examples=200, deadline=None)
def test_clean_text_leaves_nothing_xml_cannot_carry(text: str) -> None:
    cleaned = clean_text(text)
    # A form feed survives only as a line of its own: the page-break marker
    # the text reader consumes. Nothing else XML cannot carry is left.
    assert all(line == "\x0c" or XML_INVALID.search(line) is None for line in cleaned.split("\n"))
    assert "\r" not in cleaned
    for block in parse_text(cleaned):
        assert XML_INVALID.search(block.text) is None


@given(unicode_lines)
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,  # renders are slow: a fixed sample keeps CI time and results stable
    suppress_health_check=[HealthCheck.too_slow],
)
def test_docx_renders_any_text(text: str) -> None:
    from pipeline.render.docx.compose import render_docx

    brief = to_brief(text)
    if brief is None:
        return
    artifact = render_docx(brief, THEME)
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(artifact.data)).paragraphs)
    for line in brief.body_texts():
        assert line.strip() in body.replace("\xa0", " ") or line.strip() in body


@given(unicode_lines)
@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
def test_pdf_renders_any_text(text: str) -> None:
    from pypdf import PdfReader

    from pipeline.render.pdf import render_pdf

    brief = to_brief(text)
    if brief is None:
        return
    artifact = render_pdf(brief, THEME)
    reader = PdfReader(io.BytesIO(artifact.data))
    assert len(reader.pages) >= 1
    assert reader.metadata is not None and reader.metadata.title is not None
    assert reader.metadata.title.split() == brief.title.split()
    assert reader.pages[0].extract_text().strip()


EVERY_AWKWARD_CHARACTER = (
    "".join(chr(c) for c in range(0x00, 0x20))
    + "".join(chr(c) for c in range(0x7F, 0xA0))
    + "\ud800\udfff\ufffe\uffff\ufeff\u202e\u2066\u200b\U0010ffff\U0001f525"
)


def test_every_awkward_character_through_the_docx() -> None:
    from pipeline.render.docx.compose import render_docx

    brief = to_brief(f"Title {EVERY_AWKWARD_CHARACTER}\n\nBody {EVERY_AWKWARD_CHARACTER} end.")
    assert brief is not None
    assert "\u202e" not in brief.title  # bidi overrides neutralised in titles
    artifact = render_docx(brief, THEME)
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(artifact.data)).paragraphs)
    assert "Body" in body and "end." in body and "\ufffd" in body
