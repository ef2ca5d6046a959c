"""Body figures at their limits: a slow image server costs no more than the
pictures' share of `limits.render_timeout` (the figures left are left out
with a warning, and the brief is read), the lead image is told from a figure
by its whole address and its picture (not its file name), and a Markdown
file's protocol-relative picture is on the web. Each test reads one small
article through `read_article` against the local server."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

from PIL import Image as PILImage
from test_figures import P, figure
from web_support import Response, WebServer, html

from pipeline.config.model import Limits
from pipeline.config.web import Fetch
from pipeline.read.fetch import Fetcher
from pipeline.read.fetch_page import read_article
from pipeline.read.images import WEB_PICTURE


def picture(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


BLUE = (30, 90, 160)
PNG = {"Content-Type": "image/png"}


def page(figures: list[str], head: str = "") -> bytes:
    body = "".join(f"<p>{P[i]}</p>{f}" for i, f in enumerate(figures))
    return (
        f"<html lang='en'><head><title>Harbour</title>{head}</head><body><article>"
        f"<h1>Harbour</h1>{body}<p>{P[len(figures)]}</p></article></body></html>"
    ).encode()


def fetcher(tmp_path: Path, **settings: object) -> Fetcher:
    fetch = Fetch.model_validate({"allow_private": True, "timeout": 5, **settings})
    return Fetcher(fetch, cache_dir=tmp_path / "cache")


def test_slow_pictures_are_left_out_in_time(server: WebServer, tmp_path: Path) -> None:
    data = picture(300, 200, BLUE)

    def trickle() -> Iterator[bytes]:  # about 2 s for the whole picture
        for start in range(0, len(data), max(1, len(data) // 20)):
            time.sleep(0.1)
            yield data[start : start + max(1, len(data) // 20)]

    server.routes["/story"] = html(
        page([figure(f"/img/{n}.png", f"Picture {n}.", f"Picture {n}") for n in range(4)])
    )
    server.routes["/img/0.png"] = Response(200, PNG, data)
    for n in (1, 2, 3):
        server.routes[f"/img/{n}.png"] = Response(200, PNG, trickle)
    limits = Limits(render_timeout=2)  # the pictures get 1 s
    document = read_article(
        server.url("/story"), 1_000_000, fetcher=fetcher(tmp_path), figures=True, limits=limits
    )
    shown = [b.figure.src for b in document.blocks if b.figure is not None]
    assert shown == [server.url("/img/0.png")]  # read in time: kept
    (warning,) = document.warnings
    late = ", ".join(server.url(f"/img/{n}.png") for n in (1, 2, 3))
    assert warning == (
        "3 figure(s) left out: no time left: the article's pictures are read within 1 s "
        f"(half of limits.render_timeout): {late}"
    )
    # The first slow one was cut off at the deadline, the others never asked for.
    assert server.sent.get("/img/1.png", 0) < len(data)
    assert "/img/2.png" not in server.paths() and "/img/3.png" not in server.paths()


def test_a_figure_named_like_the_lead_image_is_kept(server: WebServer, tmp_path: Path) -> None:
    figures = [
        figure("/b/photo.png", "Another picture, named alike.", "Red"),
        figure("/a/photo.png?w=800", "The lead image again, smaller.", "Lead"),
        figure("/c/photo.png", "The lead image again, larger.", "Lead"),
    ]
    server.routes["/story"] = html(
        page(figures, '<meta property="og:image" content="/a/photo.png">')
    )
    server.routes["/a/photo.png"] = Response(200, PNG, picture(200, 100, BLUE))
    server.routes["/b/photo.png"] = Response(200, PNG, picture(200, 100, (200, 40, 40)))
    server.routes["/c/photo.png"] = Response(200, PNG, picture(400, 200, BLUE))
    document = read_article(
        server.url("/story"), 1_000_000, fetcher=fetcher(tmp_path), lead_image=True, figures=True
    )
    assert document.meta["lead_figure"].image.width == 200
    shown = [b.figure.src for b in document.blocks if b.figure is not None]
    assert shown == [server.url("/b/photo.png")]
    assert "/a/photo.png?w=800" not in server.paths()  # the lead's address: not read again
    assert document.warnings == ()


def test_a_protocol_relative_markdown_picture_is_on_the_web(
    server: WebServer, tmp_path: Path
) -> None:
    host = server.url("")[len("http:") :]  # //127.0.0.1:port
    article = tmp_path / "notes.md"
    article.write_text(f"# Notes\n\n{P[0]}\n\n![A red boat]({host}/img/boat.png)\n\n{P[1]}\n")
    off = read_article(str(article), 1_000_000, fetcher=fetcher(tmp_path))
    assert off.warnings == (f"image '{host}/img/boat.png' left out: {WEB_PICTURE}",)
    # Read over https (the local server speaks only http: the handshake fails).
    on = read_article(
        str(article),
        1_000_000,
        fetcher=fetcher(tmp_path, images=True, robots=False, timeout=2),
        figures=True,
    )
    (warning,) = on.warnings
    assert warning.startswith(f"figure https:{host}/img/boat.png left out: "), warning
