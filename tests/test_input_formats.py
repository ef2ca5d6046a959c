"""Ingest: Markdown (front matter, runs, bounded nesting), HTML, stdin,
--input-format and text encodings, read back from the Brief and the CLI."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.errors import SourceError
from pipeline.read import html as read_html
from pipeline.read.ingest import decode, read_source
from pipeline.read.markdown import parse_markdown

FIXTURES = Path(__file__).parent / "fixtures"
FRENCH = "Le président a annoncé une réforme des retraites. Les syndicats s’y opposent."


def _build_json(tmp_path: Path, *argv: str) -> tuple[int, dict, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["build", "-f", "json", "-o", str(tmp_path / "out"), *argv], out, err)
    folder = tmp_path / "out"
    found = sorted(folder.glob("*.json")) if folder.exists() else []
    files = [p for p in found if p.name != "manifest.json"]
    data = json.loads(files[0].read_text(encoding="utf-8")) if files else {}
    return code, data, err.getvalue()


# --- Markdown ---------------------------------------------------------------


def test_markdown_inline_marks_and_links() -> None:
    blocks = parse_markdown(
        "Some *em*, **strong `code`** and [a link](https://example.org/x) ![pic](p.png).\n"
    )
    (para,) = blocks
    marks = {run.text: (run.marks, run.href) for run in para.runs}
    assert marks["em"] == (("em",), None)
    assert marks["strong "] == (("strong",), None)
    assert marks["code"] == (("strong", "code"), None)
    assert marks["a link"] == ((), "https://example.org/x")
    assert "pic" in para.text  # image alt text kept as text


def test_markdown_raw_html_is_text_and_unsafe_links_are_not_links() -> None:
    blocks = parse_markdown("<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](/local)\n")
    texts = [b.text for b in blocks]
    assert "<script>alert(1)</script>" in texts[0]
    assert all(run.href is None for block in blocks for run in block.runs)


@pytest.mark.parametrize(
    ("source", "words"),
    [
        (">" * 1000 + " deep text", ["deep text"]),
        ("\n".join("  " * i + f"- item{i}" for i in range(60)), ["item0", "item30", "item59"]),
        ("*" * 5000 + "xyz" + "*" * 5000, ["xyz"]),
        ("[" * 3000 + "xyz" + "]" * 3000, ["xyz"]),
    ],
)
def test_markdown_deep_nesting_is_flattened_not_dropped(source: str, words: list[str]) -> None:
    blocks = parse_markdown(source)
    text = " ".join(block.text for block in blocks)
    for word in words:
        assert word in text


def test_markdown_structures_are_text_once() -> None:
    source = (
        "Title\n=====\n\nPara with [link][ref] here.\n\n"
        '[ref]: https://example.org/r "T"\n[other]:\n  https://example.org/o\n\n'
        "***\n\n```python\nx = 1\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    blocks = parse_markdown(source)
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Title"),
        ("paragraph", "Para with link here."),
        ("paragraph", "x = 1"),
        ("table", "a · b\n1 · 2"),
    ]
    assert blocks[3].cells == (("a", "b"), ("1", "2")) and blocks[3].header_rows == 1
    assert blocks[2].runs[0].marks == ("code",)
    assert blocks[1].runs[1].href == "https://example.org/r"


def test_markdown_article_builds_with_front_matter(tmp_path: Path) -> None:
    code, data, err = _build_json(tmp_path, str(FIXTURES / "english-front-matter.md"))
    assert code == 0, err
    assert data["language"] == "en" and data["authors"] == ["Jane Doe", "Sam Patel"]
    section = data["sections"][0]
    lists = [b for b in section["blocks"] if b["type"] == "list"]
    quotes = [b for b in section["blocks"] if b["type"] == "quote"]
    assert len(lists) == 1 and len(lists[0]["items"]) == 3 and quotes
    runs = [run for block in data["lede"] + data["intro"] for run in block["runs"]]
    assert {"text": "four-day week", "marks": ["strong"], "href": None} in runs
    assert any(run["href"] == "https://example.org/worktime" for run in runs)


def test_front_matter_error_names_file_and_line(tmp_path: Path) -> None:
    article = tmp_path / "bad.md"
    article.write_text("---\ntitle: Fine\ndate: next tuesday\n---\n\nBody text here.\n")
    with pytest.raises(SourceError) as caught:
        read_source(str(article))
    assert caught.value.line == 3 and "date" in str(caught.value)
    code, _, err = _build_json(tmp_path, str(article))
    assert code == 1 and err.count("\n") == 1 and "bad.md: line 3" in err
    assert "Traceback" not in err


def test_front_matter_broken_yaml_line(tmp_path: Path) -> None:
    article = tmp_path / "broken.md"
    article.write_text("---\ntitle: Fine\ntags: [a, b\n---\n\nBody.\n")
    with pytest.raises(SourceError) as caught:
        read_source(str(article))
    assert caught.value.line is not None and caught.value.line >= 3


# --- input format override and stdin -----------------------------------------


def test_input_format_override(tmp_path: Path) -> None:
    article = tmp_path / "notes.txt"
    article.write_text("# Title here\n\nA paragraph with **bold** words in it, long enough.\n")
    _, as_text, _ = _build_json(tmp_path, str(article))
    assert as_text["title"] == "# Title here"
    (tmp_path / "out").rename(tmp_path / "out-text")
    code, as_md, err = _build_json(tmp_path, "--input-format", "markdown", str(article))
    assert code == 0, err
    assert as_md["title"] == "Title here"
    assert any("strong" in run["marks"] for b in as_md["lede"] for run in b["runs"])


def test_unknown_input_format_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = _build_json(tmp_path, "--input-format", "pdf", "x.txt")
    assert code == 2 and "input-format" in err


def test_stdin_markdown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = "---\ntitle: From stdin\nlang: fr\n---\n\n" + FRENCH + "\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode("utf-8"))))
    code, brief, err = _build_json(tmp_path, "--input-format", "markdown", "-")
    assert code == 0, err
    assert brief["title"] == "From stdin" and brief["language"] == "fr"


def test_unsupported_extension_hint(tmp_path: Path) -> None:
    article = tmp_path / "a.rtf"
    article.write_text("hello")
    code, _, err = _build_json(tmp_path, str(article))
    assert code == 1 and "--input-format" in err


# --- encodings ----------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        FRENCH.encode("utf-8"),
        b"\xef\xbb\xbf" + FRENCH.encode("utf-8"),
        b"\xff\xfe" + FRENCH.encode("utf-16-le"),
        b"\xfe\xff" + FRENCH.encode("utf-16-be"),
    ],
)
def test_unicode_encodings(data: bytes) -> None:
    assert decode(data, "x") == FRENCH


def test_windows_1252_is_detected() -> None:
    text = (
        "L’équipe a présenté un budget de 3 000 € pour l’année, « raisonnable » selon "
        "la directrice. Les élèves ont été consultés à la rentrée, et leurs idées retenues."
    )
    assert decode(text.encode("cp1252"), "x") == text


def test_crlf_and_lone_cr(tmp_path: Path) -> None:
    article = tmp_path / "mixed.txt"
    article.write_bytes(b"Title line\r\nFirst paragraph here.\rSecond paragraph here.\n")
    document = read_source(str(article))
    assert [b.text for b in document.blocks] == [
        "Title line",
        "First paragraph here.",
        "Second paragraph here.",
    ]


# --- HTML ---------------------------------------------------------------------

needs_html = pytest.mark.skipif(not read_html.available(), reason="[html] extra not installed")


@needs_html
def test_html_main_article_only(tmp_path: Path) -> None:
    code, brief, err = _build_json(tmp_path, str(FIXTURES / "saved-page.html"))
    assert code == 0, err
    everything = json.dumps(brief, ensure_ascii=False)
    for boilerplate in ("cookie", "Subscribe", "Related stories", "All rights reserved", "track"):
        assert boilerplate not in everything
    assert brief["title"] == "Harbour towns bet on tidal power"
    assert brief["authors"] == ["Maria Lopez"] and brief["date"] == "2026-10-03"
    assert [s["heading"] for s in brief["sections"]] == [
        "Why tides rather than wind?",
        "What happens next",
    ]
    last = brief["sections"][-1]["blocks"]
    assert [b["type"] for b in last] == ["paragraph", "list"]
    assert len(last[1]["items"]) == 2
    runs = [r for s in brief["sections"] for b in s["blocks"] for r in b.get("runs", [])]
    assert any(r["href"] == "https://example.org/tidal-pilot" for r in runs)
    assert any("em" in r["marks"] for r in runs)


@needs_html
def test_html_text_is_never_read_as_markup(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    sentence = "The tag &lt;b&gt; and *stars* and [x](javascript:y) stay as written here."
    page.write_text(
        "<html><head><title>Markup test page</title></head><body><article>"
        "<h1>Markup test page</h1>"
        f"<p>{sentence}</p><p># Not a heading, just a line of text in a paragraph.</p>"
        "<blockquote><p>A quoted sentence from someone, long enough to keep.</p></blockquote>"
        "<p>A closing paragraph that gives the extractor enough text to work with.</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    document = read_source(str(page))
    texts = {block.text: block.kind for block in document.blocks}
    assert "The tag <b> and *stars* and [x](javascript:y) stay as written here." in texts
    assert texts["# Not a heading, just a line of text in a paragraph."] == "paragraph"
    assert texts["A quoted sentence from someone, long enough to keep."] == "quote"
    assert all(run.href is None for block in document.blocks for run in block.runs)


def test_html_is_sanitised_before_extraction() -> None:
    dirty = (
        '<p onclick="steal()">Hi <a href="javascript:evil()">x</a></p>'
        "<script>evil()</script><style>p{}</style><iframe src='https://x'></iframe>"
    )
    clean = read_html.sanitise(dirty)
    for bad in ("onclick", "javascript:", "<script", "evil()", "<style", "<iframe"):
        assert bad not in clean
    assert "Hi" in clean


def test_html_without_extra_gives_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read_html, "available", lambda: False)
    code, _, err = _build_json(tmp_path, str(FIXTURES / "saved-page.html"))
    assert code == 1 and "pipeline-briefs[html]" in err and err.count("\n") == 1


@needs_html
def test_extracted_xml_blocks_once_each() -> None:
    from lxml import etree

    root = etree.fromstring(
        "<main><list rend='ol'><item><p>Para in item one.</p></item><item>Item two</item>"
        "</list><quote>Bare quote.</quote><quote><p>Quoted <hi rend='#i'>para</hi>.</p></quote>"
        "<table><row><cell>a</cell><cell>b</cell></row></table></main>"
    )
    from pipeline.read.htmlblocks import read_blocks

    blocks = read_blocks(root, "\u2423")
    assert [(b.kind, b.text, b.ordered) for b in blocks] == [
        ("list_item", "Para in item one.", True),
        ("list_item", "Item two", True),
        ("quote", "Bare quote.", False),
        ("quote", "Quoted para.", False),
        ("table", "a · b", False),
    ]
    assert blocks[3].runs[1].marks == ("em",)
