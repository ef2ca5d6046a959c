"""A short article in each of nine languages, none declaring it, builds with the
right language in the PDF (/Lang), the DOCX (w:lang, core language) and the
JSON, read back from the artifacts; labels and the date are in the article's
language where a data file exists, and English labels stand in (one note per
build) where none does."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import zipfile
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from babel.dates import format_date
from docx import Document as DocxDocument
from docx.oxml.ns import qn

from pipeline.build.plan import BriefSettings, load_theme_for
from pipeline.build.source import make_brief
from pipeline.config.model import Config
from pipeline.read.ingest import read_source
from pipeline.render.html import render_html
from pipeline.understand.languages import get_language, language_for
from tests.conftest import normalise, run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "languages"
WITH_DATA = ("de", "es", "it", "pt", "nl")
WITHOUT_DATA = ("ru", "ja", "ar", "id")
DATE = dt.date(2026, 12, 2)  # the fixtures' front-matter date


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("languages")
    sources = []
    for code in (*WITH_DATA, *WITHOUT_DATA):
        shutil.copy(FIXTURES / f"{code}.md", root / f"{code}.md")
        sources.append(str(root / f"{code}.md"))
    # A second Russian article: the missing-data note is still said once.
    shutil.copy(FIXTURES / "ru.md", root / "ru-2.md")
    sources.append(str(root / "ru-2.md"))
    # Short articles: the key points box shows all the same.
    (root / "config.yaml").write_text("layout: {key_points_min_words: 0}\n")
    result = run_cli(
        "build", "-c", str(root / "config.yaml"), "-o", str(root / "out"),
        "-f", "pdf,docx,json", *sources,
    )  # fmt: skip
    assert result.code == 0, result.err
    return root / "out", result.err


def _artifacts(out: Path, code: str) -> dict[str, Path]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    found = {}
    for entry in manifest["artifacts"]:
        if Path(entry["source"]).name == f"{code}.md":
            found[Path(entry["path"]).suffix[1:]] = out / Path(entry["path"]).name
    return found


@pytest.mark.parametrize("code", (*WITH_DATA, *WITHOUT_DATA))
def test_right_language_in_every_format(built: tuple[Path, str], code: str) -> None:
    out, _ = built
    files = _artifacts(out, code)
    brief = json.loads(files["json"].read_text(encoding="utf-8"))
    assert brief["language"] == code
    assert brief["direction"] == ("rtl" if code == "ar" else "ltr")

    assert pypdf.PdfReader(files["pdf"]).trailer["/Root"]["/Lang"] == code

    doc = DocxDocument(str(files["docx"]))
    assert doc.core_properties.language == code
    with zipfile.ZipFile(files["docx"]) as package:
        styles = package.read("word/styles.xml").decode("utf-8")
    lang = re.search(r"<w:lang [^>]*/>", styles)
    assert lang is not None and f'w:val="{code}' in lang.group(0)

    # The date as CLDR writes it in that language, in the JSON and on the page.
    expected_date = format_date(DATE, "long", locale=code)
    assert brief["date_text"] == expected_date
    with pdfplumber.open(files["pdf"]) as pdf:
        page_text = normalise(pdf.pages[0].extract_text() or "")
    if code in WITH_DATA:  # fonts for the other scripts may be missing here
        assert normalise(expected_date) in page_text


@pytest.mark.parametrize("code", WITH_DATA)
def test_labels_in_the_language(built: tuple[Path, str], code: str) -> None:
    out, _ = built
    files = _artifacts(out, code)
    labels = get_language(code).labels
    brief = json.loads(files["json"].read_text(encoding="utf-8"))
    assert brief["labels"]["key_points"] == labels.key_points
    assert brief["reading_text"].endswith(labels.words.format(count=brief["word_count"]))
    assert brief["key_points"]
    with pdfplumber.open(files["pdf"]) as pdf:
        text = normalise(pdf.pages[0].extract_text() or "").upper()
    assert normalise(labels.key_points).upper() in text
    paragraphs = [p.text for p in DocxDocument(str(files["docx"])).paragraphs]
    assert labels.key_points in paragraphs
    assert labels.lede in paragraphs or labels.lede.upper() in paragraphs


@pytest.mark.parametrize("code", WITHOUT_DATA)
def test_english_labels_stand_in(built: tuple[Path, str], code: str) -> None:
    out, err = built
    brief = json.loads(_artifacts(out, code)["json"].read_text(encoding="utf-8"))
    assert brief["labels"]["key_points"] == get_language("en").labels.key_points
    assert err.count(f"no language data for '{code}'") == 1  # one note per build


def test_rtl_page_direction() -> None:
    brief = make_brief(read_source(str(FIXTURES / "ar.md")), BriefSettings.of(Config()), DATE, [])
    assert brief.direction == "rtl"
    html, _css = render_html(brief, load_theme_for(Config()))
    assert '<html lang="ar" dir="rtl">' in html


def test_fallback_language_keeps_its_own_tag() -> None:
    russian = language_for("ru")
    assert not russian.has_data
    assert (russian.bcp47, russian.code, russian.direction) == ("ru", "ru", "ltr")
    assert russian.typography.quotes is None  # straight quotes stay
    assert language_for("pt-BR").bcp47 == "pt-BR"
    assert language_for("pt-BR").labels == get_language("pt").labels


def _defaults(docx_file: Path) -> str:
    with zipfile.ZipFile(docx_file) as package:
        styles = package.read("word/styles.xml").decode("utf-8")
    found = re.search(r"<w:docDefaults>.*</w:docDefaults>", styles, re.S)
    assert found is not None
    return found.group(0)


@pytest.mark.parametrize(
    ("code", "east_asian", "complex_script", "rtl"),
    [("de", False, False, False), ("ru", False, False, False), ("ja", True, False, False),
     ("ar", False, True, True)],
)  # fmt: skip
def test_docx_language_slots_and_direction(
    built: tuple[Path, str], code: str, east_asian: bool, complex_script: bool, rtl: bool
) -> None:
    defaults = _defaults(_artifacts(built[0], code)["docx"])
    lang = re.search(r"<w:lang [^>]*/>", defaults)
    assert lang is not None
    assert (f'w:eastAsia="{code}"' in lang.group(0)) == east_asian
    assert (f'w:bidi="{code}"' in lang.group(0)) == complex_script
    assert ("<w:bidi/>" in defaults) == rtl  # paragraphs right to left
    assert ("<w:rtl/>" in defaults) == rtl  # runs right to left


def test_docx_names_the_pdfs_fallback_fonts(built: tuple[Path, str]) -> None:
    from pipeline.render.fallback import fallback_for

    out, _ = built
    files = _artifacts(out, "ar")
    brief = make_brief(read_source(str(FIXTURES / "ar.md")), BriefSettings.of(Config()), DATE, [])
    found = fallback_for(brief, Config().layout.fonts)
    doc = DocxDocument(str(files["docx"]))
    fonts = doc.styles["Normal"].element.rPr.rFonts
    expected = found.complex_script or Config().layout.fonts.body.family
    assert fonts.get(qn("w:cs")) == expected
    _html, css = render_html(brief, load_theme_for(Config()))
    if found.complex_script:
        assert f'"{found.complex_script}"' in css


@pytest.mark.parametrize("code", (*WITH_DATA, *WITHOUT_DATA))
def test_hyphenation_follows_the_language(built: tuple[Path, str], code: str) -> None:
    """WeasyPrint hyphenates with the Pyphen patterns of the page's `lang`:
    the language's own, or none (Japanese, Arabic), never English's."""
    import pyphen

    files = _artifacts(built[0], code)
    lang = pypdf.PdfReader(files["pdf"]).trailer["/Root"]["/Lang"]
    patterns = pyphen.language_fallback(str(lang))
    assert patterns is None or patterns.split("_")[0] == code
    if code in WITH_DATA + ("ru", "id"):
        assert patterns is not None
