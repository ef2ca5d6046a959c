"""Every fixture builds from the CLI to PDF, DOCX and JSON, and both
documents carry the Brief's text: title, key points and every body line."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pdfplumber
import pytest
from docx import Document as DocxDocument

from pipeline.brief import Brief, block_texts
from pipeline.cli import main
from pipeline.read import html as read_html

FIXTURES = Path(__file__).parent / "fixtures"
NAMES = [
    "fr-example.txt",
    "english-front-matter.md",
    "no-headings.txt",
    "cp1252-crlf.txt",
    "front-title.md",
]
if read_html.available():
    NAMES.extend(["saved-page.html", "pages/essay.html", "pages/table-page.html"])


def _squash(text: str) -> str:
    # Line breaks and hyphenation points differ between PDF lines and the model.
    # WeasyPrint marks its own hyphenation breaks with U+2010 at the line end.
    text = re.sub("\u2010\n", "", text)
    text = text.replace("\u00ad", "").replace("\u202f", " ").replace("\u00a0", " ")
    return re.sub(r"\s+", "", text)


def _split_in(word: str, raw: str) -> bool:
    """A word hyphenated across lines of interleaved columns ("sec‐" ... "teur")."""
    pieces = set(re.findall(r"\w+", raw))
    return any(
        word.startswith(head) and word[len(head) :] in pieces
        for head in re.findall(r"(\w+)\u2010", raw)
    )


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    root = tmp_path_factory.mktemp("fixtures")
    (root / "config.yaml").write_text(
        "formats: [pdf, docx, json]\nlayout: {key_points_min_words: 0}\n"
    )
    out, err = io.StringIO(), io.StringIO()
    argv = ["build", "-c", str(root / "config.yaml"), "-o", str(root / "out")]
    code = main([*argv, *(str(FIXTURES / name) for name in NAMES)], out, err)
    assert code == 0, err.getvalue()
    written = re.findall(r"^wrote (\S+)", err.getvalue(), re.MULTILINE)
    written = [name for name in written if not name.endswith("manifest.json")]
    assert len(written) == 3 * len(NAMES)
    by_stem: dict[str, dict[str, Path]] = {}
    for path in (root / "out").iterdir():
        if path.name == "manifest.json":
            continue
        by_stem.setdefault(path.stem, {})[path.suffix[1:]] = path
    assert all(set(files) == {"pdf", "docx", "json"} for files in by_stem.values())
    return by_stem


def test_one_brief_per_fixture(outputs: dict[str, dict[str, Path]]) -> None:
    assert len(outputs) == len(NAMES)


def test_pdf_and_docx_carry_the_brief(outputs: dict[str, dict[str, Path]]) -> None:
    for files in outputs.values():
        brief = Brief.model_validate_json(files["json"].read_text(encoding="utf-8"))
        with pdfplumber.open(files["pdf"]) as pdf:
            raw_pdf = "".join(page.extract_text() or "" for page in pdf.pages)
        pdf_text = _squash(raw_pdf)
        joined = re.sub("\u2010\n", "", raw_pdf)
        pdf_words = set(re.findall(r"\w+", f"{joined} {raw_pdf}".lower()))
        # Pros and cons sit side by side in the PDF, so their lines interleave
        # when extracted: for them, check the words rather than the sequence.
        side_by_side = {
            text
            for section in brief.sections
            for block in (*section.pros, *section.cons)
            for text in block_texts(block)
        }
        doc = DocxDocument(str(files["docx"]))
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        docx_text = _squash("".join([*(p.text for p in doc.paragraphs), *cells]))
        expected = [*brief.body_texts(), *brief.key_points, brief.reading_text]
        for line in expected:
            assert _squash(line) in docx_text, (files["docx"].name, line)
            # The PDF shows labels and headings in capitals via CSS on some blocks.
            if line in side_by_side:
                for word in re.findall(r"\w+", line.lower()):
                    assert word in pdf_words or _split_in(word, raw_pdf.lower()), word
            else:
                assert _squash(line).lower() in pdf_text.lower(), (files["pdf"].name, line)


def test_check_passes_on_every_fixture(outputs: dict[str, dict[str, Path]]) -> None:
    """`check`: the PDF and the DOCX carry the Brief (body in order; subtitle,
    key points and sources in both or neither) and agree with each other."""
    from pipeline.build.parity import compare

    for stem, files in outputs.items():
        brief = Brief.model_validate_json(files["json"].read_text(encoding="utf-8"))
        problems = compare(files["pdf"].read_bytes(), files["docx"].read_bytes(), brief)
        assert problems == [], stem
