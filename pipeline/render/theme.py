"""A resolved theme: its folder, the layout it is drawn with, and the
placeholder expansion shared by both renderers (so headers and footers of
the PDF and the DOCX say the same thing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..brief import Brief
from ..config import Layout, Pdf
from ..errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def templates_root() -> Path:
    """Where the shipped themes live: inside the wheel, or the repository's templates/."""
    for candidate in (PACKAGE_DIR / "_templates", PACKAGE_DIR.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise ConfigError("the shipped templates are missing; reinstall the package")


@dataclass(frozen=True)
class Theme:
    name: str
    folder: Path
    layout: Layout
    pdf: Pdf = Pdf()  # the PDF renderer's slice of the config

    @property
    def asset_roots(self) -> tuple[Path, ...]:
        """Folders the renderer may read files from (and nothing else)."""
        return (self.folder,)


def load_theme(name: str, layout: Layout, pdf: Pdf | None = None) -> Theme:
    root = templates_root()
    folder = (root / name).resolve()
    if not (folder / "brief.html.j2").is_file():
        known = sorted(p.name for p in root.iterdir() if (p / "brief.html.j2").is_file())
        raise ConfigError(f"theme: unknown theme '{name}'", hint="available: " + ", ".join(known))
    return Theme(name=name, folder=folder, layout=layout, pdf=pdf or Pdf())


SlotPart = tuple[Literal["text", "page", "pages"], str]
_PLACEHOLDER = re.compile(r"\{(title|date|organisation|page|pages)\}")


def expand_slot(template: str, brief: Brief) -> list[SlotPart]:
    """'page {page} / {pages}' -> [("text","page "),("page",""),("text"," / "),("pages","")]."""
    values = {
        "title": brief.title,
        "date": brief.date_text or "",
        "organisation": brief.organisation or "",
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
