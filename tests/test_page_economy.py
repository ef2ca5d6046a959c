"""How the pages break, measured on the PDF (and on the DOCX as LibreOffice
renders it): page count, boxes kept whole, runs of hyphenated lines, the
measure, and the empty share at each page end. On the example and on a long
article, in both shipped themes."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.brief import Brief, Paragraph
from pipeline.cli import main
from tests.conftest import EXAMPLE, normalise
from tests.libreoffice import BINARY, convert_to_pdf
from tests.page_economy import MM, Figures, Segment, measure

THEMES = ("note", "dossier")
MARGIN = 22 * MM  # the default top and bottom margins


@dataclass
class Built:
    brief: Brief
    pdf: Figures
    docx: Path


def _build(source: Path, theme: str, out: Path, layout: str = "") -> Built:
    config = out / "config.yaml"
    out.mkdir(parents=True)
    config.write_text(
        f"theme: {theme}\nlabels: {{fr: {{lede: En bref}}}}\n{layout}", encoding="utf-8"
    )
    args = ["build", str(source), "-c", str(config), "-o", str(out), "-f", "pdf,docx,json"]
    assert main(args, io.StringIO(), io.StringIO()) == 0
    files = {path.suffix: path for path in out.iterdir() if path.name != "manifest.json"}
    brief = Brief.model_validate_json(files[".json"].read_text(encoding="utf-8"))
    return Built(brief, measure(files[".pdf"].read_bytes(), MARGIN, MARGIN), files[".docx"])


def _long_article(folder: Path) -> Path:
    """The example's paragraphs three times over, under new headings: a brief
    of several pages whose breaks fall everywhere."""
    text = EXAMPLE.read_text(encoding="utf-8")
    paragraphs = [block for block in text.split("\n\n") if len(block) > 200]
    lines = ["Un long rapport sur la coopération régionale", ""]
    for part in range(1, 4):
        for number, paragraph in enumerate(paragraphs, 1):
            if number % 3 == 1:
                lines += [f"Partie {part}.{number} du rapport", ""]
            lines += [paragraph, ""]
    article = folder / "long.txt"
    article.write_text("\n".join(lines), encoding="utf-8")
    return article


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    root = tmp_path_factory.mktemp("economy")
    return {theme: _build(EXAMPLE, theme, root / theme) for theme in THEMES}


@pytest.fixture(scope="module")
def long(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    root = tmp_path_factory.mktemp("economy-long")
    article = _long_article(root)
    return {theme: _build(article, theme, root / theme) for theme in THEMES}


def _boxes(brief: Brief) -> list[str]:
    """The text of each box that must stay on one page."""
    boxes = []
    if brief.lede:
        texts = [
            " ".join(run.text for run in block.runs)
            for block in brief.lede
            if isinstance(block, Paragraph)
        ]
        boxes.append(brief.labels.lede + " " + " ".join(texts))
    for section in brief.sections:
        for side in (section.pros, section.cons):
            texts = [
                " ".join(run.text for run in block.runs)
                for block in side
                if isinstance(block, Paragraph)
            ]
            if texts:
                boxes.append(" ".join(texts))
    return boxes


def _check_breaks(figures: Figures, brief: Brief, where: str) -> None:
    for box in _boxes(brief):
        assert figures.pages_holding(box), f"{where}: a box is split: {box[:60]!r}"
    assert max(figures.hyphen_runs(), default=0) <= 2, f"{where}: {figures.summary()}"
    assert 60 <= figures.measure() <= 85, f"{where}: {figures.summary()}"
    for index, share in enumerate(figures.empty_shares()):
        # A page may end emptier only when what follows is taller than the gap.
        allowed = max(0.12, figures.first_block_height(index + 1))
        assert share <= allowed, f"{where}: page {index + 1} ends {share:.0%} empty"


@pytest.mark.parametrize("theme", THEMES)
def test_the_example_fits_two_pages_and_breaks_well(example: dict[str, Built], theme: str) -> None:
    built = example[theme]
    assert built.pdf.count == 2, built.pdf.summary()
    _check_breaks(built.pdf, built.brief, f"{theme} PDF")


@pytest.mark.parametrize("theme", THEMES)
def test_a_long_article_breaks_well(long: dict[str, Built], theme: str) -> None:
    built = long[theme]
    assert built.pdf.count >= 4, built.pdf.summary()
    _check_breaks(built.pdf, built.brief, f"{theme} PDF, long article")


def test_a_short_article_with_a_lede_shows_no_key_points_box(example: dict[str, Built]) -> None:
    brief = example["note"].brief
    assert brief.key_points and brief.lede and brief.word_count < 1000
    text = "".join(page.text() for page in example["note"].pdf.pages)
    assert "pointscl" not in text.lower()


@pytest.mark.skipif(BINARY is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("theme", THEMES)
def test_the_docx_as_libreoffice_renders_it_breaks_well(
    example: dict[str, Built], long: dict[str, Built], theme: str, tmp_path: Path
) -> None:
    for name, built in (("example", example[theme]), ("long", long[theme])):
        pdf = convert_to_pdf(built.docx, tmp_path / name)
        figures = measure(pdf.read_bytes(), MARGIN, MARGIN)
        where = f"{theme} DOCX ({name})"
        if name == "example":
            # The example fits 2 pages in LibreOffice too, in both themes.
            assert figures.count == 2, figures.summary()
        for box in _boxes(built.brief):
            assert figures.pages_holding(box), f"{where}: a box is split: {box[:60]!r}"
        assert max(figures.hyphen_runs(), default=0) <= 2, f"{where}: {figures.summary()}"
        if name == "example":
            # The box's text is set in from its rule as in the PDF (the CSS's padding).
            lines = [_first_lede_line(f, built.brief) for f in (built.pdf, figures)]
            assert abs(lines[0].x0 - lines[1].x0) < 1.5, f"{where}: {lines}"
            assert abs(lines[0].x1 - lines[1].x1) < 3, f"{where}: {lines}"
        # Each key point is drawn with its bullet (a Word list LibreOffice reads;
        # the list's Symbol bullet comes out as U+F0B7).
        text = "".join(page.text() for page in figures.pages).replace("\uf0b7", "•")
        for point in built.brief.key_points if name == "long" else ():
            assert "•" + normalise(point)[:30] in text, f"{where}: no bullet: {point[:40]!r}"


def test_unicode_line_separators_are_read_as_line_ends() -> None:
    """U+2028/U+2029 (and NEL) are hard breaks for Pango but not for Word: a
    paragraph separator inside a paragraph stranded "toires," after a
    hyphenated "labora-" in the PDF only. The reader turns them into newlines."""
    from pipeline.read.ingest import clean_text

    assert clean_text("labora\u00adtoires,\u2029publics") == "labora\u00adtoires,\n\npublics"
    assert clean_text("un\u2028deux\x85trois") == "un\ndeux\ntrois"


def test_an_a5_dossier_wastes_no_page(tmp_path: Path) -> None:
    """On A5 the "En bref" box is taller than two thirds of the text block:
    it may break (with its padding on both sides) rather than leave page 1
    holding the title band alone; the pros/cons row likewise."""
    built = _build(EXAMPLE, "dossier", tmp_path / "a5", "layout: {page: {size: A5}}\n")
    shares = built.pdf.empty_shares()
    assert max(shares) <= 0.12, built.pdf.summary()
    if BINARY is not None:
        pdf = convert_to_pdf(built.docx, tmp_path / "lo")
        figures = measure(pdf.read_bytes(), MARGIN, MARGIN)
        assert max(figures.empty_shares()) <= 0.2, figures.summary()


def test_a_landscape_page_keeps_the_measure(tmp_path: Path) -> None:
    """Letter landscape in one column: the side margins grow so a line holds
    no more than about 85 characters (it ran 126), in both formats."""
    layout = "layout: {page: {size: Letter, orientation: landscape}}\n"
    built = _build(EXAMPLE, "note", tmp_path / "landscape", layout)
    assert 60 <= built.pdf.measure() <= 87, built.pdf.summary()
    from docx import Document

    section = Document(str(built.docx)).sections[0]
    width = built.pdf.pages[0].width
    left = (section.left_margin or 0) / 12700  # EMU per point
    right = (section.right_margin or 0) / 12700
    assert 160 * MM <= width - left - right <= 170 * MM


@pytest.fixture(scope="module")
def two_columns(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("economy-columns")
    return _build(EXAMPLE, "note", root / "note", "layout: {columns: 2}\n")


def _first_lede_line(figures: Figures, brief: Brief) -> Segment:
    first = next(block for block in brief.lede if isinstance(block, Paragraph))
    start = normalise(" ".join(run.text for run in first.runs))[:25]
    (line,) = [s for s in figures.pages[0].segments if normalise(s.text).startswith(start)]
    return line


def _check_columns(figures: Figures, brief: Brief, where: str) -> None:
    """The "En bref" box spans both columns above them, no run of more than
    2 hyphenated lines in the narrow columns, and the last page's columns
    balanced (neither runs to the foot while the other stops short)."""
    assert figures.count == 2, f"{where}: {figures.summary()}"
    line = _first_lede_line(figures, brief)
    page = figures.pages[0]
    assert line.x1 - line.x0 > 0.6 * (page.width - 2 * MARGIN), f"{where}: the box is a column wide"
    assert max(figures.hyphen_runs(), default=0) <= 2, f"{where}: {figures.summary()}"
    left, right = figures.column_fills()
    assert abs(left - right) < 0.25, f"{where}: last page columns {left:.0%} and {right:.0%}"


def test_two_columns_span_the_box_and_balance_the_last_page(two_columns: Built) -> None:
    _check_columns(two_columns.pdf, two_columns.brief, "two-column PDF")


def test_two_column_docx_sections(two_columns: Built) -> None:
    """The DOCX sets the title block and the box in a one-column section, the
    body in two, and ends the two with a continuous break (so Word balances
    them) carried by the last paragraph, not by an added empty one."""
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.oxml.ns import qn

    doc = Document(str(two_columns.docx))
    columns = [
        int(section._sectPr.find(qn("w:cols")).get(qn("w:num"), "1")) for section in doc.sections
    ]
    assert columns == [1, 2, 1]
    assert doc.sections[-1].start_type == WD_SECTION.CONTINUOUS
    last = doc.paragraphs[-1]
    assert last.text == two_columns.brief.sources[-1].name
    assert last._p.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None


@pytest.mark.skipif(BINARY is None, reason="LibreOffice is not installed")
def test_two_column_docx_as_libreoffice_renders_it(two_columns: Built, tmp_path: Path) -> None:
    pdf = convert_to_pdf(two_columns.docx, tmp_path)
    _check_columns(measure(pdf.read_bytes(), MARGIN, MARGIN), two_columns.brief, "two-column DOCX")


def test_a_two_column_cover_stands_alone(tmp_path: Path) -> None:
    """With a cover, the title block is page 1 alone in two columns too (a
    page break inside the PDF's columns was lost: the contents followed the
    title on the cover); the contents open page 2, in both formats."""
    from docx import Document

    layout = "layout: {cover: true, toc: true, columns: 2}\n"
    built = _build(EXAMPLE, "note", tmp_path / "cover", layout)
    contents = normalise(built.brief.labels.contents).casefold()
    cover, second = (page.text().casefold() for page in built.pdf.pages[:2])
    assert normalise(built.brief.title).casefold() in cover and contents not in cover
    assert second.startswith(contents)
    doc = Document(str(built.docx))
    styles = [p.style.name for p in doc.paragraphs]
    cover_end = next(
        i
        for i, p in enumerate(doc.paragraphs)
        if p._p.pPr is not None and p._p.pPr.sectPr is not None
    )
    assert styles.index("TOC Heading") > cover_end
