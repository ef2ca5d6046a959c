"""`digest`: many sources (files, a URL) -> one PDF, DOCX and JSON, read back.

Page 1 holds the title block and the summary table, then the contents; each
article is a chapter with its own bookmark; the pages are numbered N / M;
the PDF keeps its PDF/UA claim; an unreadable source is named and left out
(exit 1); the digest is rebuilt only when an article or the config changes.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from test_fetch import WRITTEN
from web_support import WebServer, html, html_page

from pipeline.brief import Digest
from tests.clock import BUILD_DATE
from tests.conftest import ROOT, normalise, run_cli

FIXTURES = ROOT / "tests" / "fixtures"
PARAGRAPHS = [
    "The committee met on Tuesday and agreed a new budget for the coming year. " * 3,
    "Members said the plan was fair and that schools would get more money. " * 3,
    "A vote follows next week, after a public consultation. " * 3,
]


def _build_digest(server: WebServer, project: Path) -> dict[str, Any]:
    server.routes["/news/budget"] = html(html_page("Budget agreed by the committee", PARAGRAPHS))
    (project / "config.yaml").write_text(
        "organisation: Policy Watch\nlanguage: en\n"
        "fetch: {allow_private: true, cache_dir: cache, timeout: 2}\n"
    )
    sources = [
        str(FIXTURES / "english-front-matter.md"),
        server.url("/news/budget"),
        str(project / "missing.txt"),
        str(FIXTURES / "saved-page.html"),
    ]
    result = run_cli(
        "digest", *sources, "-c", str(project / "config.yaml"), "-o", str(project / "out"),
        "-f", "pdf,docx,json", "--title", "Morning digest",
    )  # fmt: skip
    out = project / "out"
    digest = Digest.model_validate_json((out / "digest.json").read_text("utf-8"))
    return {"result": result, "out": out, "digest": digest, "sources": sources, "server": server}


@pytest.fixture(scope="module")
def digest_built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One digest, built once for the tests that only read it."""
    project = tmp_path_factory.mktemp("digest")
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_CACHE_HOME", str(project / "xdg-cache"))
    try:
        with WebServer() as server:
            yield _build_digest(server, project)
    finally:
        patch.undo()


@pytest.fixture
def digest_build(server: WebServer, project: Path) -> dict[str, Any]:
    """A digest of its own, for a test that changes its sources."""
    return _build_digest(server, project)


def outline(items: list[Any]) -> list[Any]:
    return [outline(item) if isinstance(item, list) else item.title for item in items]


def test_unreadable_source_is_named_and_left_out(digest_built: dict[str, Any]) -> None:
    result, digest = digest_built["result"], digest_built["digest"]
    assert result.code == 1
    missing = digest_built["sources"][2]
    assert f"error: {missing}: no such file" in result.err
    assert "left out 1 of 4 sources" in result.err
    assert "wrote" in result.err and "digest.pdf" in result.err  # the report goes to stderr
    assert len(digest.briefs) == 3
    assert [row.title for row in digest.rows] == [brief.title for brief in digest.briefs]
    assert digest.briefs[1].source_url == digest_built["server"].url("/news/budget")
    assert digest.rows[1].outlet == "127.0.0.1"
    assert digest.title == "Morning digest" and digest.organisation == "Policy Watch"
    assert digest.date == BUILD_DATE and digest.count_text == "3 articles"
    for row, brief in zip(digest.rows, digest.briefs, strict=True):
        assert row.key_point == (brief.key_points[0] if brief.key_points else None)
    manifest = json.loads((digest_built["out"] / "manifest.json").read_text("utf-8"))
    assert [s["source"] for s in manifest["sources"]] == ["digest:digest"]
    assert sorted(a["path"] for a in manifest["artifacts"]) == [
        "digest.docx",
        "digest.json",
        "digest.pdf",
    ]


def test_pdf_page_one_contents_chapters_bookmarks_page_numbers(
    digest_built: dict[str, Any],
) -> None:
    digest: Digest = digest_built["digest"]
    reader = PdfReader(digest_built["out"] / "digest.pdf")
    pages = [page.extract_text() or "" for page in reader.pages]
    total = len(pages)
    first = normalise(pages[0])
    for text in ("Morning digest", "Policy Watch", WRITTEN, "3 articles"):
        assert normalise(text) in first
    for label in ("Article", "Outlet", "Date", "Key point", "Contents"):
        assert normalise(label).lower() in first.lower()
    for row in digest.rows:  # the summary table and the contents: each title twice
        assert normalise(first).count(normalise(row.title)[:40]) >= 2, row.title
        if row.key_point:
            assert normalise(row.key_point)[:60] in first
    # Each article opens a page of its own, in order, after page 1.
    starts = []
    for brief in digest.briefs:
        key = normalise(brief.title)[:40]
        starts.append(next(i for i, text in enumerate(pages) if i and key in normalise(text)))
    assert starts == sorted(starts) and len(set(starts)) == 3
    for number, text in enumerate(pages, start=1):
        assert f"page {number} / {total}" in text
    # Bookmarks: one per article at the top level, its sections under it.
    titles = outline(reader.outline)
    tops = [t for t in titles if isinstance(t, str)]
    assert tops == ["Morning digest", *[brief.title for brief in digest.briefs]]
    # The contents give each chapter's page.
    for brief, start in zip(digest.briefs, starts, strict=True):
        entry = next(line for line in pages[0].splitlines() if brief.title[:20] in line)
        assert entry.rstrip().endswith(str(start + 1)) or str(start + 1) in pages[0]


def test_docx_heading_per_article_toc_field_and_summary(digest_built: dict[str, Any]) -> None:
    from docx import Document

    digest: Digest = digest_built["digest"]
    document = Document(str(digest_built["out"] / "digest.docx"))
    paragraphs = document.paragraphs
    titles = [p.text for p in paragraphs if p.style is not None and p.style.name == "Title"]
    assert titles == ["Morning digest"]
    heading_1 = [p for p in paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert [p.text for p in heading_1] == [brief.title for brief in digest.briefs]
    heading_2 = [p.text for p in paragraphs if p.style is not None and p.style.name == "Heading 2"]
    for brief in digest.briefs:
        for section in brief.sections:
            assert section.heading in heading_2
    # Each article starts a page: its first paragraph (organisation, or the title) breaks before.
    breaks = [i for i, p in enumerate(paragraphs) if p.paragraph_format.page_break_before]
    starts = [next(i for i, p in enumerate(paragraphs) if p._p is h._p) for h in heading_1]
    assert len(breaks) == len(starts)
    assert all(0 <= start - at <= 1 for at, start in zip(breaks, starts, strict=True))
    # A real TOC field over the Heading 1s, pre-filled with the article titles.
    xml = document.element.xml
    assert 'TOC \\o "1-1"' in xml
    toc = [p.text for p in paragraphs if p.style is not None and p.style.name == "TOC 1"]
    assert toc == [row.title for row in digest.rows]
    # The summary table: a header row repeated on each page, then one row per article.
    (table,) = document.tables
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells[0] == ["Article", "Outlet", "Date", "Key point"]
    assert cells[1:] == [
        [row.title, row.outlet or "", row.date_text or "", row.key_point or ""]
        for row in digest.rows
    ]
    assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")
    assert document.core_properties.title == "Morning digest"


def test_pdf_ua_claim_and_language(digest_built: dict[str, Any]) -> None:
    data = (digest_built["out"] / "digest.pdf").read_bytes()
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in xmp and b"Morning digest" in xmp
    assert reader.metadata is not None and reader.metadata["/Title"] == "Morning digest"


def test_rebuilt_only_when_an_article_or_the_config_changes(
    digest_build: dict[str, Any], project: Path
) -> None:
    server: WebServer = digest_build["server"]
    sources = [s for s in digest_build["sources"] if "missing" not in s]
    args = ["-c", str(project / "config.yaml"), "-o", str(project / "out"), "-f", "pdf,docx,json"]
    again = run_cli("digest", *sources, *args, "--title", "Morning digest")
    assert again.code == 0, again.err
    assert "digest is up to date" in again.err and "wrote" not in again.err
    # The URL's page changed: rebuilt.
    server.routes["/news/budget"] = html(
        html_page("Budget agreed by the committee", [*PARAGRAPHS, "A late amendment passed. " * 4])
    )
    changed = run_cli("digest", *sources, *args, "--title", "Morning digest", "--refresh")
    assert changed.code == 0, changed.err
    assert "wrote" in changed.err
    # The config changed (another title): rebuilt.
    retitled = run_cli("digest", *sources, *args, "--title", "Evening digest")
    assert retitled.code == 0 and "wrote" in retitled.err
    digest = Digest.model_validate_json((project / "out" / "digest.json").read_text("utf-8"))
    assert digest.title == "Evening digest"


def test_nothing_readable_writes_nothing(project: Path) -> None:
    result = run_cli(
        "digest", str(project / "nope.txt"), "-c", str(project / "config.yaml"),
        "-o", str(project / "out"), "-f", "json",
    )  # fmt: skip
    assert result.code == 1
    assert "no source could be read" in result.err
    assert not (project / "out").exists() or not any((project / "out").iterdir())


def test_email_digest_is_one_message(server: WebServer, project: Path) -> None:
    from email import policy
    from email.parser import BytesParser

    server.routes["/news/budget"] = html(html_page("Budget agreed by the committee", PARAGRAPHS))
    (project / "config.yaml").write_text(
        "language: en\nfetch: {allow_private: true, cache_dir: cache, timeout: 2}\n"
        "email: {attach: [pdf], subject: 'Digest: {title}'}\n"
    )
    sources = [str(FIXTURES / "english-front-matter.md"), server.url("/news/budget"),
               str(project / "missing.txt")]  # fmt: skip
    result = run_cli(
        "email", "--digest", *sources, "--title", "Morning digest", "-c",
        str(project / "config.yaml"), "-o", str(project / "out"),
        "--to", "desk@example.org", "--from", "bot@example.org",
    )  # fmt: skip
    assert result.code == 1  # one source left out
    assert f"error: {sources[2]}: no such file" in result.err
    (eml,) = (project / "out").glob("*.eml")
    assert eml.name == "digest.eml"
    message = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert message["Subject"] == "Digest: Morning digest"
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == ["Morning digest.pdf"]
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    # The JSON is not asked for here: the article titles come from the PDF's bookmarks.
    pdf = PdfReader(project / "out" / "digest.pdf")
    tops = [t for t in outline(pdf.outline) if isinstance(t, str)][1:]
    assert len(tops) == 2
    for title in tops:
        assert title in text  # the body lists every article
    assert "127.0.0.1" in text  # with its outlet
