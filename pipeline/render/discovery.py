"""Theme names -> theme folders: where the shipped themes live and which folders are themes.

Imports nothing from the config (the config checks its `theme:` against
`find_themes`, and the theme loader reads the config's `Layout`): this is
the one place that knows the package's own folder and the shipped
templates, for the theme loader, the config, the manifest's package
fingerprint and the e-mail templates alike.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def templates_root() -> Path:
    """Where the shipped themes live: inside the wheel, or the repository's templates/."""
    for candidate in (PACKAGE_DIR / "_templates", PACKAGE_DIR.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise ConfigError("the shipped templates are missing; reinstall the package")


def is_theme(folder: Path) -> bool:
    """A theme folder holds the two templates every theme must have."""
    return (folder / "brief.html.j2").is_file() and (folder / "style.css.j2").is_file()


def find_themes(search: tuple[Path, ...] = ()) -> list[tuple[str, Path]]:
    """Every theme that can be found, user folders first; a user theme hides a shipped one.

    A folder whose name starts with "_" (the shipped `_base` the themes
    extend) is a shared part, not a theme."""
    found: dict[str, Path] = {}
    for root in (*search, templates_root()):
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            if folder.name.startswith(("_", ".")) or folder.name in found:
                continue
            if is_theme(folder):
                found[folder.name] = folder.resolve()
    return sorted(found.items())
