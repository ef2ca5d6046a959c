"""A web page's body figures (`layout.images.figures`): read in place with
their captions, fetched and checked like the lead image (a figure that cannot
be used is left out with a warning), shown in the PDF and the DOCX after the
paragraph they follow, carried in the JSON. One page, built once with figures
on (PDF, DOCX, JSON) and once with the default (off), for every test here."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image as PILImage
from test_lead_image import bomb, png
from web_support import Response, WebServer, html

from pipeline.brief import Brief, FigureBlock, Paragraph
from tests.accessibility.test_pdf_images import figures as tagged_figures
from tests.conftest import assert_in_order, run_cli

P = [  # each long enough to fill its lines (the check measures the margins)
    f"{text} Residents and visitors were asked about it at a meeting on {day}, and most of "
    "them said the change was welcome, though some worried about the noise."
    for text, day in (
        ("The harbour reopened on Monday after two years of works on the quays.", "Monday"),
        ("Fishing boats were the first to come back, followed by the ferry.", "Tuesday"),
        ("The port authority says the new quays take ships twice as large.", "Wednesday"),
        ("Traders on the waterfront expect the busiest summer in a decade.", "Thursday"),
        ("A new crane, the tallest on the coast, will unload containers.", "Friday"),
        ("The town council will review the traffic plan for the harbour road.", "Saturday"),
    )
]
BOAT = "The first boat back."
CRANE = "The new crane, raised in May."


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), (40, 160, 60)).save(out, format="JPEG")
    return out.getvalue()


def figure(src: str, caption: str, alt: str = "") -> str:
    return f'<figure><img src="{src}" alt="{alt}"><figcaption>{caption}</figcaption></figure>'


PAGE = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Harbour reopens</title>"
    '<meta property="og:image" content="/img/lead.png"></head><body>'
    '<header><img src="/img/logo.png" width="24" height="24" alt="Site"></header>'
    "<article><h1>Harbour reopens</h1>"
    + figure("/img/lead.png", "The harbour from the air.", "The harbour from the air")
    + f"<p>{P[0]}</p><p>{P[1]}</p>"
    + figure("/img/boat.png", f'{BOAT} <span class="credit">Photo: Jane Doe</span>', "A red boat")
    + f"<p>{P[2]}</p>"
    + figure("/img/gone.png", "A picture that is not there.")
    + figure("/img/page.png", "A page, not a picture.")
    + figure("/img/bomb.png", "A decompression bomb.")
    + figure("/img/huge.png", "Six megabytes.")
    + '<p><img src="/img/bare.png"></p>'
    + f"<p>{P[3]}</p><p>{P[4]}</p>"
    + figure("/img/crane.jpg", CRANE, "The crane")
    + f"<p>{P[5]}</p></article>"
    + "<aside>"
    + figure("/img/related.png", "Another story")
    + "</aside></body></html>"
)


@dataclass
class Built:
    server: WebServer
    folder: Path
    on: Brief
    off: Brief
    err: str


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    folder = tmp_path_factory.mktemp("figures")
    png_type = {"Content-Type": "image/png"}
    with WebServer() as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder / "xdg-cache"))
        server.routes["/story"] = html(PAGE.encode())
        server.routes["/img/lead.png"] = Response(200, png_type, png(200, 100))
        server.routes["/img/boat.png"] = Response(200, png_type, png(160, 120))
        server.routes["/img/bare.png"] = Response(200, png_type, png(160, 120))
        server.routes["/img/crane.jpg"] = Response(
            200, {"Content-Type": "image/jpeg"}, jpeg(90, 160)
        )
        server.routes["/img/page.png"] = html(b"<p>not a picture</p>")
        server.routes["/img/bomb.png"] = Response(200, png_type, bomb())
        server.routes["/img/huge.png"] = Response(200, png_type, b"\x89PNG" + bytes(6_000_000))
        fetch = "fetch: {allow_private: true, timeout: 5, cache_dir: cache-%s}\n"
        (folder / "on.yaml").write_text(fetch % "on" + "layout: {images: {figures: true}}\n")
        (folder / "off.yaml").write_text(fetch % "off")
        url = server.url("/story")
        on = run_cli("build", url, "-c", str(folder / "on.yaml"), "-o", str(folder / "on"),
                     "-f", "pdf,docx,json")  # fmt: skip
        assert on.code == 0, on.err
        requested = len(server.requests)
        off = run_cli("build", url, "-c", str(folder / "off.yaml"), "-o", str(folder / "off"),
                      "-f", "json")  # fmt: skip
        assert off.code == 0, off.err
        pictures = {r.path for r in server.requests[requested:] if r.path.startswith("/img/")}
        assert pictures == {"/img/lead.png"}  # figures off: no figure is downloaded

        def brief(out: str) -> Brief:
            (path,) = (folder / out).glob("harbour-reopens.json")
            return Brief.model_validate_json(path.read_text("utf-8"))

        yield Built(server, folder, brief("on"), brief("off"), on.err)


def figures(brief: Brief) -> list[FigureBlock]:
    blocks = [*brief.intro, *(b for s in brief.sections for b in s.blocks)]
    return [block for block in blocks if isinstance(block, FigureBlock)]


def test_figures_in_place_with_captions_in_the_json(built: Built) -> None:
    boat, crane = figures(built.on)
    assert (boat.caption, boat.credit, boat.image.alt) == (BOAT, "Photo: Jane Doe", "A red boat")
    assert boat.src == built.server.url("/img/boat.png")
    assert (boat.image.media_type, boat.image.width, boat.image.height) == ("image/png", 160, 120)
    assert (crane.caption, crane.credit, crane.image.media_type) == (CRANE, None, "image/jpeg")
    # Each after the paragraph it follows on the page; the lede is the first paragraph.
    assert [b.text for b in built.on.lede] == [P[0]]
    order = [b.text if isinstance(b, Paragraph) else b.src for b in built.on.intro]
    assert order == [P[1], boat.src, P[2], P[3], P[4], crane.src, P[5]]
    # The lead image is shown once, after the title, not again as a body figure.
    assert built.on.lead_image is not None
    assert built.on.lead_image.caption == "The harbour from the air."
    assert "/img/related.png" not in built.server.paths()  # an aside's figure is not the article's
    assert "/img/logo.png" not in built.server.paths()
    assert "the brief has" not in built.err  # the self-check finds every caption once


def test_unusable_figures_are_left_out_with_a_warning(built: Built) -> None:
    lines = [line for line in built.err.splitlines() if ": figure http" in line]
    assert all("left out" in line for line in lines) and len(lines) == 4, built.err
    gone, page, bomb_line, huge = lines
    assert "/img/gone.png" in gone and "404" in gone
    assert "/img/page.png" in page and "text/html" in page
    assert "/img/bomb.png" in bomb_line and "40,000,000 pixels" in bomb_line
    assert "/img/huge.png" in huge and "5,000,000" in huge
    assert built.server.sent.get("/img/huge.png", 0) < 6_000_000
    # A picture with nothing to describe it cannot be tagged (PDF/UA): left out, not fetched.
    assert "1 figure(s) left out: no alt text or caption" in built.err
    assert "/img/bare.png" in built.err and "/img/bare.png" not in built.server.paths()


def test_figures_off_by_default_and_the_text_unchanged(built: Built) -> None:
    assert figures(built.off) == []
    assert built.off.lead_image == built.on.lead_image
    without = tuple(b for b in built.on.intro if not isinstance(b, FigureBlock))
    assert built.off.intro == without
    assert built.off.lede == built.on.lede


def test_pdf_shows_each_figure_after_its_paragraph(built: Built) -> None:
    (pdf,) = (built.folder / "on").glob("*.pdf")
    with pdfplumber.open(pdf) as document:
        pictures = sum(len(page.images) for page in document.pages)
        text = " ".join(page.extract_text() or "" for page in document.pages)
        for caption in (BOAT, CRANE):
            (page,) = [p for p in document.pages if p.search(caption)]
            top = page.search(caption)[0]["top"]
            above = [image for image in page.images if image["bottom"] <= top + 1]
            assert above and top - max(i["bottom"] for i in above) < 20, caption
    assert pictures == 3  # the lead image and the two figures
    # Tagged (PDF/UA): each picture a /Figure with its description.
    alts = [str(figure["/Alt"]) for figure in tagged_figures(pdf.read_bytes())]
    assert alts == ["The harbour from the air", "A red boat", "The crane"]
    assert_in_order(text, [P[1], f"{BOAT} Photo: Jane Doe", P[2], P[4], CRANE, P[5]], "PDF")
    result = run_cli("check", str(pdf), str(pdf.with_suffix(".docx")))
    assert result.code == 0, result.err  # captions are part of the text both formats show


def test_docx_shows_each_figure_after_its_paragraph(built: Built) -> None:
    from docx import Document

    (path,) = (built.folder / "on").glob("*.docx")
    word = Document(str(path))
    described = [e.get("descr") for e in word.element.body.iter() if e.tag.endswith("}docPr")]
    assert described == ["The harbour from the air", "A red boat", "The crane"]
    assert len(word.inline_shapes) == 3
    paragraphs = word.paragraphs
    texts = [p.text for p in paragraphs]
    boat = texts.index(f"{BOAT} Photo: Jane Doe")
    crane = texts.index(CRANE)
    for at, before in ((boat, P[1]), (crane, P[4])):
        assert paragraphs[at].style is not None and paragraphs[at].style.name == "Caption"
        picture = paragraphs[at - 1]
        assert picture.text == "" and picture._p.xpath(".//pic:pic")
        assert picture.paragraph_format.keep_with_next  # never split from its caption
        assert texts[at - 2] == before
    credit = [run for run in paragraphs[boat].runs if run.text.strip() == "Photo: Jane Doe"]
    assert credit and credit[0].italic  # as the PDF sets it


def test_markdown_pictures_on_the_web_become_figures(built: Built, tmp_path: Path) -> None:
    from pipeline.config.web import Fetch
    from pipeline.read.fetch import Fetcher
    from pipeline.read.fetch_page import read_article

    server = built.server
    text = f"# Harbour notes\n\n{P[0]}\n\n![A red boat](/img/boat.png)\n\n{P[1]}\n\n"
    text += f"![Not there]({server.url('/img/gone.png')})\n\n{P[2]}\n"
    server.routes["/notes.md"] = Response(200, {"Content-Type": "text/markdown"}, text.encode())
    fetcher = Fetcher(Fetch(allow_private=True, timeout=5), cache_dir=tmp_path / "cache")
    url = server.url("/notes.md")
    document = read_article(url, 1_000_000, fetcher=fetcher, figures=True)
    kinds = [(b.kind, b.text[:12]) for b in document.blocks]
    assert (
        kinds
        == [
            ("heading", "Harbour note"),
            ("paragraph", P[0][:12]),
            ("figure", "A red boat"),  # in place of its alt text
            ("paragraph", P[1][:12]),
            ("paragraph", "Not there"),  # not fetched: its alt text stays, with a warning
            ("paragraph", P[2][:12]),
        ]
    )
    figure = document.blocks[2].figure
    assert figure is not None and figure.src == server.url("/img/boat.png")
    assert (figure.caption, figure.image.alt, figure.image.width) == (
        "A red boat",
        "A red boat",
        160,
    )
    (warning,) = document.warnings
    assert warning.startswith(f"figure {server.url('/img/gone.png')} left out") and "404" in warning
    # Figures off: the alt texts stay, each with its warning, and nothing is fetched.
    before = len(server.requests)
    off = read_article(url, 1_000_000, fetcher=Fetcher(Fetch(allow_private=True)), figures=False)
    assert [b.kind for b in off.blocks].count("figure") == 0
    assert len(off.warnings) == 2 and all("layout.images.figures" in w for w in off.warnings)
    assert not any(r.path.startswith("/img/") for r in server.requests[before:])


def test_a_server_that_does_not_answer_is_asked_once(built: Built, tmp_path: Path) -> None:
    from pipeline.config.web import Fetch
    from pipeline.read.fetch import Fetcher
    from pipeline.read.fetch_page import read_article

    server = built.server
    slow = [figure(f"/slow/{n}.png", f"Slow picture {n}.") for n in (1, 2)]
    body = f"<article><h1>Slow</h1><p>{P[0]}</p>{slow[0]}<p>{P[1]}</p>{slow[1]}<p>{P[2]}</p>"
    server.routes["/slow-page"] = html(f"<html><body>{body}</article></body></html>".encode())
    server.routes["/slow/1.png"] = server.routes["/slow/2.png"] = Response(0)  # never answers
    fetcher = Fetcher(Fetch(allow_private=True, timeout=0.3), cache_dir=tmp_path / "cache")
    document = read_article(server.url("/slow-page"), 1_000_000, fetcher=fetcher, figures=True)
    assert [b.kind for b in document.blocks].count("figure") == 0
    first, second = document.warnings
    assert "/slow/1.png left out: timed out" in first
    assert "/slow/2.png left out: 127.0.0.1" in second and "did not answer" in second
    assert "/slow/2.png" not in server.paths()
