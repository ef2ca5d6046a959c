"""`limits:` in the config and `check_document`: each cap fails with a clear
SourceError naming the limit to raise, and only when it is exceeded."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.brief import Run
from pipeline.config.model import Limits, parse_config, schema
from pipeline.errors import ConfigErrors, SourceError
from pipeline.read.ingest import read_source
from pipeline.read.limits import check_document, table_cells
from pipeline.read.model import Document, RawBlock


def document(*blocks: RawBlock) -> Document:
    return Document(path="a.txt", name="a", text="", blocks=blocks)


def paragraph(text: str, line: int = 1) -> RawBlock:
    return RawBlock("paragraph", (Run(text=text),), line)


def test_within_the_limits_passes_unchanged() -> None:
    doc = document(paragraph("x" * 100), paragraph("y"))
    assert check_document(doc, Limits(max_blocks=2, max_paragraph_chars=100)) is doc


def test_too_many_blocks() -> None:
    with pytest.raises(SourceError, match="3 blocks.*limit is 2") as caught:
        check_document(document(*(paragraph("x") for _ in range(3))), Limits(max_blocks=2))
    assert "limits.max_blocks" in str(caught.value)


def test_paragraph_too_long_names_its_line() -> None:
    with pytest.raises(SourceError) as caught:
        check_document(
            document(paragraph("ok"), paragraph("x" * 101, line=7)),
            Limits(max_paragraph_chars=100),
        )
    assert caught.value.line == 7 and "limits.max_paragraph_chars" in str(caught.value)


MARKDOWN_TABLE = "\n".join(
    [
        "# Tableau",
        "",
        "Un paragraphe d’introduction.",
        "",
        "| " + " | ".join(f"h{c}" for c in range(50)) + " |",
        "|" + "---|" * 50,
        *("| " + " | ".join(f"r{r}c{c}" for c in range(50)) + " |" for r in range(299)),
    ]
)


def test_markdown_table_cells_are_counted_and_capped(tmp_path: Path) -> None:
    """A 300x50 Markdown table: read as one table block of its size, and the
    cap applies to the whole table."""
    source = tmp_path / "table.md"
    source.write_text(MARKDOWN_TABLE, encoding="utf-8")
    doc = read_source(str(source))
    tables = [block for block in doc.blocks if block.table_cells]
    assert len(tables) == 1 and table_cells(tables[0]) == 15_000
    assert len(tables[0].cells) == 300
    assert table_cells(doc.blocks[0]) == 0
    with pytest.raises(SourceError, match="15,000 cells") as caught:
        check_document(doc, Limits())
    assert caught.value.line == 5 and "limits.max_table_cells" in str(caught.value)
    assert check_document(doc, Limits(max_table_cells=15_000)) is doc


def test_html_table_cells_are_counted_and_capped(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura")
    cells = "".join(f"<td>c{c}</td>" for c in range(50))
    rows = "".join(f"<tr>{cells}</tr>" for _ in range(300))
    page = (
        "<html><head><title>Tableau</title></head><body><article><h1>Tableau</h1>"
        "<p>Un paragraphe d’introduction assez long pour être retenu comme article.</p>"
        f"<table>{rows}</table></article></body></html>"
    )
    source = tmp_path / "table.html"
    source.write_text(page, encoding="utf-8")
    doc = read_source(str(source))
    assert {table_cells(b) for b in doc.blocks if b.table_cells} == {15_000}
    with pytest.raises(SourceError, match="15,000 cells"):
        check_document(doc, Limits())


def test_the_cli_fails_alone_on_a_huge_table(tmp_path: Path) -> None:
    import io

    from pipeline.cli import main

    source = tmp_path / "table.md"
    source.write_text(MARKDOWN_TABLE, encoding="utf-8")
    err = io.StringIO()
    code = main(
        ["build", str(source), "-o", str(tmp_path / "out"), "-f", "json"], io.StringIO(), err
    )
    assert code == 1
    assert err.getvalue().count("\n") == 1 and "max_table_cells" in err.getvalue()


def test_limits_are_validated_in_the_config() -> None:
    config = parse_config({"limits": {"max_blocks": 10, "render_timeout": 2.5}})
    assert config.limits.max_blocks == 10 and config.limits.render_timeout == 2.5
    with pytest.raises(ConfigErrors) as caught:
        parse_config({"limits": {"max_blocks": -1, "render_timeout": 0, "bogus": 1}})
    messages = [str(error) for error in caught.value.errors]
    assert any("limits.max_blocks" in m for m in messages)
    assert any("limits.render_timeout" in m for m in messages)
    assert any("limits.bogus" in m for m in messages)


def test_limits_are_in_the_config_schema() -> None:
    assert "limits" in schema()["properties"]
