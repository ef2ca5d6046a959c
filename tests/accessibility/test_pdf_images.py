"""Images in a theme: alt text reaches the PDF's /Figure; a missing one is a
warning, or an error when the variant promises accessibility.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

from pipeline.config.model import Config, Pdf
from pipeline.errors import RenderError
from pipeline.render.discovery import templates_root
from pipeline.render.pdf import render_pdf
from pipeline.render.theme import Theme

from .support import rich_brief

LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
    '<rect width="40" height="20" fill="#1f4e79"/></svg>'
)


def logo_theme(folder: Path, img: str, variant: str) -> Theme:
    """The shipped theme with an image at the top of the page (a theme's own image)."""
    shutil.copytree(templates_root() / "note", folder, dirs_exist_ok=True)
    (folder / "logo.svg").write_text(LOGO, encoding="utf-8")
    template = folder / "brief.html.j2"
    # The shipped themes extend the shared HTML: this theme gets its own copy.
    text = (templates_root() / "_base" / "brief.html.j2").read_text(encoding="utf-8")
    marker = "<body>"
    assert marker in text
    template.write_text(text.replace(marker, marker + img, 1), encoding="utf-8")
    return Theme(name="note", folder=folder, layout=Config().layout, pdf=Pdf(variant=variant))


def figures(data: bytes) -> list[DictionaryObject]:
    reader = PdfReader(io.BytesIO(data))
    found: list[DictionaryObject] = []

    def walk(node: Any) -> None:
        if isinstance(node, IndirectObject):
            node = node.get_object()
        if isinstance(node, list):
            for kid in node:
                walk(kid)
        elif isinstance(node, DictionaryObject):
            if node.get("/S") == "/Figure":
                found.append(node)
            if "/K" in node:
                walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_logo_alt_text_reaches_the_figure(tmp_path: Path) -> None:
    brief = rich_brief()
    theme = logo_theme(tmp_path, '<img src="logo.svg" alt="{{ brief.organisation }}">', "pdf/ua-1")
    artifact = render_pdf(brief, theme)
    assert artifact.warnings == ()
    (figure,) = figures(artifact.data)
    assert figure["/Alt"] == brief.organisation


def test_missing_alt_is_a_warning_without_a_claim(tmp_path: Path) -> None:
    theme = logo_theme(tmp_path, '<img src="logo.svg">', "none")
    artifact = render_pdf(rich_brief(), theme)
    assert any("alt description" in warning for warning in artifact.warnings)


@pytest.mark.parametrize("variant", ["pdf/ua-1", "pdf/a-3b+ua-1"])
def test_missing_alt_fails_an_accessible_variant(tmp_path: Path, variant: str) -> None:
    theme = logo_theme(tmp_path, '<img src="logo.svg">', variant)
    with pytest.raises(RenderError, match="has no alt text") as caught:
        render_pdf(rich_brief(), theme)
    assert "--pdf-variant none" in str(caught.value)


def test_configured_logo_alt_text_reaches_the_figure(tmp_path: Path) -> None:
    """The layout's logo (issue 5) is served from validated bytes and carries its alt."""
    from pipeline.config.model import parse_config
    from pipeline.render.theme import load_theme

    (tmp_path / "logo.svg").write_text(LOGO, encoding="utf-8")
    config = parse_config(
        {"layout": {"logo": {"path": "logo.svg", "alt": "Logo de la cellule"}}},
        base_dir=tmp_path,
    )
    theme = load_theme("note", config.layout, config.pdf, project_root=tmp_path)
    artifact = render_pdf(rich_brief(), theme)
    assert artifact.warnings == ()
    (figure,) = figures(artifact.data)
    assert figure["/Alt"] == "Logo de la cellule"
