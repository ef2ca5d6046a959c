"""Fonts for every script: fallback families the PDF and the DOCX share, a
warning naming the script and the Debian package when no font draws it, and
--strict failing on it. What fontconfig finds differs between machines, so
each test checks what this machine's fonts imply, read from fontconfig."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from pipeline.brief import Brief
from pipeline.build.plan import BriefSettings, load_theme_for
from pipeline.build.source import make_brief
from pipeline.config.model import Config
from pipeline.read.ingest import read_source
from pipeline.render.fallback import _families_drawing, fallback_for, script_samples
from pipeline.render.html import render_html
from tests.conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "languages"
ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig's fc-list")


def _brief(name: str) -> Brief:
    return make_brief(
        read_source(str(FIXTURES / name)), BriefSettings.of(Config()), dt.date(2026, 12, 2), []
    )


def test_latin_briefs_need_no_fallback() -> None:
    document = read_source(str(ROOT / "examples" / "poutine-iran.txt"))
    brief = make_brief(document, BriefSettings.of(Config()), dt.date(2026, 12, 2), [])
    assert script_samples(brief) == {}
    assert fallback_for(brief, Config().layout.fonts).families == ()


def test_scripts_are_found() -> None:
    assert set(script_samples(_brief("ja.md"))) >= {"Kana", "Hani"}
    assert set(script_samples(_brief("ar.md"))) == {"Arab"}


def test_fallback_families_go_into_every_font_stack() -> None:
    brief = _brief("ar.md")
    fonts = Config().layout.fonts
    found = fallback_for(brief, fonts)
    arabic = script_samples(brief)["Arab"]
    if _families_drawing(arabic, fonts.body.family):
        assert found.families == ()  # the body font draws Arabic itself
    elif _families_drawing(arabic):
        assert found.families and found.complex_script == found.families[0]
        _, css = render_html(brief, load_theme_for(Config()))
        assert f'"{fonts.body.family}", "{found.families[0]}", serif' in css
    else:
        assert found.families == () and "fonts-noto-core" in found.warnings[0]


def test_missing_script_is_named_with_its_package(tmp_path: Path) -> None:
    kana = script_samples(_brief("ja.md"))["Kana"]
    if _families_drawing(kana):
        pytest.skip("a font on this machine draws Japanese")
    shutil.copy(FIXTURES / "ja.md", tmp_path / "ja.md")
    (tmp_path / "config.yaml").write_text("{}\n")
    config = str(tmp_path / "config.yaml")
    built = run_cli("build", "-c", config, "-o", str(tmp_path / "out"), "-f", "pdf,docx",
                    str(tmp_path / "ja.md"))  # fmt: skip
    assert built.code == 0, built.err
    lines = built.err.splitlines()
    kana_warnings = [line for line in lines if "Japanese kana" in line]
    assert len(kana_warnings) == 1 and "fonts-noto-cjk" in kana_warnings[0]
    # WeasyPrint's one-per-character messages come out as one line.
    assert sum("have no glyph" in line for line in lines) == 1
    strict = run_cli("build", "-c", config, "-o", str(tmp_path / "strict"), "-f", "docx",
                     "--strict", str(tmp_path / "ja.md"))  # fmt: skip
    assert strict.code != 0 and "fonts-noto-cjk" in strict.err
    assert not list((tmp_path / "strict").glob("*.docx"))
