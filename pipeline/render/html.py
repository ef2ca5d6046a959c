"""Brief + theme -> HTML and CSS text, through the theme's Jinja2 templates.

Autoescape is on for every template, the templates run in Jinja's sandbox
(render/sandbox.py) and the article's text only ever enters as data. Values
that reach the CSS are either validated by pattern in the config or passed
through `css_string`, which escapes every character that is not a letter,
digit or space.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from pipeline.brief import Brief, note_anchor, note_number
from pipeline.config.model import points
from pipeline.render.discovery import templates_root
from pipeline.render.sandbox import ThemeSandbox, template_environment
from pipeline.render.theme import (
    Theme,
    box_text_pt,
    expand_slot,
    hyphenation_zone_pt,
    reading_order,
    section_anchor,
    splits,
    tint,
)


def css_string(text: str) -> Markup:
    """A CSS string literal that nothing in `text` can break out of."""
    out = []
    for char in text:
        if char.isascii() and (char.isalnum() or char == " "):
            out.append(char)
        else:
            # The space ends the escape; CSS consumes it, so it never shows.
            out.append(f"\\{ord(char):06x} ")
    return Markup('"' + "".join(out) + '"')


def css_content(template: str, brief: Brief, classification: str = "") -> Markup:
    """A header/footer slot as the value of a CSS `content` property."""
    pieces = []
    for kind, text in expand_slot(template, brief, classification):
        pieces.append(css_string(text) if kind == "text" else f"counter({kind})")
    return Markup(" ".join(pieces) if pieces else "none")


@lru_cache(maxsize=8)
def environment(folder: Path) -> ThemeSandbox:
    """The theme's templates, sandboxed (render/sandbox.py): a theme is not trusted with code."""
    env = template_environment(
        # The theme's own templates first, then the shared ones
        # ("_base/brief.html.j2") that shipped and user themes may extend.
        jinja2.ChoiceLoader(
            [jinja2.FileSystemLoader(str(folder)), jinja2.FileSystemLoader(str(templates_root()))]
        )
    )
    env.filters["css_string"] = css_string
    env.filters["tint"] = tint
    env.globals["points"] = points
    env.globals["note_anchor"] = note_anchor
    env.globals["note_number"] = note_number
    env.globals["section_anchor"] = section_anchor
    env.globals["box_text_pt"] = box_text_pt
    env.globals["hyphenation_zone_pt"] = hyphenation_zone_pt
    return env


TEMPLATES = ("style.css.j2", "brief.html.j2")


def preload(folder: Path) -> None:
    """Compile the theme's templates now (compiling runs none of their code),
    so every forked child that fills them inherits the compiled ones."""
    env = environment(folder)
    for name in TEMPLATES:
        env.get_template(name)


_MEDIA_TYPES = {
    ".svg": "image/svg+xml",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}


def _data_url(theme: Theme, path: str) -> str:
    # Raster logos are re-encoded as PNG by assets.validate_image.
    media_type = _MEDIA_TYPES.get(Path(path).suffix.lower(), "image/png")
    encoded = base64.b64encode(theme.asset(path)).decode("ascii")
    return f"data:{media_type};base64,{encoded}"


def fallback_fonts(brief: Brief, theme: Theme) -> Markup:
    """The fallback families for the brief's scripts, as a CSS list tail: `, "Noto Sans CJK JP"`."""
    from pipeline.render.fallback import fallback_for

    found = fallback_for(brief, theme.layout.fonts)
    return Markup("".join(", " + css_string(family) for family in found.families))


def template_context(brief: Brief, theme: Theme) -> dict[str, Any]:
    """What the templates read: the brief (for a digest: its title block), the
    layout and the validated assets."""
    return {
        "brief": brief,
        "layout": theme.layout,
        "page_size": theme.layout.page.dimensions_pt(),
        "parts": reading_order(theme.layout, brief),
        # Which of a brief's boxes may break across pages (render.theme.may_split).
        "splits_of": lambda of: splits(of, theme.layout),
        "slot": lambda template: css_content(template, brief, theme.layout.classification),
        # The logo and fonts go in as data: URLs of the bytes validated when
        # the theme was loaded, so WeasyPrint never opens those files itself
        # (for a file: URL it would re-read the file from disk).
        "logo_url": _data_url(theme, theme.layout.logo.path) if theme.layout.logo else None,
        "font_urls": [_data_url(theme, font.path) for font in theme.layout.fonts.files],
        # Families drawing the scripts the theme's fonts do not (render/fallback.py).
        "fallback_fonts": fallback_fonts(brief, theme),
        "anchor": "",  # prefix of the ids of headings (a digest sets one per article)
    }


def render_html(brief: Brief, theme: Theme) -> tuple[str, str]:
    env = environment(theme.folder)
    context = template_context(brief, theme)
    css = env.get_template("style.css.j2").render(context)
    if theme.layout.extra_css is not None:
        # The user's own stylesheet comes last, so its rules win; it is CSS as
        # written, not a template, and its url()s go through the same fetcher.
        extra = theme.asset(theme.layout.extra_css).decode("utf-8")
        css = f"{css}\n/* layout.extra_css */\n{extra}\n"
    html = env.get_template("brief.html.j2").render(context)
    return break_long_words(html), css


# A run of letters longer than this is no word (a pasted blob): hyphenating
# it makes WeasyPrint try every break point (a 2 kB word took 38 s), so it
# gets a zero-width space every LONG_WORD_PIECE characters instead, where a
# line may break. Text extraction and `check` ignore the zero-width space.
LONG_WORD = 40
LONG_WORD_PIECE = 20
_TEXT_OR_RAW = re.compile(r"(<(script|style)\b.*?</\2\s*>)|(<[^>]*>)|([^<]+)", re.S | re.I)
_LONG_WORD = re.compile(rf"[^\W\d_]{{{LONG_WORD + 1},}}")  # letters only: URLs keep their form
_PIECE = re.compile(rf".{{{LONG_WORD_PIECE}}}(?=.)", re.S)


def break_long_words(html: str) -> str:
    """The HTML with break opportunities inside absurdly long words of its text
    (never inside tags, attributes, scripts or styles)."""

    def pieces(word: re.Match[str]) -> str:
        return _PIECE.sub(lambda piece: piece.group(0) + "\u200b", word.group(0))

    def part(match: re.Match[str]) -> str:
        text = match.group(4)
        return match.group(0) if text is None else _LONG_WORD.sub(pieces, text)

    return _TEXT_OR_RAW.sub(part, html)
