"""Markdown images: carried into both formats only when they are real
images inside the article's folder; anything else is a warning and text."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import pypdf
import pytest
from docx import Document as DocxDocument
from docx.shared import Pt
from PIL import Image as PILImage

from pipeline.cli import main
from pipeline.read.images import ImageLoader

ARTICLE = """\
---
title: Images test
lang: en
---

# Images test

A first paragraph that says something about the chart below, in a full sentence.

![Sales by month, 2026](chart.png)

![Escape](../outside.png)

![Broken](fake.png)

![Remote](https://example.org/x.png)

![](plain.png)

Text with an inline ![icon](chart.png) image stays text. Another sentence closes it.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], str]:
    root = tmp_path_factory.mktemp("images")
    art = root / "art"
    art.mkdir()
    PILImage.new("RGB", (400, 200), (30, 80, 150)).save(art / "chart.png")
    (art / "fake.png").write_bytes(b"not an image")
    (art / "plain.png").write_bytes((art / "chart.png").read_bytes())
    (root / "outside.png").write_bytes((art / "chart.png").read_bytes())
    (art / "a.md").write_text(ARTICLE, encoding="utf-8")
    err = io.StringIO()
    code = main(
        ["build", "-o", str(root / "out"), "-f", "pdf,docx,json", str(art / "a.md")],
        io.StringIO(),
        err,
    )
    assert code == 0, err.getvalue()
    files = {
        path.suffix[1:]: path for path in (root / "out").iterdir() if path.name != "manifest.json"
    }
    return files, err.getvalue()


def test_brief_has_one_image_block(built: tuple[dict[str, Path], str]) -> None:
    files, _ = built
    brief = json.loads(files["json"].read_text(encoding="utf-8"))
    images = [b for b in brief["intro"] if b["type"] == "image"]
    assert len(images) == 1
    assert images[0]["name"] == "chart.png" and images[0]["alt"] == "Sales by month, 2026"
    assert (images[0]["width"], images[0]["height"]) == (400, 200)
    texts = [b["runs"][0]["text"] for b in brief["intro"] if b["type"] == "paragraph"]
    assert "Escape" in texts and "Broken" in texts and "Remote" in texts


def test_refused_images_are_warnings(built: tuple[dict[str, Path], str]) -> None:
    _, err = built
    assert "'../outside.png' left out: outside the article's folder" in err
    assert "'fake.png' left out: not a readable" in err
    assert "'https://example.org/x.png' left out" in err
    # Nothing to describe it with (a tagged PDF needs it): left out, the PDF still built.
    assert "'plain.png' left out: no alt text to describe it" in err
    assert "chart.png" not in err


def test_pdf_embeds_the_image(built: tuple[dict[str, Path], str]) -> None:
    files, _ = built
    reader = pypdf.PdfReader(files["pdf"])
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 1
    assert images[0].image is not None and images[0].image.size == (400, 200)
    assert "Sales by month, 2026" in reader.pages[0].extract_text()


def test_docx_embeds_the_image_within_the_column(built: tuple[dict[str, Path], str]) -> None:
    files, _ = built
    doc = DocxDocument(str(files["docx"]))
    assert len(doc.inline_shapes) == 1
    section = doc.sections[0]
    column = section.page_width - section.left_margin - section.right_margin
    assert 0 < doc.inline_shapes[0].width <= column
    texts = [p.text for p in doc.paragraphs]
    caption = doc.paragraphs[texts.index("Sales by month, 2026")]
    assert caption.style is not None and caption.style.name == "Caption"
    described = [e.get("descr") for e in doc.element.body.iter() if e.tag.endswith("}docPr")]
    assert described == ["Sales by month, 2026"]  # the alt text, for screen readers


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims the given size (a 'pixel bomb' if large)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


def test_loader_refuses_bombs_symlinks_and_stdin(tmp_path: Path) -> None:
    (tmp_path / "bomb.png").write_bytes(_png_header(100_000, 100_000))
    secret = tmp_path.parent / f"{tmp_path.name}-secret.png"
    PILImage.new("RGB", (2, 2)).save(secret)
    (tmp_path / "link.png").symlink_to(secret)
    warnings: list[str] = []
    loader = ImageLoader(tmp_path.resolve(), warnings)
    assert loader.load("bomb.png", "") is None
    assert loader.load("link.png", "") is None
    assert loader.load("/etc/passwd", "") is None
    assert ImageLoader(None, warnings).load("bomb.png", "") is None
    assert len(warnings) == 4


def test_docx_images_fit_one_column_of_two_and_the_css_height(tmp_path: Path) -> None:
    """In two columns a Markdown image is no wider than its column (it was the
    whole text block wide, over the other column), and a tall one is no
    taller than the CSS's 120 mm, as in the PDF."""
    import datetime as dt

    from docx.shared import Mm

    from pipeline.build.plan import BriefSettings
    from pipeline.build.source import make_brief
    from pipeline.config.model import parse_config
    from pipeline.read.ingest import read_source
    from pipeline.render.docx.compose import COLUMN_GAP_PT, render_docx
    from pipeline.render.theme import load_theme

    PILImage.new("RGB", (1400, 500), (30, 80, 150)).save(tmp_path / "wide.png")
    PILImage.new("RGB", (300, 1200), (30, 80, 150)).save(tmp_path / "tall.png")
    text = "A paragraph of the article, long enough to be read as its text.\n\n"
    (tmp_path / "a.md").write_text(
        f"# Pictures\n\n{text}![A wide chart](wide.png)\n\n{text}![A tall chart](tall.png)\n\n{text}",
        encoding="utf-8",
    )
    config = parse_config({"layout": {"columns": 2}})
    brief = make_brief(
        read_source(str(tmp_path / "a.md"), 1_000_000),
        BriefSettings.of(config),
        dt.date(2026, 1, 1),
        [],
    )
    data = render_docx(brief, load_theme("note", config.layout)).data
    word = DocxDocument(io.BytesIO(data))
    section = word.sections[-1]
    block = section.page_width - section.left_margin - section.right_margin
    column = (block - Pt(COLUMN_GAP_PT)) / 2
    wide, tall = word.inline_shapes
    assert wide.width <= column + 1 and wide.width > column * 0.9
    assert tall.height <= Mm(120) + 1 and tall.width < column
