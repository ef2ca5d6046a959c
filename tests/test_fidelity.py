"""Reading fidelity on pages and files written for these tests (issue 16):
no heading, standfirst, footnote or word lost, no junk brief, metadata from
the page itself, source links kept; read back from the Brief JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.read import html as read_html
from pipeline.read.pagemeta import clean_authors, language_tag

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = FIXTURES / "pages"
needs_html = pytest.mark.skipif(not read_html.available(), reason="[html] extra not installed")


def _build(tmp_path: Path, source: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["build", "-f", "json", "-o", str(tmp_path / "out"), *extra, str(source)], out, err)
    found = [p for p in sorted((tmp_path / "out").glob("*.json")) if p.name != "manifest.json"]
    data = json.loads(found[0].read_text(encoding="utf-8")) if found else {}
    return code, data, err.getvalue()


def _body(brief: dict[str, Any]) -> list[str]:
    texts: list[str] = []

    def blocks(items: list[dict[str, Any]]) -> None:
        for block in items:
            if block["type"] == "list":
                texts.extend("".join(r["text"] for r in item) for item in block["items"])
            elif "runs" in block:
                texts.append("".join(r["text"] for r in block["runs"]))

    blocks(brief["lede"])
    blocks(brief["intro"])
    for section in brief["sections"]:
        texts.append(section["heading"])
        blocks(section["blocks"])
    return texts


@pytest.fixture(scope="module")
def essay(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not read_html.available():
        pytest.skip("[html] extra not installed")
    code, brief, err = _build(tmp_path_factory.mktemp("essay"), PAGES / "essay.html")
    assert code == 0, err
    return brief


# 1. A heading is never dropped when the title comes from metadata.
@needs_html
def test_html_first_section_heading_is_kept(essay: dict[str, Any]) -> None:
    assert essay["title"] == "Le langage au travail"
    headings = [s["heading"] for s in essay["sections"]]
    assert headings[:2] == ["Une grammaire du pouvoir", "Ce que les mots cachent"]


def test_markdown_front_matter_title_keeps_first_heading(tmp_path: Path) -> None:
    code, brief, err = _build(tmp_path, FIXTURES / "front-title.md")
    assert code == 0, err
    assert brief["title"] == "Storage is the new peaker"
    assert [s["heading"] for s in brief["sections"]] == ["Why batteries now", "What it changes"]
    assert brief["lede"] == [] and brief["intro"] == []


# 2. No word glued to its neighbour.
@needs_html
def test_html_words_are_not_glued(essay: dict[str, Any]) -> None:
    text = " ".join(_body(essay))
    assert "connaissances ou des habitudes" in text
    assert "réunion elle-même" in text
    assert "connaissancesou" not in text and "réunionelle" not in text


# 3. The standfirst is the subtitle.
@needs_html
def test_html_standfirst_is_the_subtitle(essay: dict[str, Any]) -> None:
    assert essay["subtitle"].startswith("Comment les mots du bureau façonnent")


# 4. Footnotes are kept, in a closing Notes section, markers left in the text.
@needs_html
def test_html_footnotes_are_kept(essay: dict[str, Any]) -> None:
    notes = essay["sections"][-1]
    assert notes["heading"] == essay["labels"]["notes"]
    (listing,) = notes["blocks"]
    assert listing["ordered"] is True
    items = ["".join(r["text"] for r in item) for item in listing["items"]]
    assert items[0].startswith("Voir l’enquête menée en 2023")
    assert items[1].startswith("Revue Esprit")
    assert all("↩" not in item for item in items)
    assert "[1]" in " ".join(_body(essay))


# 5. A page without an article fails, with one error line, and writes nothing.
@needs_html
def test_html_script_shell_fails(tmp_path: Path) -> None:
    code, brief, err = _build(tmp_path, PAGES / "js-shell.html")
    assert code == 1 and brief == {}
    assert err.count("\n") == 1 and "js-shell.html" in err and "no article text" in err


# 6. <noscript> content is not article text.
@needs_html
def test_html_noscript_is_dropped(essay: dict[str, Any]) -> None:
    everything = json.dumps(essay, ensure_ascii=False)
    assert "iframe" not in everything and "tracker.example" not in everything


def test_sanitise_drops_noscript_and_head() -> None:
    clean = read_html.sanitise(
        "<title>T</title><noscript><iframe src='https://x/ns'></iframe></noscript><p>Body</p>"
    )
    assert "iframe" not in clean and "x/ns" not in clean and "T" not in clean
    assert "Body" in clean


# 7. Metadata from the raw page: JSON-LD byline, datePublished, language.
@needs_html
def test_html_metadata_from_the_raw_page(essay: dict[str, Any]) -> None:
    assert essay["authors"] == ["Claire Morel"]
    assert essay["date"] == "2025-03-14"  # datePublished, not dateModified
    assert essay["language"] == "fr-FR"  # the page's declared tag, region kept (issue 17)


@needs_html
def test_declared_language_is_read() -> None:
    from pipeline.read.ingest import read_source

    document = read_source(str(PAGES / "essay.html"))
    assert document.meta["declared_lang"] == "fr-FR"


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        (["By Ben Knight"], ("Ben Knight",)),
        (["Elizabeth Gibney Search"], ("Elizabeth Gibney",)),
        (["Author Julia Hitz"], ("Julia Hitz",)),
        (["Jane Doe and Sam Patel"], ("Jane Doe", "Sam Patel")),
        (["https://example.org/staff/ben"], ()),
    ],
)
def test_author_names_are_cleaned(raw: list[str], names: tuple[str, ...]) -> None:
    assert clean_authors(raw) == names


@pytest.mark.parametrize(
    ("raw", "tag"), [("pt_BR", "pt-BR"), ("EN", "en"), ("fr-fr", "fr-FR"), ("<x>", None)]
)
def test_language_tags(raw: str, tag: str | None) -> None:
    assert language_tag(raw) == tag


# 8. A link in the closing sources line keeps its URL.
def test_markdown_source_link_keeps_its_url(tmp_path: Path) -> None:
    code, brief, err = _build(tmp_path, FIXTURES / "front-title.md")
    assert code == 0, err
    assert brief["sources"][0] == {
        "name": "Lazard analysis",
        "url": "https://www.lazard.com/research/levelized-cost-of-storage/",
    }
    assert brief["sources"][1]["name"] == "Reuters"


# 9. Key points stand alone.
@pytest.mark.parametrize(
    ("code", "sentence", "alone"),
    [
        ("en", "Second, regulators have opened capacity markets to storage.", False),
        ("en", "However, the plan was dropped after the vote in March.", False),
        ("en", "Storage developers now win most capacity auctions in Texas.", True),
        ("en", "Itself a pioneer, Texas now leads the market for storage.", True),
        ("fr", "Revue Esprit : Quand le langage travaille.", False),
        ("fr", "Cependant, le projet de loi a été retiré en mars dernier.", False),
        ("fr", "Le gouvernement a retiré le projet de loi en mars dernier.", True),
    ],
)
def test_key_point_must_stand_alone(code: str, sentence: str, alone: bool) -> None:
    from pipeline.understand.keypoints import stands_alone
    from pipeline.understand.languages import get_language

    assert stands_alone(sentence, get_language(code)) is alone


def test_key_points_skip_dependent_sentences(tmp_path: Path) -> None:
    code, brief, err = _build(tmp_path, FIXTURES / "front-title.md")
    assert code == 0, err
    body = " ".join(_body(brief))
    assert brief["key_points"]
    for point in brief["key_points"]:
        assert point in body
        assert not point.startswith(("Second", "Sources"))


# The self-check: every sentence of the article in the Brief, once, in order.
def _document_and_brief(path: Path) -> tuple[Any, Any]:
    import datetime as dt

    from pipeline.build.plan import BriefSettings
    from pipeline.build.source import make_brief
    from pipeline.config.model import parse_config
    from pipeline.read.ingest import read_source

    document = read_source(str(path))
    return document, make_brief(
        document, BriefSettings.of(parse_config({})), dt.date(2026, 1, 1), []
    )


SELF_CHECKED = sorted(
    path
    for path in [*FIXTURES.glob("*.*"), *PAGES.glob("*.html")]
    if path.name != "js-shell.html" and (path.suffix != ".html" or read_html.available())
)


@pytest.mark.parametrize("path", SELF_CHECKED, ids=[path.name for path in SELF_CHECKED])
def test_self_check_passes_on_every_fixture(path: Path) -> None:
    from pipeline.build.fidelity import unfaithful

    document, brief = _document_and_brief(path)
    assert unfaithful(document, brief) == []


def test_self_check_names_lost_repeated_and_moved_text() -> None:
    from pipeline.build.fidelity import unfaithful

    document, brief = _document_and_brief(FIXTURES / "fr-example.txt")
    first, second = brief.sections[0], brief.sections[1]
    lost = brief.model_copy(update={"sections": brief.sections[1:]})
    problems = unfaithful(document, lost)
    assert any("missing" in p and first.heading[:20] in p for p in problems)
    repeated = brief.model_copy(update={"sections": (*brief.sections, second)})
    assert any("repeats" in p for p in unfaithful(document, repeated))
    swapped = brief.model_copy(update={"sections": (second, first, *brief.sections[2:])})
    assert any("out of order" in p for p in unfaithful(document, swapped))


def test_self_check_warns_and_fails_with_strict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.understand import structure

    tidy = structure.tidy_blocks
    monkeypatch.setattr(structure, "tidy_blocks", lambda blocks, lang: tidy(blocks, lang)[:-2])
    code, _, err = _build(tmp_path / "a", FIXTURES / "no-headings.txt")
    assert code == 0 and "warning:" in err and "missing the article's text" in err
    code, brief, err = _build(tmp_path / "b", FIXTURES / "no-headings.txt", "--strict")
    assert code == 1 and brief == {} and "--strict" in err


CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "article-extraction"
CORPUS = next(
    (p / "shared" / "corpus" / "article-extraction" for p in Path(__file__).resolve().parents
     if (p / "shared" / "corpus" / "article-extraction" / "html").is_dir()),
    CORPUS,
)  # fmt: skip


@pytest.mark.skipif(not (CORPUS / "html").is_dir(), reason="no article-extraction corpus")
@needs_html
def test_self_check_passes_on_the_corpus(tmp_path: Path) -> None:
    import gzip

    from pipeline.build.fidelity import unfaithful

    pages = sorted((CORPUS / "html").glob("*.html.gz"))[::6]  # 20 pages: keep it quick
    assert pages
    for page in pages:
        path = tmp_path / page.name.removesuffix(".gz")
        path.write_bytes(gzip.decompress(page.read_bytes()))
        document, brief = _document_and_brief(path)
        assert unfaithful(document, brief) == [], page.name


# Benchmark method: an article cut into chunks around ads is followed to its
# end; chrome lines ("Read more: ...", "Share this article") are dropped.
@needs_html
def test_html_chunked_article_is_read_whole_without_chrome() -> None:
    from pipeline.read.ingest import read_source

    document = read_source(str(PAGES / "chunked.html"))
    texts = [block.text for block in document.blocks]
    assert texts[0].startswith("The city council voted")
    assert texts[-1].startswith("The first stalls should open in April")
    assert len(texts) == 6
    joined = " ".join(texts)
    for chrome in ("Advertisement", "Sign up", "Read more", "Share this", "Related"):
        assert chrome not in joined


@pytest.mark.parametrize(
    ("line", "chrome"),
    [
        ("Read more: Ten markets worth the trip", True),
        ("Also on rt.com Journalists threatened with arrest", True),
        ("Like this story? Share it with a friend!", True),
        ("Follow @BGRDeals on Twitter to keep up with the latest deals.", True),
        ("China furious at Macron for Hong Kong protest jibe [INSIGHT]|", True),
        ("Advertisement", True),
        ("Ad hoc committees met on Tuesday to review the budget.", False),
        ("Related work by the same team found the opposite effect.", False),
        ("Share prices rose by four percent after the announcement.", False),
    ],
)
def test_chrome_lines(line: str, chrome: bool) -> None:
    from pipeline.read.htmlblocks import is_chrome

    assert is_chrome(line) is chrome


# 10. Tables stay tables (in the JSON, the PDF and the DOCX) when they fit.
@needs_html
def test_html_table_is_a_table_in_every_format(tmp_path: Path) -> None:
    import pdfplumber
    from docx import Document as DocxDocument

    code, brief, err = _build(tmp_path, PAGES / "table-page.html", "-f", "pdf,docx,json")
    assert code == 0, err
    (table,) = [b for b in brief["intro"] if b["type"] == "table"]
    assert table["header_rows"] == 1 and len(table["rows"]) == 4
    assert table["rows"][0][:3] == ["Region", "Q1", "Q2"] and len(table["rows"][0]) == 9
    assert table["rows"][2] == [
        "South",
        "280",
        "270",
        "262",
        "250",
        "-11%",
        "58",
        "200 MW",
        "solar",
    ]
    (docx_path,) = (tmp_path / "out").glob("*.docx")
    (docx_table,) = DocxDocument(str(docx_path)).tables
    cells = [[cell.text for cell in row.cells] for row in docx_table.rows]
    assert cells == table["rows"]
    assert all(run.bold for cell in docx_table.rows[0].cells for run in cell.paragraphs[0].runs)
    (pdf_path,) = (tmp_path / "out").glob("*.pdf")
    with pdfplumber.open(pdf_path) as pdf:
        lines = "\n".join(page.extract_text() or "" for page in pdf.pages).splitlines()
    assert "Region Q1 Q2 Q3 Q4 Change Projects Largest Note" in lines
    assert "South 280 270 262 250 -11% 58 200 MW solar" in lines


def test_a_table_too_wide_becomes_one_paragraph_per_row() -> None:
    from pipeline.brief import Paragraph, Table
    from pipeline.read.model import RawBlock
    from pipeline.understand.structure import _table

    wide = RawBlock(
        "table",
        (),
        1,
        cells=(
            tuple(f"Quarter {n}" for n in range(1, 15)),
            tuple(f"{n * 1000:,} MWh" for n in range(1, 15)),
        ),
        header_rows=1,
    )
    (row,) = _table(wide)
    assert isinstance(row, Paragraph)
    assert row.text.startswith("Quarter 1: 1,000 MWh · Quarter 2: 2,000 MWh")
    narrow = RawBlock("table", (), 1, cells=(("a", "b"), ("1", "2")), header_rows=1)
    (table,) = _table(narrow)
    assert isinstance(table, Table) and table.rows == (("a", "b"), ("1", "2"))


def test_markdown_table_is_a_table(tmp_path: Path) -> None:
    article = tmp_path / "t.md"
    article.write_text(
        "# Prices\n\nPrices rose in most towns this year, and the survey shows where.\n\n"
        "| Town | Price |\n|---|---|\n| Brest | 210 |\n| Lyon | 340 |\n",
        encoding="utf-8",
    )
    code, brief, err = _build(tmp_path, article)
    assert code == 0, err
    tables = [b for b in brief["lede"] + brief["intro"] if b["type"] == "table"]
    assert tables and tables[0]["rows"] == [["Town", "Price"], ["Brest", "210"], ["Lyon", "340"]]


@needs_html
def test_text_standing_loose_after_a_heading_is_kept() -> None:
    """trafilatura leaves a heading's following text as the heading's tail."""
    from lxml import etree

    from pipeline.read.htmlblocks import read_blocks

    root = etree.fromstring(
        "<main><head rend='h2'>Deal one</head>Save $31 with <hi rend='#b'>this</hi> bundle."
        "<p>Next paragraph.</p>Closing words <ref target='https://x.org'>here</ref>.</main>"
    )
    blocks = read_blocks(root, "\u2423")
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Deal one"),
        ("paragraph", "Save $31 with this bundle."),
        ("paragraph", "Next paragraph."),
        ("paragraph", "Closing words here."),
    ]
    assert blocks[1].runs[1].marks == ("strong",)


@needs_html
def test_a_standfirst_repeating_the_headline_is_not_the_subtitle(tmp_path: Path) -> None:
    from pipeline.read.ingest import read_source

    page = tmp_path / "page.html"
    body = " ".join(["The council met on Tuesday and agreed the budget after a long debate."] * 3)
    page.write_text(
        "<html><head><meta property='og:title' content='Budget agreed after a long debate "
        "in the council chamber'></head><body><article><h1>Budget agreed after a long debate "
        "in the council chamber</h1><p class='subtitle'>Budget agreed after a long debate in "
        f"the council chamber</p><p>{body}</p><p>{body}</p></article></body></html>",
        encoding="utf-8",
    )
    assert "subtitle" not in read_source(str(page)).meta
