"""A resolved theme: its folder, the layout it is drawn with, and the
placeholder expansion shared by both renderers (so headers and footers of
the PDF and the DOCX say the same thing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..brief import Brief
from ..config import Layout
from ..errors import ConfigError
from ..yamlfile import load_yaml

THEME_FILE = "theme.yaml"

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def templates_root() -> Path:
    """Where the shipped themes live: inside the wheel, or the repository's templates/."""
    for candidate in (PACKAGE_DIR / "_templates", PACKAGE_DIR.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise ConfigError("the shipped templates are missing; reinstall the package")


class DocxStyle(BaseModel):
    """How a theme draws the brief in Word, the counterpart of its CSS.

    Read from the `docx:` mapping of the theme's theme.yaml; colours, fonts
    and sizes still come from the config's `layout:`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    title_band: bool = Field(False, description="title block on an accent-coloured band")
    title_align: Literal["left", "center"] = "left"
    heading_caps: bool = Field(False, description="section headings in capitals")
    heading_rule: Literal["none", "bottom", "left"] = Field(
        "none", description="a rule under or beside section headings"
    )
    box_border: Literal["left", "top"] = Field("left", description="where boxes get their rule")


class ThemeFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str = ""
    docx: DocxStyle = DocxStyle()


@dataclass(frozen=True)
class Theme:
    name: str
    folder: Path
    layout: Layout
    docx: DocxStyle = field(default_factory=lambda: DocxStyle())
    description: str = ""
    reference_docx: Path | None = None

    @property
    def asset_roots(self) -> tuple[Path, ...]:
        """Folders the renderer may read files from (and nothing else)."""
        roots = [self.folder]
        if self.layout.logo is not None:
            # Only the logo's own folder, never the whole project.
            roots.append(Path(self.layout.logo.path).parent)
        roots.extend(Path(font.path).parent for font in self.layout.fonts.files)
        return tuple(dict.fromkeys(roots))


def _is_theme(folder: Path) -> bool:
    return (folder / "brief.html.j2").is_file() and (folder / "style.css.j2").is_file()


def find_themes(search: tuple[Path, ...] = ()) -> list[tuple[str, Path]]:
    """Every theme that can be found, user folders first; a user theme hides a shipped one."""
    found: dict[str, Path] = {}
    for root in (*search, templates_root()):
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            if _is_theme(folder) and folder.name not in found:
                found[folder.name] = folder.resolve()
    return sorted(found.items())


def read_theme_file(folder: Path) -> ThemeFile:
    path = folder / THEME_FILE
    if not path.is_file():
        return ThemeFile()
    filename = str(path)
    document = load_yaml(path.read_text(encoding="utf-8"), filename)
    try:
        return ThemeFile.model_validate(document.data or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        raise ConfigError(
            f"{'.'.join(str(p) for p in loc)}: {first['msg'].lower()}",
            file=filename,
            line=document.line_of(loc),
        ) from None


def load_theme(
    name: str,
    layout: Layout,
    search: tuple[Path, ...] = (),
    reference_docx: str | None = None,
) -> Theme:
    """A theme by name (user folders in `search` first, then shipped) or by folder path."""
    candidate = Path(name)
    if ("/" in name or name.startswith(".")) and _is_theme(candidate):
        folder = candidate.resolve()
    else:
        themes = dict(find_themes(search))
        if name not in themes:
            raise ConfigError(
                f"theme: unknown theme '{name}'",
                hint="available: " + ", ".join(themes) + " (see 'python -m pipeline themes')",
            )
        folder = themes[name]
    settings = read_theme_file(folder)
    return Theme(
        name=folder.name,
        folder=folder,
        layout=layout,
        docx=settings.docx,
        description=settings.description,
        reference_docx=Path(reference_docx) if reference_docx else None,
    )


def reading_order(layout: Layout) -> list[str]:
    """The parts of the brief in the order both renderers draw them.

    `layout.blocks`, plus: a cover always starts with the title block, and
    the table of contents follows the title block (or opens the brief).
    """
    names: list[str] = list(layout.blocks)
    if layout.cover:
        names = ["title", *(name for name in names if name != "title")]
    if layout.toc:
        names.insert(names.index("title") + 1 if "title" in names else 0, "toc")
    return names


SlotPart = tuple[Literal["text", "page", "pages"], str]
_PLACEHOLDER = re.compile(r"\{(title|date|organisation|page|pages|classification)\}")


def expand_slot(template: str, brief: Brief, classification: str = "") -> list[SlotPart]:
    """'page {page} / {pages}' -> [("text","page "),("page",""),("text"," / "),("pages","")]."""
    values = {
        "title": brief.title,
        "date": brief.date_text or "",
        "organisation": brief.organisation or "",
        "classification": classification,
    }
    parts: list[SlotPart] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > position:
            parts.append(("text", template[position : match.start()]))
        name = match.group(1)
        if name in ("page", "pages"):
            parts.append((name, ""))  # type: ignore[arg-type]
        else:
            parts.append(("text", values[name]))
        position = match.end()
    if position < len(template):
        parts.append(("text", template[position:]))
    merged: list[SlotPart] = []
    for kind, text in parts:
        if kind == "text" and merged and merged[-1][0] == "text":
            merged[-1] = ("text", merged[-1][1] + text)
        elif kind != "text" or text:
            merged.append((kind, text))
    return merged
