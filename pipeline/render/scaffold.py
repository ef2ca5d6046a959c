"""A shipped theme -> a new theme folder of the user's (`themes new NAME`).

The theme's templates are copied as they are; its theme.yaml is written
anew with a comment on every setting (drawn from `DocxStyle`'s declarations,
so the comments cannot drift from what is accepted).
"""

from __future__ import annotations

import re
import shutil
import typing
from pathlib import Path

from pipeline.config.model import Config
from pipeline.errors import UsageError
from pipeline.render.discovery import find_themes
from pipeline.render.theme import THEME_FILE, DocxStyle, read_theme_file

NAME_RE = r"^[a-z0-9][a-z0-9_-]{0,40}$"

_HEADER = """\
# The "{name}" theme, made from "{base}" by `python -m pipeline themes new`.
#
# The PDF's look is style.css.j2 (a Jinja2 template of CSS) and the page's
# HTML is brief.html.j2: edit them freely; docs/themes.md lists every
# variable they receive. Colours, fonts, sizes, margins, header and footer
# come from layout: in config.yaml, for the PDF and the DOCX alike.
# Word does not read CSS: the settings under docx: are the DOCX counterpart
# of the stylesheet's choices, and must be kept in step with it by hand.

# One line shown by `python -m pipeline themes`.
description: {description}

docx:
"""


def theme_yaml(name: str, base: str, description: str, docx: DocxStyle) -> str:
    """A theme.yaml with a comment above each setting."""
    import json

    lines = [_HEADER.format(name=name, base=base, description=json.dumps(description or name))]
    for key, field in DocxStyle.model_fields.items():
        choices = typing.get_args(field.annotation)
        comment = field.description or key.replace("_", " ")
        if choices:
            comment += " (" + " or ".join(map(str, choices)) + ")"
        elif field.annotation is bool:
            comment += " (true or false)"
        value = getattr(docx, key)
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        lines.append(f"  # {comment}\n  {key}: {shown}\n")
    return "".join(lines)


def new_theme(name: str, base: str, config: Config) -> Path:
    """Create `<first theme_dir>/<name>/` from theme `base`; return the folder."""
    if re.match(NAME_RE, name) is None:
        raise UsageError(
            f"'{name}' cannot be a theme name",
            hint="use lower-case letters, digits, - and _ (as theme: in config.yaml accepts)",
        )
    themes = dict(find_themes(tuple(config.base_dir / d for d in config.theme_dirs)))
    if base not in themes:
        raise UsageError(f"no theme '{base}' to start from", hint="available: " + ", ".join(themes))
    if not config.theme_dirs:
        raise UsageError("the config's theme_dirs is empty: there is no folder for user themes")
    target = config.base_dir / config.theme_dirs[0] / name
    if target.exists():
        raise UsageError(f"{target} already exists", hint="choose another name or remove it")
    source = themes[base]
    settings = read_theme_file(source)
    staging = target.with_name(f".{name}.part")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging, ignore=shutil.ignore_patterns(THEME_FILE, "__pycache__"))
    (staging / THEME_FILE).write_text(
        theme_yaml(name, base, settings.description, settings.docx), encoding="utf-8"
    )
    staging.rename(target)
    return target
