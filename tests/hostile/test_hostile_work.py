"""Work before rendering is bounded (issue 21 §2): the typography pass is
linear, limits hold while reading, nesting is capped before sanitising."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipeline.config.model import Limits
from pipeline.errors import SourceError
from pipeline.read.ingest import read_source
from pipeline.understand.languages import get_language
from pipeline.understand.typography import _PROTECTED, apply


def test_protected_tokens_are_still_found() -> None:
    text = (
        "Écrire à alice.b+x@example.org (ou a@b@c.org) ; voir https://x.org/a et www.y.fr à 10:30"
    )
    found = [match.group(0) for match in _PROTECTED.finditer(text)]
    assert found == ["alice.b+x@example.org", "b@c.org", "https://x.org/a", "www.y.fr", "10:30"]


def test_a_huge_word_is_typeset_in_linear_time() -> None:
    """Ten 49,000-character words took two minutes with the old pattern (it
    rescanned the word from every position). A 200,000-character word is
    ~17x more work than one of those words under a quadratic pattern, so
    the 10 s bound below is two orders of magnitude above the linear time."""
    rules = get_language("fr").typography
    words = ["x" * 200_000, "ab." * 70_000 + "@x", "a@" + "b" * 200_000, "a-" * 100_000]
    started = time.perf_counter()
    for word in words:
        assert apply(word, rules) == word
    assert time.perf_counter() - started < 10


# --- limits enforced before a reader parses --------------------------------


def refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, data: str
) -> SourceError:
    """Read with the default limits; the format's parser must never run."""
    import pipeline.read.html as html_reader
    import pipeline.read.markdown as markdown_reader
    import pipeline.read.text as text_reader

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the reader parsed a text the limits refuse")

    monkeypatch.setattr(text_reader, "parse_text", never)
    monkeypatch.setattr(markdown_reader, "parse_markdown", never)
    monkeypatch.setattr(html_reader, "sanitise", never)
    path = tmp_path / name
    path.write_text(data, encoding="utf-8")
    limits = Limits()
    with pytest.raises(SourceError) as caught:
        read_source(str(path), limits.max_input_bytes, None, limits)
    return caught.value


def test_a_million_one_letter_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    error = refused_before_parsing(tmp_path, monkeypatch, "a.txt", "a\n" * 9_900_000)
    assert "lines; the limit is 200,000" in str(error) and "limits.max_blocks" in str(error)


def test_markdown_list_items_beyond_max_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = "".join(f"- item {i}\n\n" for i in range(20_000))  # under the line cap
    error = refused_before_parsing(tmp_path, monkeypatch, "a.md", items)
    assert "20,000 blocks" in str(error)


def test_a_million_cell_html_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = "<table>" + "<tr><td>x</td><td>y</td></tr>\n" * 500_000 + "</table>"
    error = refused_before_parsing(tmp_path, monkeypatch, "a.html", table)
    assert "a table of more than 5,000 cells" in str(error) and error.line == 2501


@pytest.mark.parametrize(
    "page", ["<div>" * 200_000, "<ul><li>x" * 50_000, "<blockquote>" * 201 + "x"]
)
def test_deep_html_nesting_never_reaches_the_sanitiser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    error = refused_before_parsing(tmp_path, monkeypatch, "a.html", page)
    assert "nests elements more than 200 levels deep" in str(error)


@pytest.mark.parametrize("size", [4_000_000, 10_000_000])
def test_a_huge_html_paragraph_is_refused_not_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    page = "<html><body><article><p>" + "mot " * (size // 4) + "</p></article></body></html>"
    error = refused_before_parsing(tmp_path, monkeypatch, "a.html", page)
    assert f"a text run of {size:,} characters; the limit is 50,000" in str(error)
    assert "limits.max_paragraph_chars" in str(error)


def test_ordinary_pages_and_articles_pass_the_pre_check() -> None:
    from pipeline.read.limits import check_text

    limits = Limits()
    page = (
        "<html><head><style>p>b{}</style><script>if (a<b) {}</script></head><body>"
        + "<nav><ul><li>menu<li>more</ul></nav>"
        + "<article>"
        + "<p>Un paragraphe <b>gras</b> et <a href='x'>lien</a>.<br>Suite" * 2_000
        + "<table>"
        + "<tr><td>1<td>2" * 100
        + "</table></article></body></html>"
    )
    check_text(page, "html", limits, "a.html")
    markdown = (
        "# Titre\n\n" + ("Un paragraphe\nsur deux lignes.\n\n- a\n- b\n\n|a|b|\n|-|-|\n\n") * 600
    )
    check_text(markdown, "markdown", limits, "a.md")
    check_text("Titre\n\n" + "Une ligne.\n" * 4_000, "text", limits, "a.txt")
