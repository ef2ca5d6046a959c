"""Key points, entities, keywords and inline runs, read back from the PDF
and the DOCX of one Markdown build and compared with the Brief."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from docx import Document as DocxDocument

from pipeline.brief import Brief
from pipeline.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "english-front-matter.md"


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00ad", "")).replace("- ", "-")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("digest")
    (root / "config.yaml").write_text(
        "layout:\n  blocks: [title, key_points, lede, intro, sections, sources, entities]\n"
        "  key_points_min_words: 0\n"
        "key_points: {count: 3}\n"
    )
    err = io.StringIO()
    code = main(
        ["build", "-c", str(root / "config.yaml"), "-o", str(root / "out"),
         "-f", "pdf,docx,json", str(FIXTURE)],
        io.StringIO(),
        err,
    )  # fmt: skip
    assert code == 0, err.getvalue()
    files = {
        path.suffix[1:]: path for path in (root / "out").iterdir() if path.name != "manifest.json"
    }
    assert set(files) == {"pdf", "docx", "json"}
    return files


@pytest.fixture(scope="module")
def brief(built: dict[str, Path]) -> Brief:
    return Brief.model_validate_json(built["json"].read_text(encoding="utf-8"))


def test_brief_digest(brief: Brief) -> None:
    assert len(brief.key_points) == 3
    assert brief.entities and brief.keywords
    body = "\n".join(brief.body_texts())
    assert all(point in body for point in brief.key_points)


def test_pdf_has_key_points_entities_keywords(built: dict[str, Path], brief: Brief) -> None:
    with pdfplumber.open(built["pdf"]) as pdf:
        text = _squash(" ".join(page.extract_text() for page in pdf.pages))
    assert brief.labels.key_points.upper() in text.upper()
    for point in brief.key_points:
        assert _squash(point) in text
    assert brief.labels.entities in text
    for entity in brief.entities:
        assert entity.text in text
    # Key points come right after the title block, before the lede box.
    assert text.upper().index(brief.labels.key_points.upper()) < text.upper().index(
        brief.labels.lede.upper()
    )
    reader = pypdf.PdfReader(built["pdf"])
    assert reader.metadata is not None
    assert reader.metadata.get("/Keywords") == ", ".join(brief.keywords)
    assert reader.metadata.get("/Author") == "Jane Doe, Sam Patel"


def test_pdf_links_are_clickable(built: dict[str, Path]) -> None:
    reader = pypdf.PdfReader(built["pdf"])
    uris = set()
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                uris.add(str(action["/URI"]))
    assert "https://example.org/worktime" in uris


def test_docx_has_key_points_entities_keywords(built: dict[str, Path], brief: Brief) -> None:
    doc = DocxDocument(str(built["docx"]))
    paragraphs = [p.text for p in doc.paragraphs]
    assert brief.labels.key_points in paragraphs
    start = paragraphs.index(brief.labels.key_points)
    # A real Word list: the points' text, bulleted by the style's numbering.
    assert paragraphs[start + 1 : start + 1 + len(brief.key_points)] == list(brief.key_points)
    items = doc.paragraphs[start + 1 : start + 1 + len(brief.key_points)]
    assert all(p.style is not None and p.style.name == "Box Bullet" for p in items)
    bullet = doc.styles["Box Bullet"].element.pPr
    assert bullet is not None and bullet.numPr is not None
    assert " · ".join(e.text for e in brief.entities) in paragraphs
    assert doc.core_properties.keywords == ", ".join(brief.keywords)


def test_docx_inline_marks_and_links(built: dict[str, Path]) -> None:
    doc = DocxDocument(str(built["docx"]))
    bold = [run.text for p in doc.paragraphs for run in p.runs if run.bold]
    italic = [run.text for p in doc.paragraphs for run in p.runs if run.italic]
    assert "four-day week" in bold
    assert "Work Time Institute" in italic
    targets = {rel.target_ref for rel in doc.part.rels.values() if rel.is_external}
    assert "https://example.org/worktime" in targets


def test_brief_schema_shows_new_fields() -> None:
    out = io.StringIO()
    assert main(["schema", "--brief"], out, io.StringIO()) == 0
    schema = json.loads(out.getvalue())
    for name in ("tags", "entities", "keywords", "key_points", "subtitle", "authors",
                 "word_count", "reading_minutes", "organisation"):  # fmt: skip
        assert name in schema["properties"]
    entity = schema["$defs"]["Entity"]
    assert set(entity["properties"]["kind"]["enum"]) == {
        "person", "place", "organisation", "other"
    }  # fmt: skip
