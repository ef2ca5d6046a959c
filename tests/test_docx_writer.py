"""The DOCX writer's XML layer (pipeline/render/docx/ooxml.py), read back with
python-docx: every element it edits keeps the schema's child order, a rule is
set once per side, and a table cell always holds a paragraph."""

from __future__ import annotations

import io

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn

from pipeline.brief import Brief, Paragraph, Run
from pipeline.config.model import Config
from pipeline.render.docx.compose import render_docx
from pipeline.render.docx.ooxml import SCHEMA_ORDER
from pipeline.render.theme import load_theme
from tests.accessibility.support import rich_brief

ORDER = {qn(parent): [qn(child) for child in children] for parent, children in SCHEMA_ORDER.items()}


def schema_disorder(root: object) -> list[str]:
    """Elements whose children the schema orders but which hold them out of order or twice."""
    # Header and footer references form one choice group, repeatable in any order.
    references = {qn("w:headerReference"), qn("w:footerReference")}
    problems = []
    for element in root.iter(*ORDER):  # type: ignore[attr-defined]
        order = [
            qn("w:headerReference") if tag in references else tag for tag in ORDER[element.tag]
        ]
        tags = [child.tag for child in element if child.tag in order or child.tag in references]
        positions = [order.index(qn("w:headerReference") if t in references else t) for t in tags]
        singles = [tag for tag in tags if tag not in references and tag != qn("w:style")]
        if positions != sorted(positions) or len(singles) != len(set(singles)):
            problems.append(f"{element.tag}: {[child.tag.split('}')[1] for child in element]}")
    return problems


def one_sided(brief: Brief) -> Brief:
    """The brief with a pros/cons section that has pros and no cons."""
    pros = (Paragraph(runs=(Run(text="Un seul avantage."),)),)
    sections = tuple(
        section.model_copy(update={"pros": pros, "cons": ()})
        if section.kind == "pros_cons"
        else section
        for section in brief.sections
    )
    return brief.model_copy(update={"sections": sections})


@pytest.mark.parametrize("theme", ["note", "dossier"])
@pytest.mark.parametrize("columns", [1, 2])
def test_children_in_schema_order_and_each_rule_once(theme: str, columns: int) -> None:
    layout = Config().layout.model_copy(update={"columns": columns, "toc": True})
    doc = open_docx(io.BytesIO(render_docx(rich_brief(), load_theme(theme, layout)).data))
    roots = [doc.element, doc.styles.element, doc.settings.element]
    for section in doc.sections:
        roots += [section.header._element, section.footer._element]
    for root in roots:
        assert schema_disorder(root) == []


@pytest.mark.parametrize("columns", [1, 2])
def test_a_pros_cons_side_left_empty_keeps_a_paragraph_in_its_cell(columns: int) -> None:
    layout = Config().layout.model_copy(update={"columns": columns})
    brief = one_sided(rich_brief())
    doc = open_docx(io.BytesIO(render_docx(brief, load_theme("note", layout)).data))
    (table,) = doc.tables
    cells = [cell for row in table.rows for cell in row.cells]
    assert all(cell._tc.findall(qn("w:p")) for cell in cells)
    texts = [cell.text for cell in cells]
    assert "Un seul avantage." in texts
    assert brief.labels.pros in texts and brief.labels.cons in texts
