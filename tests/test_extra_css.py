"""layout.extra_css / --css: a stylesheet of the user's applied after the
theme's, to the PDF only; a change to it rebuilds; bad paths are config errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from .conftest import EXAMPLE, run_cli


def project(tmp_path: Path, css: str) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "tweaks.css").write_text(css, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(
        "formats: [pdf]\nlayout:\n  extra_css: tweaks.css\n", encoding="utf-8"
    )
    return tmp_path


def page_mm(pdf: Path) -> tuple[int, int]:
    box = PdfReader(pdf).pages[0].mediabox
    return round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)


def test_extra_css_applies_to_the_pdf_and_a_change_rebuilds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, "@page { size: 120mm 180mm; }\n")
    monkeypatch.chdir(root)
    assert run_cli("build", "-q", str(EXAMPLE)).code == 0
    (pdf,) = (root / "dist").glob("*.pdf")
    assert page_mm(pdf) == (120, 180)
    again = run_cli("build", str(EXAMPLE))
    assert "unchanged" in again.err or "wrote" not in again.err
    (root / "tweaks.css").write_text("@page { size: 130mm 190mm; }\n", encoding="utf-8")
    assert run_cli("build", "-q", str(EXAMPLE)).code == 0
    assert page_mm(pdf) == (130, 190)


def test_css_option_and_bad_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, "")
    (root / "other.css").write_text("@page { size: 100mm 150mm; }\n", encoding="utf-8")
    monkeypatch.chdir(root)
    built = run_cli("build", "-q", str(EXAMPLE), "--css", "other.css", "-o", "one.pdf")
    assert built.code == 0, built.err
    assert page_mm(root / "one.pdf") == (100, 150)
    missing = run_cli("build", str(EXAMPLE), "--set", "layout.extra_css=nope.css")
    assert missing.code == 2 and "layout.extra_css: file 'nope.css' not found" in missing.err
    wrong = run_cli("build", str(EXAMPLE), "--set", "layout.extra_css=config.yaml")
    assert wrong.code == 2 and "is not a CSS file" in wrong.err
