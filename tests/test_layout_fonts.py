"""Font files under the project (`layout.fonts.files`): embedded in the PDF and the DOCX."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from pipeline.cli import main
from pipeline.render.docx.fonts import obfuscate as _obfuscate

from .libreoffice import convert_to_pdf, needs_libreoffice

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "examples" / "poutine-iran.txt"
# A font file whose face is easy to recognise once embedded (any .ttf would do).
CANDIDATES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSansMono.ttf"),
]
FONT = next((path for path in CANDIDATES if path.is_file()), None)
pytestmark = pytest.mark.skipif(FONT is None, reason="DejaVuSansMono.ttf is not installed")

CONFIG = """
layout:
  fonts:
    heading: {family: House Sans, size: 13pt}
    title: {family: House Sans, size: 20pt}
    files:
      - {family: House Sans, path: fonts/house.ttf}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fonts")
    (folder / "fonts").mkdir()
    assert FONT is not None
    shutil.copy(FONT, folder / "fonts" / "house.ttf")
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    err = io.StringIO()
    args = ["build", str(ARTICLE), "-c", str(folder / "config.yaml"), "-o", str(folder / "dist")]
    assert main([*args, "-f", "pdf,docx", "--check"], io.StringIO(), err) == 0, err.getvalue()
    return folder


def _one(project: Path, suffix: str) -> Path:
    return next(p for p in (project / "dist").glob(f"*{suffix}") if p.name != "manifest.json")


def test_pdf_embeds_the_font_file(project: Path) -> None:
    names = set()
    for page in PdfReader(_one(project, ".pdf")).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    assert "House-Sans" in names, names


def test_docx_embeds_the_font_file_obfuscated(project: Path) -> None:
    path = _one(project, ".docx")
    with zipfile.ZipFile(path) as package:
        table = package.read("word/fontTable.xml").decode()
        assert '<w:font w:name="House Sans"><w:embedRegular' in table
        key = table.split('w:fontKey="', 1)[1].split('"', 1)[0]
        stored = package.read("word/fonts/font1.odttf")
        assert "obfuscatedFont" in package.read("[Content_Types].xml").decode()
    original = (project / "fonts" / "house.ttf").read_bytes()
    assert stored != original
    assert _obfuscate(stored, key) == original  # XOR: the same key restores it
    doc = Document(str(path))
    assert doc.settings.element.find(qn("w:embedTrueTypeFonts")) is not None
    assert doc.styles["Heading 1"].font.name == "House Sans"


@needs_libreoffice
@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils is not installed")
def test_libreoffice_uses_the_embedded_font(project: Path, tmp_path: Path) -> None:
    converted = convert_to_pdf(_one(project, ".docx"), tmp_path)
    fonts = subprocess.run(["pdffonts", str(converted)], capture_output=True, text=True).stdout
    # "House Sans" is installed nowhere: only the embedded file can give this face.
    assert "DejaVuSansMono" in fonts


def test_missing_font_file_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "layout:\n  fonts:\n    files:\n      - {family: X, path: fonts/nope.ttf}\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    code = main(["build", str(ARTICLE), "-c", str(config), "-o", str(tmp_path / "d")], None, err)
    assert code == 2
    assert "line 4" in err.getvalue() and "layout.fonts.files.0.path" in err.getvalue()
