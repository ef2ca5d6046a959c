"""A font family that is not installed: a warning naming it and where
fontconfig looked, a failure under --strict, and a parity check that compares
the fonts the PDF and the DOCX actually use."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.build.fontparity import docx_fonts, font_problems, pdf_fonts
from pipeline.config.model import Config
from pipeline.render.fontconfig import is_installed, missing_font_warnings

from .conftest import EXAMPLE, run_cli

ABSENT = "Nonexistent Grotesk"

pytestmark = pytest.mark.skipif(
    is_installed("DejaVu Serif") is None, reason="fontconfig cannot be asked on this machine"
)


def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"layout:\n  fonts:\n    body: {{family: {ABSENT}}}\n", encoding="utf-8")
    return path


def test_the_missing_family_is_named_with_the_folders_fontconfig_searched() -> None:
    layout = Config().layout
    assert missing_font_warnings(layout) == []  # the defaults (DejaVu) are installed
    fonts = layout.fonts.model_copy(
        update={"body": layout.fonts.body.model_copy(update={"family": ABSENT})}
    )
    (warning,) = missing_font_warnings(layout.model_copy(update={"fonts": fonts}))
    assert f"font family '{ABSENT}' is not installed" in warning
    assert "fontconfig looked in /" in warning
    assert is_installed(ABSENT) is False and is_installed("dejavu serif") is True


def test_build_warns_strict_fails_and_check_compares_the_fonts_used(tmp_path: Path) -> None:
    config = config_file(tmp_path)
    out = tmp_path / "out"
    result = run_cli("build", str(EXAMPLE), "-c", str(config), "-o", str(out), "--check")
    assert result.code == 1  # the check: the PDF does not draw with the family
    assert f"poutine-iran.txt: font family '{ABSENT}' is not installed" in result.err
    assert f"check: fonts: the DOCX sets text in '{ABSENT}'" in result.err
    (pdf,) = out.glob("*.pdf")
    (docx,) = out.glob("*.docx")
    assert not any(name.startswith("Nonexistent") for name in pdf_fonts(pdf.read_bytes()))
    assert ABSENT in docx_fonts(docx.read_bytes())[0]
    assert font_problems(pdf.read_bytes(), docx.read_bytes())
    standalone = run_cli("check", str(pdf), str(docx))
    assert standalone.code == 1 and "fonts: the DOCX sets text in" in standalone.err

    strict = run_cli(
        "build", str(EXAMPLE), "-c", str(config), "-o", str(tmp_path / "s"), "-f", "pdf", "--strict"
    )
    assert strict.code == 1 and "treated as errors (--strict)" in strict.err
    assert not list((tmp_path / "s").glob("*.pdf"))
