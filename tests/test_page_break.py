"""A form feed in a plain-text article is a page break in the model and in
both renderers (issue 6: text hygiene, `\\x0c` -> page break)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from pipeline.brief import PageBreak
from pipeline.read.ingest import clean_text
from pipeline.read.text import parse_text

from .conftest import run_cli

ARTICLE = (
    "Titre du rapport\n"
    "Premier paragraphe, sur la première page.\n"
    "\x0cDeuxième paragraphe, sur une nouvelle page.\n"
    "Suite du rapport\n"
    "Troisième paragraphe.\n"
)


def test_form_feed_becomes_one_page_break_block() -> None:
    blocks = parse_text(clean_text(ARTICLE + "\x0c\x0c"))
    kinds = [block.kind for block in blocks]
    assert kinds.count("page_break") == 2  # two feeds in a row make one break
    assert kinds.index("page_break") == 2
    assert all("\x0c" not in block.text for block in blocks)


@pytest.mark.parametrize("theme", ["note", "dossier"])
def test_page_break_in_pdf_docx_and_json(tmp_path: Path, theme: str) -> None:
    source = tmp_path / "a.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("key_points: {enabled: false}\n", encoding="utf-8")  # one copy of each line
    out = tmp_path / "out"
    result = run_cli(
        "build",
        str(source),
        "-c",
        str(config),
        "--theme",
        theme,
        "-o",
        str(out),
        "-f",
        "pdf,docx,json",
    )
    assert result.code == 0, result.err
    brief = json.loads((out / "titre-du-rapport.json").read_text(encoding="utf-8"))
    assert [block["type"] for block in brief["intro"]] == ["page_break", "paragraph"]
    assert PageBreak().text == ""

    pages = PdfReader(out / "titre-du-rapport.pdf").pages
    assert len(pages) == 2
    assert "Premier paragraphe" in pages[0].extract_text()
    assert "Deuxième paragraphe" not in pages[0].extract_text()
    assert "Deuxième paragraphe" in pages[1].extract_text()

    doc = Document(str(out / "titre-du-rapport.docx"))
    texts = [p.text for p in doc.paragraphs]
    breaks = [i for i, p in enumerate(doc.paragraphs) if p.paragraph_format.page_break_before]
    assert len(breaks) == 1
    after = next(t for t in texts[breaks[0] :] if t)
    assert after.startswith("Deuxième paragraphe")
