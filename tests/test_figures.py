"""Where a saved page's body figures go (read/figures.py): between the
paragraphs they stand between on the page, never before the article's first
text, never from a sidebar, a header or a sentence; a caption the page
prints again as a paragraph is shown once. Read from files next to the page
(no network); with figures off the blocks are those of the plain reader."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from PIL import Image as PILImage

from pipeline.build.fidelity import unfaithful
from pipeline.build.plan import BriefSettings
from pipeline.build.source import make_brief
from pipeline.config.model import parse_config
from pipeline.read import html as read_html
from pipeline.read.fetch_page import read_article
from pipeline.read.figures import MAX_FIGURES
from pipeline.read.ingest import read_source
from pipeline.read.model import Document

pytestmark = pytest.mark.skipif(not read_html.available(), reason="[html] extra not installed")

TEXT = [
    f"Paragraph {word} of the report on the river survey, which counted the fish, "
    f"measured the water and mapped the banks over the {word} season of the year."
    for word in ("one", "two", "three", "four", "five")
]


def picture(folder: Path, name: str, size: tuple[int, int] = (120, 80)) -> str:
    out = io.BytesIO()
    PILImage.new("RGB", size, (20, 120, 200)).save(out, format="PNG")
    (folder / name).write_bytes(out.getvalue())
    return name


def figure(src: str, caption: str) -> str:
    return f'<figure><img src="{src}" alt=""><figcaption>{caption}</figcaption></figure>'


def page(folder: Path, article: str, after: str = "") -> str:
    path = folder / "page.html"
    path.write_text(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'></head><body>"
        f"<article><h1>River survey</h1>{article}</article>{after}</body></html>",
        encoding="utf-8",
    )
    return str(path)


def read(path: str) -> Document:
    return read_article(path, 10_000_000, lead_image=False, figures=True)


def shown(document: Document) -> list[str]:
    return [
        f"[{b.figure.image.name}]" if b.figure is not None else " ".join(b.text.split()[:2])
        for b in document.blocks
        if b.kind != "heading"
    ]


def test_figures_stand_between_their_paragraphs(tmp_path: Path) -> None:
    for name in ("hero.png", "a.png", "b.png", "c.png", "icon.png", "side.png"):
        picture(tmp_path, name)
    p = [f"<p>{text}</p>" for text in TEXT]
    path = page(
        tmp_path,
        figure("hero.png", "The river at dawn.")
        + p[0]
        + p[1]
        + figure("a.png", "The fish were counted in the spring.")
        + "<p>The fish were counted in the spring.</p>"  # the caption, printed again
        + p[2]
        + '<p><img src="b.png" alt="A map"><img src="c.png" alt="A chart"></p>'
        + p[3]
        + f'<p>{TEXT[4]} <img src="icon.png" alt="icon"></p>',  # inside a sentence
        after="<aside>" + figure("side.png", "Another survey") + "</aside>",
    )
    document = read(path)
    assert shown(document) == [
        "Paragraph one",
        "[hero.png]",  # a figure never opens the article: after its first paragraph
        "Paragraph two",
        "[a.png]",  # its caption once, as the figure's
        "Paragraph three",
        "[b.png]",
        "[c.png]",
        "Paragraph four",
        "Paragraph five",
    ]
    assert document.warnings == ()
    config = parse_config(
        {"key_points": {"enabled": False}, "layout": {"images": {"figures": True}}}
    )
    brief = make_brief(document, BriefSettings.of(config), dt.date(2026, 1, 1), [])
    assert unfaithful(document, brief) == []  # every caption once, in order
    (counted,) = [b for b in brief.intro if getattr(b, "src", "") == "a.png"]
    assert counted.text == "The fish were counted in the spring."  # type: ignore[union-attr]


def test_figures_off_leaves_the_blocks_as_the_reader_found_them(tmp_path: Path) -> None:
    picture(tmp_path, "a.png")
    path = page(tmp_path, f"<p>{TEXT[0]}</p>" + figure("a.png", "A caption.") + f"<p>{TEXT[1]}</p>")
    plain = read_source(path)
    off = read_article(path, 10_000_000, lead_image=False, figures=False)
    assert off.blocks == plain.blocks
    assert all(block.kind != "figure" for block in off.blocks)
    assert [b.kind for b in read(path).blocks] == ["heading", "paragraph", "figure", "paragraph"]


def test_a_gallery_is_cut_and_remote_pictures_of_a_saved_page_stay_offline(
    tmp_path: Path,
) -> None:
    gallery = "".join(figure(picture(tmp_path, f"{n}.png"), f"Picture {n}.") for n in range(20))
    path = page(tmp_path, f"<p>{TEXT[0]}</p>{gallery}<p>{TEXT[1]}</p>")
    document = read(path)
    shown = [b.figure.image.name for b in document.blocks if b.figure is not None]
    assert shown == [f"{n}.png" for n in range(MAX_FIGURES)]
    assert document.warnings == (f"8 more figure(s) left out: at most {MAX_FIGURES} are read",)
    remote = "".join(figure(f"http://127.0.0.1:9/{n}.png", f"Picture {n}.") for n in range(15))
    path = page(tmp_path, f"<p>{TEXT[0]}</p>{remote}<p>{TEXT[1]}</p>")
    document = read(path)  # fetch.images is off: nothing is fetched, nothing to warn about
    assert [b.kind for b in document.blocks] == ["heading", "paragraph", "paragraph"]
    assert document.warnings == ()


def test_lazily_loaded_pictures_are_read_from_their_real_address(tmp_path: Path) -> None:
    for name in ("lazy.png", "later.png", "w1200.png", "w480.png"):
        picture(tmp_path, name)
    placeholder = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
    path = page(
        tmp_path,
        f"<p>{TEXT[0]}</p>"
        f'<figure><img src="{placeholder}" data-src="lazy.png" alt="Lazy">'
        "<figcaption>Loaded by a script.</figcaption></figure>"
        f"<p>{TEXT[1]}</p>"
        '<p><img src="spinner.gif" data-lazy-src="later.png" alt="Later"></p>'
        f"<p>{TEXT[2]}</p>"
        '<p><img srcset="w480.png 480w, w1200.png 1200w, w4000.png 4000w" alt="Sized"></p>'
        f"<p>{TEXT[3]}</p>"
        '<p><img data-src=\'{"src": "x.png"}\' alt="A script\'s data"></p>'
        f"<p>{TEXT[4]}</p>",
    )
    document = read(path)
    assert [b.figure.image.name for b in document.blocks if b.figure is not None] == [
        "lazy.png",
        "later.png",
        "w1200.png",  # the widest candidate up to 1600 px
    ]
    assert document.warnings == ()


def test_a_figure_in_a_pros_or_cons_cell_fits_the_cell(tmp_path: Path) -> None:
    import docx
    from docx.shared import Pt

    from pipeline.brief import FigureBlock, Paragraph, Run, Section
    from pipeline.config.model import Config
    from pipeline.render.docx.compose import render_docx
    from pipeline.render.theme import load_theme

    picture(tmp_path, "wide.png", (2400, 800))
    path = page(tmp_path, f"<p>{TEXT[0]}</p>" + figure("wide.png", "Wide.") + f"<p>{TEXT[1]}</p>")
    config = parse_config({"layout": {"images": {"figures": True}}})
    brief = make_brief(read(path), BriefSettings.of(config), dt.date(2026, 1, 1), [])
    (wide,) = [b for b in brief.intro if isinstance(b, FigureBlock)]
    pros = (Paragraph(runs=(Run(text="A quay for larger ships."),)), wide)
    cons = (Paragraph(runs=(Run(text="Two years of works."),)),)
    section = Section(heading="Pros and cons", kind="pros_cons", pros=pros, cons=cons)
    brief = brief.model_copy(update={"intro": (), "sections": (section,)})
    word = docx.Document(io.BytesIO(render_docx(brief, load_theme("note", Config().layout)).data))
    (shape,) = word.inline_shapes
    assert 0 < shape.width <= word.tables[0].cell(0, 0).width
    # Its caption as in the body (the theme's Caption: 8 pt, muted), not Word's
    # own bold blue Caption, which a cell's figure got when no other picture
    # had set the style up.
    (caption,) = [p for p in word.tables[0].cell(1, 0).paragraphs if p.text == "Wide."]
    style = caption.style
    assert style is not None and style.name == "Caption"
    assert (style.font.size, style.font.bold) == (Pt(8), False)


def test_pictures_are_scaled_to_print_size_and_photographs_stay_jpeg() -> None:
    from pipeline.read.fetch_images import MAX_SIDE, reencode

    def encoded(size: tuple[int, int], kind: str, mode: str = "RGB") -> bytes:
        out = io.BytesIO()
        PILImage.new(mode, size, (200, 120, 40, 128)[: len(mode)]).save(out, format=kind)
        return out.getvalue()

    checked = reencode(encoded((3000, 1500), "JPEG"))
    assert checked is not None and checked[0] == "image/jpeg"
    assert checked[2:] == (MAX_SIDE, MAX_SIDE // 2)
    with PILImage.open(io.BytesIO(checked[1])) as picture:
        assert picture.size == (MAX_SIDE, MAX_SIDE // 2)
    assert reencode(encoded((300, 200), "WEBP"))[:1] == ("image/jpeg",)  # type: ignore[index]
    assert reencode(encoded((300, 200), "WEBP", "RGBA"))[:1] == ("image/png",)  # type: ignore[index]
    assert reencode(encoded((300, 200), "PNG"))[2:] == (300, 200)  # type: ignore[index]


def test_a_saved_pages_protocol_relative_picture_is_on_the_web(tmp_path: Path) -> None:
    """`//host/x.jpg` on a saved page is a picture on the web (over https),
    read only with fetch.images, never looked for in the page's folder."""
    from pipeline.config.web import Fetch
    from pipeline.read.fetch import Fetcher
    from pipeline.read.fetch_images import read_picture, resolved

    document = read_source(page(tmp_path, f"<p>{TEXT[0]}</p>"), 10_000_000)
    src = "//cdn.example.org/img/boat.jpg"
    assert resolved(src, document) == "https://cdn.example.org/img/boat.jpg"
    # Without fetch.images a saved page reads nothing on the web (it was
    # refused as "not a file in the page's folder").
    assert read_picture(src, document, Fetcher(Fetch()), "figure") is None
