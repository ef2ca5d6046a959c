"""render: the PDF and the DOCX carry every word of the Brief, in order, with
page numbers, the configured page geometry and the document language."""

from __future__ import annotations

import pytest
from docx import Document

from pipeline.config.model import Config, points

from .conftest import ExampleBuild, assert_in_order, docx_text, pdf_body_text

LAYOUT = Config().layout
MARGINS = tuple(
    points(getattr(LAYOUT.page.margins, side)) for side in ("top", "right", "bottom", "left")
)


def test_pdf_has_every_heading_and_paragraph_in_order(example_build: ExampleBuild) -> None:
    text = pdf_body_text(example_build.pdf, MARGINS)  # type: ignore[arg-type]
    brief = example_build.brief
    # The theme sets the sources label in capitals (CSS text-transform).
    needles = [*brief.body_texts(), brief.labels.sources.upper(), *(s.name for s in brief.sources)]
    assert_in_order(text, needles, "PDF")
    assert brief.labels.lede.upper() in text.upper()


def test_docx_has_every_heading_and_paragraph_in_order(example_build: ExampleBuild) -> None:
    text = docx_text(example_build.docx)
    brief = example_build.brief
    needles = [*brief.body_texts(), brief.labels.sources, *(s.name for s in brief.sources)]
    assert_in_order(text, needles, "DOCX")


def test_pdf_nothing_is_said_twice(example_build: ExampleBuild) -> None:
    from .conftest import normalise

    text = normalise(pdf_body_text(example_build.pdf, MARGINS))  # type: ignore[arg-type]
    for paragraph in example_build.brief.body_texts()[1:]:
        assert text.count(normalise(paragraph)) == 1, paragraph[:60]


def test_pdf_footer_numbers_every_page(example_build: ExampleBuild) -> None:
    import pdfplumber

    with pdfplumber.open(example_build.pdf) as pdf:
        total = len(pdf.pages)
        assert total >= 2
        for number, page in enumerate(pdf.pages, start=1):
            footer = page.crop((0, page.height - MARGINS[2], page.width, page.height))
            assert f"page {number} / {total}" in (footer.extract_text() or "")


def test_pdf_page_size_and_language(example_build: ExampleBuild) -> None:
    from pypdf import PdfReader

    reader = PdfReader(example_build.pdf)
    width, height = LAYOUT.page.dimensions_pt()
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(width, abs=1)
    assert float(box.height) == pytest.approx(height, abs=1)
    assert reader.trailer["/Root"].get("/Lang") == "fr"
    assert reader.metadata is not None and reader.metadata.title == example_build.brief.title


def test_pdf_text_block_matches_margins(example_build: ExampleBuild) -> None:
    import pdfplumber

    top, right, bottom, left = MARGINS
    with pdfplumber.open(example_build.pdf) as pdf:
        page = pdf.pages[1]
        body = [c for c in page.chars if top - 2 < c["top"] < page.height - bottom + 2]
        assert min(c["x0"] for c in body) == pytest.approx(left, abs=2)
        assert max(c["x1"] for c in body) == pytest.approx(page.width - right, abs=2)


def test_docx_footer_has_page_fields_and_geometry(example_build: ExampleBuild) -> None:
    doc = Document(str(example_build.docx))
    section = doc.sections[0]
    width, height = LAYOUT.page.dimensions_pt()
    assert section.page_width.pt == pytest.approx(width, abs=0.5)
    assert section.page_height.pt == pytest.approx(height, abs=0.5)
    assert section.left_margin.pt == pytest.approx(MARGINS[3], abs=0.5)
    assert section.top_margin.pt == pytest.approx(MARGINS[0], abs=0.5)
    for footer in (section.footer, section.first_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and "NUMPAGES" in xml
        assert "page" in footer.paragraphs[0].text


def test_docx_styles_language_and_properties(example_build: ExampleBuild) -> None:
    doc = Document(str(example_build.docx))
    brief = example_build.brief
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [*(s.heading for s in brief.sections), brief.labels.sources]
    assert [p.text for p in doc.paragraphs if p.style.name == "Title"] == [brief.title]
    assert 'w:val="fr-FR"' in doc.styles.element.xml
    assert doc.core_properties.title == brief.title
    assert doc.core_properties.language == "fr"
    tables = doc.tables
    assert len(tables) == 1 and len(tables[0].columns) == 2
    assert tables[0].rows[0].cells[0].text == brief.labels.pros
    assert tables[0].rows[1].cells[1].text.startswith("Du côté des inconvénients")
    assert doc.styles["Normal"].font.name == LAYOUT.fonts.body.family
