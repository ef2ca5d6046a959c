"""Config + command line -> `BuildPlan`: what each source of a build is built with, resolved once.

The config is validated once (config/model.py); this module resolves it
once more, for one build: the theme (its templates found, its logo and font
files checked and read), the understand stage's settings (language, extra
language folders, label overrides, key points, entities), the limits, the
build date and time, and the fingerprint the manifest compares (config,
theme and package hashes). The per-source pipeline (build/source.py) and
the batch (build/batch.py) take the plan as a value and never read the raw
config again; a pool worker gets it pickled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pipeline.build.clock import build_date, build_time
from pipeline.build.manifest import (
    SourceEntry,
    config_hash,
    package_fingerprint,
    sha256_bytes,
    theme_hash,
)
from pipeline.config.model import Config, Limits
from pipeline.errors import UsageError
from pipeline.render.theme import Theme, load_theme

if TYPE_CHECKING:
    from pipeline.read.fetch import Fetcher
    from pipeline.read.ingest import InputFormat


@dataclass(frozen=True)
class BriefSettings:
    """The understand stage's slice of the config: how a Document becomes a Brief."""

    language: str = "auto"  # "auto" (detected) or a language code
    language_dirs: tuple[Path, ...] = ()  # extra language data, searched first
    # label overrides per language code: {"fr": {"lede": "L'essentiel"}}
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    undated: Literal["build", "file"] = "build"
    organisation: str | None = None
    key_points: int = 0  # how many key points; 0: none
    entities: bool = False
    entity_method: str = "builtin"

    @classmethod
    def of(cls, config: Config) -> BriefSettings:
        return cls(
            language=config.language,
            language_dirs=language_dirs(config),
            labels=dict(config.labels),
            undated=config.undated,
            organisation=config.organisation or None,
            key_points=config.key_points.count if config.key_points.enabled else 0,
            entities=config.entities.enabled,
            entity_method=config.entities.method,
        )


@dataclass(frozen=True)
class Fingerprint:
    """What a source's artifacts depend on besides the source itself: an
    unchanged fingerprint (and source) lets the manifest skip it."""

    config_hash: str
    theme: str
    theme_hash: str
    package: str
    formats: tuple[str, ...]


@dataclass(frozen=True)
class BuildPlan:
    formats: tuple[str, ...]
    theme: Theme  # the renderers' slice: layout, PDF settings, DOCX style, checked assets
    brief: BriefSettings
    limits: Limits
    today: dt.date  # dates a brief whose article gives none
    stamp: str  # the build time the manifest records
    fingerprint: Fingerprint
    strict: bool = False  # warnings fail the source
    input_format: InputFormat | None = None  # None: from each file's extension
    preview: bool = False  # also a PNG of page 1 of each PDF
    fetcher: Fetcher | None = None  # reads URL sources (None: default settings, no cache)

    def source_entry(
        self, source: str, sha256: str, slug: str, stem: str, artifacts: tuple[str, ...]
    ) -> SourceEntry:
        """The manifest entry of a source built with this plan (content `sha256`),
        written as `artifacts` (file names in the output folder)."""
        inputs = self.fingerprint
        return SourceEntry(
            source=source,
            sha256=sha256,
            config_hash=inputs.config_hash,
            theme=inputs.theme,
            theme_hash=inputs.theme_hash,
            package_version=inputs.package,
            formats=inputs.formats,
            slug=slug,
            stem=stem,
            artifacts=artifacts,
            build_time=self.stamp,
        )


def language_dirs(config: Config) -> tuple[Path, ...]:
    """The config's extra language folder, resolved against the config file."""
    if not config.languages_dir:
        return ()
    folder = config.base_dir / config.languages_dir
    if not folder.is_dir():
        raise UsageError(
            f"languages_dir: {folder} is not a folder",
            hint="create it or remove languages_dir from the config",
        )
    return (folder,)


def theme_search_path(config: Config) -> tuple[Path, ...]:
    """User theme folders, relative to the config file, searched before the shipped ones."""
    return tuple(config.base_dir / folder for folder in config.theme_dirs)


def theme_fingerprint(theme: Theme, folders: tuple[Path, ...] = ()) -> str:
    """Every file the build reads besides the articles (manifest.theme_hash:
    the theme folder, logo, fonts, reference document, language `folders`),
    and layout.extra_css, which lives outside the theme."""
    folder = theme_hash(theme, folders)
    css = theme.layout.extra_css
    if css is None:
        return folder
    try:  # read here: a build without a PDF does not load the theme's assets
        data = Path(css).read_bytes()
    except OSError:
        data = b""
    return sha256_bytes(f"{folder}:{sha256_bytes(data)}".encode())


def load_theme_for(config: Config, *, assets: bool = True) -> Theme:
    """The configured theme with its layout, PDF settings and validated assets
    (the logo and font files, read and checked only when `assets`)."""
    return load_theme(
        config.theme,
        config.layout,
        config.pdf,
        search=theme_search_path(config),
        reference_docx=config.reference_docx,
        project_root=config.base_dir,
        assets=assets,
    )


def make_plan(
    config: Config,
    formats: tuple[str, ...] | None = None,
    *,
    strict: bool = False,
    input_format: InputFormat | None = None,
    preview: bool = False,
    refresh: bool = False,
) -> BuildPlan:
    """The plan of one build of `formats` (default: the config's); `refresh`:
    download URL sources again instead of revalidating the cached copies.
    Only what the formats need is checked: a JSON-only build draws nothing,
    so it neither reads nor validates the logo and font files."""
    from pipeline.read.fetch import fetcher_for

    chosen = tuple(formats or config.formats)
    today = build_date()
    theme = load_theme_for(config, assets=bool({"pdf", "docx"} & set(chosen)))
    if "docx" in chosen and theme.reference_docx is not None:
        from pipeline.render.docx.reference import check_reference

        # A broken reference fails the build before any source is read.
        check_reference(theme.reference_docx, theme.layout, theme.docx)
    return BuildPlan(
        formats=chosen,
        theme=theme,
        brief=BriefSettings.of(config),
        limits=config.limits,
        today=today,
        stamp=build_time(),
        fingerprint=Fingerprint(
            config_hash=config_hash(config, today),
            theme=theme.name,
            theme_hash=theme_fingerprint(theme, language_dirs(config)),
            package=package_fingerprint(),
            formats=chosen,
        ),
        strict=strict,
        input_format=input_format,
        preview=preview,
        fetcher=fetcher_for(config.fetch, config.base_dir, today, refresh),
    )
