"""A web page's lead image: found (og:image, else the first figure), fetched
under the page's rules, checked and re-encoded by Pillow, shown after the
title block with its caption, credit and alt text in the PDF and the DOCX."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pdfplumber
from PIL import Image as PILImage
from test_fetch import PARAGRAPHS, briefs, build
from web_support import Response, WebServer, html, html_page

from tests.conftest import run_cli

FIGURE = (
    '<figure><img src="/img/harbour.png" alt="Boats moored in the harbour">'
    "<figcaption>The harbour at dawn. Photo: Jane Doe</figcaption></figure>"
)


def png(width: int = 120, height: int = 80) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), (30, 90, 160)).save(out, format="PNG")
    return out.getvalue()


def bomb() -> bytes:
    """A tiny PNG whose header claims 30000 x 30000 pixels."""
    data = bytearray(png(1, 1))
    header = struct.pack(">II", 30_000, 30_000) + bytes(data[24:29])
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header) & 0xFFFFFFFF)
    return bytes(data)


def page(head: str = "", figure: str = FIGURE) -> bytes:
    return html_page("Harbour reopens", PARAGRAPHS, head=head, body_extra=figure)


def test_og_image_with_caption_credit_alt_in_every_format(server: WebServer, project: Path) -> None:
    server.routes["/story"] = html(
        page(head='<meta property="og:image" content="/img/harbour.png">')
    )
    server.routes["/img/harbour.png"] = Response(200, {"Content-Type": "image/png"}, png())
    url = server.url("/story")
    result = run_cli(
        "build", url, "-c", str(project / "config.yaml"), "-o", str(project / "out"),
        "-f", "pdf,docx,json",
    )  # fmt: skip
    assert result.code == 0, result.err
    (brief,) = briefs(project)
    figure = brief.lead_image
    assert figure is not None
    assert (figure.caption, figure.credit) == ("The harbour at dawn.", "Photo: Jane Doe")
    assert figure.image.alt == "Boats moored in the harbour"
    assert (figure.image.width, figure.image.height) == (120, 80)
    assert figure.image.media_type == "image/png"
    assert "/img/harbour.png" in server.paths()
    (pdf,) = (project / "out").glob("*.pdf")
    with pdfplumber.open(pdf) as document:
        first = document.pages[0]
        assert len(first.images) == 1
        text = " ".join((first.extract_text() or "").split())
    assert "The harbour at dawn. Photo: Jane Doe" in text
    assert text.index("Harbour reopens") < text.index("The harbour at dawn")
    from docx import Document

    (docx,) = (project / "out").glob("*.docx")
    word = Document(str(docx))
    described = [e.get("descr") for e in word.element.body.iter() if e.tag.endswith("}docPr")]
    assert described == ["Boats moored in the harbour"]
    texts = [p.text for p in word.paragraphs]
    assert "The harbour at dawn. Photo: Jane Doe" in texts
    assert texts.index("Harbour reopens") < texts.index("The harbour at dawn. Photo: Jane Doe")
    caption = word.paragraphs[texts.index("The harbour at dawn. Photo: Jane Doe")]
    assert caption.style is not None and caption.style.name == "Caption"
    picture = word.paragraphs[texts.index("The harbour at dawn. Photo: Jane Doe") - 1]
    assert picture._p.xpath(".//pic:pic") and picture.paragraph_format.keep_with_next


def test_first_figure_when_no_og_image(server: WebServer, project: Path) -> None:
    server.routes["/story"] = html(page())
    server.routes["/img/harbour.png"] = Response(200, {"Content-Type": "image/png"}, png(64, 64))
    code, _, err = build(project, server.url("/story"))
    assert code == 0, err
    (brief,) = briefs(project)
    assert brief.lead_image is not None and brief.lead_image.caption == "The harbour at dawn."


def test_bombs_and_wrong_types_are_left_out_with_a_warning(
    server: WebServer, project: Path
) -> None:
    server.routes["/bomb"] = html(page(head='<meta property="og:image" content="/img/bomb.png">'))
    server.routes["/img/bomb.png"] = Response(200, {"Content-Type": "image/png"}, bomb())
    code, _, err = build(project, server.url("/bomb"))
    assert code == 0, err
    assert "lead image" in err and "left out" in err and "40,000,000 pixels" in err
    assert briefs(project)[0].lead_image is None
    server.routes["/html"] = html(page(head='<meta property="og:image" content="/img/x.png">'))
    server.routes["/img/x.png"] = html(b"<p>not a picture</p>")
    code, _, err = build(project, server.url("/html"), out="two")
    assert code == 0, err
    assert "the server sent text/html" in err
    assert briefs(project, "two")[0].lead_image is None


def test_saved_page_fetches_remote_images_only_with_fetch_images(
    server: WebServer, project: Path
) -> None:
    server.routes["/img/harbour.png"] = Response(200, {"Content-Type": "image/png"}, png())
    remote = FIGURE.replace("/img/harbour.png", server.url("/img/harbour.png"))
    saved = project / "saved.html"
    saved.write_bytes(page(figure=remote))
    code, _, err = build(project, str(saved))
    assert code == 0, err
    assert server.requests == []  # a local file causes no network traffic
    assert briefs(project)[0].lead_image is None
    (project / "config.yaml").write_text(
        "fetch: {allow_private: true, cache_dir: cache, images: true}\n"
    )
    code, _, err = build(project, str(saved), out="with-images")
    assert code == 0, err
    assert "/img/harbour.png" in server.paths()
    assert briefs(project, "with-images")[0].lead_image is not None
    # A picture next to the saved page is read from its folder, without network.
    (project / "local.png").write_bytes(png(40, 30))
    local = project / "local.html"
    local.write_bytes(page(figure=FIGURE.replace("/img/harbour.png", "local.png")))
    code, _, err = build(project, str(local), out="local")
    assert code == 0, err
    figure = briefs(project, "local")[0].lead_image
    assert figure is not None and (figure.image.width, figure.image.height) == (40, 30)


def test_images_lead_false_fetches_nothing(server: WebServer, project: Path) -> None:
    (project / "config.yaml").write_text(
        "fetch: {allow_private: true, cache_dir: cache}\nlayout: {images: {lead: false}}\n"
    )
    server.routes["/story"] = html(
        page(head='<meta property="og:image" content="/img/harbour.png">')
    )
    code, _, err = build(project, server.url("/story"))
    assert code == 0, err
    assert "/img/harbour.png" not in server.paths()
    assert briefs(project)[0].lead_image is None


def test_a_lead_image_without_alt_or_caption_is_described_by_the_headline(
    server: WebServer, project: Path
) -> None:
    # og:image rarely comes with og:image:alt; a tagged PDF (PDF/UA) needs a description.
    server.routes["/story"] = html(
        page(head='<meta property="og:image" content="/img/pier.png">', figure="")
    )
    server.routes["/img/pier.png"] = Response(200, {"Content-Type": "image/png"}, png())
    result = run_cli(
        "build", server.url("/story"), "-c", str(project / "config.yaml"),
        "-o", str(project / "out"), "-f", "pdf,json",
    )  # fmt: skip
    assert result.code == 0, result.err
    figure = briefs(project)[0].lead_image
    assert figure is not None and figure.caption is None
    assert figure.image.alt == "Harbour reopens"
