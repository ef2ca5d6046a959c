"""Shared test helpers: an in-process CLI runner, the example build, and
`serialize`-style readers that reduce a PDF or DOCX to comparable text."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.brief import Brief
from pipeline.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "poutine-iran.txt"
EPOCH = "1764028800"  # 2025-11-25, fixed so dates and goldens are stable


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*argv: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return Run(code, out.getvalue(), err.getvalue())


_DROP = re.compile(r"[\s\u00a0\u202f\u00ad\u2010\u2011-]+")


def normalise(text: str) -> str:
    """Text with whitespace, no-break spaces and hyphens removed, for comparing
    what a renderer justified and hyphenated with what the model holds."""
    return _DROP.sub("", unicodedata.normalize("NFC", text))


def assert_in_order(haystack: str, needles: list[str], where: str) -> None:
    position = 0
    flat = normalise(haystack)
    for needle in needles:
        key = normalise(needle)
        if not key:
            continue
        found = flat.find(key, position)
        assert found >= 0, f"{where}: missing or out of order: {needle[:80]!r}"
        position = found + len(key)


def pdf_body_text(path: Path, margins_pt: tuple[float, float, float, float]) -> str:
    """Text of every page in drawing order, keeping only what lies inside the
    text block (header and footer left out), so a paragraph that runs over a
    page break and the two columns of a table each read as one piece."""
    from pypdf import PdfReader

    top, _right, bottom, _left = margins_pt
    parts: list[str] = []
    for page in PdfReader(path).pages:
        height = float(page.mediabox.height)

        def keep(
            text: str, cm: list[float], tm: list[float], *_: object, height: float = height
        ) -> None:
            y_from_bottom = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            y_from_top = height - y_from_bottom
            if text.strip() and top - 2 <= y_from_top <= height - bottom + 2:
                parts.append(text)

        page.extract_text(visitor_text=keep)
        parts.append("\n")
    return "".join(parts)


def docx_text(path: Path) -> str:
    """Body paragraphs and table cells of a DOCX, in document order."""
    from docx import Document
    from docx.table import Table

    doc = Document(str(path))
    lines: list[str] = []
    for item in doc.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                for cell in row.cells:
                    lines.extend(p.text for p in cell.paragraphs)
        else:
            lines.append(item.text)
    return "\n".join(lines)


@dataclass
class ExampleBuild:
    out: Path
    pdf: Path
    docx: Path
    json: Path
    brief: Brief


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> ExampleBuild:
    out = tmp_path_factory.mktemp("dist")
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    mp.chdir(ROOT)
    try:
        result = run_cli("build", "-o", str(out), "-f", "pdf,docx,json")
    finally:
        mp.undo()
    assert result.code == 0, result.err
    stem = "poutine-et-liran-renforcent-les-liens-diplomatiques-nouveaux-developpements-et"
    paths = {ext: out / f"{stem}.{ext}" for ext in ("pdf", "docx", "json")}
    for path in paths.values():
        assert path.is_file(), (
            f"missing {path.name}; wrote: {sorted(p.name for p in out.iterdir())}"
        )
    brief = Brief.model_validate_json(paths["json"].read_text(encoding="utf-8"))
    return ExampleBuild(out, paths["pdf"], paths["docx"], paths["json"], brief)
