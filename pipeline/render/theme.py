"""A resolved theme: its folder, the layout it is drawn with, and the
placeholder expansion shared by both renderers (so headers and footers of
the PDF and the DOCX say the same thing).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.config.model import COLUMN_GAP_MM, Layout, Pdf, points
from pipeline.config.yamlfile import load_yaml
from pipeline.errors import ConfigError
from pipeline.render.discovery import find_themes, is_theme

if TYPE_CHECKING:
    from pipeline.brief import Block, Brief

THEME_FILE = "theme.yaml"


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
    pdf: Pdf = field(default_factory=lambda: Pdf())  # the PDF renderer's slice of the config
    docx: DocxStyle = field(default_factory=lambda: DocxStyle())
    description: str = ""
    reference_docx: Path | None = None
    # The logo and font files, read once when the theme is loaded and checked
    # (regular file inside the project, size cap, image re-encoded by Pillow):
    # both renderers use these bytes, and the PDF's fetcher serves only them.
    assets: tuple[tuple[Path, bytes], ...] = ()

    @property
    def asset_roots(self) -> tuple[Path, ...]:
        """Folders whose files the renderer may read (and nothing else)."""
        return (self.folder,)

    def asset(self, path: str | Path) -> bytes:
        """The validated bytes of a configured logo or font file."""
        wanted = Path(path).resolve()
        for known, data in self.assets:
            if known == wanted:
                return data
        raise ConfigError(f"{path}: not a configured asset")  # pragma: no cover - a bug


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
    pdf: Pdf | None = None,
    search: tuple[Path, ...] = (),
    reference_docx: str | None = None,
    project_root: Path | None = None,
    *,
    assets: bool = True,
) -> Theme:
    """A theme by name (user folders in `search` first, then shipped) or by folder path.

    The layout's logo and font files are validated and read here, once
    (unless `assets` is false: a build that draws nothing, JSON only).
    """
    candidate = Path(name)
    if ("/" in name or name.startswith(".")) and is_theme(candidate):
        folder = candidate.resolve()
    else:
        themes = dict(find_themes(search))
        if name not in themes:
            raise ConfigError(
                f"theme: unknown theme '{name}'",
                hint="available: " + ", ".join(themes) + "; see 'python -m pipeline themes'",
            )
        folder = themes[name]
    settings = read_theme_file(folder)
    return Theme(
        name=folder.name,
        folder=folder,
        layout=layout,
        pdf=pdf or Pdf(),
        docx=settings.docx,
        description=settings.description,
        reference_docx=Path(reference_docx) if reference_docx else None,
        assets=_load_assets(layout, project_root or Path.cwd()) if assets else (),
    )


def _load_assets(layout: Layout, project_root: Path) -> tuple[tuple[Path, bytes], ...]:
    from pipeline.render.assets import read_asset, validate_font, validate_image

    assets: list[tuple[Path, bytes]] = []
    if layout.logo is not None:
        path = Path(layout.logo.path)
        if path.suffix.lower() == ".svg":
            # Drawn by WeasyPrint's own SVG engine, whose references go through
            # the sandbox fetcher like everything else.
            data = read_asset(path, project_root)
        else:
            data = validate_image(path, project_root)
        assets.append((path.resolve(), data))
    for font in layout.fonts.files:
        path = Path(font.path)
        assets.append((path.resolve(), validate_font(path, project_root)))
    if layout.extra_css is not None:
        path = Path(layout.extra_css)
        data = read_asset(path, project_root)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError(
                "layout.extra_css: the stylesheet is not UTF-8 text", file=str(path)
            ) from None
        assets.append((path.resolve(), data))
    return tuple(assets)


def tint(color: str, share: float) -> str:
    """`color` ("#rrggbb") mixed with white, keeping `share` of it: the lighter
    shade of the accent that both renderers paint (the cons header bar)."""
    channels = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(255 - (255 - c) * share):02x}" for c in channels)


BOX_LEADING = 1.3  # box and cell text's line height, a factor of its size
BOX_CHAR_EMS = 0.53  # an average character of the serif text face, in ems


HYPHEN_ZONE_CHARS = 8  # hyphenate only when a line would otherwise end this many characters short


def hyphenation_zone_pt(layout: Layout) -> float:
    """How short a justified line may end before a word is hyphenated, in
    points: about 8 characters of the body, whatever the measure (10% of an
    A4 line, 15% of an A5 one, 20% of a column), so runs of hyphenated lines
    stay short in narrow measures too. The CSS hyphenate-limit-zone and the
    DOCX w:hyphenationZone."""
    return HYPHEN_ZONE_CHARS * BOX_CHAR_EMS * points(layout.fonts.body.size)


def box_text_pt(layout: Layout) -> float:
    """The size of the text in tinted boxes and narrow cells: a half point
    smaller than the body (10 pt under the default 10.5 pt), in both formats."""
    return points(layout.fonts.body.size) - 0.5


def may_split(
    texts: list[str], layout: Layout, share: float = 1.0, limit: float = 2 / 3, wide: bool = False
) -> bool:
    """Whether a box (or a pros/cons cell, `share` of the column wide; `wide`:
    a box above two columns, the text block wide) of these paragraphs is
    estimated taller than `limit` of the text block. Such a box may break
    across pages, its rules and padding repeated on both sides: kept whole,
    it would leave most of a page empty (an A5 page held only the title
    band). Shorter boxes are never split. Both renderers ask this."""
    top, right, bottom, left = layout.margins_pt()
    width, height = layout.page.dimensions_pt()
    columns = 1 if wide else layout.columns
    gap = COLUMN_GAP_MM * 72 / 25.4 * (columns - 1)
    column = (width - left - right - gap) / columns * share
    size = box_text_pt(layout)
    per_line = max(1.0, column / (BOX_CHAR_EMS * size))
    lines = sum(max(1, math.ceil(len(text) / per_line)) for text in texts) + 2  # + label
    return lines * size * BOX_LEADING > (height - top - bottom) * limit


@dataclass(frozen=True)
class Splits:
    """Which boxes of a brief may break across pages (see `may_split`)."""

    key_points: bool = False
    lede: bool = False
    pros_cons: tuple[bool, ...] = ()  # one per section


def splits(brief: Brief, layout: Layout) -> Splits:
    from pipeline.brief import block_texts

    def texts(blocks: tuple[Block, ...]) -> list[str]:
        return [line for block in blocks for line in block_texts(block)]

    # In two columns the cells are stacked, each a full column wide.
    share = 1.0 if layout.columns == 2 else 0.5
    # A box that is not split spans two columns (above them), the text block wide.
    return Splits(
        key_points=may_split(list(brief.key_points), layout, wide=True),
        lede=may_split(texts(brief.lede), layout, wide=True),
        pros_cons=tuple(
            # A table row (its header repeats) may break from 40% of the text block.
            any(may_split(texts(side), layout, share, 0.4) for side in (s.pros, s.cons))
            for s in brief.sections
        ),
    )


def reading_order(layout: Layout, brief: Brief | None = None) -> list[str]:
    """The parts of the brief in the order both renderers draw them.

    `layout.blocks`, plus: a cover always starts with the title block, and
    the table of contents follows the title block (or opens the brief). A
    short article with a lede shows that box alone: the key points would
    repeat it (`layout.key_points_min_words`).
    """
    names: list[str] = list(layout.blocks)
    if (
        brief is not None
        and brief.lede
        and "lede" in names
        and brief.word_count < layout.key_points_min_words
    ):
        names = [name for name in names if name != "key_points"]
    if layout.cover:
        names = ["title", *(name for name in names if name != "title")]
    if layout.toc:
        names.insert(names.index("title") + 1 if "title" in names else 0, "toc")
    return names


# The page of each section heading in the PDF, in order (None: not found),
# which the DOCX's contents show (build/source.py hands it over).
ContentsPages = tuple[int | None, ...]


def section_anchor(index: int) -> str:
    """The anchor of the brief's index-th section heading (1-based), which the
    contents link to: its HTML id (after the template's `anchor` prefix), the
    name of the DOCX bookmark (see docx.compose) and of the PDF page found for it."""
    return f"section-{index}"


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
