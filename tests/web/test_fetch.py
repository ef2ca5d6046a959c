"""The guarded fetcher, end to end through `build URL`, against a local server:
timeouts, size cap while streaming, redirects, private addresses, content
types, charsets, robots.txt, the cache's conditional requests, provenance."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import Response, WebServer, html, html_page

from pipeline import __version__
from pipeline.brief import Brief
from pipeline.read import fetch
from tests.clock import BUILD_DATE
from tests.conftest import run_cli

WRITTEN = f"{BUILD_DATE.day} {BUILD_DATE:%B} {BUILD_DATE.year}"  # as English writes it

WORDS = "The committee met on Tuesday and agreed a new budget for the coming year."
PARAGRAPHS = [WORDS * 3, "Members said the plan was fair. " * 6, "A vote follows next week. " * 5]


def build(project: Path, *args: str, out: str = "out") -> tuple[int, str, str]:
    result = run_cli(
        "build", *args, "-c", str(project / "config.yaml"), "-o", str(project / out), "-f", "json"
    )
    return result.code, result.out, result.err


def briefs(project: Path, out: str = "out") -> list[Brief]:
    return [
        Brief.model_validate_json(path.read_text("utf-8"))
        for path in sorted((project / out).glob("*.json"))
        if path.name != "manifest.json"
    ]


def manifest(project: Path) -> dict[str, object]:
    return json.loads((project / "out" / "manifest.json").read_text("utf-8"))


def test_page_is_built_with_provenance_and_resolved_links(server: WebServer, project: Path) -> None:
    body = html_page(
        "Budget agreed",
        [*PARAGRAPHS, 'Read <a href="../minutes/2025.html">the minutes</a> for details. ' * 2],
    )
    server.routes["/news/budget"] = html(body)
    url = server.url("/news/budget")
    code, out, err = build(project, url)
    assert code == 0, err
    (brief,) = briefs(project)
    assert brief.title == "Budget agreed"
    assert brief.source_url == url
    assert brief.retrieved == BUILD_DATE  # SOURCE_DATE_EPOCH, pinned for the suite
    assert brief.provenance == f"Source: {url}, retrieved {WRITTEN}"
    hrefs = {
        run.href
        for block in (*brief.lede, *brief.intro, *(b for s in brief.sections for b in s.blocks))
        for run in getattr(block, "runs", ())
        if run.href
    }
    assert hrefs == {server.url("/minutes/2025.html")}
    sources = [entry["source"] for entry in manifest(project)["sources"]]  # type: ignore[index]
    assert sources == [url]
    # The User-Agent names the tool and its version; robots.txt was asked first.
    assert server.paths() == ["/robots.txt", "/news/budget"]
    agent = server.requests[-1].headers["user-agent"]
    assert agent.startswith(f"pipeline-briefs/{__version__}")


def test_provenance_line_in_pdf_and_docx(server: WebServer, project: Path) -> None:
    import pdfplumber
    from docx import Document

    server.routes["/a"] = html(html_page("Budget agreed", PARAGRAPHS))
    url = server.url("/a")
    result = run_cli(
        "build",
        url,
        "-c",
        str(project / "config.yaml"),
        "-o",
        str(project / "out"),
        "-f",
        "pdf,docx",
    )
    assert result.code == 0, result.err
    line = f"Source: {url}, retrieved {WRITTEN}"
    (pdf,) = (project / "out").glob("*.pdf")
    with pdfplumber.open(pdf) as document:
        first = document.pages[0].extract_text() or ""
    assert "".join(line.split()) in "".join(first.split())
    (docx,) = (project / "out").glob("*.docx")
    assert line in [p.text for p in Document(str(docx)).paragraphs]


def test_charset_from_header_then_meta(server: WebServer, project: Path) -> None:
    text = "Le comité s’est réuni à Genève ; il a adopté le budget de l’année prochaine. " * 3
    latin = html_page("Réunion à Genève", [text] * 3).replace(b"utf-8", b"windows-1252")
    latin = latin.decode("utf-8").encode("cp1252", errors="replace")
    # The header says nothing about the charset; the page's <meta> does.
    server.routes["/fr"] = Response(200, {"Content-Type": "text/html"}, latin)
    code, _, err = build(project, server.url("/fr"))
    assert code == 0, err
    (brief,) = briefs(project)
    assert brief.title == "Réunion à Genève"
    # The header wins over the <meta>.
    server.routes["/fr2"] = Response(
        200,
        {"Content-Type": "text/html; charset=ISO-8859-1"},
        latin.replace(b"windows-1252", b"utf-8"),
    )
    code, _, err = build(project, server.url("/fr2"))
    assert code == 0, err
    assert {b.title for b in briefs(project)} == {"Réunion à Genève"}


def test_server_that_never_answers_times_out(server: WebServer, project: Path) -> None:
    (project / "config.yaml").write_text(
        "fetch: {allow_private: true, robots: false, timeout: 0.3, cache_dir: cache}\n"
    )
    server.routes["/slow"] = Response(status=0)
    code, _, err = build(project, server.url("/slow"))
    assert code == 1
    assert f"error: {server.url('/slow')}: timed out waiting for the server" in err
    assert "Traceback" not in err


def test_a_60_mb_response_is_cut_while_streaming(server: WebServer, project: Path) -> None:
    (project / "config.yaml").write_text(
        "fetch: {allow_private: true, cache_dir: cache}\nlimits: {max_input_bytes: 1000000}\n"
    )
    total = 60_000_000

    def chunks() -> Iterator[bytes]:
        block = b"<p>" + b"x" * 65_529 + b"</p>"
        for _ in range(total // len(block)):
            yield block

    # No Content-Length: only counting the streamed bytes can stop it.
    server.routes["/huge"] = Response(200, {"Content-Type": "text/html"}, chunks)
    code, _, err = build(project, server.url("/huge"))
    assert code == 1
    assert "the response is larger than 1,000,000 bytes" in err
    assert server.sent["/huge"] < total // 4  # the client hung up early
    # A declared length over the cap is refused before the body is read.
    server.routes["/declared"] = Response(
        200, {"Content-Type": "text/html", "Content-Length": str(total)}, chunks
    )
    code, _, err = build(project, server.url("/declared"))
    assert code == 1 and "larger than 1,000,000 bytes" in err


def test_redirects_followed_loops_and_long_chains_refused(server: WebServer, project: Path) -> None:
    server.routes["/final"] = html(html_page("Budget agreed", PARAGRAPHS))
    server.routes["/moved"] = Response(301, {"Location": "/final"})
    server.routes["/loop-a"] = Response(302, {"Location": "/loop-b"})
    server.routes["/loop-b"] = Response(302, {"Location": "/loop-a"})
    for hop in range(7):
        server.routes[f"/chain{hop}"] = Response(302, {"Location": f"/chain{hop + 1}"})
    server.routes["/chain7"] = html(html_page("Too far", PARAGRAPHS))
    server.routes["/ftp"] = Response(302, {"Location": "ftp://127.0.0.1/file"})
    code, _, err = build(project, server.url("/moved"))
    assert code == 0, err
    (brief,) = briefs(project)
    assert brief.source_url == server.url("/final")  # links resolve against the final page
    code, _, err = build(project, server.url("/loop-a"))
    assert code == 1 and f"redirect loop at {server.url('/loop-a')}" in err
    code, _, err = build(project, server.url("/chain0"))
    assert code == 1 and "more than 5 redirects" in err
    assert "/chain6" not in server.paths()
    code, _, err = build(project, server.url("/ftp"))
    assert code == 1 and "only http and https" in err


@pytest.fixture
def public_loopback(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """DNS the test controls, and the loopback address counted as public, so
    the check itself (allow_private off) can be exercised against 127.0.0.1."""
    names: dict[str, list[str]] = {"news.test": ["127.0.0.1"]}
    original = fetch.refused_kind

    def refused(address: fetch.IPAddress) -> str | None:
        return None if address == ipaddress.ip_address("127.0.0.1") else original(address)

    def resolve(host: str, port: int) -> list[str]:
        if host not in names:
            raise OSError("no such host")
        return names[host]

    monkeypatch.setattr(fetch, "refused_kind", refused)
    monkeypatch.setattr(fetch, "resolve_host", resolve)
    return names


def test_redirect_to_a_private_address_is_refused(
    server: WebServer, project: Path, public_loopback: dict[str, list[str]]
) -> None:
    (project / "config.yaml").write_text("fetch: {cache_dir: cache, timeout: 2}\n")
    public_loopback["metadata.test"] = ["169.254.169.254"]
    public_loopback["mixed.test"] = ["127.0.0.1", "10.1.2.3"]
    server.routes["/page"] = html(html_page("Budget agreed", PARAGRAPHS))
    server.routes["/to-metadata"] = Response(302, {"Location": "http://metadata.test/latest/"})
    server.routes["/to-ip"] = Response(302, {"Location": "http://[::ffff:192.168.1.1]/"})
    # A public name resolving to the server works: the connection goes to the checked address.
    code, _, err = build(project, server.url("/page", host="news.test"))
    assert code == 0, err
    code, _, err = build(project, server.url("/to-metadata", host="news.test"))
    assert code == 1
    assert "refused to connect to 169.254.169.254 (link-local address of metadata.test)" in err
    assert "fetch.allow_private: true" in err
    code, _, err = build(project, server.url("/to-ip", host="news.test"))
    assert code == 1 and "(private address of ::ffff:192.168.1.1)" in err
    # One private address among several is enough to refuse the name.
    code, _, err = build(project, server.url("/page", host="mixed.test"))
    assert code == 1 and "refused to connect to 10.1.2.3" in err
    assert [p for p in server.paths() if p != "/robots.txt"] == ["/page", "/to-metadata", "/to-ip"]


def test_loopback_needs_allow_private(server: WebServer, project: Path) -> None:
    (project / "config.yaml").write_text("fetch: {cache_dir: cache, timeout: 2}\n")
    server.routes["/page"] = html(html_page("Budget agreed", PARAGRAPHS))
    code, _, err = build(project, server.url("/page"))
    assert code == 1
    assert "refused to connect to 127.0.0.1 (loopback address of 127.0.0.1)" in err
    assert server.requests == []


def test_non_html_content_type_is_refused(server: WebServer, project: Path) -> None:
    server.routes["/report.pdf"] = Response(200, {"Content-Type": "application/pdf"}, b"%PDF-1.7")
    code, _, err = build(project, server.url("/report.pdf"))
    assert code == 1
    assert f"error: {server.url('/report.pdf')}: the server sent application/pdf" in err
    server.routes["/notes.md"] = Response(
        200,
        {"Content-Type": "text/markdown; charset=utf-8"},
        ("# Notes from the meeting\n\n" + "\n\n".join(PARAGRAPHS)).encode(),
    )
    code, _, err = build(project, server.url("/notes.md"))
    assert code == 0, err
    assert [b.title for b in briefs(project)] == ["Notes from the meeting"]


def test_robots_txt_is_respected_unless_turned_off(server: WebServer, project: Path) -> None:
    server.routes["/robots.txt"] = Response(
        200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"
    )
    server.routes["/private/a"] = html(html_page("Budget agreed", PARAGRAPHS))
    code, _, err = build(project, server.url("/private/a"))
    assert code == 1 and "robots.txt does not allow" in err and "fetch.robots: false" in err
    assert "/private/a" not in server.paths()
    (project / "config.yaml").write_text(
        "fetch: {allow_private: true, robots: false, cache_dir: cache}\n"
    )
    code, _, err = build(project, server.url("/private/a"))
    assert code == 0, err


def test_conditional_request_answered_304_reuses_the_cache(
    server: WebServer, project: Path
) -> None:
    body = html_page("Budget agreed", PARAGRAPHS)

    def page(headers: dict[str, str]) -> Response:
        if headers.get("if-none-match") == '"v1"':
            return Response(304, {"ETag": '"v1"'})
        return html(body, ETag='"v1"', **{"Last-Modified": "Mon, 24 Nov 2025 08:00:00 GMT"})

    server.routes["/a"] = page
    url = server.url("/a")
    code, out, err = build(project, url)
    assert code == 0, err
    assert list((project / "cache").glob("*.body"))
    assert ".json (" in err  # the first build wrote the brief
    first = [r for r in server.requests if r.path == "/a"]
    assert len(first) == 1 and "if-none-match" not in first[0].headers
    code, out, err = build(project, url)
    assert code == 0, err
    again = [r for r in server.requests if r.path == "/a"][1:]
    assert len(again) == 1
    assert again[0].headers["if-none-match"] == '"v1"'
    assert again[0].headers["if-modified-since"] == "Mon, 24 Nov 2025 08:00:00 GMT"
    assert "wrote" not in err  # unchanged: nothing rebuilt, not even the manifest
    code, out, err = build(project, url, "--refresh")
    assert code == 0, err
    last = [r for r in server.requests if r.path == "/a"][-1]
    assert "if-none-match" not in last.headers  # --refresh downloads again
