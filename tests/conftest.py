"""Shared test helpers: an in-process CLI runner, the example build, and
`serialize`-style readers that reduce a PDF or DOCX to comparable text."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.brief import Brief
from pipeline.cli import main
from tests.clock import EPOCH

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "poutine-iran.txt"


def pytest_configure(config: pytest.Config) -> None:
    """Pin the build date for the whole session, session fixtures and the
    subprocesses the tests start included (see tests/clock.py), and choose the
    Hypothesis profile."""
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    _hypothesis_profiles()
    if not hasattr(config, "workerinput"):  # once, in the controller, before the workers start
        _compile_the_package()


def _compile_the_package() -> None:
    """Write the package's bytecode once, as an installed package has it: with
    PYTHONDONTWRITEBYTECODE set (common in containers), each `python -m
    pipeline` the tests start would otherwise compile every module from source
    (about 0.1 s of CPU per process). A checkout that cannot be written to is
    left as it is."""
    import compileall

    compileall.compile_dir(ROOT / "pipeline", quiet=2)


def _hypothesis_profiles() -> None:
    """`ci` (the default): derandomized, no example database, no deadline, so a
    failure in CI fails the same way on a laptop and no test depends on the
    machine's speed; the number of examples is each test's own `max_examples`
    (100 where a test sets none). `explore` (HYPOTHESIS_PROFILE=explore):
    random, five times the examples, for looking for new bugs by hand."""
    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
    settings.register_profile("explore", max_examples=500, deadline=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def real_clock(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """For tests about "today": SOURCE_DATE_EPOCH unset, and today as the code
    computes it (same reader, same time zone)."""
    from pipeline.build.clock import build_date

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return build_date()


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
    mp.chdir(ROOT)
    try:
        result = run_cli("build", "-o", str(out), "-f", "pdf,docx,json")
    finally:
        mp.undo()
    assert result.code == 0, result.err
    stem = "poutine-et-liran-renforcent-les-liens-diplomatiques"
    paths = {ext: out / f"{stem}.{ext}" for ext in ("pdf", "docx", "json")}
    for path in paths.values():
        assert path.is_file(), (
            f"missing {path.name}; wrote: {sorted(p.name for p in out.iterdir())}"
        )
    brief = Brief.model_validate_json(paths["json"].read_text(encoding="utf-8"))
    return ExampleBuild(out, paths["pdf"], paths["docx"], paths["json"], brief)
