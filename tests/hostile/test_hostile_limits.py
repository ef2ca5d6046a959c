"""`limits:` in the config and `check_document`: each cap fails with a clear
SourceError naming the limit to raise, and only when it is exceeded."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pipeline.brief import Run
from pipeline.config import Limits, parse_config, schema
from pipeline.errors import ConfigErrors, SourceError
from pipeline.ingest import Document, RawBlock
from pipeline.limits import check_document, table_cells


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


@dataclass(frozen=True)
class TableBlock:  # the shape a table-producing reader gives its blocks
    rows: tuple[tuple[str, ...], ...]
    line: int = 3
    kind: str = "table"
    text: str = ""


def test_table_cells_are_counted_and_capped() -> None:
    table = TableBlock(rows=tuple(tuple("c" for _ in range(50)) for _ in range(300)))
    assert table_cells(table) == 15_000
    assert table_cells(paragraph("x")) == 0
    with pytest.raises(SourceError, match="15,000 cells") as caught:
        check_document(document(table), Limits())  # type: ignore[arg-type]
    assert caught.value.line == 3


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
