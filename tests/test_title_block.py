"""The title block carries the article's metadata in both formats: date,
authors (from front matter), reading time and word count."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from pypdf import PdfReader

from .conftest import ROOT, run_cli


def test_authors_date_and_reading_time_in_pdf_and_docx(tmp_path: Path) -> None:
    source = ROOT / "tests" / "fixtures" / "english-front-matter.md"
    out = tmp_path / "out"
    result = run_cli("build", str(source), "-o", str(out), "-f", "pdf,docx")
    assert result.code == 0, result.err
    byline = "14 September 2026 · Jane Doe, Sam Patel · 2 min read · 233 words"
    (pdf,) = out.glob("*.pdf")
    assert byline in PdfReader(pdf).pages[0].extract_text()
    (docx,) = out.glob("*.docx")
    assert byline in [p.text for p in Document(str(docx)).paragraphs[:6]]
